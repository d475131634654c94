import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/space/config.ts';
import { ConfigError } from '../../src/space/errors.ts';
import { loadSpace } from '../../src/space/load-space.ts';

const mbv3 = loadSpace('mobilenetv3');
const varRes = loadSpace('mobilenetv3', { lr: 192, ur: 256 });
const ee = loadSpace('eemobilenetv3');
const cbn = loadSpace('cbnmobilenetv3');
const base = { ks: [3, 5, 7, 3, 5, 7, 3, 5, 7, 3], e: [3, 4, 6, 3, 4, 6, 3, 4, 6, 3], d: [2, 2, 2, 2, 2] };

function rejects(space: typeof mbv3, raw: unknown, field: string, message: RegExp, rule: 'space' | 'any' = 'space'): void {
  assert.throws(() => validateConfig(space, raw, rule), (err: unknown) => {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.field, field, err.message);
    assert.match(err.message, message);
    return true;
  });
}

test('a valid config comes back clean, in CNAS key order', () => {
  const c = validateConfig(varRes, { r: 200, d: base.d, e: base.e, ks: base.ks });
  assert.deepEqual(Object.keys(c), ['ks', 'e', 'd', 'r']);
  assert.deepEqual(validateConfig(ee, { ...base, t: [0.1, 1, 0.2, 1] }).t, [0.1, 1, 0.2, 1]);
  assert.deepEqual(validateConfig(cbn, { ...base, b: [0, 1, 0, 0] }).b, [0, 1, 0, 0]);
});

test('wrong list lengths name the field and the expected length', () => {
  rejects(mbv3, { ...base, ks: base.ks.slice(1) }, 'ks', /has 9 entries; expected 10 \(sum of d\)/);
  rejects(mbv3, { ...base, d: [2, 2, 2, 2] }, 'd', /has 4 entries; expected 5/);
  rejects(ee, { ...base, t: [1, 1, 1] }, 't', /has 3 entries; expected 4/);
  rejects(cbn, { ...base, b: [1, 0, 0, 0, 1] }, 'b', /has 5 entries; expected 4/);
});

test('values outside the choices name field, value and allowed values', () => {
  rejects(mbv3, { ...base, ks: [3, 5, 7, 4, 5, 7, 3, 5, 7, 3] }, 'ks[3]', /value 4 is not allowed; allowed values: 3, 5, 7/);
  rejects(mbv3, { ...base, e: [3, 4, 6, 3, 4, 6, 3, 4, 6, 5] }, 'e[9]', /value 5 is not allowed; allowed values: 3, 4, 6/);
  rejects(mbv3, { ...base, d: [2, 2, 5, 2, 2] }, 'd[2]', /value 5 is not allowed; allowed values: 2, 3, 4/);
  rejects(mbv3, { ...base, ks: ['3', 5, 7, 3, 5, 7, 3, 5, 7, 3] }, 'ks[0]', /value "3" is not allowed/);
  rejects(ee, { ...base, t: [0.1, 0.3, 1, 1] }, 't[1]', /value 0.3 is not allowed; allowed values: 0.1, 0.2, 1/);
  rejects(cbn, { ...base, b: [0, 2, 0, 0] }, 'b[1]', /value 2 is not allowed; allowed values: 0, 1/);
  rejects(cbn, { ...base, b: [0, 0, 0, 0] }, 'b', /at least one entry must be 1/);
  rejects(varRes, { ...base, r: 201 }, 'r', /value 201 is not allowed; allowed values: 192, 196/);
  rejects(mbv3, { ...base, r: 192 }, 'r', /allowed values: 224/);
  rejects(mbv3, { ...base, r: 16 }, 'r', /allowed values: integers >= 32/, 'any');
  rejects(mbv3, { ...base, ks: 3 }, 'ks', /must be a list of numbers/);
});

test('missing and stray fields are named', () => {
  rejects(mbv3, { e: base.e, d: base.d }, 'ks', /is missing/);
  rejects(mbv3, { ks: base.ks, e: base.e }, 'd', /is missing/);
  rejects(ee, base, 't', /is missing/);
  rejects(cbn, base, 'b', /is missing/);
  rejects(varRes, base, 'r', /is missing; this space searches resolutions 192..256 step 4/);
  rejects(mbv3, { ...base, w: 1.0 }, 'w', /is not part of a mobilenetv3 config; allowed fields: ks, e, d, r$/);
  rejects(mbv3, { ...base, t: [1, 1, 1, 1] }, 't', /is not part of a mobilenetv3 config/);
  rejects(ee, { ...base, t: [1, 1, 1, 1], b: [1, 0, 0, 0] }, 'b', /allowed fields: ks, e, d, r, t$/);
  rejects(mbv3, [1, 2, 3], '(root)', /must be a JSON object/);
  rejects(mbv3, null, '(root)', /must be a JSON object/);
});

test('the "any" rule accepts any resolution from 32 up and a missing r', () => {
  assert.equal(validateConfig(mbv3, { ...base, r: 33 }, 'any').r, 33);
  assert.equal(validateConfig(varRes, base, 'any').r, undefined);
});
