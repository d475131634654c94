import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from './backend-unavailable-error.ts';
import { initWasmBackend } from './wasm-setup.ts';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'webgpu' | 'cpu';
export type BackendRequest = 'auto' | BackendName;

export interface SelectedBackend {
  name: BackendName;
  /** The backends `auto` tried first and could not use, in the order tried. */
  fellBackFrom?: BackendName[];
}

/** Fastest first; cpu always loads. webgpu is left out: in Node it needs a GPU adapter it seldom finds. */
const AUTO_ORDER: BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/**
 * Optional packages are imported through a variable so TypeScript does not need them installed; each
 * registers its backend with tfjs when imported.
 */
async function importOptional(backend: BackendName, specifier: string): Promise<void> {
  try {
    await import(specifier);
  } catch (error) {
    throw new BackendUnavailableError(backend, `cannot import ${specifier} (${(error as Error).message})`);
  }
}

async function activate(tfjsName: string, backend: BackendName): Promise<void> {
  let ready: boolean;
  try {
    ready = await tf.setBackend(tfjsName);
  } catch (error) {
    throw new BackendUnavailableError(backend, `tfjs could not initialise it (${(error as Error).message})`);
  }
  if (!ready) throw new BackendUnavailableError(backend, 'tfjs could not initialise it');
}

async function load(backend: BackendName): Promise<void> {
  switch (backend) {
    case 'tensorflow-gpu':
      // tfjs-node-gpu registers its backend under tfjs-node's name.
      await importOptional(backend, '@tensorflow/tfjs-node-gpu');
      return activate('tensorflow', backend);
    case 'tensorflow':
      await importOptional(backend, '@tensorflow/tfjs-node');
      return activate('tensorflow', backend);
    case 'webgpu':
      await importOptional(backend, '@tensorflow/tfjs-backend-webgpu');
      return activate('webgpu', backend);
    case 'wasm':
      return initWasmBackend();
    case 'cpu':
      return activate('cpu', backend);
  }
}

/**
 * Makes the requested tfjs backend the active one. `auto` takes the first of tensorflow-gpu, tensorflow,
 * wasm and cpu that loads and reports the ones it skipped; an explicit request that cannot be met throws
 * BackendUnavailableError naming the backend and the reason.
 */
export async function selectBackend(request: BackendRequest): Promise<SelectedBackend> {
  // Production mode: no debug checks, and no "install tfjs-node" banner on stdout in the middle of our output.
  tf.env().set('PROD', true);
  if (request !== 'auto') {
    await load(request);
    return { name: request };
  }
  const fellBackFrom: BackendName[] = [];
  for (const candidate of AUTO_ORDER) {
    try {
      await load(candidate);
      return fellBackFrom.length > 0 ? { name: candidate, fellBackFrom } : { name: candidate };
    } catch (error) {
      if (!(error instanceof BackendUnavailableError)) throw error;
      fellBackFrom.push(candidate);
    }
  }
  throw new BackendUnavailableError('auto', `none of ${AUTO_ORDER.join(', ')} could be loaded`);
}
