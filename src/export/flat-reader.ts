/**
 * Bounds-checked access to a flatbuffer. flatbuffers' ByteBuffer trusts every offset it follows; a reader of
 * files from elsewhere cannot. Every position is checked against the file before it is read, and a work
 * budget proportional to the file size caps the elements decoded, so a file whose vectors alias each other
 * (or whose offsets loop) cannot make reading slow: it is refused.
 */

/** A file that is not a readable TFLite model: truncated, corrupted, or built to mislead a reader. */
export class TfliteReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TfliteReadError';
  }
}

const utf8 = new TextDecoder();

export interface VectorRef {
  /** Position of the first element. */
  start: number;
  length: number;
}

export class FlatReader {
  private readonly view: DataView;
  private work = 0;
  private readonly budget: number;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.budget = 8 * bytes.length + 65536;
  }

  /** Counts decoded elements against the budget. */
  charge(n: number): void {
    this.work += n;
    if (this.work > this.budget) throw new TfliteReadError('the file references far more data than it holds (aliased or looping offsets)');
  }

  need(pos: number, size: number, what: string): void {
    if (!Number.isSafeInteger(pos) || pos < 0 || size < 0 || pos + size > this.bytes.length) {
      throw new TfliteReadError(`${what}: ${size} bytes at offset ${pos} lie outside the ${this.bytes.length}-byte file`);
    }
  }

  u8(pos: number, what: string): number {
    this.need(pos, 1, what);
    return this.view.getUint8(pos);
  }

  i8(pos: number, what: string): number {
    this.need(pos, 1, what);
    return this.view.getInt8(pos);
  }

  u16(pos: number, what: string): number {
    this.need(pos, 2, what);
    return this.view.getUint16(pos, true);
  }

  i32(pos: number, what: string): number {
    this.need(pos, 4, what);
    return this.view.getInt32(pos, true);
  }

  u32(pos: number, what: string): number {
    this.need(pos, 4, what);
    return this.view.getUint32(pos, true);
  }

  f32(pos: number, what: string): number {
    this.need(pos, 4, what);
    return this.view.getFloat32(pos, true);
  }

  /** int64/uint64 as a Number; values beyond 2^53 cannot be exact and are refused. */
  i64(pos: number, what: string, signed: boolean): number {
    this.need(pos, 8, what);
    const v = Number(signed ? this.view.getBigInt64(pos, true) : this.view.getBigUint64(pos, true));
    if (!Number.isSafeInteger(v)) throw new TfliteReadError(`${what}: 64-bit value beyond 2^53`);
    return v;
  }

  /** The position a uoffset at `pos` points to. */
  deref(pos: number, what: string): number {
    const target = pos + this.u32(pos, what);
    this.need(target, 1, what);
    return target;
  }

  table(pos: number, what: string): Table {
    this.charge(1);
    const vtable = pos - this.i32(pos, what);
    const vtableSize = this.u16(vtable, `${what} vtable`);
    const tableSize = this.u16(vtable + 2, `${what} vtable`);
    if (vtableSize < 4 || vtableSize % 2 !== 0) throw new TfliteReadError(`${what}: malformed vtable (size ${vtableSize})`);
    this.need(vtable, vtableSize, `${what} vtable`);
    this.need(pos, Math.max(tableSize, 4), what);
    return new Table(this, pos, vtable, vtableSize, tableSize, what);
  }

  vector(pos: number, elementSize: number, what: string): VectorRef {
    const start = this.deref(pos, what);
    const length = this.u32(start, what);
    if (length > (this.bytes.length - start - 4) / elementSize) throw new TfliteReadError(`${what}: vector of ${length} elements does not fit in the file`);
    this.charge(length);
    return { start: start + 4, length };
  }
}

/** One table: its fields by slot, each checked to lie inside the table and the file. */
export class Table {
  constructor(
    private readonly r: FlatReader,
    private readonly pos: number,
    private readonly vtable: number,
    private readonly vtableSize: number,
    private readonly tableSize: number,
    readonly what: string,
  ) {}

  /** Absolute position of a field, or 0 when absent. */
  private field(slot: number, size: number): number {
    const entry = 4 + 2 * slot;
    if (entry + 2 > this.vtableSize) return 0;
    const offset = this.r.u16(this.vtable + entry, this.what);
    if (offset === 0) return 0;
    if (offset + size > this.tableSize) throw new TfliteReadError(`${this.what}: field ${slot} lies outside its table`);
    return this.pos + offset;
  }

  has(slot: number): boolean {
    return this.field(slot, 1) !== 0;
  }

  u8(slot: number, fallback: number): number {
    const p = this.field(slot, 1);
    return p === 0 ? fallback : this.r.u8(p, this.what);
  }

  i8(slot: number, fallback: number): number {
    const p = this.field(slot, 1);
    return p === 0 ? fallback : this.r.i8(p, this.what);
  }

  i32(slot: number, fallback: number): number {
    const p = this.field(slot, 4);
    return p === 0 ? fallback : this.r.i32(p, this.what);
  }

  u32(slot: number, fallback: number): number {
    const p = this.field(slot, 4);
    return p === 0 ? fallback : this.r.u32(p, this.what);
  }

  u64(slot: number, fallback: number): number {
    const p = this.field(slot, 8);
    return p === 0 ? fallback : this.r.i64(p, this.what, false);
  }

  f32(slot: number, fallback: number): number {
    const p = this.field(slot, 4);
    return p === 0 ? fallback : this.r.f32(p, this.what);
  }

  table(slot: number, what: string): Table | undefined {
    const p = this.field(slot, 4);
    return p === 0 ? undefined : this.r.table(this.r.deref(p, what), what);
  }

  string(slot: number): string {
    const p = this.field(slot, 4);
    if (p === 0) return '';
    const v = this.r.vector(p, 1, `${this.what} string`);
    return utf8.decode(this.r.bytes.subarray(v.start, v.start + v.length));
  }

  ints(slot: number, what: string): number[] {
    const p = this.field(slot, 4);
    if (p === 0) return [];
    const v = this.r.vector(p, 4, what);
    return Array.from({ length: v.length }, (_, i) => this.r.i32(v.start + 4 * i, what));
  }

  floats(slot: number, what: string): number[] {
    const p = this.field(slot, 4);
    if (p === 0) return [];
    const v = this.r.vector(p, 4, what);
    return Array.from({ length: v.length }, (_, i) => this.r.f32(v.start + 4 * i, what));
  }

  longs(slot: number, what: string): number[] {
    const p = this.field(slot, 4);
    if (p === 0) return [];
    const v = this.r.vector(p, 8, what);
    return Array.from({ length: v.length }, (_, i) => this.r.i64(v.start + 8 * i, what, true));
  }

  bytes(slot: number, what: string): Uint8Array | undefined {
    const p = this.field(slot, 4);
    if (p === 0) return undefined;
    const v = this.r.vector(p, 1, what);
    return this.r.bytes.subarray(v.start, v.start + v.length);
  }

  /** Tables of a vector of tables, in order. */
  tables(slot: number, what: string): Table[] {
    const p = this.field(slot, 4);
    if (p === 0) return [];
    const v = this.r.vector(p, 4, what);
    return Array.from({ length: v.length }, (_, i) => this.r.table(this.r.deref(v.start + 4 * i, `${what}[${i}]`), `${what}[${i}]`));
  }
}
