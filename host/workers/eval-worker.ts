import { pino } from 'pino';
import { createEvaluator } from '../../src/search/evaluators/create-evaluator.ts';
import type { Evaluator } from '../../src/search/evaluator.ts';
import { resolveSpaceFlags } from '../space-options.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

/*
 * An evaluation worker: a child process of `cnas search --workers N` that builds the run's evaluator once and
 * evaluates one candidate per request, so several candidates train at the same time (the wasm backend uses one
 * core per process).
 */

function send(message: FromWorker): void {
  process.send?.(message);
}

let evaluator: Evaluator | undefined;

process.on('message', (message: ToWorker) => {
  void (async () => {
    if (message.type === 'init') {
      try {
        const o = message.options;
        const space = resolveSpaceFlags({ space: o.search_space, width: o.width_mult, spaceFile: o.space_file, lr: o.lr, ur: o.ur, rstep: o.rstep });
        evaluator = await createEvaluator(o, space);
        evaluator.useLogger?.(pino({ base: undefined }, { write: (line: string) => send({ type: 'log', record: JSON.parse(line) as Record<string, unknown> }) }));
        send({ type: 'ready' });
      } catch (err) {
        send({ type: 'failed', message: (err as Error).message });
      }
      return;
    }
    if (!evaluator) throw new Error('evaluation worker: evaluate before init');
    const [outcome] = await evaluator.evaluate([message.request]);
    send({ type: 'done', id: message.id, outcome });
  })();
});
process.on('disconnect', () => process.exit(0));
