import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodePng } from '../../src/data/png.ts';
import { runReport } from '../../src/report/run-report.ts';
import { addSimulatedAndRealMeasurements, smallRun } from './report-fixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-default-apps', '--disable-sync', '--no-first-run'];

/** Runs headless Chromium on a page with its own profile directory; stdout is what --dump-dom prints. */
function chromium(args: string[]): string {
  const profile = mkdtempSync(join(tmpdir(), 'cnas-chromium-profile-'));
  const r = spawnSync(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, ...args], { encoding: 'utf8', timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, `chromium ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

test('the report renders in headless Chromium: every chart has marks, the table script ran, the page is not blank', async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: this test needs Debian's chromium (apt-get install chromium)`);
  const save = await smallRun();
  addSimulatedAndRealMeasurements(save);
  const dir = mkdtempSync(join(tmpdir(), 'cnas-report-chromium-'));
  const page = join(dir, 'report.html');
  writeFileSync(page, runReport(save));
  const url = pathToFileURL(page).href;

  const dom = chromium(['--dump-dom', url]);
  const svgs = dom.match(/<svg class="chart"[\s\S]*?<\/svg>/g) ?? [];
  assert.equal(svgs.length, 6, 'front, hypervolume, surrogate tau and three simulated-vs-measured scatters');
  svgs.forEach((svg, i) => {
    const marks = (svg.match(/<circle class="point"/g) ?? []).length + (svg.match(/<polyline class="series"/g) ?? []).length;
    assert.ok(marks > 0, `chart ${i} has no plotted marks`);
  });
  assert.match(dom, /<table id="candidates" data-sortable="ready">/, 'the sorting script ran');

  const shot = join(dir, 'shot.png');
  chromium([`--screenshot=${shot}`, '--window-size=1280,2000', url]);
  const bytes = readFileSync(shot);
  assert.ok(bytes.length > 20_000, `screenshot of ${bytes.length} bytes`);
  const image = decodePng(bytes, shot);
  assert.deepEqual([image.width, image.height], [1280, 2000]);
  // A blank page is one colour; the report draws text, axes and coloured marks on white.
  const colours = new Set<number>();
  for (let i = 0; i < image.pixels.length; i += 3) colours.add((image.pixels[i] << 16) | (image.pixels[i + 1] << 8) | image.pixels[i + 2]);
  assert.ok(colours.size > 50, `${colours.size} distinct colours`);
  let dark = 0;
  for (let i = 0; i < image.pixels.length; i += 3) if (image.pixels[i] + image.pixels[i + 1] + image.pixels[i + 2] < 384) dark++;
  assert.ok(dark > 5000, `${dark} dark pixels`);
});
