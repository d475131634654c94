import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { profileSchema } from './schema.ts';
import type { BoardProfile } from './schema.ts';

/** A profile file that cannot be read, is not JSON, or breaks the schema; the message names the file and field. */
export class ProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileError';
  }
}

/**
 * The repository's `devices/` folder, found by walking up from this module to the package root (the folder
 * holding package.json): the same code runs as TypeScript from `src/` and compiled from `dist/src/`.
 */
export function defaultDevicesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'devices'))) return join(dir, 'devices');
    const up = dirname(dir);
    if (up === dir) throw new ProfileError(`no devices/ folder above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** Validates one parsed profile; `file` names it in errors. */
export function parseProfile(raw: unknown, file: string): BoardProfile {
  const result = profileSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new ProfileError(`${file}: invalid board profile: ${issues.join('; ')}`);
  }
  return result.data;
}

/** Every `*.json` profile of `dir`, validated, sorted by id; the id must match the file name. */
export function loadProfiles(dir: string = defaultDevicesDir()): BoardProfile[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return files.map((name) => {
    const file = join(dir, name);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ProfileError(`${file}: ${(err as Error).message}`);
    }
    const profile = parseProfile(raw, file);
    if (`${profile.id}.json` !== name) throw new ProfileError(`${file}: id "${profile.id}" does not match the file name`);
    return profile;
  });
}

/** The profile with this id; an unknown id is an error that lists the known ones. */
export function profileById(id: string, profiles: readonly BoardProfile[] = loadProfiles()): BoardProfile {
  const found = profiles.find((p) => p.id === id);
  if (found === undefined) throw new ProfileError(`unknown board profile "${id}"; known: ${profiles.map((p) => p.id).join(', ')}`);
  return found;
}
