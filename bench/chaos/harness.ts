/**
 * The chaos rounds: a persisted `stockpipe run` of a seeded synthetic source is hurt (kill -9 at a
 * random moment, a data dir on a full disk, a lake made read-only mid-run), started again the way an
 * operator would (the same command), and then compared with an uninterrupted run of the same seed:
 * the ticks in the price table, the alerts in the outbox (missing, spurious, sent twice) and the
 * ledger entries left PENDING. The real binary runs in a child process, so the kill is a real one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dataDirLayout, provisionLocalResources, startEmulators } from '../../src/local';
import { createClients } from '../../src/shared/clients';
import { buildCli } from '../../test/build-cli';

const BIN = resolve(__dirname, '..', '..', 'bin', 'stockpipe.cjs');
let binBuilt = false;

export interface ChaosSize {
  readonly symbols: number;
  readonly samples: number;
  readonly seed: number;
}

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** What a data dir holds after a run. */
export interface Outcome {
  /** symbol + timestamp -> price, from the price table. */
  readonly ticks: ReadonlyMap<string, number>;
  /** One entry per alert message in the outbox (an alert sent twice is there twice). */
  readonly alerts: readonly string[];
  readonly pending: number;
  /** Lines in the raw zone of the lake (every archived tick, duplicates included). */
  readonly rawRows: number;
}

export interface Comparison {
  readonly ticksLost: number;
  readonly ticksChanged: number;
  readonly ticksExtra: number;
  readonly alertsMissing: number;
  readonly spurious: number;
  readonly duplicated: number;
  readonly pending: number;
  readonly rawRows: number;
}

export const runArgs = (size: ChaosSize, dataDir: string): string[] => [
  'run',
  '--source',
  'synthetic',
  '--symbols',
  String(size.symbols),
  '--samples',
  String(size.samples),
  '--seed',
  String(size.seed),
  '--until-drained',
  '--persist',
  '--json',
  '--data-dir',
  dataDir,
];

/** Runs the binary; with `killAfterMs`, kill -9s its whole process group after that long. */
export function runCli(
  args: readonly string[],
  options: { killAfterMs?: number; onRss?: (bytes: number, atMs: number) => void } = {},
): Promise<CliRun> {
  if (!binBuilt) {
    buildCli();
    binBuilt = true;
  }
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timers: NodeJS.Timeout[] = [];
  if (options.killAfterMs !== undefined) {
    timers.push(
      setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, options.killAfterMs),
    );
  }
  if (options.onRss) {
    const onRss = options.onRss;
    const sample = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
        if (kb) onRss(Number(kb[1]) * 1024, Date.now() - started);
      } catch {
        // not on Linux, or the process has just ended
      }
    }, 2000);
    timers.push(sample);
  }
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      for (const t of timers) {
        clearTimeout(t);
        clearInterval(t);
      }
      resolvePromise({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
      )
    : [];

export const dirBytes = (dir: string): number => filesUnder(dir).reduce((n, f) => n + statSync(f).size, 0);

/** Opens a persisted data dir's emulators (no pipeline, so nothing moves) and reads what it holds. */
export async function inspect(dataDir: string): Promise<Outcome> {
  const layout = dataDirLayout(dataDir);
  const emulators = await startEmulators({ persistDir: layout.emulators, s3Dir: layout.lake });
  const clients = createClients({ endpoints: emulators.endpoints, sqsQueryProtocol: true });
  try {
    const resources = await provisionLocalResources(clients, { shardCount: 2 });
    const scan = async (table: string): Promise<Record<string, unknown>[]> => {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await clients.documents.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    };
    const ticks = new Map<string, number>();
    for (const item of await scan(resources.priceTable))
      ticks.set(`${String(item.symbol)}|${String(item.timestamp)}`, Number(item.price));
    const pending = (await scan(resources.alertTable)).filter((a) => a.status === 'PENDING').length;
    const alerts = filesUnder(layout.outbox)
      .filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean))
      .map((line) => {
        const a = (JSON.parse(line) as { alert: { symbol: string; timestamp: string; side: string } }).alert;
        return `${a.symbol}|${a.timestamp}|${a.side}`;
      });
    const rawRows = filesUnder(join(layout.lake))
      .filter((f) => f.includes(`${'/'}raw${'/'}`) && f.endsWith('._S3rver_object'))
      .reduce((n, f) => n + readFileSync(f, 'utf8').split('\n').filter(Boolean).length, 0);
    return { ticks, alerts, pending, rawRows };
  } finally {
    clients.destroy();
    await emulators.stop();
  }
}

