import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { BackendUnavailableError } from './backend-unavailable-error.ts';
import { fastBatchMatMul } from './batch-mat-mul.ts';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.ts';
import { fastConv2dBackpropInput } from './conv2d-backprop-input.ts';
import { depthwiseBackpropFilterConfig } from './depthwise-backprop-filter.ts';
import { depthwiseBackpropInputConfig } from './depthwise-backprop-input.ts';
import { fastDepthwiseConv2d } from './depthwise-conv2d.ts';
import { sharingIdentity } from './identity.ts';
import { overrideWasmKernel } from './override-kernel.ts';

export interface WasmBackendOptions {
  /**
   * Replace stock kernels that have slow paths with faster, exact compositions (default true). Turning it off
   * serves to measure them or to rule them out; once installed they stay for the rest of the process.
   */
  speedOverrides?: boolean;
}

let gradientKernelsRegistered = false;
let speedOverridesInstalled = false;

/** The folder holding the .wasm binaries, found through module resolution so it works from any install. */
function wasmBinaryFolder(): string {
  const wasmFile = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
  return path.dirname(wasmFile) + path.sep;
}

function registerGradientKernels(): void {
  setWasmPaths(wasmBinaryFolder());
  for (const config of [conv2dBackpropFilterConfig, depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig]) {
    tf.registerKernel(config);
  }
  gradientKernelsRegistered = true;
}

function installSpeedOverrides(): void {
  overrideWasmKernel(tf.BatchMatMul, fastBatchMatMul);
  overrideWasmKernel(tf.Conv2DBackpropInput, fastConv2dBackpropInput);
  overrideWasmKernel(tf.DepthwiseConv2dNative, fastDepthwiseConv2d);
  overrideWasmKernel(tf.Identity, sharingIdentity);
  speedOverridesInstalled = true;
}

/**
 * Makes wasm the active tfjs backend, able to train: registers the gradient kernels stock wasm lacks and, by
 * default, the speed overrides. Safe to call again, e.g. after switching to another backend. Threads stay
 * off: tfjs disables them under Node.
 */
export async function initWasmBackend(options: WasmBackendOptions = {}): Promise<void> {
  if (!gradientKernelsRegistered) registerGradientKernels();
  if ((options.speedOverrides ?? true) && !speedOverridesInstalled) installSpeedOverrides();
  if (!(await tf.setBackend('wasm'))) throw new BackendUnavailableError('wasm', 'tfjs failed to initialise it');
}
