/**
 * Calibrates the simulator's per-board coefficients on public latency measurements (manual run):
 *
 *   npx tsx bench/simulator-fit.ts <points.json> [--dry-run]
 *
 * Each usable point's network is rebuilt at operator level from its published architecture
 * (src/measure/simulator/reference-nets.ts). Per board family (same core and kernel library), the library's
 * prior coefficients are scaled by one factor s and given one per-operator overhead o, fitted by weighted
 * least squares on relative error (cycles = s * A + o * N, A the prior's arithmetic and traffic cycles, N the
 * operator count). The family's boards without points get the fitted per-cycle coefficients at their own
 * clock ("transferred"). Points the file marks as held out (`held_out: true`) are kept for testing; the file
 * marks none, so the held-out error reported is leave-one-out (refit without the point, predict it).
 * Writes the coefficients into devices/<id>.json unless --dry-run, and prints the table for docs/simulator.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDevicesDir, loadProfiles } from '../src/measure/profiles/load.ts';
import type { BoardProfile, SimulatorCoefficients } from '../src/measure/profiles/schema.ts';
import { modelCycles } from '../src/measure/simulator/cost-model.ts';
import type { CostInput } from '../src/measure/simulator/cost-model.ts';
import { dsCnn, fcAutoencoder, mobilenetV1Quarter, resnet8, singleKernel } from '../src/measure/simulator/reference-nets.ts';

interface Point {
  id: number;
  board: string;
  core: string;
  clock_mhz: number | null;
  kernel_library: string;
  model: string;
  latency_ms: number;
  uses_accelerator: boolean;
  runtime: string;
  macs: number | null;
  held_out?: boolean;
}

interface Family {
  /** Profile fitted on the points; `transferTo` get its per-cycle coefficients. */
  fitted: string;
  transferTo: string[];
  select: (p: Point) => boolean;
  /** Clock for points that do not state one (MHz), with the reason. */
  defaultClock?: number;
  what: string;
}

const FAMILIES: Family[] = [
  {
    fitted: 'nucleo-l4r5zi',
    transferTo: ['arduino-nano-33-ble-sense'],
    select: (p) => p.core.includes('Cortex-M4') && /CMSIS/.test(p.kernel_library) && !/RX/.test(p.kernel_library),
    defaultClock: 100,
    what: 'Cortex-M4F with CMSIS-NN kernels (TFLM, microTVM BYOC, ONNC): L4R5 @120, M467 @200, F413 (clock not stated: its maximum, 100 MHz)',
  },
  {
    fitted: 'ek-ra6m4',
    transferTo: [],
    select: (p) => p.core.includes('Cortex-M33') && /CMSIS/.test(p.kernel_library),
    what: 'Cortex-M33 with CMSIS-NN kernels: RA6M4 @200 TFLM, nRF5340 @128 microTVM BYOC',
  },
  {
    fitted: 'esp32-s3-devkitc-1',
    transferTo: [],
    select: (p) => p.board.startsWith('ESP32-S3') && /ESP-NN optimized/.test(p.kernel_library),
    what: 'ESP32-S3 @240, single ESP-NN optimised kernels (bare calls)',
  },
  {
    fitted: 'rpi4',
    transferTo: [],
    select: (p) => p.board.startsWith('Raspberry Pi 4') && p.model.startsWith('MLPerf Tiny'),
    what: 'Raspberry Pi 4 @1500, MLPerf Tiny with Latent AI LEIP (TVM-compiled, a proxy for TFLite + XNNPACK)',
  },
];

/** The network of a point, when its architecture is public and rebuilt here. */
function network(p: Point): CostInput | undefined {
  const m = p.model;
  if (m.startsWith('MLPerf Tiny IC') || m.startsWith('ResNet v1 8')) return resnet8();
  if (m.startsWith('MLPerf Tiny KWS')) return dsCnn();
  if (m.startsWith('MLPerf Tiny VWW')) return mobilenetV1Quarter(3);
  if (m.startsWith('MLPerf Tiny AD')) return fcAutoencoder();
  if (m.startsWith('TFLM person_detection')) return mobilenetV1Quarter(1);
  // "single s8 kernel: conv2d 1x1, 64->64 ch": spatial size from the point's MACs, as the source derived them
  const k = /single s8 kernel: (conv2d|depthwise) (\d)x\d, (\d+)(?:->(\d+))? ch/.exec(m);
  if (k) {
    const [, kind, ks, cin, cout] = k;
    const macs = p.macs ?? 0;
    const perPixel = Number(ks) ** 2 * Number(cin) * (kind === 'conv2d' ? Number(cout) : 1);
    const side = Math.round(Math.sqrt(macs / perPixel));
    return singleKernel(kind === 'conv2d' ? 'conv' : 'depthwise', side, side, Number(cin), Number(cout ?? cin), Number(ks));
  }
  return undefined;
}

interface Sample {
  point: Point;
  clock: number;
  /** Prior's cycles without overhead, operator count, observed cycles. */
  a: number;
  n: number;
  y: number;
}

