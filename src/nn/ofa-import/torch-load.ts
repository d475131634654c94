import { readFileSync } from 'node:fs';
import { PickleGlobal, PickleObject, unpickle } from './unpickle.ts';
import type { AllowedGlobal, PickleValue } from './unpickle.ts';
import { ZipArchive } from './zip-reader.ts';

interface DtypeSpec {
  bytes: number;
  read: (view: DataView, index: number) => number;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** The storage types a state dict uses, by their `torch.<Name>Storage` global. */
const STORAGE_TYPES: Readonly<Record<string, DtypeSpec>> = {
  FloatStorage: { bytes: 4, read: (v, i) => v.getFloat32(4 * i, true) },
  DoubleStorage: { bytes: 8, read: (v, i) => v.getFloat64(8 * i, true) },
  HalfStorage: { bytes: 2, read: (v, i) => halfToFloat(v.getUint16(2 * i, true)) },
  LongStorage: { bytes: 8, read: (v, i) => Number(v.getBigInt64(8 * i, true)) },
  IntStorage: { bytes: 4, read: (v, i) => v.getInt32(4 * i, true) },
};

/** Refuses a storage or tensor larger than this many elements: more than any checkpoint this reads holds. */
const MAX_ELEMENTS = 2 ** 31;

/** One storage of a checkpoint; its bytes come from a zip entry, or after the pickle in the legacy format. */
export class TorchStorage extends PickleObject {
  bytes: Uint8Array | undefined;

  constructor(
    readonly type: string,
    readonly key: string,
    readonly numel: number,
  ) {
    super();
  }

  get description(): string {
    return `torch.${this.type} ${this.key}`;
  }

  get spec(): DtypeSpec {
    return STORAGE_TYPES[this.type];
  }
}

/** A tensor as PyTorch saves it: a view (offset, shape, strides) of a storage, decoded only when asked. */
export class TorchTensor extends PickleObject {
  constructor(
    readonly storage: TorchStorage,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {
    super();
  }

  get description(): string {
    return `tensor [${this.shape.join(', ')}]`;
  }

  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** The values in row-major order, converted to float32 whatever the storage type. */
  toFloat32(): Float32Array {
    const { bytes, spec } = this.storage;
    if (!bytes) throw new Error(`${this.storage.description} has no data in the checkpoint`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = new Float32Array(this.size);
    // Walks the shape row-major, keeping the storage index of the current element from the strides.
    const index = new Array<number>(this.shape.length).fill(0);
    let source = this.offset;
    for (let i = 0; i < out.length; i++) {
      out[i] = spec.read(view, source);
      for (let d = this.shape.length - 1; d >= 0; d--) {
        source += this.stride[d];
        if (++index[d] < this.shape[d]) break;
        source -= this.stride[d] * this.shape[d];
        index[d] = 0;
      }
    }
    return out;
  }
}

function nonNegativeInts(value: PickleValue, what: string): number[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v < 0)) {
    throw new Error(`tensor ${what} must be a tuple of non-negative integers`);
  }
  return value as number[];
}

/** `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])`. */
function rebuildTensor(args: readonly PickleValue[]): TorchTensor {
  const [storage, offset, size, stride] = args;
  if (args.length < 6 || args.length > 7 || !(storage instanceof TorchStorage) || typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    throw new Error('_rebuild_tensor_v2 needs (storage, offset, size, stride, requires_grad, hooks)');
  }
  const shape = nonNegativeInts(size, 'size');
  const strides = nonNegativeInts(stride, 'stride');
  if (shape.length !== strides.length) throw new Error(`tensor size [${shape.join(', ')}] and stride [${strides.join(', ')}] differ in length`);
  const tensor = new TorchTensor(storage, offset, shape, strides);
  if (tensor.size > MAX_ELEMENTS) throw new Error(`tensor [${shape.join(', ')}] is larger than ${MAX_ELEMENTS} elements`);
  const last = offset + shape.reduce((sum, n, d) => sum + (n - 1) * strides[d], 0);
  if (tensor.size > 0 && last >= storage.numel) throw new Error(`tensor [${shape.join(', ')}] at offset ${offset} reads past the ${storage.numel} elements of ${storage.description}`);
  return tensor;
}

const GLOBALS: ReadonlyMap<string, AllowedGlobal> = new Map<string, AllowedGlobal>([
  [
    'collections.OrderedDict',
    {
      call: (args) => {
        if (args.length !== 0) throw new Error('collections.OrderedDict is only accepted empty (its items follow as SETITEMS)');
        return new Map();
      },
    },
  ],
  ['torch._utils._rebuild_tensor_v2', { call: rebuildTensor }],
  [
    'torch._utils._rebuild_parameter',
    {
      call: ([data]) => {
        if (!(data instanceof TorchTensor)) throw new Error('_rebuild_parameter needs a tensor');
        return data;
      },
    },
  ],
  // Storage types are only passed around, inside persistent ids.
  ...Object.keys(STORAGE_TYPES).map((type): [string, AllowedGlobal] => [`torch.${type}`, {}]),
]);

/**
 * Resolves torch's persistent ids, `('storage', torch.<Type>Storage, key, location, numel)` (the legacy format
 * adds a view record, always None for tensors), to one storage object per key.
 */
function storageLoader(storages: Map<string, TorchStorage>): (pid: PickleValue) => PickleValue {
  return (pid) => {
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) throw new Error('persistent id is not a storage record');
    const [, type, key, , numel, view] = pid;
    if (!(type instanceof PickleGlobal) || type.module !== 'torch' || !(type.name in STORAGE_TYPES)) throw new Error('storage record without a supported torch storage type');
    if (typeof key !== 'string' || typeof numel !== 'number' || !Number.isInteger(numel) || numel < 0 || numel > MAX_ELEMENTS) throw new Error(`storage record ${String(key)} has an invalid key or size`);
    if (view !== undefined && view !== null) throw new Error(`storage ${key} is a storage view (old PyTorch): not supported`);
    const known = storages.get(key);
    if (known) {
      if (known.type !== type.name || known.numel !== numel) throw new Error(`storage ${key} is declared twice, differently`);
      return known;
    }
    const storage = new TorchStorage(type.name, key, numel);
    storages.set(key, storage);
    return storage;
  };
}

