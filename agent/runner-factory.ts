import type { Runner } from '../src/measure/measurement.ts';
import type { AgentBoard } from './agent.ts';
import type { BoardConfig } from './config.ts';
import { AgentConfigError } from './config.ts';

/** Makes the runner of one configured board; a kind of board (simulated, serial, ...) registers one. */
export type RunnerFactory = (board: BoardConfig) => Runner | Promise<Runner>;

/** Runner kinds by name, so the agent never needs to know which runners exist. */
export class RunnerRegistry {
  private readonly factories = new Map<string, RunnerFactory>();

  register(kind: string, factory: RunnerFactory): this {
    this.factories.set(kind, factory);
    return this;
  }

  kinds(): string[] {
    return [...this.factories.keys()];
  }

  async create(board: BoardConfig): Promise<Runner> {
    const factory = this.factories.get(board.runner);
    if (!factory) throw new AgentConfigError(`board "${board.name}": unknown runner kind "${board.runner}"; known: ${this.kinds().join(', ') || 'none'}`);
    return factory(board);
  }

  /** The agent's boards from its registry file's entries. */
  async boards(configs: readonly BoardConfig[]): Promise<AgentBoard[]> {
    return Promise.all(
      configs.map(async (c) => {
        const runner = await this.create(c);
        return {
          name: c.name,
          profile: c.profile,
          runner,
          kind: c.runner,
          // what the board itself reports wins over the registry, so a reflashed board never hits old cache entries
          firmware: runner.firmware ?? c.firmware,
          sram_bytes: c.sram_bytes,
          flash_bytes: c.flash_bytes,
        };
      }),
    );
  }
}
