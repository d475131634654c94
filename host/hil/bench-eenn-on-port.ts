import { SerialRunner } from '../../agent/serial-runner.ts';
import { BridgeClient } from '../../firmware-bridge/bridge-client.ts';
import { BridgeError } from '../../firmware-bridge/errors.ts';
import type { AllocInfo, HelloInfo } from '../../firmware-bridge/messages.ts';
import type { Dataset } from '../../src/data/dataset.ts';
import type { SegmentExport } from '../../src/export/export-segments.ts';
import { eennLatency } from '../../src/measure/eenn-latency.ts';
import { summariseEennSamples } from '../../src/measure/eenn-samples.ts';
import { summariseRuns } from '../../src/measure/latency-summary.ts';
import { DEFAULT_MEASURE_SETTINGS } from '../../src/measure/measurement.ts';
import { statsOfJobModel } from '../../src/measure/model-of-job.ts';
import { estimateFlash } from '../../src/measure/simulator/memory.ts';
import { selectBackend } from '../../src/nn/backend/backend.ts';
import { UsageError } from '../usage-error.ts';
import type { BenchEennFlags, EennBenchReport, EennNet, MeasureModel, OnDeviceEenn, Prepared } from './bench-eenn.ts';
import { exitRule, int8Inputs, loadEennNet, perSegmentReport, predictAndExport, reportHead, validationSet } from './bench-eenn.ts';
import type { PortBoard } from './bench-on-port.ts';
import { identifyBoard, portError } from './bench-on-port.ts';

/** EE_INFER runs with thresholds no score reaches, so every piece runs and is timed, before the samples. */
const FULL_PATH_RUNS = 3;
const FULL_NETWORK_RUNS = { warmups: 2, runs: 10 };
const EE_TIMEOUT_MS = 60_000;

/** The board turned the segments down while they were loaded into its slots: the message says why. */
class CannotRunOnDevice extends Error {}

type ReportHead = ReturnType<typeof reportHead>;

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/** Why HELLO already shows the board cannot run the network per sample, or undefined when it may. */
function unsupportedReason(hello: HelloInfo, exported: SegmentExport): string | undefined {
  if (hello.earlyExit !== true) return `the board's firmware (${hello.firmwareVersion}) has no early-exit inference (its HELLO lacks the flag)`;
  const pieces = exported.files.length;
  if ((hello.maxSlots ?? 1) < pieces) return `the network has ${pieces} pieces and the board holds ${hello.maxSlots} models`;
  const bytes = exported.files.reduce((sum, f) => align16(sum) + f.bytes.length, 0);
  if (bytes > hello.modelSlotBytes) return `its ${pieces} segments take ${bytes} bytes together and the board's model slot holds ${hello.modelSlotBytes}`;
  return undefined;
}

async function loadSegments(client: BridgeClient, exported: SegmentExport): Promise<AllocInfo> {
  try {
    for (const [slot, f] of exported.files.entries()) await client.load(f.bytes, undefined, slot);
    return await client.alloc();
  } catch (err) {
    if (err instanceof BridgeError && (err.boardCode === 'model_too_large' || err.boardCode === 'alloc_failed')) {
      throw new CannotRunOnDevice(`its segments do not fit the board together (${err.boardMessage ?? err.message})`);
    }
    throw err;
  }
}

/** Loads every segment into its slot and runs each validation sample through EE_INFER; then the network without exits. */
async function runOnDevice(board: PortBoard, net: EennNet, rule: EennBenchReport['exit_rule'], validation: Dataset, prepared: Prepared, head: ReportHead, port: string): Promise<EennBenchReport> {
  const { exported, full, outcome } = prepared;
  const { hello, profile } = board;
  const client = await BridgeClient.connect(await board.open(), { waitForBanner: profile.transport.resetsOnOpen });
  try {
    await client.hello();
    const alloc = await loadSegments(client, exported);
    const thresholds = rule.epsilon.slice(0, -1);
    const toMs = (cycles: number, clockHz: number) => (cycles / clockHz) * 1000;
    const pieceMs: number[][] = exported.files.map(() => []);
    for (let i = 0; i < FULL_PATH_RUNS; i++) {
      const r = await client.eeInfer(rule.rule, thresholds.map(() => Infinity), EE_TIMEOUT_MS);
      r.pieceCycles.forEach((c, p) => pieceMs[p].push(toMs(c, r.clockHz)));
    }
    const latencies: number[] = [];
    const exits: number[] = [];
    for (const input of int8Inputs(validation, net.graph.resolution, exported.manifest.segments[0].input)) {
      await client.setInput(0, input);
      const r = await client.eeInfer(rule.rule, thresholds, EE_TIMEOUT_MS);
      latencies.push(toMs(r.totalCycles, r.clockHz));
      exits.push(r.exit);
    }
    const segments: EennBenchReport['segments'] = exported.manifest.segments.map((s, i) => {
      const read = statsOfJobModel(exported.files[i].bytes);
      if ('invalid' in read) throw new Error(`${s.file}: ${read.invalid}`);
      const arena = alloc.slotArenaBytes?.[i] ?? alloc.arenaUsedBytes;
      return { file: s.file, role: s.role, exit: s.exit, latency_ms: summariseRuns(pieceMs[i]).median_ms, arena_bytes: arena, flash_bytes: estimateFlash(read.stats, profile.simulator), model_bytes: s.bytes, macs: read.stats.totals.macs };
    });
    const wholeNetwork = await measureWhole(client, full, board);
    const latency = eennLatency(segments, outcome.ratios);
    const summary = summariseEennSamples(latencies, exits, outcome.taken, exported.manifest.exits.length);
    const real = hello.realBackend;
    const onDevice: OnDeviceEenn = {
      ...summary,
      real_backend: real,
      backend: hello.backend,
      meaningful: real,
      note: real
        ? 'measured on the board: every sample ran its segments and exit heads in int8 until an exit was confident'
        : "NOT a real board: the host build's stand-in makes its outputs up, so the exits taken, their agreement with the host and the timings mean nothing",
      arena_bytes: alloc.arenaUsedBytes,
      slot_arena_bytes: alloc.slotArenaBytes ?? [alloc.arenaUsedBytes],
    };
    return {
      ...head,
      board: { selector: port, board: hello.boardId, profile: profile.id, agent: 'local', firmware: `cnas-firmware ${hello.firmwareVersion} (TFLite Micro ${hello.tflmVersion})`, runtime: hello.backend, simulated: !real },
      simulated: !real,
      ...latency,
      segments,
      exits: latency.exits.map((e) => ({ ...e, accuracy: outcome.branchScores[e.exit] })),
      full_network: wholeNetwork,
      on_device_inference: `per-sample on-device early-exit inference: ${summary.samples} samples run on the board (EE_INFER); segment latencies are the board's per-piece times${real ? '' : ' (stand-in, not real)'}`,
      on_device: onDevice,
    };
  } finally {
    await client.close();
  }
}

