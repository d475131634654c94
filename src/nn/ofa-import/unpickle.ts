/**
 * A strict unpickler for what `torch.save` writes: plain data (None, booleans, ints, floats, strings, lists,
 * tuples, dicts) plus the few globals a caller allows. A pickle is a program; Python's unpickler runs any
 * callable it names, so every other opcode and every other global is refused, and each read is bounds-checked.
 */

/** A value made by an allowed global, opaque to the unpickler (a tensor, a storage, a global itself). */
export abstract class PickleObject {
  /** What the value is, for error messages. */
  abstract readonly description: string;
}

export type PickleKey = string | number | bigint | boolean | null;
export type PickleDict = Map<PickleKey, PickleValue>;
/** Tuples are frozen arrays, lists are not. */
export type PickleValue = PickleKey | PickleValue[] | PickleDict | PickleObject;

/** What an allowed global does when a pickle calls it (REDUCE); without `call` it may only be passed around. */
export interface AllowedGlobal {
  call?: (args: readonly PickleValue[]) => PickleValue;
}

export class PickleGlobal extends PickleObject {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly spec: AllowedGlobal,
  ) {
    super();
  }

  get description(): string {
    return `global ${this.module}.${this.name}`;
  }
}

export interface UnpickleOptions {
  /** Allowed globals by `module.name`. */
  globals: ReadonlyMap<string, AllowedGlobal>;
  /** Resolves a persistent id (BINPERSID); without it, persistent ids are refused. */
  persistentLoad?: (pid: PickleValue) => PickleValue;
}

export interface Unpickled {
  value: PickleValue;
  /** Offset just past the STOP opcode: the next pickle of a stream starts there. */
  end: number;
}

/** Refused opcodes worth naming: those that build arbitrary objects or call code. */
const REFUSED_OPCODES: Readonly<Record<number, string>> = {
  0x69: 'INST',
  0x6f: 'OBJ',
  0x81: 'NEWOBJ',
  0x92: 'NEWOBJ_EX',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
  0x50: 'PERSID',
};

const MAX_LONG_BYTES = 64;
const HIGHEST_PROTOCOL = 5;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function describe(value: PickleValue): string {
  if (value instanceof PickleObject) return value.description;
  if (value instanceof Map) return 'dict';
  if (Array.isArray(value)) return Object.isFrozen(value) ? 'tuple' : 'list';
  return value === null ? 'None' : typeof value;
}

function isKey(value: PickleValue): value is PickleKey {
  return value === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof value);
}

