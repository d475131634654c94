/** Long options that are other names of a canonical option (CNAS's names on the left). */
const ALIASES: Record<string, string> = {
  '--n-classes': '--classes',
  '--width-mult': '--width',
  '--search-space': '--space',
};

/** Aliases that only hold for one command (the first word of the command line). */
const COMMAND_ALIASES: Record<string, Record<string, string>> = {
  search: { '--batch-size': '--trn-batch-size' },
};

/**
 * Accepts CNAS-style snake_case flags (`--n_classes 10`, `--n_classes=10`) as aliases of the kebab-case ones,
 * so CNAS users can keep their scripts. Arguments after `--` are left alone.
 */
export function normaliseArgv(args: readonly string[]): string[] {
  const out: string[] = [];
  const aliases = { ...ALIASES, ...COMMAND_ALIASES[args[0] ?? ''] };
  let passthrough = false;
  for (const arg of args) {
    if (passthrough || !arg.startsWith('--')) {
      out.push(arg);
      continue;
    }
    if (arg === '--') {
      passthrough = true;
      out.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = (eq < 0 ? arg : arg.slice(0, eq)).replace(/_/g, '-');
    const canonical = aliases[name] ?? name;
    out.push(eq < 0 ? canonical : canonical + arg.slice(eq));
  }
  return out;
}
