import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runReport } from '../../src/report/run-report.ts';
import { addSimulatedAndRealMeasurements, smallRun } from './report-fixtures.ts';

test('the report is one self-contained page with the front, the hypervolume, surrogate quality and every architecture', async () => {
  const save = await smallRun();
  const html = runReport(save);
  assert.equal((html.match(/<svg /g) ?? []).length, 3);
  assert.match(html, /Pareto front \(top1 vs macs\)/);
  assert.match(html, /Hypervolume/);
  assert.match(html, /Kendall's tau/);
  assert.ok((html.match(/<circle class="point"/g) ?? []).length >= 58);
  const body = html.slice(html.indexOf('<table id="candidates">'));
  assert.equal((body.match(/<tr>/g) ?? []).length, 1 + 58);
  assert.doesNotMatch(html, /(src|href)="https?:/, 'nothing is fetched to view it');
  assert.match(html, /<p id="sim-vs-measured">No architecture was measured on both a simulated and a real board/, 'one sentence, no empty chart, without real measurements');
  assert.throws(() => runReport(join(save, 'nothing')), /no completed iteration/);
});

test('simulated vs measured: one scatter per quantity with the y = x line where a profile was measured both ways', async () => {
  const save = await smallRun();
  const n = addSimulatedAndRealMeasurements(save);
  const html = runReport(save);
  const section = html.slice(html.indexOf('<div id="sim-vs-measured">'), html.indexOf('<h2>Architectures</h2>'));
  assert.equal((section.match(/<svg /g) ?? []).length, 3, 'latency, RAM and flash (no energy without a power model)');
  for (const key of ['latency_ms', 'ram_kb', 'flash_kb']) assert.match(section, new RegExp(`${key}: simulated vs measured`));
  assert.equal((section.match(/<circle class="point"/g) ?? []).length, 3 * n);
  assert.equal((section.match(/<polyline class="series"/g) ?? []).length, 3, 'the y = x line in each');
  assert.equal((html.match(/<svg /g) ?? []).length, 6);
  assert.match(html, /<td>sim-nucleo-l4r5zi-0 \(simulated\); lab-l4r5zi<\/td>/, 'the table names every board of a candidate');
});
