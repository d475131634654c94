import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error.ts';

/** Reads and parses a JSON file, naming the file in every error. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${path}: no such file`);
    if (code === 'EISDIR') throw new UsageError(`${path}: is a directory, expected a JSON file`);
    throw new UsageError(`${path}: cannot read (${code ?? (err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: malformed JSON (${(err as Error).message})`);
  }
}
