import type { ChildProcess } from 'node:child_process';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FIRMWARE_DIR = fileURLToPath(new URL('../../firmware-bridge/firmware/', import.meta.url));
export const FIRMWARE_BINARY = `${FIRMWARE_DIR}build/host/cnas-firmware`;

export interface FirmwareFlags {
  hangOnBench?: boolean;
  boardId?: string;
  resetBannerDelayMs?: number;
  slotBytes?: number;
  arenaBytes?: number;
  maxPayload?: number;
}

export interface FirmwareProcess {
  /** What the firmware printed on stdout and stderr (its log, not the serial link), for failure messages. */
  output(): string;
  close(): Promise<void>;
}

let build: Promise<void> | undefined;

/** Builds the host firmware once per test process; fails with what to install when the toolchain is missing. */
export function buildFirmware(): Promise<void> {
  build ??= new Promise((resolve, reject) => {
    for (const tool of ['make', 'cc']) {
      if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).error) {
        reject(new Error(`${tool} is not installed; the firmware bridge tests build the host firmware with it: apt-get install build-essential`));
        return;
      }
    }
    execFile('make', ['-C', FIRMWARE_DIR, 'host'], (error, stdout, stderr) =>
      error ? reject(new Error(`make -C firmware-bridge/firmware host failed:\n${stdout}${stderr}`)) : resolve(),
    );
  });
  return build;
}

function flagArgs(flags: FirmwareFlags): string[] {
  const args: string[] = [];
  if (flags.hangOnBench) args.push('--hang-on-bench');
  if (flags.boardId !== undefined) args.push('--board-id', flags.boardId);
  if (flags.resetBannerDelayMs !== undefined) args.push('--reset-banner-delay-ms', String(flags.resetBannerDelayMs));
  if (flags.slotBytes !== undefined) args.push('--slot-bytes', String(flags.slotBytes));
  if (flags.arenaBytes !== undefined) args.push('--arena-bytes', String(flags.arenaBytes));
  if (flags.maxPayload !== undefined) args.push('--max-payload', String(flags.maxPayload));
  return args;
}

/** Runs the host build of the firmware on `devicePath` (one end of a pty pair) until closed. */
export async function startFirmware(devicePath: string, flags: FirmwareFlags = {}): Promise<FirmwareProcess> {
  await buildFirmware();
  const child: ChildProcess = spawn(FIRMWARE_BINARY, [devicePath, ...flagArgs(flags)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const append = (chunk: Buffer) => (output += chunk.toString());
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (error) => (output += `spawn failed: ${error.message}\n`));
  return {
    output: () => output,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill();
        await exited;
      }
    },
  };
}
