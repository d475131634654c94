import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTorchCheckpoint, readTorchCheckpoint, TorchTensor } from '../../src/nn/ofa-import/torch-load.ts';
import { unpickle } from '../../src/nn/ofa-import/unpickle.ts';
import type { AllowedGlobal } from '../../src/nn/ofa-import/unpickle.ts';
import { ZipArchive } from '../../src/nn/ofa-import/zip-reader.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'ofa');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s/g, ''), 'hex'));
const ascii = (text: string) => Uint8Array.from(Buffer.from(text, 'latin1'));
const plain = { globals: new Map<string, AllowedGlobal>() };

test('the legacy format and a deflated zip give the same tensors: dtypes converted, offsets and strides applied', () => {
  for (const name of ['tiny_legacy.pth', 'tiny_deflated.pth']) {
    const dict = loadTorchCheckpoint(join(FIXTURES, name));
    assert.ok(dict instanceof Map, name);
    const values = (key: string) => {
      const t = dict.get(key);
      assert.ok(t instanceof TorchTensor, `${name} ${key}`);
      return { shape: t.shape, values: Array.from(t.toFloat32()) };
    };
    assert.deepEqual(values('double'), { shape: [2, 2], values: [0.5, -1.25, 3, Math.fround(1e-3)] });
    assert.deepEqual(values('half'), { shape: [4], values: [1.5, -2, 65504, 2 ** -24] });
    assert.deepEqual(values('long'), { shape: [2], values: [1234, -5] });
    assert.deepEqual(values('whole'), { shape: [2, 3], values: [0, 1, 2, 3, 4, 5] });
    assert.deepEqual(values('tail'), { shape: [3], values: [3, 4, 5] });
    assert.deepEqual(values('transposed'), { shape: [3, 2], values: [0, 3, 1, 4, 2, 5] });
    assert.deepEqual(values('parameter'), { shape: [2], values: [2, -3] });
  }
});

test('plain pickles of protocols 2 and 4 (Python-made) decode to maps, lists, frozen tuples and exact ints', () => {
  // pickle.dumps({'a': [1, -2, 300, 70000, -70000, 2**70, 3.5, None, True, False], 'b': (1, 'é'), 'c': ()}, protocol=2)
  const p2 = hex(`80027d71002858010000006171015d7102284b014afeffffff4d2c014a701101004a90eefeff8a090000000000000000404740
    0c0000000000004e88896558010000006271034b015802000000c3a97104867105580100000063710629752e`);
  const { value, end } = unpickle(p2, plain);
  assert.equal(end, p2.length);
  assert.ok(value instanceof Map);
  assert.deepEqual(value.get('a'), [1, -2, 300, 70000, -70000, 2n ** 70n, 3.5, null, true, false]);
  assert.deepEqual(value.get('b'), [1, 'é']);
  assert.ok(Object.isFrozen(value.get('b')));
  // pickle.dumps({'a': [1, 2], 'b': ('x', 'y', 'z')}, protocol=4): FRAME, MEMOIZE, SHORT_BINUNICODE
  const p4 = unpickle(hex('80049523000000000000007d94288c0161945d94284b014b02658c0162948c0178948c0179948c017a948794752e'), plain).value;
  assert.deepEqual(p4, new Map<string, unknown>([['a', [1, 2]], ['b', ['x', 'y', 'z']]]));
});

test('the malicious checkpoint is refused naming the global it calls', () => {
  assert.throws(() => loadTorchCheckpoint(join(FIXTURES, 'malicious.pth')), /malicious\.pth: .*global os\.system is not allowed/);
});