export function compare(baseline: Outcome, got: Outcome): Comparison {
  let ticksLost = 0;
  let ticksChanged = 0;
  for (const [key, price] of baseline.ticks) {
    const found = got.ticks.get(key);
    if (found === undefined) ticksLost++;
    else if (found !== price) ticksChanged++;
  }
  const ticksExtra = [...got.ticks.keys()].filter((k) => !baseline.ticks.has(k)).length;
  const expected = new Set(baseline.alerts);
  const sent = new Map<string, number>();
  for (const a of got.alerts) sent.set(a, (sent.get(a) ?? 0) + 1);
  return {
    ticksLost,
    ticksChanged,
    ticksExtra,
    alertsMissing: [...expected].filter((a) => !sent.has(a)).length,
    spurious: [...sent.keys()].filter((a) => !expected.has(a)).length,
    duplicated: [...sent.values()].filter((n) => n > 1).length,
    pending: got.pending,
    rawRows: got.rawRows,
  };
}

export const isClean = (c: Comparison): boolean =>
  c.ticksLost + c.ticksChanged + c.ticksExtra + c.alertsMissing + c.spurious + c.duplicated + c.pending === 0;

/** A crash the process did not handle: Node's own report of an uncaught error. */
export const crashed = (run: CliRun): boolean =>
  /Unhandled 'error' event|^\s+at .+\(node:/m.test(run.stderr) || (run.code === 1 && !run.stdout.trim().startsWith('{'));

export interface RoundResult {
  readonly name: string;
  readonly comparison?: Comparison;
  /** Why the round could not run here (not an outcome: the total says how many ran). */
  readonly skipped?: string;
  readonly notes: readonly string[];
}

/** kill -9 after a random share of the uninterrupted run's time, then the same command again. */
export async function killRound(size: ChaosSize, dataDir: string, baseline: Outcome, killAfterMs: number): Promise<RoundResult> {
  const killed = await runCli(runArgs(size, dataDir), { killAfterMs });
  const notes = [
    `killed after ${(killAfterMs / 1000).toFixed(1)} s${killed.signal === 'SIGKILL' ? '' : ` (it had ended: exit ${killed.code})`}`,
  ];
  const again = await runCli(runArgs(size, dataDir));
  if (again.code !== 0)
    throw new Error(`the restarted run exited ${again.code}: ${again.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return { name: 'kill -9', comparison: compare(baseline, await inspect(dataDir)), notes };
}

const sh = (command: string, args: readonly string[]): { ok: boolean; error: string } => {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  return { ok: r.status === 0, error: (r.stderr || r.error?.message || '').trim() };
};

/** Runs on a tmpfs too small for the run, then moves the data dir to a disk with room and runs again. */
export async function fullDiskRound(size: ChaosSize, workDir: string, baseline: Outcome, bytes: number): Promise<RoundResult> {
  const mountPoint = join(workDir, 'small-disk');
  mkdirSync(mountPoint, { recursive: true });
  const mounted = sh('mount', ['-t', 'tmpfs', '-o', `size=${Math.max(256, Math.round(bytes / 1024))}k`, 'tmpfs', mountPoint]);
  if (!mounted.ok) return { name: 'full disk', skipped: `cannot mount a tmpfs here (${mounted.error}); run as root`, notes: [] };
  const moved = join(workDir, 'moved');
  let full: CliRun;
  try {
    full = await runCli(runArgs(size, join(mountPoint, 'data')));
    cpSync(join(mountPoint, 'data'), moved, { recursive: true });
  } finally {
    sh('umount', [mountPoint]);
  }
  const summary = full.stdout.trim().startsWith('{')
    ? (JSON.parse(full.stdout) as { processed?: number; drained?: boolean })
    : undefined;
  const notes = [
    `on a ${(bytes / 2 ** 20).toFixed(1)} MiB disk: exit ${full.code}${full.signal ? ` (${full.signal})` : ''}, ` +
      (summary ? `summary printed (processed ${summary.processed}, drained ${summary.drained})` : 'NO summary'),
    ...(crashed(full) ? ['CRASHED: ' + full.stderr.trim().split('\n').slice(-4).join(' | ')] : []),
  ];
  const again = await runCli(runArgs(size, moved));
  if (again.code !== 0) throw new Error(`the run after moving the data exited ${again.code}: ${again.stderr.trim().slice(-400)}`);
  return { name: 'full disk', comparison: compare(baseline, await inspect(moved)), notes };
}

/** Makes the lake read-only (a read-only bind mount) partway through, then writable again, and runs again. */
export async function readOnlyLakeRound(
  size: ChaosSize,
  dataDir: string,
  baseline: Outcome,
  afterMs: number,
): Promise<RoundResult> {
  const lake = dataDirLayout(dataDir).lake;
  mkdirSync(lake, { recursive: true });
  let mountError: string | undefined;
  let mounted = false;
  const run = runCli(runArgs(size, dataDir));
  await new Promise((r) => setTimeout(r, afterMs));
  const bind = sh('mount', ['--bind', lake, lake]);
  if (bind.ok) {
    mounted = true;
    const ro = sh('mount', ['-o', 'remount,bind,ro', lake]);
    if (!ro.ok) mountError = ro.error;
  } else mountError = bind.error;
  const first = await run;
  if (mounted) sh('umount', [lake]);
  if (mountError !== undefined) {
    return { name: 'read-only lake', skipped: `cannot make the lake read-only here (${mountError}); run as root`, notes: [] };
  }
  const summary = first.stdout.trim().startsWith('{') ? (JSON.parse(first.stdout) as Record<string, unknown>) : undefined;
  const notes = [
    `lake read-only after ${(afterMs / 1000).toFixed(1)} s: exit ${first.code}, ` +
      (summary
        ? `summary printed (processed ${String(summary.processed)}, failed ${String(summary.processingFailed)})`
        : 'NO summary'),
    ...(crashed(first) ? ['CRASHED: ' + first.stderr.trim().split('\n').slice(-4).join(' | ')] : []),
  ];
  const again = await runCli(runArgs(size, dataDir));
  if (again.code !== 0)
    throw new Error(`the run after the lake was writable again exited ${again.code}: ${again.stderr.trim().slice(-400)}`);
  return { name: 'read-only lake', comparison: compare(baseline, await inspect(dataDir)), notes };
}

export const freshDir = (path: string): string => {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  return path;
};

export interface SoakResult {
  readonly ticks: number;
  readonly seconds: number;
  readonly ticksPerSecond: number;
  readonly rssStartMiB: number;
  readonly rssEndMiB: number;
  readonly rssMaxMiB: number;
  readonly drained: boolean;
}

/** A long persisted run (100 symbols), its resident memory sampled every 2 s from /proc. */
export async function soakRound(ticks: number, dataDir: string): Promise<SoakResult> {
  const size: ChaosSize = { symbols: 100, samples: Math.ceil(ticks / 100), seed: 11 };
  const samples: { bytes: number; atMs: number }[] = [];
  const run = await runCli(runArgs(size, dataDir), { onRss: (bytes, atMs) => samples.push({ bytes, atMs }) });
  if (run.code !== 0) throw new Error(`the soak run exited ${run.code}: ${run.stderr.trim().slice(-400)}`);
  const summary = JSON.parse(run.stdout) as { processed: number; drained: boolean };
  const mib = (b: number | undefined) => Math.round((b ?? 0) / 2 ** 20);
  // Start: once the pipeline is up and ticks flow (20 s in); end: the last sample.
  const start = samples.find((s) => s.atMs >= 20_000) ?? samples[0];
  return {
    ticks: summary.processed,
    seconds: Math.round(run.ms / 1000),
    ticksPerSecond: Math.round(summary.processed / (run.ms / 1000)),
    rssStartMiB: mib(start?.bytes),
    rssEndMiB: mib(samples[samples.length - 1]?.bytes),
    rssMaxMiB: mib(Math.max(0, ...samples.map((s) => s.bytes))),
    drained: summary.drained,
  };
}
