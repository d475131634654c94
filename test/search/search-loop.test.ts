import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpace } from '../../src/space/load-space.ts';
import { runSearch } from '../../src/search/search-loop.ts';
import { resolveSearchOptions } from '../../src/search/search-options.ts';
import type { SearchOptions } from '../../src/search/search-options.ts';
import { createEvaluator } from '../../src/search/evaluators/create-evaluator.ts';
import { SyntheticEvaluator } from '../../src/search/evaluators/synthetic.ts';
import { locateResume } from '../../src/search/resume.ts';
import type { EvalOutcome, EvalRequest } from '../../src/search/evaluator.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'cnas-search-'));
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8')); // eslint-disable-line @typescript-eslint/no-explicit-any

function setup(overrides: Partial<SearchOptions>) {
  const options = resolveSearchOptions({ lr: 40, ur: 104, n_classes: 10, pop_size: 30, generations: 10, ...overrides });
  const space = loadSpace(options.search_space, { lr: options.lr, ur: options.ur, rstep: options.rstep, widthMult: options.width_mult });
  return { options, space };
}

test('a synthetic bi-objective search writes iter_0..iter_N stats and its hypervolume never decreases', async () => {
  const { options, space } = setup({ save: join(tmp(), 'run'), sec_obj: ['macs'], n_doe: 60, iterations: 8, n_iter: 8 });
  const result = await runSearch(options, { space, evaluator: await createEvaluator(options, space) });
  assert.equal(result.lastIteration, 8);
  assert.equal(result.archiveSize, 60 + 8 * 8);
  let previous = -1;
  for (let it = 0; it <= 8; it++) {
    const s = readJson(join(options.save, `iter_${it}.stats`));
    assert.equal(s.iteration, it);
    assert.ok(s.hv >= previous, `hv fell at iteration ${it}: ${s.hv} < ${previous}`);
    previous = s.hv;
    assert.deepEqual(s.ref_pt, readJson(join(options.save, 'iter_0.stats')).ref_pt);
    assert.equal(s.archive.length, s.archive_nets.length);
    if (it > 0) {
      assert.equal(s.candidates.length, 8);
      assert.equal(s.first_surrogate.key, 'top1');
      assert.ok(Number.isFinite(s.first_surrogate.tau));
      assert.equal(s.sec_surrogate.model, 'exact');
    }
  }
  const run = readJson(join(options.save, 'run.json'));
  assert.equal(run.n_doe, 60);
  assert.equal(readdirSync(join(options.save, 'iter_3')).length, 8);
  // every candidate's stats belong to its own config: the synthetic function of the stored config gives them
  const evaluator = new SyntheticEvaluator(space, { classes: 10, resolution: 40, tinyMl: createEvaluatorSettings(options) });
  for (const net of [0, 5, 7]) {
    const dir = join(options.save, 'iter_4', `net_${net}`);
    const config = readJson(join(dir, `net_${net}.subnet`));
    const [outcome] = await evaluator.evaluate([{ config, dir, iteration: 4, index: net, alphaNorm: 1 }]);
    assert.ok(outcome.ok);
    assert.equal(readJson(join(dir, `net_${net}.stats`)).top1, outcome.stats.top1);
  }
});

function createEvaluatorSettings(o: SearchOptions) {
  return { pmax: o.pmax, mmax: o.mmax, amax: o.amax, wp: o.wp, wm: o.wm, wa: o.wa, penalty: o.penalty };
}

