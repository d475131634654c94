import { z } from 'zod';
import { AgentConfigError } from './config.ts';
import type { RunnerFactory } from './runner-factory.ts';

const TfliteOptionsSchema = z.strictObject({
  /** Interpreter threads; only 1 until the runtime's threaded build runs in Node. */
  threads: z.literal(1).optional(),
});

/**
 * The `tflite` runner kind: the agent's own machine (a Linux board) runs the model in the reference TFLite
 * runtime. Imported lazily, so an agent without such boards never loads the runtime.
 */
export const tfliteRunnerFactory: RunnerFactory = async (board) => {
  const parsed = TfliteOptionsSchema.safeParse(board.options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const detail = issue.path[0] === 'threads' ? 'the runtime runs the single-threaded build of TFLite in Node' : issue.message;
    throw new AgentConfigError(`board "${board.name}": options.${issue.path.join('.') || '(root)'}: ${detail}`);
  }
  const [{ TfliteRunner }, { loadProfiles, profileById }] = await Promise.all([import('./tflite-runner.ts'), import('../src/measure/profiles/load.ts')]);
  const profiles = loadProfiles();
  if (profileById(board.profile, profiles).transport.kind !== 'local') {
    const local = profiles.filter((p) => p.transport.kind === 'local').map((p) => p.id);
    throw new AgentConfigError(`board "${board.name}": profile ${board.profile} is a board behind a serial link; the tflite runner measures on the agent's own machine (profiles ${local.join(', ')})`);
  }
  return new TfliteRunner({ name: board.name, profile: board.profile });
};
