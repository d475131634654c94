import { inflateRawSync } from 'node:zlib';

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const MAX_COMMENT = 0xffff;
const STORED = 0;
const DEFLATED = 8;

interface ZipEntry {
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 as zip stores it; node:zlib's own `crc32` only exists from Node 20.15 on. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A zip archive read through its central directory, as PyTorch writes checkpoints (stored entries, or deflated
 * ones when repacked by another tool). Every offset and size is checked against the bytes at hand, so a
 * truncated or corrupt file is refused with a reason instead of read out of bounds.
 */
export class ZipArchive {
  private constructor(
    private readonly bytes: Uint8Array,
    private readonly entries: ReadonlyMap<string, ZipEntry>,
  ) {}

  static parse(bytes: Uint8Array): ZipArchive {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const eocd = findEndOfCentralDirectory(view);
    const count = view.getUint16(eocd + 10, true);
    const cdSize = view.getUint32(eocd + 12, true);
    const cdOffset = view.getUint32(eocd + 16, true);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      throw new Error('zip64 archive (over 65535 entries or 4 GiB): not supported');
    }
    if (view.getUint16(eocd + 4, true) !== 0 || view.getUint16(eocd + 6, true) !== 0) throw new Error('multi-disk zip archive: not supported');
    if (cdOffset + cdSize > eocd) throw new Error(`zip central directory (${cdSize} bytes at ${cdOffset}) runs past its end record at ${eocd}: truncated or corrupt file`);
    const entries = new Map<string, ZipEntry>();
    let at = cdOffset;
    for (let i = 0; i < count; i++) {
      if (at + CENTRAL_SIZE > cdOffset + cdSize || view.getUint32(at, true) !== CENTRAL_SIGNATURE) {
        throw new Error(`zip central directory entry ${i} at byte ${at} is missing or damaged: truncated or corrupt file`);
      }
      const flags = view.getUint16(at + 8, true);
      const nameLength = view.getUint16(at + 28, true);
      const skip = nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
      if (at + CENTRAL_SIZE + skip > cdOffset + cdSize) throw new Error(`zip central directory entry ${i} runs past the directory: corrupt file`);
      const name = new TextDecoder().decode(bytes.subarray(at + CENTRAL_SIZE, at + CENTRAL_SIZE + nameLength));
      if (flags & 1) throw new Error(`zip entry ${name} is encrypted: not supported`);
      if (entries.has(name)) throw new Error(`zip archive holds ${name} twice`);
      entries.set(name, {
        method: view.getUint16(at + 10, true),
        crc: view.getUint32(at + 16, true),
        compressedSize: view.getUint32(at + 20, true),
        size: view.getUint32(at + 24, true),
        localOffset: view.getUint32(at + 42, true),
      });
      at += CENTRAL_SIZE + skip;
    }
    return new ZipArchive(bytes, entries);
  }

  get names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The entry's contents, inflated if need be and checked against the stored size and CRC. */
  read(name: string): Uint8Array {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`zip archive has no entry ${name}`);
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    const at = entry.localOffset;
    if (at + LOCAL_SIZE > this.bytes.length || view.getUint32(at, true) !== LOCAL_SIGNATURE) {
      throw new Error(`zip entry ${name}: no local header at byte ${at}: truncated or corrupt file`);
    }
    // The local header's name and extra field may differ in length from the central directory's (PyTorch pads
    // the extra field to align the data), so the data starts where the local header says.
    const start = at + LOCAL_SIZE + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
    const end = start + entry.compressedSize;
    if (end > this.bytes.length) throw new Error(`zip entry ${name} (${entry.compressedSize} bytes at ${start}) runs past the end of the file: truncated`);
    const raw = this.bytes.subarray(start, end);
    let data: Uint8Array;
    if (entry.method === STORED) {
      if (entry.size !== entry.compressedSize) throw new Error(`zip entry ${name} is stored but its sizes differ: corrupt file`);
      data = raw;
    } else if (entry.method === DEFLATED) {
      data = inflate(name, raw, entry.size);
    } else {
      throw new Error(`zip entry ${name} uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`);
    }
    if (crc32(data) !== entry.crc) throw new Error(`zip entry ${name} fails its CRC check: corrupt file`);
    return data;
  }
}

function inflate(name: string, raw: Uint8Array, size: number): Uint8Array {
  if (size === 0) return new Uint8Array(0);
  let data: Uint8Array;
  try {
    // The cap keeps a deflate bomb from inflating past the size the directory declares.
    data = inflateRawSync(raw, { maxOutputLength: size });
  } catch (e) {
    throw new Error(`zip entry ${name} does not inflate to its ${size} bytes: ${(e as Error).message}`, { cause: e });
  }
  if (data.length !== size) throw new Error(`zip entry ${name} inflates to ${data.length} bytes, not ${size}: corrupt file`);
  return data;
}

/** The end record sits in the last 22 bytes plus at most a 64 KiB comment; scanning backwards finds it. */
function findEndOfCentralDirectory(view: DataView): number {
  const last = view.byteLength - EOCD_SIZE;
  for (let at = last; at >= 0 && at >= last - MAX_COMMENT; at--) {
    if (view.getUint32(at, true) === EOCD_SIGNATURE && at + EOCD_SIZE + view.getUint16(at + 20, true) === view.byteLength) return at;
  }
  throw new Error('no zip end-of-central-directory record: the file is truncated or not a zip archive');
}
