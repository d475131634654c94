import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportFromFlags } from '../../host/commands/export.ts';
import type { ExportFlags } from '../../host/commands/export.ts';
import { inspectFile } from '../../host/commands/inspect.ts';
import { UsageError } from '../../host/usage-error.ts';
import { runCli, tempFiles } from '../host/cli-helpers.ts';

const small = { ks: new Array(10).fill(3), e: new Array(10).fill(3), d: [2, 2, 2, 2, 2] };
const dir = tempFiles({
  'net.json': JSON.stringify(small),
  'ee.json': JSON.stringify({ ...small, t: [0.1, 1, 0.2, 1] }),
  'broken.json': '{"ks": [3',
  'not.tflite': 'hello, not a model',
});
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string): string => join(dir, name);
const flags = (output: string, extra: Partial<ExportFlags> = {}): ExportFlags => ({ space: 'mobilenetv3', width: 0.35, resolution: 32, classes: 10, calibSamples: 2, seed: 0, output, ...extra });
const notes: string[] = [];
const log = (line: string) => void notes.push(line);

test('export writes a float model and an int8 one, inspect reads them back', async () => {
  const lines = await exportFromFlags(file('net.json'), flags(file('a.tflite'), { verify: true }), log);
  assert.match(lines[0], /^wrote .*a\.tflite: .* operators, .* MACs, arena /);
  assert.match(lines[1], /verified against TF\.js on 16 images: max relative error/);
  assert.ok(notes.some((n) => /no --weights: exporting seeded random weights/.test(n)));
  await exportFromFlags(file('net.json'), flags(file('b.tflite'), { int8: true, io: 'float' }), log);
  const inspected = inspectFile(file('b.tflite'));
  assert.equal(inspected.stats.inputs[0].type, 'float32');
  assert.equal(inspected.stats.operators[0].op, 'QUANTIZE');
  assert.ok(inspected.stats.totals.arenaBytes > 0 && inspected.stats.totals.convFcMacs > 0);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), [], 'no temp files left');
});

test('an existing output needs --force; segments go to a directory with a manifest', async () => {
  await assert.rejects(exportFromFlags(file('net.json'), flags(file('a.tflite')), log), /a\.tflite already exists; pass --force/);
  await exportFromFlags(file('net.json'), flags(file('a.tflite'), { force: true }), log);
  const out = file('segments');
  await exportFromFlags(file('ee.json'), flags(out, { space: 'eemobilenetv3', eenn: 'segments', int8: true }), log);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.deepEqual(readdirSync(out).sort(), [...manifest.segments.map((s: { file: string }) => s.file), 'manifest.json'].sort());
  assert.deepEqual(manifest.exits.map((e: { threshold: number }) => e.threshold), [0.1, 0.2, 1]);
});

test('bad input is a UsageError naming the problem', async () => {
  const cases: [Promise<unknown>, RegExp][] = [
    [exportFromFlags(file('nope.json'), flags(file('x.tflite')), log), /nope\.json: no such file/],
    [exportFromFlags(file('broken.json'), flags(file('x.tflite')), log), /broken\.json: malformed JSON/],
    [exportFromFlags(file('net.json'), flags(file('x.tflite'), { eenn: 'segments' }), log), /--eenn segments: mobilenetv3 networks have a single exit/],
    [exportFromFlags(file('net.json'), flags(file('x.tflite'), { io: 'float' }), log), /--io float applies to --int8 exports only/],
    [exportFromFlags(file('net.json'), flags(file('x.tflite'), { weights: file('no-checkpoint') }), log), /--weights .*no-checkpoint: .*does not exist/],
  ];
  for (const [promise, message] of cases) await assert.rejects(promise, (err: unknown) => err instanceof UsageError && message.test(err.message));
  assert.throws(() => inspectFile(file('not.tflite')), (err: unknown) => err instanceof UsageError && /not\.tflite: not a valid TFLite model: .*identifier/.test(err.message));
  assert.throws(() => inspectFile(file('none.tflite')), /none\.tflite: no such file/);
});


test('the real CLI: bad input exits 2 with one line, good input exits 0', () => {
  writeFileSync(file('c.json'), JSON.stringify(small));
  for (const args of [
    ['export', file('c.json'), '--resolution', '32', '--io', 'int4', '-o', file('y.tflite')],
    ['inspect', file('not.tflite')],
  ]) {
    const r = runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  const ok = runCli(['export', file('c.json'), '--width', '0.35', '--resolution', '32', '--classes', '10', '-o', file('c.tflite')]);
  assert.equal(ok.code, 0, ok.stderr);
  const inspected = runCli(['inspect', file('c.tflite'), '--json']);
  assert.equal(inspected.code, 0, inspected.stderr);
  assert.ok(JSON.parse(inspected.stdout).stats.totals.macs > 0);
});