/** The network without exits in slot 0 (which empties the others), timed by BENCH. */
async function measureWhole(client: BridgeClient, full: Uint8Array, board: PortBoard): Promise<EennBenchReport['full_network']> {
  const read = statsOfJobModel(full);
  if ('invalid' in read) throw new Error(`the network without exits: ${read.invalid}`);
  try {
    await client.load(full);
    const alloc = await client.alloc();
    await client.setInput(0, new Uint8Array(alloc.inputs[0]?.bytes ?? 0));
    const bench = await client.bench(FULL_NETWORK_RUNS.warmups, FULL_NETWORK_RUNS.runs);
    return { latency_ms: summariseRuns(bench.cycles.map((c) => (c / bench.clockHz) * 1000)).median_ms, arena_bytes: alloc.arenaUsedBytes, flash_bytes: estimateFlash(read.stats, board.profile.simulator), macs: read.stats.totals.macs };
  } catch (err) {
    if (err instanceof BridgeError && err.code === 'board_error') throw new UsageError(`the network without exits on ${board.hello.boardId}: ${err.boardMessage ?? err.message}`);
    throw err;
  }
}

/** Falls back to what a board without early-exit support can do: each segment measured on its own, host exit ratios. */
async function perSegmentOnPort(board: PortBoard, head: ReportHead, prepared: Prepared, port: string, reason: string): Promise<EennBenchReport> {
  const runner = new SerialRunner({ name: board.hello.boardId, profile: board.profile, open: board.open });
  try {
    const measured: MeasureModel = async (file, bytes) => {
      const m = await runner.measure(bytes, DEFAULT_MEASURE_SETTINGS);
      if (!m.ok) throw new UsageError(`${file} on ${port}: ${m.reason}: ${m.message}`);
      return m;
    };
    return await perSegmentReport(head, prepared, port, measured, `per-sample on-device early-exit inference: not run, ${reason}; segments were measured one at a time and combined with the host's exit ratios`);
  } finally {
    await runner.close();
  }
}

/**
 * The library call behind `cnas bench-eenn --port`: straight through the serial bridge, without a hub. Firmware
 * with early-exit support holds every segment at once and runs each validation sample itself (EE_INFER), which
 * gives the measured per-sample latency and exits; other firmware, or segments that do not fit, get the
 * per-segment measurement of the fleet path, and the report says why in one sentence.
 */
export async function benchEennOnPort(dir: string, flags: BenchEennFlags): Promise<EennBenchReport> {
  const port = flags.port;
  if (port === undefined) throw new UsageError('give --port <serial device>');
  if (flags.board || flags.hub || flags.simulate) throw new UsageError('--port measures directly on that board: leave out --hub, --simulate and --board');
  const net = loadEennNet(dir, flags);
  const rule = exitRule(net);
  // the board first: a wrong port is refused before any work
  const board = await identifyBoard({ port, profile: flags.profile, baud: flags.baud });
  const validation = validationSet(net, flags.samples);
  await selectBackend(net.options.backend);
  const prepared = predictAndExport(dir, net, rule, validation);
  const head = reportHead(dir, net, rule, validation, prepared);
  let reason = unsupportedReason(board.hello, prepared.exported);
  try {
    if (reason === undefined) return await runOnDevice(board, net, rule, validation, prepared, head, port);
  } catch (err) {
    if (!(err instanceof CannotRunOnDevice)) throw err instanceof UsageError ? err : portError(port, err);
    reason = err.message;
  }
  try {
    return await perSegmentOnPort(board, head, prepared, port, reason);
  } catch (err) {
    throw err instanceof UsageError ? err : portError(port, err);
  }
}
