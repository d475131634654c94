import Database from 'better-sqlite3';
import type { Measurement, MeasureSettings } from './measurement.ts';

/**
 * Measurements keyed by what determines them: the model's SHA-256, the board profile, the settings and the
 * firmware. A file-backed SQLite database (WAL, so readers never block the hub's writes) that survives
 * restarts; `:memory:` for a hub without a cache file.
 */

export interface CacheKey {
  sha256: string;
  profile: string;
  settings: MeasureSettings;
  firmware: string;
}

const SCHEMA_VERSION = 1;

/**
 * Only outcomes that a rerun would reproduce are worth keeping: timeouts and board errors are not, and neither is
 * a board's built-in model, which is not the model the key's SHA-256 names.
 */
export function isCacheable(m: Measurement): boolean {
  if (m.provenance.model === 'builtin') return false;
  return m.ok || (m.reason !== 'timeout' && m.reason !== 'board_error');
}

/** Settings in a fixed key order, so equal settings give equal keys whatever order they were written in. */
export function canonicalSettings(s: MeasureSettings): string {
  return JSON.stringify({ warmupRuns: s.warmupRuns, timedRuns: s.timedRuns, inputPolicy: s.inputPolicy, seed: s.seed });
}

export class MeasurementCache {
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string, string, string, string], { measurement: string }>;
  private readonly putStmt: Database.Statement<[string, string, string, string, string, string]>;

  constructor(path = ':memory:') {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.migrate();
    this.getStmt = this.db.prepare('SELECT measurement FROM measurements WHERE sha256 = ? AND profile = ? AND settings = ? AND firmware = ?');
    this.putStmt = this.db.prepare(
      'INSERT OR REPLACE INTO measurements (sha256, profile, settings, firmware, measurement, created) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = this.db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    if (row && row.version !== SCHEMA_VERSION) {
      throw new Error(`measurement cache ${this.db.name} has schema version ${row.version}; this cnas reads version ${SCHEMA_VERSION}`);
    }
    this.db.transaction(() => {
      this.db.exec(`CREATE TABLE IF NOT EXISTS measurements (
        sha256 TEXT NOT NULL, profile TEXT NOT NULL, settings TEXT NOT NULL, firmware TEXT NOT NULL,
        measurement TEXT NOT NULL, created TEXT NOT NULL,
        PRIMARY KEY (sha256, profile, settings, firmware))`);
      if (!row) this.db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
    })();
  }

  get(key: CacheKey): Measurement | undefined {
    const row = this.getStmt.get(key.sha256, key.profile, canonicalSettings(key.settings), key.firmware);
    return row ? (JSON.parse(row.measurement) as Measurement) : undefined;
  }

  /** Stores a measurement if it is reproducible; returns whether it did. */
  put(key: CacheKey, m: Measurement): boolean {
    if (!isCacheable(m)) return false;
    this.putStmt.run(key.sha256, key.profile, canonicalSettings(key.settings), key.firmware, JSON.stringify(m), new Date().toISOString());
    return true;
  }

  size(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM measurements').get() as { n: number }).n;
  }

  close(): void {
    this.db.close();
  }
}
