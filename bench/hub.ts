/**
 * Hub overhead and fleet throughput on loopback, with fake boards (test/fleet/fake-runner.ts).
 * Overhead: sequential measurements of distinct models through hub + agent + protocol with a 0 ms runner,
 * against the same runner called directly (the baseline, same run). Throughput: a runner that sleeps a fixed
 * time, 1/2/4/8 boards over two agents; the ideal speed-up from 1 to 8 boards is 8x.
 * Usage: npx tsx bench/hub.ts [--n 200] [--sleep-ms 50] [--json]
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { startAgent } from '../agent/agent.ts';
import type { Agent } from '../agent/agent.ts';
import { createHub } from '../host/hub/hub.ts';
import type { Hub } from '../host/hub/hub.ts';
import { DEFAULT_MEASURE_SETTINGS } from '../src/measure/measurement.ts';
import { FakeRunner } from '../test/fleet/fake-runner.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => Number(args[args.indexOf(name) + 1]) || fallback;
const n = flag('--n', 200);
const sleepMs = flag('--sleep-ms', 50);
const json = args.includes('--json');
const logger = pino({ level: 'silent' });
const token = randomBytes(16).toString('hex');
const models = (count: number, size = 50_000): Uint8Array[] => Array.from({ length: count }, () => randomBytes(size));

async function fleet(boards: number, latencyMs: number): Promise<{ hub: Hub; agents: Agent[]; close: () => Promise<void> }> {
  const hub = await createHub({ port: 0, token, logger });
  const agents: Agent[] = [];
  for (const half of [0, 1]) {
    const ids = Array.from({ length: boards }, (_, i) => i).filter((i) => i % 2 === half);
    if (ids.length === 0) continue;
    const list = ids.map((i) => ({ name: `b${i}`, profile: 'fake', runner: new FakeRunner('fake', { latencyMs }) }));
    agents.push(await startAgent({ hubUrl: hub.url, token, id: `agent-${half}`, boards: list, logger }));
  }
  return { hub, agents, close: async () => (await Promise.all(agents.map((a) => a.close())), await hub.close()) };
}

async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

// overhead: sequential, so each measurement's round trip is visible
const direct = new FakeRunner('fake');
const directModels = models(n);
const directS = await seconds(async () => {
  for (const m of directModels) await direct.measure(m, DEFAULT_MEASURE_SETTINGS);
});
const one = await fleet(1, 0);
for (const m of models(20)) await one.hub.measure(m, 'fake'); // warm-up: JIT and sockets
const hubModels = models(n);
const hubS = await seconds(async () => {
  for (const m of hubModels) await one.hub.measure(m, 'fake');
});
const cachedS = await seconds(async () => {
  for (const m of hubModels) await one.hub.measure(m, 'fake');
});
await one.close();
const overheadMs = ((hubS - directS) / n) * 1000;

// throughput: enough jobs that every board is busy for several rounds
const throughput: { boards: number; jobs_per_s: number; speedup: number }[] = [];
const jobs = 8 * 6;
for (const boards of [1, 2, 4, 8]) {
  const f = await fleet(boards, sleepMs);
  const s = await seconds(() => Promise.all(models(jobs).map((m) => f.hub.measure(m, 'fake'))));
  await f.close();
  throughput.push({ boards, jobs_per_s: jobs / s, speedup: 0 });
}
for (const t of throughput) t.speedup = t.jobs_per_s / throughput[0].jobs_per_s;
const baselinePerS = 1000 / sleepMs;

if (json) {
  console.log(JSON.stringify({ n, model_bytes: 50_000, direct_ms: (directS / n) * 1000, hub_ms: (hubS / n) * 1000, overhead_ms: overheadMs, cached_ms: (cachedS / n) * 1000, sleep_ms: sleepMs, baseline_jobs_per_s: baselinePerS, throughput }));
} else {
  console.log(`hub on loopback, node ${process.version}, ${n} sequential measurements of 50 kB models`);
  console.log(`runner called directly (baseline) ${((directS / n) * 1000).toFixed(3).padStart(9)} ms/measurement`);
  console.log(`through hub + agent             ${((hubS / n) * 1000).toFixed(3).padStart(9)} ms/measurement   overhead ${overheadMs.toFixed(3)} ms (target < 20)`);
  console.log(`same models again (cache)       ${((cachedS / n) * 1000).toFixed(3).padStart(9)} ms/measurement`);
  console.log(`throughput, runner sleeping ${sleepMs} ms (one board called directly: ${baselinePerS.toFixed(1)} jobs/s), ${jobs} jobs`);
  for (const t of throughput) console.log(`  ${String(t.boards).padStart(2)} boards ${t.jobs_per_s.toFixed(1).padStart(8)} jobs/s   ${t.speedup.toFixed(2)}x`);
  console.log(`  1 -> 8 boards: ${throughput[3].speedup.toFixed(2)}x (target >= 6x)`);
}
