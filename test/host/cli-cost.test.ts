import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli, tempFiles } from './cli-helpers.ts';

const min = { ks: new Array(10).fill(3), e: new Array(10).fill(3), d: [2, 2, 2, 2, 2] };
const max = { ks: new Array(20).fill(7), e: new Array(20).fill(6), d: [4, 4, 4, 4, 4], r: 224 };
const dir = tempFiles({
  'min.json': JSON.stringify(min),
  'max.json': JSON.stringify(max),
  'ee.json': JSON.stringify({ ...min, t: [0.1, 1, 0.2, 1] }),
  'broken.json': '{"ks": [3, 3',
  'bad.json': JSON.stringify({ ...min, ks: [3, 3, 3, 4, 3, 3, 3, 3, 3, 3] }),
  'space.json': JSON.stringify({ width_mult: 0.35, lr: 96, ur: 160, rstep: 16 }),
});
const file = (name: string): string => join(dir, name);

test('cnas cost --json reproduces the reference figures', () => {
  const a = runCli(['cost', file('max.json'), '--json']);
  assert.equal(a.code, 0, a.stderr);
  const r = JSON.parse(a.stdout);
  assert.deepEqual(r.exact, { params: 7_664_760, macs: 579_474_656, activations: 18_792_440 });
  assert.deepEqual([r.params, r.macs, r.activations, r.resolution, r.classes], [7.66, 579.47, 18.79, 224, 1000]);
  const b = JSON.parse(runCli(['cost', file('min.json'), '--resolution', '224', '--json']).stdout);
  assert.deepEqual(b.exact, { params: 3_410_792, macs: 125_621_152, activations: 6_393_880 });
  assert.ok(b.weights_bytes_int8 > b.exact.params && b.peak_activation_bytes_int8 > 0);
});

test('snake_case CNAS flags are aliases and the table is readable', () => {
  const a = runCli(['cost', file('min.json'), '--resolution', '32', '--n_classes', '10', '--search_space', 'mobilenetv3']);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /mobilenetv3, 32 px, 10 classes/);
  assert.match(a.stdout, /params \(M\)/);
  assert.match(a.stdout, /int8 peak activations/);
});

test('early-exit spaces list the exits; width and space files change the network', () => {
  const ee = JSON.parse(runCli(['cost', file('ee.json'), '--space', 'eemobilenetv3', '--resolution', '64', '--classes', '10', '--json']).stdout);
  assert.deepEqual(ee.exits.map((e: { after_stage: number }) => e.after_stage), [0, 2, 4]);
  const narrow = JSON.parse(runCli(['cost', file('min.json'), '--resolution', '64', '--width', '0.35', '--json']).stdout);
  const wide = JSON.parse(runCli(['cost', file('min.json'), '--resolution', '64', '--json']).stdout);
  assert.ok(narrow.exact.params < wide.exact.params / 2);
  const fromFile = JSON.parse(runCli(['cost', file('min.json'), '--resolution', '64', '--space-file', file('space.json'), '--json']).stdout);
  assert.deepEqual(fromFile.exact, narrow.exact);
});

test('bad input: one clear line on stderr, exit code 2, no stack trace', () => {
  const cases: [string[], RegExp][] = [
    [['cost', file('broken.json'), '--resolution', '224'], /broken\.json: malformed JSON/],
    [['cost', file('nope.json'), '--resolution', '224'], /nope\.json: no such file/],
    [['cost', file('min.json'), '--space', 'resnet50'], /argument 'resnet50' is invalid. Allowed choices are mobilenetv3, eemobilenetv3, cbnmobilenetv3/],
    [['cost', file('bad.json'), '--resolution', '224'], /bad\.json: field "ks\[3\]": value 4 is not allowed; allowed values: 3, 5, 7/],
    [['cost', file('min.json'), '--space', 'eemobilenetv3', '--resolution', '224'], /min\.json: field "t": is missing/],
    [['cost', file('min.json')], /min\.json: the config has no "r"; give --resolution <px>/],
    [['cost', file('min.json'), '--resolution', '16'], /--resolution <px>' argument '16' is invalid. allowed values: integers >= 32/],
    [['cost', file('min.json'), '--resolution', '64', '--classes', '0'], /--classes <n>' argument '0' is invalid. allowed values: integers >= 1/],
    [['cost', file('min.json'), '--resolution', '64', '--width', 'wide'], /--width <mult>' argument 'wide' is invalid/],
    [['cost', file('min.json'), '--resolution', '64', '--frobnicate'], /unknown option '--frobnicate'/],
    [['cost', file('min.json'), '--space-file', file('bad.json'), '--resolution', '64'], /bad\.json: field "\(root\)": Unrecognized keys?: "ks", "e", "d"/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ];
  for (const [args, message] of cases) {
    const r = runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')} -> ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});
