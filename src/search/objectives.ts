/** Where an objective's value comes from. */
export type ObjectiveSource = 'cost' | 'training' | 'measured';

export interface ObjectiveInfo {
  key: string;
  unit: string;
  source: ObjectiveSource;
  description: string;
}

/**
 * Every objective and constraint key a search can use. All are minimised (`top1` is the error in %). Measured
 * keys are filled by the device stages; the analytic evaluator estimates `ram_kb` and `flash_kb` from the
 * cost model so that searches without boards can already be constrained by them.
 */
export const OBJECTIVES: readonly ObjectiveInfo[] = [
  { key: 'top1', unit: '% error', source: 'training', description: 'top-1 validation error' },
  { key: 'top1_robust', unit: '% error', source: 'training', description: 'FlatNAS mix of error and weight-noise robustness' },
  { key: 'params', unit: 'M', source: 'cost', description: 'parameters, millions' },
  { key: 'macs', unit: 'M', source: 'cost', description: 'multiply-accumulates per image, millions' },
  { key: 'activations', unit: 'M', source: 'cost', description: "activation elements (CNAS's rule), millions" },
  { key: 'tiny_ml', unit: '', source: 'cost', description: 'CBNAS figure of merit over params, MACs and activations' },
  { key: 'avg_macs', unit: 'M', source: 'training', description: 'early-exit networks: MACs averaged over exit ratios' },
  { key: 'latency_ms', unit: 'ms', source: 'measured', description: 'inference latency on a board' },
  { key: 'ram_kb', unit: 'kB', source: 'measured', description: 'activation memory (tensor arena) on a board' },
  { key: 'flash_kb', unit: 'kB', source: 'measured', description: 'model storage on a board' },
  { key: 'energy_mj', unit: 'mJ', source: 'measured', description: 'energy per inference on a board with a power model' },
];

export const OBJECTIVE_KEYS = OBJECTIVES.map((o) => o.key);

export function objectiveInfo(key: string): ObjectiveInfo | undefined {
  return OBJECTIVES.find((o) => o.key === key);
}

/** A constraint `stats[key] <= max`, e.g. from `--max-params 1.0`. */
export interface Constraint {
  key: string;
  max: number;
}

/** Command-line flags that set constraints, and the key each one limits. */
export const CONSTRAINT_FLAGS: readonly { flag: string; option: string; key: string }[] = [
  { flag: '--max-params <M>', option: 'maxParams', key: 'params' },
  { flag: '--max-macs <M>', option: 'maxMacs', key: 'macs' },
  { flag: '--max-activations <M>', option: 'maxActivations', key: 'activations' },
  { flag: '--max-ram-kb <kB>', option: 'maxRamKb', key: 'ram_kb' },
  { flag: '--max-flash-kb <kB>', option: 'maxFlashKb', key: 'flash_kb' },
  { flag: '--max-latency-ms <ms>', option: 'maxLatencyMs', key: 'latency_ms' },
];

/**
 * Total violation of a stats record: the sum of relative excesses, so that limits in different units weigh
 * alike. A missing value violates with the reason named by the caller.
 */
export function constraintViolation(values: readonly number[], constraints: readonly Constraint[]): number {
  let cv = 0;
  constraints.forEach((c, i) => {
    cv += Math.max(0, (values[i] - c.max) / Math.max(Math.abs(c.max), 1e-12));
  });
  return cv;
}
