import { join } from 'node:path';
import type { Command } from 'commander';
import { runReport } from '../../src/report/run-report.ts';
import { writeFileAtomic } from '../../src/util/atomic-write.ts';

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('one self-contained HTML page about a search: Pareto front, hypervolume, surrogate quality, every architecture')
    .argument('<save>', 'the run directory of a search')
    .option('-o, --out <file>', 'where to write the page (default <save>/report.html)')
    .action((save: string, flags: { out?: string }) => {
      const out = flags.out ?? join(save, 'report.html');
      writeFileAtomic(out, runReport(save));
      process.stdout.write(`wrote ${out}\n`);
    });
}
