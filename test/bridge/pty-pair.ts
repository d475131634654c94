import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPair {
  /** One end; bytes written here come out of `b`. */
  a: string;
  b: string;
  close(): Promise<void>;
}

const LINK_TIMEOUT_MS = 5000;

/** Fails loudly rather than letting a serial test skip on a machine without socat. */
export function requireSocat(): void {
  if (spawnSync('socat', ['-V'], { stdio: 'ignore' }).error) {
    throw new Error('socat is not installed; the serial bridge tests need it for a virtual serial pair: apt-get install socat');
  }
}

/** A virtual null-modem cable: two pseudo-terminals joined by socat, in raw mode without echo. */
export async function openPtyPair(): Promise<PtyPair> {
  requireSocat();
  const dir = mkdtempSync(join(tmpdir(), 'cnas-pty-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  const socat: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  socat.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()));

  const deadline = Date.now() + LINK_TIMEOUT_MS;
  while (!(existsSync(a) && existsSync(b))) {
    if (socat.exitCode !== null || Date.now() > deadline) {
      socat.kill();
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`socat did not create the pty pair within ${LINK_TIMEOUT_MS} ms: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return {
    a,
    b,
    async close() {
      if (socat.exitCode === null && socat.signalCode === null) {
        socat.kill();
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
