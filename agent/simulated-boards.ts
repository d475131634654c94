import type { BoardConfig } from './config.ts';
import type { RunnerFactory } from './runner-factory.ts';

/**
 * The `simulated` runner kind: the simulator predicts what the profile's board would measure. Imported
 * lazily, so an agent that drives only real boards never loads the simulator (and its TFLite reader).
 */
export const simulatedRunnerFactory: RunnerFactory = async (board) => {
  const [{ SimulatedRunner }, { profileById }] = await Promise.all([
    import('../src/measure/simulator/simulated-runner.ts'),
    import('../src/measure/profiles/load.ts'),
  ]);
  return new SimulatedRunner(profileById(board.profile), { board: board.name });
};

/** Board entries for `--simulate a,b`: one simulated board per profile id, with the profile's memory limits. */
export async function simulatedBoardConfigs(profileIds: readonly string[]): Promise<BoardConfig[]> {
  const { profileById } = await import('../src/measure/profiles/load.ts');
  return profileIds.map((id, i) => {
    const profile = profileById(id);
    return {
      name: `sim-${id}-${i}`,
      profile: id,
      runner: 'simulated',
      firmware: `simulator/${profile.simulator.library}`,
      sram_bytes: profile.memory.sramBytes,
      flash_bytes: profile.memory.flashBytes ?? undefined,
    };
  });
}
