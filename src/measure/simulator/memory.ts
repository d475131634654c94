import type { KernelLibrary, SimulatorCoefficients } from '../profiles/schema.ts';
import { opKind } from './cost-model.ts';
import type { CostInput, CostOperator } from './cost-model.ts';

/**
 * Arena and flash estimates. The planner's peak (TFLM's greedy planner over the activation tensors) is
 * exact for the activations; what a board needs on top is TFLite Micro's persistent state and the kernel
 * library's scratch buffers. The sizes below are those of a 32-bit build of TFLM (2023-2024 sources) and are
 * approximate to a few hundred bytes per model, far below the arena granularity that decides a fit.
 */

/** MicroAllocator, subgraph allocations, the interpreter's graph and the model's input/output bookkeeping. */
export const INTERPRETER_BYTES = 1024;
/** One TfLiteEvalTensor (data pointer, dims pointer, type) for every tensor of the model. */
export const EVAL_TENSOR_BYTES = 12;
/** One NodeAndRegistration (TfLiteNode: 8 pointers and a size) plus the parsed builtin options. */
export const NODE_BYTES = 52;
/**
 * OpData of the kernels that quantise per channel (CONV_2D, DEPTHWISE_CONV_2D): fixed fields (offsets,
 * activation range, scratch index) plus an int32 multiplier and an int32 shift for every output channel.
 */
export const CONV_OPDATA_BYTES = 48;
export const PER_CHANNEL_BYTES = 8;
/** OpData of FULLY_CONNECTED (per-tensor quantisation: one multiplier and shift) and of the other kernels. */
export const FC_OPDATA_BYTES = 40;
export const OTHER_OPDATA_BYTES = 16;

export interface ArenaEstimate {
  bytes: number;
  persistentBytes: number;
  /** Planner peak plus the largest scratch buffer. */
  nonPersistentBytes: number;
}

function channels(shape: readonly number[]): number {
  return Math.max(shape[shape.length - 1] ?? 1, 1);
}

function numel(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * Math.max(d, 1), 1);
}

function persistentBytes(op: CostOperator): number {
  const kind = opKind(op);
  // Weights and bias of a conv-like operator are two tensors, other constants one.
  const constantTensors = kind === 'other' || kind === 'elementwise' ? (op.params > 0 ? 1 : 0) : 2;
  const opData =
    kind === 'conv1x1' || kind === 'convKxk' || kind === 'depthwise'
      ? CONV_OPDATA_BYTES + PER_CHANNEL_BYTES * channels(op.outputShape)
      : kind === 'fullyConnected'
        ? FC_OPDATA_BYTES
        : OTHER_OPDATA_BYTES;
  return NODE_BYTES + opData + constantTensors * EVAL_TENSOR_BYTES;
}

/**
 * Scratch a kernel asks for in Prepare: CMSIS-NN's arm_convolve_s8 keeps two im2col columns of int16
 * (2 x cin x kh x kw x 2 bytes), arm_depthwise_conv_s8_opt one column (cin x kh x kw x 2 bytes); the 1x1 and
 * fully connected kernels need none. ESP-NN's buffers are of the same order. Reference kernels need none.
 */
function scratchBytes(op: CostOperator, library: KernelLibrary): number {
  if (library === 'tflm-reference') return 0;
  const kind = opKind(op);
  const cin = channels(op.inputShape);
  if (kind === 'convKxk') {
    const area = Math.round(op.macs / Math.max(numel(op.outputShape) * cin, 1));
    return 2 * cin * area * 2;
  }
  if (kind === 'depthwise') {
    const area = Math.round(op.macs / Math.max(numel(op.outputShape), 1));
    return cin * area * 2;
  }
  return 0;
}

/**
 * The arena a board needs: planner peak + the largest scratch buffer (counted on top of the peak, an upper
 * bound: TFLM plans scratch with the activations and may fit it into a gap) + persistent state.
 */
export function estimateArena(model: CostInput, c: SimulatorCoefficients): ArenaEstimate {
  const persistent =
    INTERPRETER_BYTES + model.totals.activationTensors * EVAL_TENSOR_BYTES + model.operators.reduce((s, op) => s + persistentBytes(op), 0);
  const scratch = model.operators.reduce((m, op) => Math.max(m, scratchBytes(op, c.library)), 0);
  const nonPersistent = model.totals.arenaBytes + scratch;
  return { bytes: persistent + nonPersistent, persistentBytes: persistent, nonPersistentBytes: nonPersistent };
}

/** Flash a board needs: the model as a C array plus the runtime's code. */
export function estimateFlash(model: CostInput, c: SimulatorCoefficients): number {
  return model.totals.fileBytes + c.runtimeFlashBytes;
}
