import { BridgeClient } from '../../firmware-bridge/bridge-client.ts';
import { detectBoards, listSerialPorts } from '../../firmware-bridge/detect.ts';
import type { Detection } from '../../firmware-bridge/detect.ts';
import { formatTable } from '../format/table.ts';

/** Short timeouts: a port that answers nothing sensible should not hold up the listing. */
const PROBE_COMMAND_TIMEOUT_MS = 300;

/**
 * The library call behind `cnas agent boards detect`: the listed serial ports plus any given ones (ptys and other
 * devices the listing cannot see), each probed with MLPerf's `name%` and a cnas HELLO.
 */
export async function detectSerialBoards(opts: { ports?: string[]; baud?: number } = {}): Promise<Detection> {
  const extra = (opts.ports ?? []).map((path) => ({ path }));
  return detectBoards({
    baud: opts.baud,
    list: async () => {
      const listed = (await listSerialPorts()).ports.filter((p) => !extra.some((e) => e.path === p.path));
      return [...listed, ...extra];
    },
    hello: async (transport) => {
      const client = await BridgeClient.connect(transport, { commandTimeoutMs: PROBE_COMMAND_TIMEOUT_MS, retries: 1 });
      return client.hello();
    },
  });
}

/** A table of what answered where, and the command that registers each board found. */
export function formatDetection(detection: Detection): string {
  if (detection.boards.length === 0) return `no serial ports found${detection.hint ? ` (${detection.hint})` : ''}`;
  const rows = detection.boards.map((b) => [b.path, b.kind, b.proposedProfile ?? '-', b.message]);
  const lines = [formatTable(['port', 'answers', 'profile', 'what it said'], rows)];
  const boards = detection.boards.filter((b) => b.kind === 'cnas' || b.kind === 'mlperf');
  for (const [i, b] of boards.entries()) {
    const runner = b.kind === 'mlperf' ? ' --runner mlperf' : '';
    lines.push(`register: cnas agent boards add --port ${b.path} --profile ${b.proposedProfile ?? '<profile id>'}${runner} --name board-${i + 1}`);
  }
  if (detection.hint) lines.push(`note: ${detection.hint}`);
  return lines.join('\n');
}