interface Fit {
  s: number;
  o: number;
}

/** Weighted least squares on relative error; the overhead is clamped at >= 0 and kept at the prior with < 3 points. */
function fit(samples: readonly Sample[], priorOverhead: number): Fit {
  const only = (o: number): Fit => {
    const num = samples.reduce((t, x) => t + (x.a * (x.y - o * x.n)) / x.y ** 2, 0);
    const den = samples.reduce((t, x) => t + x.a ** 2 / x.y ** 2, 0);
    return { s: num / den, o };
  };
  if (samples.length < 3) return only(priorOverhead);
  let saa = 0, san = 0, snn = 0, say = 0, sny = 0;
  for (const x of samples) {
    const w = 1 / x.y ** 2;
    saa += w * x.a * x.a;
    san += w * x.a * x.n;
    snn += w * x.n * x.n;
    say += w * x.a * x.y;
    sny += w * x.n * x.y;
  }
  const det = saa * snn - san * san;
  if (Math.abs(det) < 1e-12 * saa * snn) return only(priorOverhead);
  const s = (say * snn - san * sny) / det;
  const o = (saa * sny - san * say) / det;
  return o >= 0 && s > 0 ? { s, o } : only(0);
}

const predict = (x: Sample, f: Fit) => f.s * x.a + f.o * x.n;
const relErr = (x: Sample, f: Fit) => Math.abs(predict(x, f) - x.y) / x.y;

function quantile(values: readonly number[], q: number): number {
  const v = [...values].sort((a, b) => a - b);
  return v.length === 0 ? NaN : v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))];
}

const sig = (x: number) => Number(x.toPrecision(4));

function scaled(prior: SimulatorCoefficients, f: Fit): Omit<SimulatorCoefficients, 'calibration' | 'runtimeFlashBytes' | 'library' | 'float32Factor'> {
  const cpm = prior.cyclesPerMac;
  return {
    cyclesPerMac: {
      conv1x1: sig(cpm.conv1x1 * f.s),
      convKxk: sig(cpm.convKxk * f.s),
      depthwise: sig(cpm.depthwise * f.s),
      fullyConnected: sig(cpm.fullyConnected * f.s),
      elementwise: sig(cpm.elementwise * f.s),
    },
    cyclesPerElement: sig(prior.cyclesPerElement * f.s),
    opOverheadCycles: Math.round(f.o),
    cyclesPerByte: sig(prior.cyclesPerByte * f.s),
  };
}

function main(): void {
  const args = process.argv.slice(2);
  const path = args.find((a) => !a.startsWith('--'));
  if (path === undefined) {
    process.stderr.write('usage: tsx bench/simulator-fit.ts <points.json> [--dry-run]\n');
    process.exit(2);
  }
  const dryRun = args.includes('--dry-run');
  const points = (JSON.parse(readFileSync(path, 'utf8')) as { points: Point[] }).points;
  const profiles = new Map(loadProfiles().map((p) => [p.id, p]));
  const rows: string[] = [];
  const updated: BoardProfile[] = [];

  for (const family of FAMILIES) {
    const board = profiles.get(family.fitted)!;
    // The prior's per-kind ratios are the model; the fit only rescales them, so start from the shape the
    // profile was given, with unit scale.
    const prior = board.simulator;
    const base: SimulatorCoefficients = { ...prior, opOverheadCycles: 0 };
    const samples: Sample[] = [];
    for (const p of points) {
      if (p.uses_accelerator || !family.select(p)) continue;
      const net = network(p);
      const clock = p.clock_mhz ?? family.defaultClock;
      if (net === undefined || clock === undefined) continue;
      samples.push({ point: p, clock, a: modelCycles(net, base), n: net.operators.length, y: p.latency_ms * clock * 1e3 });
    }
    const train = samples.filter((x) => !x.point.held_out);
    const marked = samples.filter((x) => x.point.held_out);
    const f = fit(train, prior.opOverheadCycles);
    const fitErrors = train.map((x) => relErr(x, f));
    // Held out: the file's marked points, or, when it marks none, leave-one-out over the fit points.
    const heldErrors =
      marked.length > 0
        ? marked.map((x) => relErr(x, f))
        : train.length > 1
          ? train.map((x, i) => relErr(x, fit(train.filter((_, j) => j !== i), prior.opOverheadCycles)))
          : [];
    const coefficients = scaled(prior, f);
    const stats = {
      fitMedianRelError: sig(quantile(fitErrors, 0.5)),
      fitP90RelError: sig(quantile(fitErrors, 0.9)),
      ...(heldErrors.length > 0 ? { heldOutMedianRelError: sig(quantile(heldErrors, 0.5)), heldOutP90RelError: sig(quantile(heldErrors, 0.9)) } : {}),
    };
    updated.push({
      ...board,
      simulator: {
        ...prior,
        ...coefficients,
        calibration: {
          method: 'fitted',
          points: train.map((x) => x.point.id),
          ...stats,
          note: `fitted by bench/simulator-fit.ts on ${train.length} points: ${family.what}; scale ${sig(f.s)} on the library prior, overhead ${Math.round(f.o)} cycles/op`,
        },
      },
    });
    const held = heldErrors.length > 0 ? `${pct(quantile(heldErrors, 0.5))} / ${pct(quantile(heldErrors, 0.9))}${marked.length > 0 ? '' : ' (LOO)'}` : '-';
    rows.push(`| ${board.id} | fitted | ${train.length} (ids ${train.map((x) => x.point.id).join(', ')}) | ${sig(f.s)} | ${Math.round(f.o)} | ${pct(quantile(fitErrors, 0.5))} / ${pct(quantile(fitErrors, 0.9))} | ${held} |`);
    for (const id of family.transferTo) {
      const target = profiles.get(id)!;
      updated.push(transferred(target, coefficients, board.id, `per-cycle coefficients of ${board.id} (same core), at this board's ${target.clockMhz} MHz clock`));
      rows.push(`| ${id} | transferred from ${board.id} | - | ${sig(f.s)} | ${Math.round(f.o)} | - | - |`);
    }
  }

  rows.push(...transferM7(points, profiles, updated));
  process.stdout.write(['| profile | method | points | scale | overhead (cycles/op) | fit median / p90 rel. error | held-out median / p90 |', '|---|---|---|---|---|---|---|', ...rows].join('\n') + '\n');
  if (!dryRun) {
    const dir = defaultDevicesDir();
    for (const p of updated) writeFileSync(join(dir, `${p.id}.json`), JSON.stringify(p, null, 2) + '\n');
    process.stdout.write(`wrote ${updated.length} profiles in ${dir}\n`);
  }
}

