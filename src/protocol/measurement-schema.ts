import { z } from 'zod';

/** Zod mirrors of `src/measure/measurement.ts`: a result crosses the wire, so it is validated like any input. */

export const MeasureSettingsSchema = z.strictObject({
  warmupRuns: z.int().min(0).max(10_000),
  timedRuns: z.int().min(1).max(100_000),
  inputPolicy: z.enum(['zeros', 'random']),
  seed: z.int(),
});

const ProvenanceSchema = z.strictObject({
  board: z.string().max(256),
  profile: z.string().max(256),
  agent: z.string().max(256),
  firmware: z.string().max(256),
  runtime: z.string().max(256),
  simulated: z.boolean(),
  model: z.enum(['job', 'builtin']).optional(),
  settings: MeasureSettingsSchema,
  time: z.string().max(64),
});

const nonNegative = z.number().nonnegative();

const MeasurementOkSchema = z.strictObject({
  ok: z.literal(true),
  latency: z.strictObject({ median_ms: nonNegative, p90_ms: nonNegative, runs_ms: z.array(nonNegative).max(100_000) }),
  arena: z.strictObject({ bytes: z.int().min(0), persistent_bytes: z.int().min(0).optional(), non_persistent_bytes: z.int().min(0).optional() }),
  flash_bytes: z.int().min(0),
  macs: z.int().min(0),
  params: z.int().min(0),
  energy_mj: nonNegative.optional(),
  provenance: ProvenanceSchema,
});

const MeasurementFailureSchema = z.strictObject({
  ok: z.literal(false),
  reason: z.enum(['arena_overflow', 'flash_overflow', 'unsupported_operator', 'timeout', 'board_error', 'invalid_model']),
  message: z.string().max(4096),
  provenance: ProvenanceSchema,
});

export const MeasurementSchema = z.discriminatedUnion('ok', [MeasurementOkSchema, MeasurementFailureSchema]);
