import type { Command } from 'commander';

/** Commander keys whose run.json name is not just the snake_case form. */
const RENAMED: Record<string, string> = { space: 'search_space', width: 'width_mult', classes: 'n_classes', tinyMl: 'tiny_ml_source' };

function snakeCase(key: string): string {
  return RENAMED[key] ?? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * The options a user actually typed (defaults excluded), under their run.json names, so that they can be
 * layered over a saved run or a `--config` file.
 */
export function explicitOptions(cmd: Command, skip: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(cmd.opts())) {
    if (skip.includes(key) || cmd.getOptionValueSource(key) !== 'cli') continue;
    out[snakeCase(key)] = value;
  }
  return out;
}
