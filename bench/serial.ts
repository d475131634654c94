/**
 * Model upload throughput over the binary bridge, through a pty pair shaped to a UART's byte rate (baud/10) by
 * the link proxy, against the host build of the firmware. Baseline in the same run: the same shaped proxy carrying
 * the model's bytes unframed, so the ratio isolates the protocol's overhead (framing, CRC, stop-and-wait).
 * Usage: npx tsx bench/serial.ts [--baud 921600]
 */
import { SerialPort } from 'serialport';
import { fakeModel, startRig } from '../test/bridge/firmware-rig.ts';
import { LinkProxy } from '../test/bridge/link-proxy.ts';
import { openPtyPair } from '../test/bridge/pty-pair.ts';

const args = process.argv.slice(2);
const baud = Number(args[args.indexOf('--baud') + 1]) || 921_600;
const linkBytesPerSecond = baud / 10;
const sizes = [200 * 1024, 1024 * 1024];

function openPort(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: baud }, (error) => (error ? reject(error) : resolve(port)));
  });
}

/** Seconds the shaped proxy takes to carry `bytes` from one pty to the other with no protocol at all. */
async function rawSeconds(bytes: Uint8Array): Promise<number> {
  const [host, board] = [await openPtyPair(), await openPtyPair()];
  const proxy = await LinkProxy.open(host.b, board.a, { baud });
  const [writer, reader] = [await openPort(host.a), await openPort(board.b)];
  try {
    let received = 0;
    const done = new Promise<void>((resolve) =>
      reader.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= bytes.length) resolve();
      }),
    );
    const start = performance.now();
    writer.write(bytes);
    await done;
    return (performance.now() - start) / 1000;
  } finally {
    await Promise.all([writer, reader].map((port) => new Promise((resolve) => port.close(resolve))));
    await proxy.close();
    await host.close();
    await board.close();
  }
}

async function uploadSeconds(model: Uint8Array): Promise<{ seconds: number; chunk: number }> {
  const rig = await startRig({ proxy: { baud }, firmware: { slotBytes: Math.max(...sizes) }, client: { baud } });
  try {
    const info = await rig.client.hello();
    const start = performance.now();
    const result = await rig.client.load(model);
    const seconds = (performance.now() - start) / 1000;
    if (result.bytes !== model.length) throw new Error(`board holds ${result.bytes} of ${model.length} bytes`);
    return { seconds, chunk: info.maxPayload - 4 };
  } finally {
    await rig.close();
  }
}

const rows: string[][] = [];
for (const size of sizes) {
  const model = fakeModel(size, size);
  const raw = await rawSeconds(model);
  const upload = await uploadSeconds(model);
  const rate = (seconds: number) => size / seconds;
  rows.push([
    `${size / 1024} KiB`,
    `${upload.chunk}`,
    `${(rate(raw) / 1000).toFixed(1)} kB/s (${((100 * rate(raw)) / linkBytesPerSecond).toFixed(1)}%)`,
    `${(rate(upload.seconds) / 1000).toFixed(1)} kB/s`,
    `${upload.seconds.toFixed(2)} s`,
    `${((100 * rate(upload.seconds)) / linkBytesPerSecond).toFixed(1)}%`,
    `${((100 * raw) / upload.seconds).toFixed(1)}%`,
  ]);
}

const header = ['model', 'chunk B', 'raw proxy (baseline)', 'upload', 'time', 'of link rate', 'of baseline'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(`model upload over a pty pair shaped to ${baud} baud (link rate ${(linkBytesPerSecond / 1000).toFixed(1)} kB/s), node ${process.version}`);
console.log(line(header));
for (const row of rows) console.log(line(row));