test('any global outside the allow-list, and any opcode that builds objects, is refused by name', () => {
  const torchGlobals = { globals: new Map<string, AllowedGlobal>([['torch.FloatStorage', {}]]) };
  // STACK_GLOBAL 'builtins' 'eval'
  assert.throws(() => unpickle(ascii('\x80\x04\x8c\x08builtins\x8c\x04eval\x93.'), torchGlobals), /global builtins\.eval is not allowed/);
  assert.throws(() => unpickle(ascii('\x80\x02cposix\nsystem\n.'), torchGlobals), /global posix\.system is not allowed/);
  assert.throws(() => unpickle(ascii('\x80\x02csubprocess\nPopen\n.'), torchGlobals), /global subprocess\.Popen/);
  // INST 'os' 'system' with an argument, OBJ, NEWOBJ
  assert.throws(() => unpickle(ascii('(X\x02\x00\x00\x00lsios\nsystem\n.'), plain), /opcode INST 0x69/);
  assert.throws(() => unpickle(ascii('(o.'), plain), /opcode OBJ 0x6f/);
  assert.throws(() => unpickle(ascii('\x80\x02)\x81.'), plain), /opcode NEWOBJ 0x81/);
  // an allowed storage type is data, not something to call
  assert.throws(() => unpickle(ascii('\x80\x02ctorch\nFloatStorage\n)R.'), torchGlobals), /REDUCE calls global torch\.FloatStorage, which is not callable/);
  // a persistent id where the caller expects none
  assert.throws(() => unpickle(ascii('\x80\x02K\x01Q.'), plain), /BINPERSID/);
});

test('malformed pickles are refused without reading out of bounds', () => {
  // BINUNICODE claiming 4 GiB
  assert.throws(() => unpickle(ascii('\x80\x02X\xff\xff\xff\xff.'), plain), /needs 4294967295 bytes but 1 remain/);
  // no STOP before the end
  assert.throws(() => unpickle(ascii('\x80\x02K\x01'), plain), /opcode needs 1 bytes but 0 remain/);
  assert.throws(() => unpickle(ascii('\x80\x02.'), plain), /stack underflow/);
  assert.throws(() => unpickle(ascii('\x80\x02h\x05.'), plain), /memo entry 5 was never stored/);
  assert.throws(() => unpickle(ascii('\x80\x02K\x01K\x02e.'), plain), /no MARK/);
  assert.throws(() => unpickle(ascii('\x80\x02)K\x01a.'), plain), /APPEND to a tuple/);
  assert.throws(() => unpickle(ascii('\x80\x02\x8a\xff'), plain), /LONG1 of 255 bytes/);
  assert.throws(() => unpickle(ascii('\x80\x02X\x02\x00\x00\x00\xc3\x28.'), plain), /not valid UTF-8/);
});

test('a truncated or corrupted zip checkpoint is refused with the reason', () => {
  const bytes = fixture('tiny_ofa.pth');
  assert.throws(() => readTorchCheckpoint(bytes.subarray(0, bytes.length - 100)), /no zip end-of-central-directory record: the file is truncated/);
  assert.throws(() => readTorchCheckpoint(bytes.subarray(0, 10)), /no zip end-of-central-directory record/);
  const zip = ZipArchive.parse(bytes);
  assert.ok(zip.names.includes('tiny_ofa/data.pkl'));
  // flip one byte of the first storage's data: the CRC catches it
  const corrupt = Uint8Array.from(bytes);
  const firstData = zip.read('tiny_ofa/data/0');
  const at = Buffer.from(bytes).indexOf(Buffer.from(firstData.subarray(0, 16)));
  corrupt[at + 3] ^= 0xff;
  assert.throws(() => readTorchCheckpoint(corrupt), /tiny_ofa\/data\/0 fails its CRC check/);
  // inside the deflated pickle (its data starts at byte 46): a broken stream, or one that inflates to wrong bytes
  const deflated = fixture('tiny_deflated.pth');
  for (const [at, message] of [[100, /archive\/data\.pkl does not inflate to its 650 bytes/], [200, /archive\/data\.pkl fails its CRC check/]] as const) {
    const broken = Uint8Array.from(deflated);
    broken[at] ^= 0x55;
    assert.throws(() => readTorchCheckpoint(broken), message);
  }
  // the central directory cut short
  assert.throws(() => ZipArchive.parse(Uint8Array.from([...deflated.subarray(0, 1040), ...deflated.subarray(deflated.length - 22)])), /zip central directory/);
});

test('a truncated legacy checkpoint and a file of another kind are refused', () => {
  const legacy = fixture('tiny_legacy.pth');
  assert.throws(() => readTorchCheckpoint(legacy.subarray(0, legacy.length - 4)), /ends inside storage .*: truncated/);
  assert.throws(() => readTorchCheckpoint(legacy.subarray(0, 300)), /remain: truncated or corrupt pickle/);
  assert.throws(() => readTorchCheckpoint(ascii('{"not": "a checkpoint"}')), /not a PyTorch checkpoint/);
});
