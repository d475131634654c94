import { OPERATOR_CODES } from '../../export/schema.ts';
import type { KernelLibrary } from '../profiles/schema.ts';

/**
 * Operators a board's runtime can execute. Every builtin this project names is registered by TFLite Micro's
 * op resolver (the optimised libraries fall back to reference kernels for what they do not optimise), so the
 * MCU runtimes differ only in speed. Full TFLite has every builtin, including codes this project does not
 * name (`BUILTIN_<n>`). Custom operators run nowhere: the bridge firmware registers none.
 */
const NAMED = new Set<string>(Object.keys(OPERATOR_CODES));

export function supportsOperator(library: KernelLibrary, op: string): boolean {
  if (NAMED.has(op)) return true;
  return library === 'tflite-xnnpack' && op.startsWith('BUILTIN_');
}
