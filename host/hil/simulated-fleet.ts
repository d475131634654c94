import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { startAgent } from '../../agent/agent.ts';
import { RunnerRegistry } from '../../agent/runner-factory.ts';
import { simulatedBoardConfigs, simulatedRunnerFactory } from '../../agent/simulated-boards.ts';
import type { Measurement, MeasureSettings } from '../../src/measure/measurement.ts';
import { createHub } from '../hub/hub.ts';
import { UsageError } from '../usage-error.ts';

export interface SimulatedFleet {
  measure(model: Uint8Array, selector: string, settings?: MeasureSettings): Promise<Measurement>;
  close(): Promise<void>;
}

/**
 * An in-process hub and one agent with a simulated board per profile, talking over loopback: the whole fleet
 * path (protocol, scheduling, cache) without a board or a hub elsewhere. An unknown profile is refused before
 * anything starts.
 */
export async function startSimulatedFleet(profiles: readonly string[], logger: Logger): Promise<SimulatedFleet> {
  const configs = await simulatedBoardConfigs([...new Set(profiles)]).catch((err: Error) => Promise.reject(new UsageError(`--board: ${err.message}`)));
  const token = randomBytes(16).toString('hex');
  const hub = await createHub({ port: 0, host: '127.0.0.1', token, logger });
  try {
    const boards = await new RunnerRegistry().register('simulated', simulatedRunnerFactory).boards(configs);
    const agent = await startAgent({ hubUrl: hub.url, token, id: 'simulated', boards, logger });
    return {
      measure: (model, selector, settings) => hub.measure(model, selector, settings),
      async close() {
        await agent.close();
        await hub.close();
      },
    };
  } catch (err) {
    await hub.close();
    throw err;
  }
}
