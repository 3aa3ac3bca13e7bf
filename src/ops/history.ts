/**
 * A Step Functions execution history (GetExecutionHistory events, oldest first) read as one row per
 * state visit: when it was entered and left, how often its task was tried, and the error that failed
 * it. States inside a Map run concurrently and interleave in the history, so each event is attributed
 * to its state by following `previousEventId`, not by its position.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { StateRow } from './types';

interface Failure {
  readonly error: string | null;
  readonly cause: string | null;
}

interface OpenRow {
  row: {
    -readonly [K in keyof StateRow]: StateRow[K];
  };
  failure: Failure | null;
  succeededAfterFailure: boolean;
  closed: boolean;
}

const SCHEDULED = /^(Task|LambdaFunction|Activity)Scheduled$/;
const SUCCEEDED = /^(Task|LambdaFunction|Activity)Succeeded$/;
const FAILED =
  /^(Task|LambdaFunction|Activity)(Failed|TimedOut|StartFailed|ScheduleFailed|SubmitFailed|StartTimedOut)$|^TaskStartFailed$/;

const failureOf = (event: HistoryEvent): Failure | null => {
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith('EventDetails') || value === null || typeof value !== 'object') continue;
    const details = value as { error?: string; cause?: string };
    if (details.error !== undefined || details.cause !== undefined)
      return { error: details.error ?? null, cause: details.cause ?? null };
  }
  return null;
};

const stateType = (eventType: string): string => eventType.replace(/State(Entered|Exited)$/, '');

const iso = (d: Date | undefined): string => (d ?? new Date(0)).toISOString();

export interface ReadHistoryResult {
  readonly states: StateRow[];
  /** The run's own failure (ExecutionFailed/TimedOut/Aborted), if any. */
  readonly executionFailure: Failure | null;
  /** The state the run failed in, or else the last one that caught an error. */
  readonly failedState: string | null;
}

export function readHistory(events: readonly HistoryEvent[], runStatus: string, now: Date = new Date()): ReadHistoryResult {
  const byId = new Map<number, HistoryEvent>();
  for (const e of events) if (e.id !== undefined) byId.set(e.id, e);
  const rowOfEntered = new Map<number, OpenRow>();
  const iterationOf = new Map<number, number | null>();
  const ownerOf = new Map<number, OpenRow | null>();

  // The Map iteration an event belongs to: the nearest MapIterationStarted up its chain, stopping at
  // the exit of a Map state (what follows a Map runs outside it).
  const iteration = (id: number | undefined): number | null => {
    const path: number[] = [];
    let found: number | null = null;
    for (let cur = id; cur !== undefined && cur !== 0;) {
      if (iterationOf.has(cur)) {
        found = iterationOf.get(cur)!;
        break;
      }
      path.push(cur);
      const event = byId.get(cur);
      if (!event) break;
      if (event.type === 'MapIterationStarted') {
        found = event.mapIterationStartedEventDetails?.index ?? null;
        break;
      }
      if (event.type === 'MapStateExited') break;
      cur = event.previousEventId;
    }
    for (const p of path) iterationOf.set(p, found);
    return found;
  };

  // The state visit an event belongs to: the nearest StateEntered up its chain.
  const owner = (id: number | undefined): OpenRow | null => {
    const path: number[] = [];
    let found: OpenRow | null = null;
    for (let cur = id; cur !== undefined && cur !== 0;) {
      if (ownerOf.has(cur)) {
        found = ownerOf.get(cur)!;
        break;
      }
      path.push(cur);
      const row = rowOfEntered.get(cur);
      if (row) {
        found = row;
        break;
      }
      cur = byId.get(cur)?.previousEventId;
    }
    for (const p of path) ownerOf.set(p, found);
    return found;
  };

  const rows: OpenRow[] = [];
  let executionFailure: Failure | null = null;
  for (const event of events) {
    const type = event.type ?? '';
    if (type.endsWith('StateEntered')) {
      const open: OpenRow = {
        row: {
          name: event.stateEnteredEventDetails?.name ?? '(unnamed)',
          type: stateType(type),
          status: 'RUNNING',
          iteration: iteration(event.previousEventId),
          enteredAt: iso(event.timestamp),
          exitedAt: null,
          durationMs: null,
          attempts: 0,
          retries: 0,
          error: null,
          cause: null,
        },
        failure: null,
        succeededAfterFailure: false,
        closed: false,
      };
      rows.push(open);
      if (event.id !== undefined) rowOfEntered.set(event.id, open);
      continue;
    }
    if (type.endsWith('StateExited')) {
      const name = event.stateExitedEventDetails?.name;
      let target = owner(event.previousEventId);
      if (!target || target.closed || target.row.name !== name)
        target = [...rows].reverse().find((r) => !r.closed && r.row.name === name) ?? null;
      if (!target) continue;
      target.closed = true;
      target.row.exitedAt = iso(event.timestamp);
      target.row.durationMs = Math.max(0, (event.timestamp?.getTime() ?? 0) - Date.parse(target.row.enteredAt));
      target.row.status = target.failure && !target.succeededAfterFailure ? 'CAUGHT' : 'SUCCEEDED';
      continue;
    }
    if (/^Execution(Failed|TimedOut|Aborted)$/.test(type)) {
      executionFailure = failureOf(event) ?? { error: type === 'ExecutionTimedOut' ? 'States.Timeout' : type, cause: null };
      continue;
    }
    const target = owner(event.previousEventId);
    if (!target) continue;
    if (SCHEDULED.test(type)) {
      target.row.attempts += 1;
      target.succeededAfterFailure = false;
    } else if (SUCCEEDED.test(type)) {
      target.succeededAfterFailure = true;
    } else if (FAILED.test(type)) {
      target.failure = failureOf(event) ?? { error: type, cause: null };
      target.succeededAfterFailure = false;
    }
  }

  const ended = runStatus !== 'RUNNING';
  for (const open of rows) {
    const r = open.row;
    r.retries = Math.max(0, r.attempts - 1);
    if (open.failure && !open.succeededAfterFailure) {
      r.error = open.failure.error;
      r.cause = open.failure.cause;
    }
    if (!open.closed) {
      if (ended) {
        r.status = runStatus === 'ABORTED' ? 'ABORTED' : 'FAILED';
        // The run ended while the state ran: the run's end (timeout, abort, Fail) is what stopped it.
        if (executionFailure) {
          r.error = executionFailure.error;
          r.cause = executionFailure.cause;
        }
      } else r.durationMs = Math.max(0, now.getTime() - Date.parse(r.enteredAt));
    }
    if (r.type === 'Fail' && r.status !== 'RUNNING') {
      r.status = 'FAILED';
      r.error ??= executionFailure?.error ?? null;
      r.cause ??= executionFailure?.cause ?? null;
    }
  }
  const states = rows.map((o) => ({ ...o.row }));
  // A Fail state only ends the run; the state whose error led there is the one to read.
  const latest = (test: (s: StateRow) => boolean) => [...states].reverse().find(test);
  const failed =
    latest((s) => s.status === 'FAILED' && s.type !== 'Fail') ??
    latest((s) => s.status === 'CAUGHT') ??
    latest((s) => s.status === 'FAILED');
  return { states, executionFailure, failedState: failed?.name ?? null };
}