/**
 * Cortex-M7 boards have no clean CMSIS-NN points (the F767 ones keep the arena in external SDRAM), so they take
 * the M4F fit times the per-cycle ratio M7/M4F of identical vendor runtimes (same runtime string, same
 * model) measured on DISCO-F746NG and NUCLEO-L4R5ZI: that ratio isolates the core and memory system. The
 * F767 TFLM/luci-micro points are reported as a check (expected slower than predicted: SDRAM arena).
 */
function transferM7(points: readonly Point[], profiles: ReadonlyMap<string, BoardProfile>, updated: BoardProfile[]): string[] {
  const m4 = updated.find((p) => p.id === 'nucleo-l4r5zi')!;
  const ratios: number[] = [];
  for (const f7 of points.filter((p) => p.board === 'DISCO-F746NG')) {
    const l4 = points.find((p) => p.board === 'NUCLEO-L4R5ZI' && p.runtime === f7.runtime && p.model === f7.model);
    if (l4 && f7.clock_mhz && l4.clock_mhz) ratios.push((f7.latency_ms * f7.clock_mhz) / (l4.latency_ms * l4.clock_mhz));
  }
  const ratio = quantile(ratios, 0.5);
  const m4s = m4.simulator;
  const f: Fit = { s: ratio, o: m4s.opOverheadCycles * ratio };
  const coefficients = scaled(m4s, f);
  const check = points
    .filter((p) => p.core.includes('Cortex-M7') && /CMSIS/.test(p.kernel_library) && p.clock_mhz !== null)
    .map((p) => {
      const c: SimulatorCoefficients = { ...m4s, ...coefficients };
      const pred = modelCycles(network(p)!, c) / (p.clock_mhz! * 1e3);
      return (pred - p.latency_ms) / p.latency_ms;
    });
  const rows: string[] = [];
  for (const id of ['stm32f746g-disco', 'nucleo-h743zi2']) {
    const target = profiles.get(id)!;
    updated.push(transferred(target, coefficients, 'nucleo-l4r5zi', `M4F fit x ${sig(ratio)}, the median per-cycle ratio DISCO-F746NG / NUCLEO-L4R5ZI over ${ratios.length} identical vendor-runtime points (HALE, Plumerai, ...); at this board's ${target.clockMhz} MHz. Check on the F767 CMSIS-NN points (arena in external SDRAM): signed errors ${check.map((e) => pct(e)).join(', ')}`));
    rows.push(`| ${id} | transferred from nucleo-l4r5zi x ${sig(ratio)} (M7/M4F per-cycle ratio, ${ratios.length} pairs) | - | ${sig(ratio * 1)} | ${Math.round(f.o)} | - | F767 check: ${check.map((e) => pct(e)).join(', ')} |`);
  }
  return rows;
}

/** A profile that takes another board's per-cycle coefficients, saying where they came from. */
function transferred(target: BoardProfile, coefficients: Partial<SimulatorCoefficients>, from: string, note: string): BoardProfile {
  return { ...target, simulator: { ...target.simulator, ...coefficients, calibration: { method: 'transferred', from, note } } };
}

function pct(x: number): string {
  return Number.isNaN(x) ? '-' : `${(100 * x).toFixed(1)}%`;
}

main();
