import { z } from 'zod';
import { ConfigError, notAllowed } from './errors.ts';
import { defaultDefinition, resolveSpace, SPACE_NAMES } from './definition.ts';
import type { SearchSpace, SpaceDefinition, SpaceName } from './definition.ts';

const positiveInt = z.number().int().positive();
const choiceList = z.array(positiveInt).nonempty();

/** A space file: a named base space with any of its parameters replaced (snake_case, as CNAS users write). */
const spaceFileSchema = z.strictObject({
  space: z.enum(SPACE_NAMES).optional(),
  width_mult: z.number().positive().optional(),
  base_widths: z.array(positiveInt).optional(),
  strides: z.array(z.union([z.literal(1), z.literal(2)])).nonempty().optional(),
  activations: z.array(z.enum(['relu', 'hswish'])).nonempty().optional(),
  se: z.array(z.boolean()).nonempty().optional(),
  depths: choiceList.optional(),
  kernels: choiceList.optional(),
  expands: z.array(z.number().positive()).nonempty().optional(),
  thresholds: z.array(z.number().gt(0).lte(1)).nonempty().optional(),
  lr: positiveInt.optional(),
  ur: positiveInt.optional(),
  rstep: positiveInt.optional(),
});

export type SpaceFile = z.infer<typeof spaceFileSchema>;

/** Options a command line can set directly. */
export interface SpaceOverrides {
  widthMult?: number;
  lr?: number;
  ur?: number;
  rstep?: number;
}

export function parseSpaceName(name: string): SpaceName {
  if (!(SPACE_NAMES as readonly string[]).includes(name)) throw notAllowed('space', name, SPACE_NAMES);
  return name as SpaceName;
}

function zodToConfigError(error: z.ZodError): ConfigError {
  const issue = error.issues[0];
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  return new ConfigError(field, issue.message);
}

function checkConsistency(def: SpaceDefinition): void {
  const n = def.strides.length;
  if (def.activations.length !== n) throw new ConfigError('activations', `has ${def.activations.length} entries; expected ${n} (one per stage)`);
  if (def.se.length !== n) throw new ConfigError('se', `has ${def.se.length} entries; expected ${n} (one per stage)`);
  if (def.baseWidths.length !== n + 4) {
    throw new ConfigError('base_widths', `has ${def.baseWidths.length} entries; expected ${n + 4} (first conv, first block, ${n} stages, final expand, feature mix)`);
  }
  for (const [field, list] of [['depths', def.depths], ['kernels', def.kernels], ['expands', def.expands], ['thresholds', def.thresholds]] as const) {
    if (new Set(list).size !== list.length) throw new ConfigError(field, `has repeated values: ${list.join(', ')}`);
  }
  const even = def.kernels.find((k) => k % 2 === 0);
  if (even !== undefined) throw new ConfigError('kernels', `value ${even} is even; kernel sizes must be odd`);
  if (def.name === 'eemobilenetv3' && !def.thresholds.includes(1)) throw new ConfigError('thresholds', 'must include 1 (no exit)');
  if (def.lr < 32) throw new ConfigError('lr', `value ${def.lr} is below 32`);
  if (def.lr > def.ur) throw new ConfigError('ur', `value ${def.ur} is below lr (${def.lr})`);
}

/**
 * Resolves a search space from its name, an optional space file (already parsed JSON) and command-line
 * overrides, in that order of precedence (later wins).
 */
export function loadSpace(name: string, overrides: SpaceOverrides = {}, file?: unknown): SearchSpace {
  let def = defaultDefinition(parseSpaceName(name));
  if (file !== undefined) {
    const parsed = spaceFileSchema.safeParse(file);
    if (!parsed.success) throw zodToConfigError(parsed.error);
    const f = parsed.data;
    def = {
      ...defaultDefinition(f.space ?? def.name),
      ...(f.width_mult !== undefined && { widthMult: f.width_mult }),
      ...(f.base_widths && { baseWidths: f.base_widths }),
      ...(f.strides && { strides: f.strides }),
      ...(f.activations && { activations: f.activations }),
      ...(f.se && { se: f.se }),
      ...(f.depths && { depths: f.depths }),
      ...(f.kernels && { kernels: f.kernels }),
      ...(f.expands && { expands: f.expands }),
      ...(f.thresholds && { thresholds: f.thresholds }),
      ...(f.lr !== undefined && { lr: f.lr }),
      ...(f.ur !== undefined && { ur: f.ur }),
      ...(f.rstep !== undefined && { rstep: f.rstep }),
    };
  }
  if (overrides.widthMult !== undefined) def.widthMult = overrides.widthMult;
  if (overrides.lr !== undefined) def.lr = overrides.lr;
  if (overrides.ur !== undefined) def.ur = overrides.ur;
  if (overrides.rstep !== undefined) def.rstep = overrides.rstep;
  if (!(def.widthMult > 0)) throw new ConfigError('width_mult', `value ${def.widthMult} must be positive`);
  checkConsistency(def);
  return resolveSpace(def);
}
