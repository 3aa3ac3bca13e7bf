/**
 * Execution histories of the local runner: one JSON file per execution under the data dir's `runs/`,
 * with the input, output or error, and every state's entry, exit, duration, retries and error. The
 * CLI's `runs list` and `runs show` read them through listLocalRuns and readLocalRun.
 */
import { existsSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { dataDirLayout, readJsonFile, writeJsonFile } from '../data-dir';
import type { WorkflowName } from '../../shared/workflow-substitutions';

export type RunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface RunError {
  readonly error: string;
  readonly cause: string;
}

export interface StateRecord {
  readonly name: string;
  readonly type: string;
  /** Iteration of the enclosing Map state, if any. */
  readonly mapIndex?: number;
  readonly enteredAt: string;
  exitedAt?: string;
  durationMs?: number;
  /** SUCCEEDED, FAILED (the error went on), CAUGHT (a Catch took it), or RUNNING (no exit seen). */
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CAUGHT';
  retries: number;
  readonly input: unknown;
  output?: unknown;
  error?: RunError;
}

export interface RunHistoryEvent {
  readonly type: string;
  readonly at: string;
  readonly state?: string;
  readonly mapIndex?: number;
  readonly error?: RunError;
}

export interface LocalRun {
  readonly executionId: string;
  readonly executionArn: string;
  readonly workflow: WorkflowName;
  readonly stateMachineName: string;
  status: RunStatus;
  readonly input: unknown;
  output?: unknown;
  error?: RunError;
  /** The process that runs it (a local run executes inside the command that started it). */
  readonly owner?: RunOwner;
  readonly startedAt: string;
  stoppedAt?: string;
  durationMs?: number;
  readonly states: StateRecord[];
  readonly events: RunHistoryEvent[];
}

export type LocalRunSummary = Pick<
  LocalRun,
  'executionId' | 'workflow' | 'status' | 'startedAt' | 'stoppedAt' | 'durationMs' | 'error'
>;

export interface RunOwner {
  readonly pid: number;
  readonly host: string;
}

export const runOwner = (): RunOwner => ({ pid: process.pid, host: hostname() });

/** False when the owner ran on this host and its process is gone (killed, crashed); true when unknown. */
export function ownerAlive(owner: RunOwner | undefined): boolean {
  if (!owner || owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A run still RUNNING in its file whose process is gone never ends: it is reported ABORTED, with the
 * reason, and the state that was under way fails with it (runs show). The file is left as it is.
 */
function withDeadOwner(run: LocalRun): LocalRun {
  if (run.status !== 'RUNNING' || ownerAlive(run.owner)) return run;
  return {
    ...run,
    status: 'ABORTED',
    error: {
      error: 'OwnerGone',
      cause: `the process that ran it (pid ${run.owner!.pid} on ${run.owner!.host}) ended before the run did (killed or crashed); run it again`,
    },
  };
}

const RUN_FILE = /^(.+)\.json$/;

export const runFile = (dataDir: string, executionId: string): string => join(dataDirLayout(dataDir).runs, `${executionId}.json`);

export function saveLocalRun(dataDir: string, run: LocalRun): void {
  writeJsonFile(runFile(dataDir, run.executionId), run);
}

/** One execution's full history; an unknown id is an error that says how to list the known ones. */
export function readLocalRun(dataDir: string, executionId: string): LocalRun {
  if (!/^[\w.-]+$/.test(executionId))
    throw new Error(`run id ${JSON.stringify(executionId)} is not a run id; see \`stockpipe runs list\``);
  const run = readJsonFile<LocalRun>(runFile(dataDir, executionId));
  if (!run) throw new Error(`no run ${executionId} in ${dataDirLayout(dataDir).runs}; see \`stockpipe runs list\``);
  return withDeadOwner(run);
}

export interface ListRunsOptions {
  readonly status?: RunStatus;
  readonly workflow?: WorkflowName;
}

/** Summaries of the recorded executions, newest first. */
export function listLocalRuns(dataDir: string, options: ListRunsOptions = {}): LocalRunSummary[] {
  const dir = dataDirLayout(dataDir).runs;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => RUN_FILE.exec(f)?.[1])
    .filter((id): id is string => id !== undefined && !id.includes('.tmp'))
    .map((id) => readLocalRun(dataDir, id))
    .filter((r) => (!options.status || r.status === options.status) && (!options.workflow || r.workflow === options.workflow))
    .map(({ executionId, workflow, status, startedAt, stoppedAt, durationMs, error }) => ({
      executionId,
      workflow,
      status,
      startedAt,
      stoppedAt,
      durationMs,
      ...(error ? { error } : {}),
    }))
    .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
}

/** Event of aws-local-stepfunctions, as much of it as the history uses. */
export interface EngineEvent {
  readonly type: string;
  readonly timestamp: number;
  readonly state?: { readonly name: string; readonly type: string; readonly input?: unknown; readonly output?: unknown };
  readonly index?: number;
  readonly Error?: string;
  readonly Cause?: unknown;
}

const causeText = (cause: unknown): string => (typeof cause === 'string' ? cause : (JSON.stringify(cause) ?? ''));

/** Folds one engine event into the run's state records and event list. */
export function recordEvent(run: LocalRun, event: EngineEvent): void {
  const at = new Date(event.timestamp).toISOString();
  const error = event.Error !== undefined ? { error: event.Error, cause: causeText(event.Cause) } : undefined;
  run.events.push({
    type: event.type,
    at,
    ...(event.state ? { state: event.state.name } : {}),
    ...(event.index !== undefined ? { mapIndex: event.index } : {}),
    ...(error ? { error } : {}),
  });
  if (!event.state) return;
  const { name, type } = event.state;
  const open = () =>
    [...run.states].reverse().find((s) => s.name === name && s.mapIndex === event.index && s.status === 'RUNNING');
  switch (event.type) {
    case 'StateEntered':
      run.states.push({
        name,
        type,
        ...(event.index !== undefined ? { mapIndex: event.index } : {}),
        enteredAt: at,
        status: 'RUNNING',
        retries: 0,
        input: event.state.input,
      });
      break;
    case 'StateExited': {
      const s = open();
      if (!s) break;
      s.status = 'SUCCEEDED';
      s.exitedAt = at;
      s.durationMs = event.timestamp - Date.parse(s.enteredAt);
      s.output = event.state.output;
      break;
    }
    case 'StateRetried': {
      const s = [...run.states].reverse().find((r) => r.name === name && r.mapIndex === event.index);
      if (!s) break;
      s.retries++;
      s.status = 'RUNNING';
      break;
    }
    case 'StateFailed': {
      const s = open();
      if (!s) break;
      s.error = error;
      // A retry follows as StateRetried and keeps it running; otherwise it failed (or is caught next).
      s.exitedAt = at;
      s.durationMs = event.timestamp - Date.parse(s.enteredAt);
      s.status = 'FAILED';
      break;
    }
    case 'StateCaught': {
      const s = [...run.states].reverse().find((r) => r.name === name && r.mapIndex === event.index);
      if (s) s.status = 'CAUGHT';
      break;
    }
  }
}