function checkLength(storage: TorchStorage, length: number): void {
  const expected = storage.numel * storage.spec.bytes;
  if (length !== expected) throw new Error(`${storage.description} holds ${length} bytes, not the ${expected} of its ${storage.numel} elements`);
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;
const PICKLE_PROTO = 0x80;

/** `torch.save`'s format since PyTorch 1.6: a zip of `<name>/data.pkl` and one `<name>/data/<key>` per storage. */
function readZipCheckpoint(bytes: Uint8Array): PickleValue {
  const zip = ZipArchive.parse(bytes);
  const pickles = zip.names.filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1) throw new Error(`zip archive is not a PyTorch checkpoint: expected one <name>/data.pkl, found ${pickles.length}`);
  const root = pickles[0].slice(0, -'data.pkl'.length);
  if (zip.has(`${root}byteorder`) && new TextDecoder().decode(zip.read(`${root}byteorder`)) !== 'little') throw new Error('big-endian checkpoint: not supported');
  const storages = new Map<string, TorchStorage>();
  const { value } = unpickle(zip.read(pickles[0]), { globals: GLOBALS, persistentLoad: storageLoader(storages) });
  for (const storage of storages.values()) {
    const name = `${root}data/${storage.key}`;
    if (!zip.has(name)) throw new Error(`checkpoint lacks ${name}, the data of ${storage.description}`);
    storage.bytes = zip.read(name);
    checkLength(storage, storage.bytes.length);
  }
  return value;
}

/**
 * The format before PyTorch 1.6 (OFA's published checkpoints may be in it): pickles of a magic number, the
 * protocol version, system info, the object and the sorted storage keys, then per key an int64 element count
 * and the raw storage.
 */
function readLegacyCheckpoint(bytes: Uint8Array): PickleValue {
  const plain = { globals: new Map<string, AllowedGlobal>() };
  const magic = unpickle(bytes, plain);
  if (magic.value !== LEGACY_MAGIC) throw new Error('not a PyTorch checkpoint: no zip header and no legacy magic number');
  const protocol = unpickle(bytes, plain, magic.end);
  if (protocol.value !== LEGACY_PROTOCOL) throw new Error(`legacy checkpoint protocol ${String(protocol.value)} is not supported (expected ${LEGACY_PROTOCOL})`);
  const info = unpickle(bytes, plain, protocol.end);
  if (!(info.value instanceof Map) || info.value.get('little_endian') !== true) throw new Error('big-endian or unlabelled legacy checkpoint: not supported');
  const storages = new Map<string, TorchStorage>();
  const object = unpickle(bytes, { globals: GLOBALS, persistentLoad: storageLoader(storages) }, info.end);
  const keys = unpickle(bytes, plain, object.end);
  if (!Array.isArray(keys.value) || keys.value.some((k) => typeof k !== 'string')) throw new Error('legacy checkpoint storage key list is damaged');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = keys.end;
  for (const key of keys.value as string[]) {
    const storage = storages.get(key);
    if (!storage) throw new Error(`legacy checkpoint lists storage ${key}, which no tensor uses`);
    if (at + 8 > bytes.length) throw new Error(`legacy checkpoint ends before storage ${key}: truncated`);
    const numel = view.getBigInt64(at, true);
    if (numel !== BigInt(storage.numel)) throw new Error(`legacy storage ${key} holds ${numel} elements, not the ${storage.numel} declared`);
    const end = at + 8 + storage.numel * storage.spec.bytes;
    if (end > bytes.length) throw new Error(`legacy checkpoint ends inside storage ${key}: truncated`);
    storage.bytes = bytes.subarray(at + 8, end);
    at = end;
  }
  for (const storage of storages.values()) if (!storage.bytes) throw new Error(`legacy checkpoint has no data for ${storage.description}`);
  return object.value;
}

/**
 * Reads a `torch.save` file without Python: the object it holds, with tensors as `TorchTensor`s. Only plain
 * data, ordered dicts and tensors are accepted; a pickle naming anything else is refused before it could run.
 */
export function readTorchCheckpoint(bytes: Uint8Array): PickleValue {
  if (ZIP_MAGIC.every((b, i) => bytes[i] === b)) return readZipCheckpoint(bytes);
  if (bytes[0] === PICKLE_PROTO) return readLegacyCheckpoint(bytes);
  throw new Error('not a PyTorch checkpoint: neither a zip archive nor a legacy pickle');
}

export function loadTorchCheckpoint(path: string): PickleValue {
  try {
    return readTorchCheckpoint(readFileSync(path));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
  }
}
