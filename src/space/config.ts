import { ConfigError, formatValue, notAllowed } from './errors.ts';
import type { SearchSpace } from './definition.ts';

/** CNAS's `net.subnet` JSON: kernel and expand lists of length sum(d), depths per stage, and the extras. */
export interface SubnetConfig {
  ks: number[];
  e: number[];
  d: number[];
  r?: number;
  /** eemobilenetv3: one threshold per stage boundary (1 = no exit). */
  t?: number[];
  /** cbnmobilenetv3: one exit flag per stage boundary, at least one set. */
  b?: number[];
}

/**
 * How to treat `r`: `space` requires it to be one of the space's resolutions (required when the space has more
 * than one); `any` accepts any integer from 32 up (cost questions) and leaves it optional.
 */
export type ResolutionRule = 'space' | 'any';

export const MIN_RESOLUTION = 32;

function allowedFields(space: SearchSpace): string[] {
  const extra = space.exitKind === 'threshold' ? ['t'] : space.exitKind === 'flag' ? ['b'] : [];
  return ['ks', 'e', 'd', 'r', ...extra];
}

function checkList(raw: Record<string, unknown>, field: string, length: number, lengthWhy: string, choices: readonly number[]): number[] {
  const value = raw[field];
  if (value === undefined) throw new ConfigError(field, 'is missing');
  if (!Array.isArray(value)) throw new ConfigError(field, `must be a list of numbers, got ${formatValue(value)}`);
  if (value.length !== length) throw new ConfigError(field, `has ${value.length} entries; expected ${length} (${lengthWhy})`);
  value.forEach((v, i) => {
    if (typeof v !== 'number' || !choices.includes(v)) throw notAllowed(`${field}[${i}]`, v, choices);
  });
  return value as number[];
}

/** Checks `r` against the rule and returns it (undefined when absent and allowed to be). */
export function checkResolution(space: SearchSpace, value: unknown, rule: ResolutionRule): number | undefined {
  if (value === undefined) {
    if (rule === 'space' && !space.fixedResolution) {
      throw new ConfigError('r', `is missing; this space searches resolutions ${space.lr}..${space.ur} step ${space.rstep}`);
    }
    return undefined;
  }
  if (rule === 'space') {
    if (typeof value !== 'number' || !space.resolutions.includes(value)) throw notAllowed('r', value, space.resolutions);
  } else if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_RESOLUTION) {
    throw new ConfigError('r', `value ${formatValue(value)} is not allowed; allowed values: integers >= ${MIN_RESOLUTION}`);
  }
  return value as number;
}

/**
 * Validates parsed JSON against a space and returns a clean config (fields in CNAS's order). Every error
 * names the field, the value and the allowed values.
 */
export function validateConfig(space: SearchSpace, raw: unknown, rule: ResolutionRule = 'space'): SubnetConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('(root)', `a ${space.name} config must be a JSON object, got ${formatValue(raw)}`);
  }
  const obj = raw as Record<string, unknown>;
  const fields = allowedFields(space);
  for (const key of Object.keys(obj)) {
    if (!fields.includes(key)) throw new ConfigError(key, `is not part of a ${space.name} config; allowed fields: ${fields.join(', ')}`);
  }
  const d = checkList(obj, 'd', space.nStages, 'one depth per stage', space.depths);
  const total = d.reduce((a, b) => a + b, 0);
  const config: SubnetConfig = {
    ks: checkList(obj, 'ks', total, 'sum of d', space.kernels).slice(),
    e: checkList(obj, 'e', total, 'sum of d', space.expands).slice(),
    d: d.slice(),
  };
  const r = checkResolution(space, obj.r, rule);
  if (r !== undefined) config.r = r;
  if (space.exitKind === 'threshold') {
    config.t = checkList(obj, 't', space.nBoundaries, 'one per stage boundary', space.thresholds).slice();
  } else if (space.exitKind === 'flag') {
    const b = checkList(obj, 'b', space.nBoundaries, 'one per stage boundary', [0, 1]);
    if (!b.includes(1)) throw new ConfigError('b', `value ${formatValue(b)} has no exit; at least one entry must be 1`);
    config.b = b.slice();
  }
  return config;
}

/** Exit flags per boundary of a config: thresholds other than 1, or set `b` flags. */
export function exitFlags(space: SearchSpace, config: SubnetConfig): boolean[] {
  if (space.exitKind === 'threshold') return (config.t ?? []).map((t) => t !== 1);
  if (space.exitKind === 'flag') return (config.b ?? []).map((b) => b === 1);
  return new Array<boolean>(space.nBoundaries).fill(false);
}
