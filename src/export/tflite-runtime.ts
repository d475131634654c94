import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The reference TFLite runtime in Node: @tensorflow/tfjs-tflite, a browser build of the full TFLite
 * interpreter (with XNNPACK). Its Emscripten loader believes it runs in a web worker, so it needs `self`,
 * `self.location`, `navigator` and an `importScripts` that loads the glue; Node has SharedArrayBuffer, which
 * makes the loader pick the threaded build, whose blob Workers Node lacks, so the shim loads the
 * single-threaded SIMD build instead and hands it the .wasm bytes (the loader would `fetch` them). Models are
 * passed as an ArrayBuffer for the same reason.
 */

type TypedArray = Int8Array | Uint8Array | Int16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

interface RunnerTensor {
  name: string;
  dataType: string;
  shape: string;
  data(): TypedArray;
}

interface ModelRunner {
  getInputs(): RunnerTensor[];
  getOutputs(): RunnerTensor[];
  infer(): boolean;
  cleanUp(): void;
}

interface TfliteModule {
  setWasmPath(path: string): void;
  loadTFLiteModel(model: ArrayBuffer, options: { numThreads: number }): Promise<unknown>;
}

export interface RuntimeTensorInfo {
  name: string;
  dtype: string;
  shape: number[];
}

/** One loaded model; call `dispose` to free its interpreter in the wasm heap. */
export interface RuntimeModel {
  inputs: RuntimeTensorInfo[];
  outputs: RuntimeTensorInfo[];
  /** Runs one inference; inputs and outputs in model order, outputs copied out of the wasm heap. */
  run(inputs: readonly ArrayLike<number>[]): TypedArray[];
  dispose(): void;
}

const require = createRequire(import.meta.url);
let loaded: TfliteModule | undefined;
/** Every Emscripten module the loader instantiated, kept to read the size of their heaps. */
const instances: { HEAP8?: Int8Array }[] = [];
/** What the interpreter printed (it reports model errors there, not in the exception). */
const runtimeLog: string[] = [];

function installShims(wasmDir: string): void {
  const g = globalThis as Record<string, unknown>;
  g.self ??= globalThis;
  (g.self as Record<string, unknown>).location ??= { origin: '', href: 'file:///' };
  g.navigator ??= { hardwareConcurrency: 1 };
  g.importScripts ??= (url: string) => {
    const script = path.join(wasmDir, path.basename(String(url)).replace('_threaded.js', '.js'));
    const factory = require(script) as (args: object) => unknown;
    const wasmBinary = readFileSync(script.replace(/\.js$/, '.wasm'));
    const print = (line: string) => void runtimeLog.push(line);
    (g.self as Record<string, unknown>).tflite_web_api_ModuleFactory = (args: object = {}) => {
      const ready = factory({ ...args, wasmBinary, print, printErr: print }) as Promise<{ HEAP8?: Int8Array }>;
      return ready.then((instance) => {
        instances.push(instance);
        return instance;
      });
    };
  };
}

function tflite(): TfliteModule {
  if (loaded === undefined) {
    const wasmDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-tflite/package.json')), 'wasm');
    installShims(wasmDir);
    loaded = require('@tensorflow/tfjs-tflite') as TfliteModule;
    loaded.setWasmPath(wasmDir + path.sep);
  }
  return loaded;
}

function info(t: RunnerTensor): RuntimeTensorInfo {
  return { name: t.name, dtype: t.dataType, shape: t.shape.split(',').map(Number) };
}

/** Bytes of the runtime's wasm linear memories (they only grow); 0 before the first model is loaded. */
export function wasmHeapBytes(): number {
  return instances.reduce((sum, m) => sum + (m.HEAP8?.buffer.byteLength ?? 0), 0);
}

/** The @tensorflow/tfjs-tflite release in use, for provenance. */
export function runtimeVersion(): string {
  return (require('@tensorflow/tfjs-tflite/package.json') as { version: string }).version;
}

/**
 * Threads the interpreter runs on: the shim loads the single-threaded build (the threaded one needs Workers that
 * Node lacks), where XNNPACK accepts a larger thread count and ignores it.
 */
export const RUNTIME_THREADS = 1;

/**
 * Instantiates the runtime (its wasm heap and kernels, tens of MB) ahead of the first model, for callers that
 * measure what a model adds to the process. There is no call for that alone: loading an empty model starts the
 * runtime, which then refuses the model.
 */
export async function startRuntime(): Promise<void> {
  await loadRuntimeModel(new Uint8Array(0)).catch(() => undefined);
}

/**
 * Loads a .tflite into the reference runtime (single thread). The runner underneath tfjs-tflite's TFLiteModel
 * is used directly: it exposes the tensors as typed arrays, which keeps int8 data int8 (the TFLiteModel API
 * goes through int32 tfjs tensors and warns on every call).
 */
export async function loadRuntimeModel(bytes: Uint8Array): Promise<RuntimeModel> {
  const module = tflite();
  const buffer = bytes.slice().buffer;
  const logStart = runtimeLog.length;
  let model: { modelRunner: ModelRunner };
  try {
    model = (await module.loadTFLiteModel(buffer, { numThreads: RUNTIME_THREADS })) as { modelRunner: ModelRunner };
  } catch (err) {
    const printed = runtimeLog.slice(logStart).filter((l) => !l.startsWith('INFO:'));
    throw new Error(`the TFLite runtime refused the model: ${printed.join('; ') || (err as Error).message || String(err)}`);
  }
  const runner = model.modelRunner;
  const inputs = runner.getInputs();
  const outputs = runner.getOutputs();
  return {
    inputs: inputs.map(info),
    outputs: outputs.map(info),
    run(values) {
      if (values.length !== inputs.length) throw new Error(`the model takes ${inputs.length} inputs, got ${values.length}`);
      inputs.forEach((t, i) => {
        const target = t.data();
        if (values[i].length !== target.length) throw new Error(`input ${t.name} takes ${target.length} values, got ${values[i].length}`);
        target.set(values[i]);
      });
      if (!runner.infer()) throw new Error(`TFLite inference failed: ${runtimeLog.slice(-3).join('; ')}`);
      return outputs.map((t) => t.data().slice());
    },
    dispose: () => runner.cleanUp(),
  };
}
