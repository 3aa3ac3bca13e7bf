/** Runs the CLI in-process with captured output, or as the real binary in a child process. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../src/cli/output';
import { runCli } from '../../src/cli/program';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const tempDataDir = (): string => mkdtempSync(join(tmpdir(), 'stockpipe-cli-'));

export interface CliOptions {
  readonly interruptAfterMs?: number;
  /** Interrupts (Ctrl-C) once this holds for what was written so far. */
  readonly interruptWhen?: (output: { stdout: string; stderr: string }) => boolean;
  readonly stdinIsTTY?: boolean;
  /** The answer to a confirmation question. @default false */
  readonly confirm?: boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly open?: (path: string) => Promise<void>;
}

export async function cli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const interrupted = (): Promise<string> => {
    if (options.interruptWhen) {
      const when = options.interruptWhen;
      return new Promise((resolve) => {
        const timer = setInterval(() => {
          if (!when({ stdout, stderr })) return;
          clearInterval(timer);
          resolve('SIGINT');
        }, 50);
        timer.unref();
      });
    }
    if (options.interruptAfterMs === undefined) return new Promise(() => undefined);
    return new Promise((resolve) => setTimeout(() => resolve('SIGINT'), options.interruptAfterMs));
  };
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stderrIsTTY: false,
    stdinIsTTY: options.stdinIsTTY ?? false,
    columns: 100,
    env: options.env ?? {},
    interrupted,
    confirm: async () => options.confirm ?? false,
    ...(options.open ? { open: options.open } : {}),
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

export const BIN = join(__dirname, '..', '..', 'bin', 'stockpipe.cjs');

/** The real `stockpipe` binary (dist/stockpipe.cjs, built by jest's globalSetup), as a user runs it. */
export function spawnCli(args: readonly string[], cwd: string): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, FORCE_COLOR: '0' } });
}

export interface Collected {
  stdout: string;
  stderr: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

export function collect(child: ChildProcessWithoutNullStreams): Collected {
  const collected: Collected = {
    stdout: '',
    stderr: '',
    exit: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() }))),
  };
  child.stdout.on('data', (d: Buffer) => void (collected.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (collected.stderr += d.toString()));
  return collected;
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve) => {
          const server = createServer();
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
