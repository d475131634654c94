import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { completedIterations, iterationStatsPath, netStatsPath, readJsonIfExists, RUN_FILE, RunFileError } from '../search/run-files.ts';
import { readIterationStats } from '../search/iteration-stats.ts';
import type { IterationStats } from '../search/iteration-stats.ts';
import { nonDominatedSort } from '../search/dominance.ts';
import { simulatedVsMeasuredSection } from './sim-vs-measured.ts';
import { escapeXml, svgChart } from './svg-chart.ts';

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const MEASURED = ['latency_ms', 'ram_kb', 'flash_kb', 'energy_mj'];

interface Row {
  iteration: number;
  net: number;
  values: number[];
  feasible: boolean;
  stats: Record<string, unknown>;
}

function cell(v: unknown): string {
  if (typeof v === 'number') return String(Number(v.toPrecision(6)));
  if (v === undefined) return '';
  return escapeXml(typeof v === 'string' ? v : JSON.stringify(v));
}

type MeasurementSummary = { provenance?: { board?: string; simulated?: boolean }; reason?: string };

/** Where a candidate was measured: one measurement, or (several boards) one per board selector. */
function boardCell(measurement: unknown): string {
  if (typeof measurement !== 'object' || measurement === null) return '';
  const one = (m: MeasurementSummary): string => (m.provenance ? `${m.provenance.board}${m.provenance.simulated ? ' (simulated)' : ''}${m.reason ? `: ${m.reason}` : ''}` : '');
  if ('provenance' in measurement) return one(measurement as MeasurementSummary);
  return Object.values(measurement as Record<string, MeasurementSummary>).map(one).filter(Boolean).join('; ');
}

/** The rows of the last iteration's archive with each net's stats. */
function archiveRows(save: string, last: IterationStats): Row[] {
  return last.archive.map((row, i) => {
    const [iteration, net, cv] = last.archive_nets[i];
    const stats = (readJsonIfExists(netStatsPath(save, iteration, net)) ?? {}) as Record<string, unknown>;
    return { iteration, net, values: row.slice(1) as number[], feasible: cv === 0, stats };
  });
}

/**
 * One self-contained HTML page about a search run: the Pareto front as it grew, the hypervolume curve,
 * surrogate quality per iteration, and a sortable table of every architecture with its device measurements.
 * Charts are inline SVG and the sorting is a few lines of inline script: nothing is fetched to view it.
 */