test('a failed candidate is recorded with its reason and shifts nobody else', async () => {
  const { options, space } = setup({ save: join(tmp(), 'run'), sec_obj: ['macs'], n_doe: 60, iterations: 2, n_iter: 6 });
  const inner = await createEvaluator(options, space);
  let calls = 0;
  const flaky = {
    ...inner,
    name: inner.name,
    keys: inner.keys,
    exactKeys: inner.exactKeys,
    exact: inner.exact.bind(inner),
    async evaluate(requests: readonly EvalRequest[], onDone?: (i: number, o: EvalOutcome) => void): Promise<EvalOutcome[]> {
      const outcomes = await inner.evaluate(requests);
      return outcomes.map((o, i) => {
        const out: EvalOutcome = ++calls % 7 === 0 ? { ok: false, reason: 'out of memory (simulated)' } : o;
        onDone?.(i, out);
        return out;
      });
    },
  };
  const result = await runSearch(options, { space, evaluator: flaky });
  const failed = readdirSync(join(options.save, 'failed'));
  assert.ok(failed.length >= 4);
  assert.ok(failed.some((f) => f.endsWith('.error')) && failed.some((f) => f.endsWith('.subnet')));
  const someError = failed.find((f) => f.endsWith('.error'))!;
  assert.match(readFileSync(join(options.save, 'failed', someError), 'utf8'), /out of memory/);
  assert.equal(result.archiveSize, 60 + 2 * 6 - failed.length / 2);
  // the nets after a failure keep their own stats
  const verify = new SyntheticEvaluator(space, { classes: 10, resolution: 40, tinyMl: createEvaluatorSettings(options) });
  for (let net = 0; net < 60; net++) {
    const stats = join(options.save, 'iter_0', `net_${net}`, `net_${net}.stats`);
    if (!existsSync(stats)) continue;
    const config = readJson(join(options.save, 'iter_0', `net_${net}`, `net_${net}.subnet`));
    const [o] = await verify.evaluate([{ config, dir: '', iteration: 0, index: net, alphaNorm: 1 }]);
    assert.equal(readJson(stats).top1, o.ok && o.stats.top1);
  }
});

test('constraints are constraints: every proposed candidate respects --max-params', async () => {
  const { options, space } = setup({ save: join(tmp(), 'run'), evaluator: 'analytic', first_obj: 'macs', sec_obj: ['params'], max_params: 0.3, width_mult: 0.35, n_doe: 20, iterations: 3, n_iter: 6 });
  await runSearch(options, { space, evaluator: await createEvaluator(options, space) });
  for (let it = 1; it <= 3; it++) {
    const s = readJson(join(options.save, `iter_${it}.stats`));
    assert.ok(s.candidates.length > 0, `iteration ${it} proposed nothing`);
    for (const row of s.candidates) assert.ok(row[2] <= 0.3, `params ${row[2]} > 0.3 in iteration ${it}`);
  }
});

test('single objective: DE proposes new, distinct candidates and patience stops the run', async () => {
  const { options, space } = setup({ save: join(tmp(), 'run'), n_doe: 50, iterations: 20, n_iter: 4, patience: 2 });
  const result = await runSearch(options, { space, evaluator: await createEvaluator(options, space) });
  const keys = new Set<string>();
  for (let it = 0; it <= result.lastIteration; it++) {
    for (const row of readJson(join(options.save, `iter_${it}.stats`)).candidates) {
      const key = JSON.stringify(row[0]);
      assert.ok(!keys.has(key), 'a config was evaluated twice');
      keys.add(key);
    }
  }
  assert.equal(readJson(join(options.save, `iter_${result.lastIteration}.stats`)).hv, undefined);
  assert.equal(result.stoppedEarly, true);
  assert.ok(result.lastIteration < 20);
  const last = readJson(join(options.save, `iter_${result.lastIteration}.stats`));
  assert.equal(last.stall, 2);
});

test('resume continues after iter_N with the same reference point and finishes an interrupted iteration', async () => {
  const save = join(tmp(), 'run');
  const first = setup({ save, sec_obj: ['macs'], n_doe: 50, iterations: 2, n_iter: 4 });
  await runSearch(first.options, { space: first.space, evaluator: await createEvaluator(first.options, first.space) });
  const ref = readJson(join(save, 'iter_0.stats')).ref_pt;
  const point = locateResume(join(save, 'iter_2.stats'));
  assert.equal(point.after, 2);
  const more = setup({ ...point.saved, save, iterations: 4 });
  const result = await runSearch(more.options, { space: more.space, evaluator: await createEvaluator(more.options, more.space) }, point);
  assert.equal(result.archiveSize, 50 + 4 * 4);
  assert.deepEqual(readJson(join(save, 'iter_4.stats')).ref_pt, ref);
  assert.throws(() => locateResume(join(save, 'iter_9')), /iteration 9 did not complete \(no iter_9\.stats\); the last completed one is iter_4/);
  assert.throws(() => locateResume(join(save, 'nope')), /no such run directory/);
});
