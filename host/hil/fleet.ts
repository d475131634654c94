import type { Logger } from 'pino';
import { connectHub } from '../hub/client.ts';
import type { HubClient } from '../hub/client.ts';
import { tokenOf } from '../commands/hub.ts';
import { UsageError } from '../usage-error.ts';
import { startSimulatedFleet } from './simulated-fleet.ts';

export interface FleetFlags {
  board: readonly string[];
  simulate: boolean;
  hub?: string;
  /** Not saved with the run; $CNAS_HUB_TOKEN when absent. */
  token?: string;
}

/** Where a search's measurements go: simulated boards in this process, or a hub elsewhere (same interface). */
export async function openFleet(flags: FleetFlags, logger: Logger): Promise<HubClient> {
  if (flags.simulate === (flags.hub !== undefined)) throw new UsageError('--board: give either --hub <url> (with --token) or --simulate');
  if (flags.simulate) return startSimulatedFleet(flags.board, logger);
  return connectHub({ url: flags.hub!, token: tokenOf(flags), logger }).catch((err: Error) => Promise.reject(new UsageError(`--hub: ${err.message}`)));
}
