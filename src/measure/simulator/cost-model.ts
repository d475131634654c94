import type { ModelStats, OperatorStats } from '../../export/model-stats.ts';
import type { SimulatorCoefficients } from '../profiles/schema.ts';

/**
 * The simulator's per-operator cost model. Inputs are `ModelStats`-shaped so the same code prices a real
 * .tflite (through `modelStats`) and a network reconstructed from a paper's architecture table (calibration).
 */

export type CostOperator = Pick<OperatorStats, 'op' | 'inputShape' | 'outputShape' | 'type' | 'macs' | 'params'>;
export interface CostInput {
  operators: CostOperator[];
  totals: Pick<ModelStats['totals'], 'arenaBytes' | 'fileBytes' | 'activationTensors'>;
}

export type OpKind = 'conv1x1' | 'convKxk' | 'depthwise' | 'fullyConnected' | 'elementwise' | 'other';

function numel(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * Math.max(d, 1), 1);
}

/** Bytes per element; int8 unless the type says otherwise (quantised models are the default deployment). */
function elementBytes(type: string): number {
  if (type === 'float32' || type === 'int32') return 4;
  if (type === 'int16' || type === 'float16') return 2;
  return 1;
}

/**
 * Kind of an operator. A CONV_2D's kernel area is recovered from its MACs (out x kh x kw x cin), which avoids
 * reading the filter tensor: area 1 is the pointwise case that CMSIS-NN and ESP-NN run without im2col.
 */
export function opKind(op: CostOperator): OpKind {
  switch (op.op) {
    case 'CONV_2D': {
      const cin = op.inputShape[op.inputShape.length - 1] ?? 1;
      const area = op.macs / Math.max(numel(op.outputShape) * Math.max(cin, 1), 1);
      return Math.round(area) <= 1 ? 'conv1x1' : 'convKxk';
    }
    case 'TRANSPOSE_CONV':
      return 'convKxk';
    case 'DEPTHWISE_CONV_2D':
      return 'depthwise';
    case 'FULLY_CONNECTED':
    case 'BATCH_MATMUL':
      return 'fullyConnected';
    default:
      return op.macs > 0 ? 'elementwise' : 'other';
  }
}

/** Cycles of one operator: arithmetic (MACs or elements) + fixed overhead + memory traffic. */
export function operatorCycles(op: CostOperator, c: SimulatorCoefficients): number {
  const kind = opKind(op);
  const typeFactor = op.type === 'float32' ? c.float32Factor : 1;
  const bytes = elementBytes(op.type);
  const arithmetic = kind === 'other' ? numel(op.outputShape) * c.cyclesPerElement : op.macs * c.cyclesPerMac[kind];
  const traffic = (numel(op.inputShape) + numel(op.outputShape) + op.params) * bytes;
  return arithmetic * typeFactor + c.opOverheadCycles + traffic * c.cyclesPerByte;
}

/** Cycles of a whole inference (operators run one after another, as in TFLite Micro). */
export function modelCycles(model: CostInput, c: SimulatorCoefficients): number {
  return model.operators.reduce((s, op) => s + operatorCycles(op, c), 0);
}

/** Latency in milliseconds at `clockMhz`. */
export function predictLatencyMs(model: CostInput, c: SimulatorCoefficients, clockMhz: number): number {
  return modelCycles(model, c) / (clockMhz * 1e3);
}
