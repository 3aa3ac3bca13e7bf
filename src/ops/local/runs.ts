/**
 * The workflows on the local target: runs recorded by the local runner (src/local/workflow/) read as
 * the operating commands' RunSummary and RunDetail, and a run started on a local session.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeReportHandler } from '../../report/report-task';
import { localPageLink } from '../../report/page-link';
import {
  listLocalRuns,
  type LocalRun,
  type LocalRunSummary,
  type LocalWorkflowEnv,
  readLocalRun,
  runWorkflowLocally,
  SKIPPED_TICKS_FILE,
  stateFile,
} from '../../local';
import { localObjectPath, localRawDayFolders, OBJECT_SUFFIX } from '../../adapters/local/lake-files';
import { dayManifestKey } from '../../compaction/layout';
import type { WorkflowName } from '../../shared/workflow-substitutions';
import { OpsError } from '../errors';
import type { RunFilter } from '../operations';
import type { RunDetail, RunSummary, StateRow } from '../types';
import { OutboxAlertReader } from '../../adapters/local/outbox-alert-reader';
import { FileSkippedTickReader } from '../../adapters/local/skipped-ticks-file';
import type { LocalSession } from './session';

const duration = (startedAt: string, stoppedAt: string | undefined, durationMs: number | undefined): number | null =>
  durationMs ?? (stoppedAt ? Math.max(0, Date.parse(stoppedAt) - Date.parse(startedAt)) : null);

export const localRunSummary = (r: LocalRunSummary | LocalRun): RunSummary => ({
  workflow: r.workflow,
  id: r.executionId,
  executionArn: 'executionArn' in r ? r.executionArn : r.executionId,
  status: r.status,
  startedAt: r.startedAt,
  stoppedAt: r.stoppedAt ?? null,
  durationMs: duration(r.startedAt, r.stoppedAt, r.durationMs),
});

const text = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

/** State by state, as readHistory reads an AWS history: a state still open in a finished run failed with the run. */
export function localRunDetail(run: LocalRun, now: Date = new Date()): RunDetail {
  const ended = run.status !== 'RUNNING';
  const states: StateRow[] = run.states.map((s) => {
    const tries = s.type === 'Task' ? s.retries + 1 : 0;
    const row: StateRow = {
      name: s.name,
      type: s.type,
      status: s.status,
      iteration: s.mapIndex ?? null,
      enteredAt: s.enteredAt,
      exitedAt: s.exitedAt ?? null,
      durationMs: s.durationMs ?? null,
      attempts: tries,
      retries: s.retries,
      error: s.error?.error ?? null,
      cause: s.error?.cause ?? null,
    };
    if (s.status === 'RUNNING') {
      if (!ended) return { ...row, durationMs: Math.max(0, now.getTime() - Date.parse(s.enteredAt)) };
      return {
        ...row,
        status: run.status === 'ABORTED' ? 'ABORTED' : 'FAILED',
        error: row.error ?? run.error?.error ?? null,
        cause: row.cause ?? run.error?.cause ?? null,
      };
    }
    return row;
  });
  const latest = (test: (s: StateRow) => boolean) => [...states].reverse().find(test);
  const failed =
    latest((s) => s.status === 'FAILED' && s.type !== 'Fail') ??
    latest((s) => s.status === 'CAUGHT') ??
    latest((s) => s.status === 'FAILED');
  return {
    ...localRunSummary(run),
    input: text(run.input),
    output: text(run.output),
    error: run.error?.error ?? failed?.error ?? null,
    cause: run.error?.cause ?? failed?.cause ?? null,
    failedState: failed?.name ?? null,
    states,
  };
}

export function listRunsOf(dataDir: string, filter: RunFilter = {}): RunSummary[] {
  if (filter.status === 'PENDING_REDRIVE') return [];
  const runs = listLocalRuns(dataDir, {
    ...(filter.workflow ? { workflow: filter.workflow } : {}),
    ...(filter.status ? { status: filter.status } : {}),
  });
  const since = filter.since?.toISOString();
  return runs
    .filter((r) => !since || r.startedAt >= since)
    .slice(0, filter.limit ?? 50)
    .map(localRunSummary);
}

/** A run by its id, or by its execution ARN or execution name (the id's last part). */
export function findRun(dataDir: string, ref: string): LocalRun {
  const known = listLocalRuns(dataDir);
  const match = known.find(
    (r) =>
      r.executionId === ref ||
      ref.endsWith(`:${r.executionId.slice(r.workflow.length + 1)}`) ||
      r.executionId === `${r.workflow}-${ref}`,
  );
  if (!match) throw new OpsError('not-found', `no run ${ref} in ${join(dataDir, 'runs')}; list them with stockpipe runs list`);
  return readLocalRun(dataDir, match.executionId);
}

/** The newest day of the raw lake, or undefined when it is empty. */
export function newestLakeDay(lakeDir: string, bucket: string): string | undefined {
  return [...localRawDayFolders(lakeDir, bucket).keys()].sort().at(-1);
}

const newestFile = (dir: string): number | undefined => {
  if (!existsSync(dir)) return undefined;
  let newest: number | undefined;
  for (const f of readdirSync(dir)) {
    if (!f.endsWith(OBJECT_SUFFIX)) continue;
    const t = statSync(join(dir, f)).mtimeMs;
    if (newest === undefined || t > newest) newest = t;
  }
  return newest;
};

/**
 * Raw days (`dt=D`, D up to `upTo`) that the compacted table does not hold yet: no manifest of a
 * compaction of theirs, or raw objects written after it.
 */
export function uncompacted(lakeDir: string, bucket: string, upTo: string): string[] {
  const behind: string[] = [];
  for (const [day, folders] of [...localRawDayFolders(lakeDir, bucket)].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (day > upTo) continue;
    const rawNewest = Math.max(...folders.map((f) => newestFile(f) ?? -Infinity));
    if (rawNewest === -Infinity) continue;
    const manifest = localObjectPath(lakeDir, bucket, dayManifestKey(day));
    const compactedAt = existsSync(manifest) ? statSync(manifest).mtimeMs : undefined;
    if (compactedAt === undefined || rawNewest > compactedAt) behind.push(`dt=${day}`);
  }
  return behind;
}

/**
 * Runs a workflow to its end on a session and records it in the data dir. When the session's tables
 * are not the last run's (it kept them in memory), the report takes the day's alerts from the outbox.
 */
export function runOnSession(session: LocalSession, workflow: WorkflowName, input: Record<string, unknown>): Promise<LocalRun> {
  const env: LocalWorkflowEnv = {
    dataDir: session.layout.root,
    s3Dir: session.layout.lake,
    clients: session.clients,
    resources: session.resources,
    ...(session.tablesKept
      ? {}
      : {
          functions: {
            report: makeReportHandler({
              alerts: new OutboxAlertReader(session.layout.outbox),
              skipped: new FileSkippedTickReader(stateFile(session.layout, SKIPPED_TICKS_FILE)),
              pageLink: localPageLink(session.layout.lake),
            }),
          },
        }),
  };
  return runWorkflowLocally(workflow, input, env);
}
