import { writeFileAtomic } from '../util/atomic-write.ts';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SegmentExport } from './export-segments.ts';

/** Refusing to overwrite an existing output without `force`. */
export class OutputExistsError extends Error {
  constructor(readonly path: string) {
    super(`${path} already exists; pass --force to overwrite it`);
    this.name = 'OutputExistsError';
  }
}

/** Writes next to the target and renames over it, so no reader ever sees a partial model. */
export function writeModelFile(path: string, bytes: Uint8Array, force: boolean): void {
  if (existsSync(path) && !force) throw new OutputExistsError(path);
  writeFileAtomic(path, bytes);
}

/**
 * Writes the segments and `manifest.json` into a fresh sibling directory, then swaps it in: a crash leaves
 * either the old directory or the new one, never a mix.
 */
export function writeSegmentDir(dir: string, exported: SegmentExport, force: boolean): void {
  if (existsSync(dir) && !force) throw new OutputExistsError(dir);
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  const old = `${dir}.old-${process.pid}`;
  try {
    mkdirSync(tmp);
    for (const { file, bytes } of exported.files) writeFileAtomic(join(tmp, file), bytes);
    writeFileAtomic(join(tmp, 'manifest.json'), new TextEncoder().encode(JSON.stringify(exported.manifest, null, 2) + '\n'));
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const replacing = existsSync(dir);
  if (replacing) renameSync(dir, old);
  try {
    renameSync(tmp, dir);
  } catch (err) {
    if (replacing) renameSync(old, dir);
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  if (replacing) rmSync(old, { recursive: true, force: true });
}
