import { AdaptiveSwitching } from './adaptive-switching.ts';
import type { AdaptiveSwitchingOptions } from './adaptive-switching.ts';
import { createMember } from './members.ts';
import { isSurrogateKind, SURROGATE_KINDS } from './surrogate.ts';
import type { Surrogate } from './surrogate.ts';

/** Everything any kind accepts; each kind reads only its own fields (pool and folds are for 'as'). */
export type SurrogateOptions = AdaptiveSwitchingOptions;

/** Takes the kind as a plain string because it usually comes from a config file or the command line. */
export function createSurrogate(kind: string, options: SurrogateOptions): Surrogate {
  if (!isSurrogateKind(kind)) {
    throw new Error(`unknown surrogate kind '${kind}'; expected one of: ${SURROGATE_KINDS.join(', ')}`);
  }
  return kind === 'as' ? new AdaptiveSwitching(options) : createMember(kind, options);
}
