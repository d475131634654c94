import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

/** The agent's board registry, `agent.json`: which boards it drives and how (`cnas agent boards ...`). */

const name = z.string().min(1).max(128).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only');

export const BoardConfigSchema = z.strictObject({
  name,
  profile: name,
  /** Runner kind, looked up in the runner registry (runner-factory.ts). */
  runner: name,
  firmware: z.string().min(1).max(128).optional(),
  sram_bytes: z.int().positive().optional(),
  flash_bytes: z.int().positive().optional(),
  /** Kind-specific settings (a serial port, a baud rate). */
  options: z.record(z.string(), z.unknown()).optional(),
});
export type BoardConfig = z.infer<typeof BoardConfigSchema>;

const AgentConfigSchema = z.strictObject({ boards: z.array(BoardConfigSchema) });
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

/** A missing, unreadable or invalid agent.json, or a board edit that cannot apply. */
export class AgentConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentConfigError';
  }
}

/** Reads the registry; a missing file is an empty registry, so `boards add` can create it. */
export function readAgentConfig(path: string): AgentConfig {
  if (!existsSync(path)) return { boards: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new AgentConfigError(`${path}: ${(err as Error).message}`);
  }
  const parsed = AgentConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AgentConfigError(`${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const names = parsed.data.boards.map((b) => b.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new AgentConfigError(`${path}: board "${dup}" is listed twice`);
  return parsed.data;
}

/** Written to a temporary file and renamed, so a crash never leaves half a registry. */
export function writeAgentConfig(path: string, config: AgentConfig): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n');
  renameSync(tmp, path);
}

export function addBoard(path: string, board: BoardConfig): AgentConfig {
  const parsed = BoardConfigSchema.safeParse(board);
  if (!parsed.success) throw new AgentConfigError(`board: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const config = readAgentConfig(path);
  if (config.boards.some((b) => b.name === board.name)) throw new AgentConfigError(`${path}: a board named "${board.name}" already exists`);
  const next = { boards: [...config.boards, parsed.data] };
  writeAgentConfig(path, next);
  return next;
}

export function removeBoard(path: string, boardName: string): AgentConfig {
  const config = readAgentConfig(path);
  if (!config.boards.some((b) => b.name === boardName)) {
    throw new AgentConfigError(`${path}: no board named "${boardName}"; known: ${config.boards.map((b) => b.name).join(', ') || 'none'}`);
  }
  const next = { boards: config.boards.filter((b) => b.name !== boardName) };
  writeAgentConfig(path, next);
  return next;
}

/** A board's kind-specific `options`, checked against its runner kind's schema; the error names board and field. */
export function boardOptions<T>(board: BoardConfig, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(board.options ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new AgentConfigError(`board "${board.name}": options${issue.path.length > 0 ? `.${issue.path.join('.')}` : ''}: ${issue.message}`);
}
