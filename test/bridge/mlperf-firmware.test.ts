import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BridgeClient } from '../../firmware-bridge/bridge-client.ts';
import { MlperfClient } from '../../firmware-bridge/mlperf-client.ts';
import { openSerialTransport } from '../../firmware-bridge/serial-transport.ts';
import { int8Model, serialBoard } from './serial-board.ts';

test('the firmware speaks MLPerf Tiny text mode on the same link: name, profile, db, infer with laps, results', { timeout: 30_000 }, async (t) => {
  const { port } = await serialBoard(t, { boardId: 'lab-dut' });
  const transport = await openSerialTransport(port, 115200);
  t.after(() => transport.close());
  // a model first, over the binary link; text mode's infer runs the model last loaded
  const bridge = await BridgeClient.connect(transport, { waitForBanner: false });
  await bridge.hello();
  const model = int8Model();
  const loaded = await bridge.load(model);
  assert.equal(loaded.bytes, model.length);

  const text = new MlperfClient(transport, { commandTimeoutMs: 2000 });
  t.after(() => text.close());
  assert.equal(await text.name(), 'lab-dut');
  const profile = await text.profile();
  assert.match(profile.profile, /cnas firmware 1\.0\.0/);
  assert.match(profile.model ?? '', /^[0-9a-f]{8}$/, 'the model is named by its CRC');
  await text.loadInput(new Uint8Array(3072).fill(7));
  const infer = await text.infer(3, 1);
  assert.ok(infer.laps_us[1] >= infer.laps_us[0]);
  assert.ok(infer.latency_us >= 0);
  assert.ok((await text.results()).length > 0);
});
