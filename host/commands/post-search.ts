import type { Command } from 'commander';
import { postSearch } from '../../src/search/post-search.ts';
import type { PostSearchOptions } from '../../src/search/post-search.ts';
import { formatTable } from '../format/table.ts';
import { integerAtLeast } from '../option-parsers.ts';

interface PostSearchFlags extends PostSearchOptions {
  json?: boolean;
}

export function registerPostSearchCommand(program: Command): void {
  program
    .command('post-search')
    .description('pick architectures from a search archive and copy their folders')
    .requiredOption('--expr <iter_N.stats>', 'iteration stats of a search')
    .option('--save <dir>', 'where the chosen nets go', '.tmp/selected')
    .option('-n, --n <count>', 'number of architectures', integerAtLeast(1), 1)
    .option('--prefer <what>', "'trade-off' or a stats key to minimise", 'trade-off')
    .option('--n-exits <k>', 'only networks with exactly k early exits', integerAtLeast(0))
    .option('--save-stats-csv', 'also write selected.csv with every stats key')
    .option('--json', 'print the selection as JSON')
    .action((flags: PostSearchFlags) => {
      const selected = postSearch({ expr: flags.expr, save: flags.save, n: flags.n, prefer: flags.prefer, nExits: flags.nExits, saveStatsCsv: flags.saveStatsCsv });
      if (flags.json) {
        process.stdout.write(JSON.stringify(selected) + '\n');
        return;
      }
      const keys = [...new Set(selected.flatMap((s) => Object.keys(s.stats).filter((k) => typeof s.stats[k] === 'number')))].slice(0, 6);
      const rows = selected.map((s) => [String(s.rank), s.dir, `${s.iteration}/${s.net}`, ...keys.map((k) => String(s.stats[k]))]);
      process.stdout.write(formatTable(['rank', 'copied to', 'iter/net', ...keys], rows) + '\n');
    });
}