export function runReport(save: string): string {
  const its = completedIterations(save);
  if (its.length === 0) throw new RunFileError(`${save}: no completed iteration (no iter_N.stats); is it a cnas run directory?`);
  const stats = its.map((it) => readIterationStats(iterationStatsPath(save, it)));
  const last = stats[stats.length - 1];
  const run = existsSync(join(save, RUN_FILE)) ? (JSON.parse(readFileSync(join(save, RUN_FILE), 'utf8')) as Record<string, unknown>) : {};
  const objectives = last.objectives;
  const rows = archiveRows(save, last);
  const charts: string[] = [];
  if (objectives.length >= 2) {
    const byIteration = its.map((it, k) => ({
      name: `found in iteration ${it}`,
      colour: COLOURS[k % COLOURS.length],
      points: rows.filter((r) => r.iteration === it).map((r) => [r.values[0], r.values[1]] as [number, number]),
    }));
    const feasible = rows.filter((r) => r.feasible);
    const front = (nonDominatedSort(feasible.map((r) => r.values))[0] ?? []).map((i) => feasible[i]).sort((a, b) => a.values[0] - b.values[0]);
    charts.push(svgChart(`Pareto front (${objectives[0]} vs ${objectives[1]}) and every architecture by the iteration that found it`, objectives[0], objectives[1], [
      ...byIteration.slice(-9),
      { name: 'final front', colour: '#000', points: front.map((r) => [r.values[0], r.values[1]]), line: true },
    ]));
    charts.push(svgChart('Hypervolume (normalised, reference point fixed after the DOE)', 'iteration', 'hypervolume', [
      { name: 'hypervolume', colour: COLOURS[0], points: stats.map((s) => [s.iteration, s.hv ?? Number.NaN]), line: true },
    ]));
  }
  const keys = [...new Set(stats.flatMap((s) => s.surrogates.filter((r) => r.tau !== undefined).map((r) => r.key)))];
  if (keys.length > 0) {
    charts.push(svgChart("Surrogate quality: Kendall's tau on each iteration's candidates (out of sample)", 'iteration', 'tau', keys.map((key, k) => ({
      name: key,
      colour: COLOURS[k % COLOURS.length],
      points: stats.flatMap((s) => s.surrogates.filter((r) => r.key === key && r.tau !== undefined).map((r) => [s.iteration, r.tau!] as [number, number])),
      line: true,
    }))));
  }
  const measured = MEASURED.filter((k) => rows.some((r) => typeof r.stats[k] === 'number'));
  const columns = ['iteration', 'net', ...objectives, ...measured.filter((k) => !objectives.includes(k)), 'feasible', 'board'];
  const tableRows = rows.map((r) => {
    const board = boardCell(r.stats.measurement);
    const values: unknown[] = [r.iteration, r.net, ...r.values, ...measured.filter((k) => !objectives.includes(k)).map((k) => r.stats[k]), r.feasible ? 'yes' : 'no', board];
    return `<tr>${values.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`;
  });
  const summary = [
    ['search space', run.search_space],
    ['evaluator', run.evaluator],
    ['objectives', objectives.join(', ')],
    ['constraints', last.constraints.map((c) => `${c.key} <= ${c.max}`).join(', ') || 'none'],
    ['boards', Array.isArray(run.board) && run.board.length > 0 ? `${(run.board as string[]).join(', ')}${run.simulate ? ' (simulated)' : ''}` : 'none'],
    ['iterations', `${its.length} (0..${last.iteration})`],
    ['architectures', String(rows.length)],
    ['hypervolume', last.hv === undefined ? '-' : String(Number(last.hv.toPrecision(5)))],
    ['best', Object.entries(last.best).map(([k, v]) => `${k} ${Number(v.toPrecision(5))}`).join(', ')],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cnas report: ${escapeXml(save)}</title>
<style>
body { font-family: sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; font-size: 12px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: right; }
th { background: #f3f3f3; cursor: pointer; }
figure { display: inline-block; margin: 8px 16px 16px 0; vertical-align: top; }
figcaption { font-size: 13px; margin-bottom: 4px; }
</style></head><body>
<h1>cnas search report</h1>
<table id="summary">${summary.map(([k, v]) => `<tr><th>${escapeXml(String(k))}</th><td style="text-align:left">${cell(v)}</td></tr>`).join('')}</table>
<h2>Charts</h2>
${charts.join('\n')}
<h2>Simulated vs measured</h2>
${simulatedVsMeasuredSection(rows.map((r) => r.stats))}
<h2>Architectures</h2>
<p>Click a column to sort.</p>
<table id="candidates"><thead><tr>${columns.map((c) => `<th>${escapeXml(c)}</th>`).join('')}</tr></thead>
<tbody>${tableRows.join('\n')}</tbody></table>
<script>
document.querySelectorAll('#candidates th').forEach((th, col) => th.addEventListener('click', () => {
  const body = document.querySelector('#candidates tbody');
  const rows = [...body.rows];
  const asc = th.dataset.dir !== 'asc';
  th.dataset.dir = asc ? 'asc' : 'desc';
  const key = (r) => { const t = r.cells[col].textContent; const n = Number(t); return t !== '' && !Number.isNaN(n) ? n : t; };
  rows.sort((a, b) => { const x = key(a), y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1); });
  rows.forEach((r) => body.appendChild(r));
}));
// Says the table is live, for whoever checks the page in a browser.
document.querySelector('#candidates').dataset.sortable = 'ready';
</script>
</body></html>
`;
}
