import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/nn/backend/backend.ts';
import { BackendUnavailableError } from '../../src/nn/backend/backend-unavailable-error.ts';

// tfjs-node and tfjs-node-gpu are not dependencies (they download native binaries), so here auto must fall
// back past both to wasm.
test('auto falls back past the tensorflow backends to wasm and says so', async () => {
  assert.deepEqual(await selectBackend('auto'), { name: 'wasm', fellBackFrom: ['tensorflow-gpu', 'tensorflow'] });
  assert.equal(tf.getBackend(), 'wasm');
});

test('asking for tensorflow explicitly throws BackendUnavailableError naming it and the reason', async () => {
  await assert.rejects(selectBackend('tensorflow'), (error: unknown) => {
    assert.ok(error instanceof BackendUnavailableError);
    assert.equal(error.backend, 'tensorflow');
    assert.match(error.message, /^backend 'tensorflow' is unavailable: cannot import @tensorflow\/tfjs-node \(/);
    return true;
  });
});

test('asking for webgpu without its package throws BackendUnavailableError', async () => {
  await assert.rejects(selectBackend('webgpu'), BackendUnavailableError);
});

test('cpu and wasm can be selected explicitly and run ops', async () => {
  for (const name of ['cpu', 'wasm'] as const) {
    assert.deepEqual(await selectBackend(name), { name });
    assert.equal(tf.getBackend(), name);
    assert.deepEqual(Array.from(tf.tidy(() => tf.add(tf.tensor([1, 2]), tf.tensor([3, 4])).dataSync())), [4, 6]);
  }
});
