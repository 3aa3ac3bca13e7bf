/**
 * One local pipeline per data dir: two runtimes on the same lake and state would overwrite each
 * other's files. The lock file also tells other commands (schedule status, alerts) that a pipeline
 * runs, with its pid and endpoints.
 */
import { rmSync } from 'node:fs';
import { readJsonFile, stateFile, writeJsonFile, type DataDirLayout } from './data-dir';
import { StockpipeError } from '../core/errors';

export interface RuntimeInfo {
  readonly pid: number;
  readonly startedAt: string;
  readonly command: string;
  readonly persist: boolean;
  readonly endpoints?: Readonly<Record<string, string>>;
  /** The schedule's clock speed and pattern, when a schedule runs. */
  readonly schedule?: { readonly speed: number; readonly pattern: string };
}

export class RuntimeLockedError extends StockpipeError {
  override readonly name = 'RuntimeLockedError';
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const lockPath = (layout: DataDirLayout) => stateFile(layout, 'runtime');

/** The running pipeline of the data dir, if any (a lock left by a dead process does not count). */
export function runningPipeline(layout: DataDirLayout): RuntimeInfo | undefined {
  const info = readJsonFile<RuntimeInfo>(lockPath(layout));
  return info && alive(info.pid) ? info : undefined;
}

export function acquireRuntimeLock(
  layout: DataDirLayout,
  info: Omit<RuntimeInfo, 'pid' | 'startedAt'>,
): { update(extra: Partial<RuntimeInfo>): void; release(): void } {
  const other = runningPipeline(layout);
  if (other) {
    throw new RuntimeLockedError(
      `a local pipeline (${other.command}, pid ${other.pid}) already runs on ${layout.root}; stop it with Ctrl-C in its terminal, or pass another --data-dir`,
    );
  }
  let current: RuntimeInfo = { pid: process.pid, startedAt: new Date().toISOString(), ...info };
  writeJsonFile(lockPath(layout), current);
  return {
    update(extra) {
      current = { ...current, ...extra };
      writeJsonFile(lockPath(layout), current);
    },
    release() {
      const onDisk = readJsonFile<RuntimeInfo>(lockPath(layout));
      if (onDisk?.pid === process.pid) rmSync(lockPath(layout), { force: true });
    },
  };
}
