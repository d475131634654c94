import { z } from 'zod';

/**
 * The board profile format (`devices/<id>.json`): datasheet facts about a board, how cnas talks to it, and
 * the simulator's cost-model coefficients for it. Every object is strict, so a misspelt key is an error
 * rather than a silently ignored fact.
 */

export const KERNEL_LIBRARIES = ['tflm-reference', 'cmsis-nn', 'esp-nn', 'tflite-xnnpack'] as const;
export type KernelLibrary = (typeof KERNEL_LIBRARIES)[number];

const positiveInt = z.number().int().positive();
const source = z.strictObject({ what: z.string().min(1), url: z.url() });

/** Cycles per multiply-accumulate of each operator kind, for int8 operators of the profile's library. */
const cyclesPerMac = z.strictObject({
  conv1x1: z.number().positive(),
  convKxk: z.number().positive(),
  depthwise: z.number().positive(),
  fullyConnected: z.number().positive(),
  /** MUL, HARD_SWISH, MEAN, AVERAGE_POOL_2D: the operators whose MACs are per element. */
  elementwise: z.number().positive(),
});

const calibration = z.strictObject({
  method: z.enum(['fitted', 'transferred', 'prior']),
  /** For `transferred`: the profile whose per-cycle coefficients were taken, clock-scaled. */
  from: z.string().optional(),
  /** Calibration points used (ids in the points file) and the fit errors, as written by bench/simulator-fit.ts. */
  points: z.array(z.number().int()).optional(),
  fitMedianRelError: z.number().nonnegative().optional(),
  fitP90RelError: z.number().nonnegative().optional(),
  heldOutMedianRelError: z.number().nonnegative().optional(),
  heldOutP90RelError: z.number().nonnegative().optional(),
  note: z.string().min(1),
});

export const simulatorSchema = z.strictObject({
  library: z.enum(KERNEL_LIBRARIES),
  cyclesPerMac,
  /** Per operator kind, cycles per output element of operators without MACs (ADD, PAD, pools, activations, copies). */
  cyclesPerElement: z.number().nonnegative(),
  /** Fixed cost of invoking one operator (dispatch, quantisation parameters, loop setup). */
  opOverheadCycles: z.number().nonnegative(),
  /** Memory-traffic term: cycles per byte read or written (weights, inputs and outputs of each operator). */
  cyclesPerByte: z.number().nonnegative(),
  /** float32 operators cost this many times their int8 counterparts. */
  float32Factor: z.number().positive(),
  /** Code and read-only data of the runtime (interpreter, kernels, bridge firmware) in flash. */
  runtimeFlashBytes: z.number().int().nonnegative(),
  calibration,
});

export const profileSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  name: z.string().min(1),
  kind: z.enum(['mcu', 'linux']),
  mcu: z.string().min(1),
  core: z.string().min(1),
  clockMhz: z.number().positive(),
  /** FPU and DSP/SIMD extensions of the core (e.g. "fpv5-sp", "dsp", "helium", "neon", "pie"). */
  extensions: z.array(z.string().min(1)),
  memory: z.strictObject({
    sramBytes: positiveInt,
    /** SRAM left to the tensor arena once stack, heap, runtime state and I/O buffers are placed. */
    arenaBytes: positiveInt,
    /** Internal flash (or, for Linux boards, null: the model lives on a file system). */
    flashBytes: positiveInt.nullable(),
    note: z.string().min(1),
  }),
  kernelLibraries: z.array(z.enum(KERNEL_LIBRARIES)).min(1),
  transport: z.strictObject({
    /** `serial`: an MCU behind the firmware bridge; `local`: a Linux board whose own agent runs TFLite. */
    kind: z.enum(['serial', 'local']),
    baud: positiveInt.optional(),
    /** Whether opening the serial port resets the board (DTR/RTS wired to reset, or a USB-CDC core that restarts). */
    resetsOnOpen: z.boolean(),
    /** The modem line wired to the board's reset (ESP32's auto-program circuit: RTS drives EN); pulsed to revive a hung board. */
    resetLine: z.enum(['dtr', 'rts']).optional(),
    note: z.string().optional(),
  }),
  power: z
    .strictObject({ activeMw: z.number().positive(), note: z.string().min(1), source: z.string().min(1) })
    .optional(),
  simulator: simulatorSchema,
  sources: z.array(source).min(1),
});

export type BoardProfile = z.infer<typeof profileSchema>;
export type SimulatorCoefficients = z.infer<typeof simulatorSchema>;