/** Unpickles the pickle that starts at `start`; each opcode consumes at least one byte, so it always ends. */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions, start = 0): Unpickled {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: PickleValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = start;

  const bad = (message: string) => new Error(`pickle byte ${pos}: ${message}`);
  const need = (n: number, what: string): number => {
    if (n < 0 || pos + n > bytes.length) throw bad(`${what} needs ${n} bytes but ${bytes.length - pos} remain: truncated or corrupt pickle`);
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = (what: string) => view.getUint8(need(1, what));
  const u16 = (what: string) => view.getUint16(need(2, what), true);
  const u32 = (what: string) => view.getUint32(need(4, what), true);
  const text = (n: number) => {
    const at = need(n, 'string');
    try {
      return utf8.decode(bytes.subarray(at, at + n));
    } catch {
      throw bad('string is not valid UTF-8');
    }
  };
  const top = (): PickleValue => {
    if (stack.length === 0) throw bad('stack underflow');
    return stack[stack.length - 1];
  };
  const pop = (): PickleValue => {
    const value = top();
    stack.length--;
    return value;
  };
  const popMark = (): PickleValue[] => {
    const mark = marks.pop();
    if (mark === undefined) throw bad('no MARK to pop to');
    return stack.splice(mark);
  };
  const tuple = (items: PickleValue[]) => Object.freeze(items) as PickleValue[];
  const dictOnTop = (what: string): PickleDict => {
    const target = top();
    if (!(target instanceof Map)) throw bad(`${what} on a ${describe(target)}, not a dict`);
    return target;
  };
  const setItems = (dict: PickleDict, items: readonly PickleValue[]) => {
    if (items.length % 2 !== 0) throw bad('SETITEMS with an odd number of values');
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i];
      if (!isKey(key)) throw bad(`dict key of type ${describe(key)} is not supported`);
      dict.set(key, items[i + 1]);
    }
  };
  const appendTo = (items: readonly PickleValue[]) => {
    const list = top();
    if (!Array.isArray(list) || Object.isFrozen(list)) throw bad(`APPEND to a ${describe(list)}, not a list`);
    for (const item of items) list.push(item);
  };
  const global = (module: string, name: string) => {
    const spec = options.globals.get(`${module}.${name}`);
    if (!spec) throw bad(`global ${module}.${name} is not allowed (allowed: ${[...options.globals.keys()].join(', ') || 'none'})`);
    stack.push(new PickleGlobal(module, name, spec));
  };
  const long1 = (n: number): number | bigint => {
    const at = need(n, 'LONG1');
    let value = 0n;
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[at + i]);
    if (n > 0 && bytes[at + n - 1] & 0x80) value -= 1n << BigInt(8 * n);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  };

  for (;;) {
    const op = u8('opcode');
    switch (op) {
      case 0x80: {
        const protocol = u8('PROTO');
        if (protocol > HIGHEST_PROTOCOL) throw bad(`pickle protocol ${protocol} is not supported`);
        break;
      }
      case 0x95: // FRAME: only groups the opcodes that follow, which are read as they come
        need(8, 'FRAME');
        break;
      case 0x2e: // STOP
        return { value: pop(), end: pos };
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(tuple([]));
        break;
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x58: // BINUNICODE
        stack.push(text(u32('BINUNICODE')));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(u8('SHORT_BINUNICODE')));
        break;
      case 0x4a: // BININT
        stack.push(view.getInt32(need(4, 'BININT'), true));
        break;
      case 0x4b: // BININT1
        stack.push(u8('BININT1'));
        break;
      case 0x4d: // BININT2
        stack.push(u16('BININT2'));
        break;
      case 0x8a: {
        // LONG1
        const n = u8('LONG1');
        if (n > MAX_LONG_BYTES) throw bad(`LONG1 of ${n} bytes is beyond any size or offset a checkpoint holds`);
        stack.push(long1(n));
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x47: // BINFLOAT
        stack.push(view.getFloat64(need(8, 'BINFLOAT'), false));
        break;
      case 0x74: // TUPLE
        stack.push(tuple(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(tuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(tuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(tuple([pop(), b, c]));
        break;
      }
      case 0x64: {
        // DICT
        const dict: PickleDict = new Map();
        setItems(dict, popMark());
        stack.push(dict);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(dictOnTop('SETITEM'), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(dictOnTop('SETITEMS'), items);
        break;
      }
      case 0x61: {
        // APPEND
        const item = pop();
        appendTo([item]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendTo(items);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8('BINPUT'), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32('LONG_BINPUT'), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const index = op === 0x68 ? u8('BINGET') : u32('LONG_BINGET');
        if (!memo.has(index)) throw bad(`memo entry ${index} was never stored`);
        stack.push(memo.get(index) as PickleValue);
        break;
      }
      case 0x63: {
        // GLOBAL: "module\nname\n"
        const line = () => {
          const nl = bytes.indexOf(0x0a, pos);
          if (nl < 0 || nl - pos > 256) throw bad('GLOBAL name is unterminated or too long');
          return text(nl - pos + 1).slice(0, -1);
        };
        const module = line();
        global(module, line());
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw bad('STACK_GLOBAL needs two strings');
        global(module, name);
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        const call = callable instanceof PickleGlobal ? callable.spec.call : undefined;
        if (!call) throw bad(`REDUCE calls ${describe(callable)}, which is not callable here`);
        if (!Array.isArray(args) || !Object.isFrozen(args)) throw bad(`REDUCE arguments are a ${describe(args)}, not a tuple`);
        stack.push(call(args));
        break;
      }
      case 0x62: {
        // BUILD: the only state torch writes is a dict's attributes (a state dict's `_metadata`), not needed here
        const state = pop();
        dictOnTop('BUILD');
        if (!(state instanceof Map)) throw bad(`BUILD with a ${describe(state)} state`);
        break;
      }
      case 0x51: {
        // BINPERSID
        const load = options.persistentLoad;
        if (!load) throw bad('persistent id (BINPERSID) where none is expected');
        stack.push(load(pop()));
        break;
      }
      default: {
        const name = REFUSED_OPCODES[op];
        throw bad(`opcode ${name ? `${name} ` : ''}0x${op.toString(16).padStart(2, '0')} ('${String.fromCharCode(op)}') is not allowed`);
      }
    }
  }
}
