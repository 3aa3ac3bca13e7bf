import { readHistory } from '../../src/ops/history';
import { StateRowSchema } from '../../src/ops/types';
import { FAILED_MAINTENANCE_RUN, RUNNING_REPORT_RUN, at } from './fixtures';

const row = (enter: number, exit: number | null) => ({
  enteredAt: at(enter).toISOString(),
  exitedAt: exit === null ? null : at(exit).toISOString(),
  durationMs: exit === null ? null : (exit - enter) * 1000,
});

describe('reading an execution history', () => {
  test('a failed run reads as one row per state visit, with retries, Map iterations and the caught error', () => {
    const read = readHistory(FAILED_MAINTENANCE_RUN, 'FAILED');
    expect(read.states).toEqual([
      {
        name: 'FindPartitions',
        type: 'Task',
        status: 'SUCCEEDED',
        iteration: null,
        ...row(2, 9),
        attempts: 2,
        retries: 1,
        error: null,
        cause: null,
      },
      {
        name: 'CompactAll',
        type: 'Map',
        status: 'SUCCEEDED',
        iteration: null,
        ...row(10, 27),
        attempts: 0,
        retries: 0,
        error: null,
        cause: null,
      },
      {
        name: 'CompactPartition',
        type: 'Task',
        status: 'SUCCEEDED',
        iteration: 0,
        ...row(14, 24),
        attempts: 1,
        retries: 0,
        error: null,
        cause: null,
      },
      {
        name: 'CompactPartition',
        type: 'Task',
        status: 'SUCCEEDED',
        iteration: 1,
        ...row(15, 21),
        attempts: 1,
        retries: 0,
        error: null,
        cause: null,
      },
      {
        name: 'RegisterPartitions',
        type: 'Task',
        status: 'CAUGHT',
        iteration: null,
        ...row(28, 32),
        attempts: 1,
        retries: 0,
        error: 'Glue.AccessDeniedException',
        cause: 'not authorized to perform glue:BatchCreatePartition',
      },
      {
        name: 'NotifyOps',
        type: 'Task',
        status: 'SUCCEEDED',
        iteration: null,
        ...row(33, 37),
        attempts: 1,
        retries: 0,
        error: null,
        cause: null,
      },
      {
        name: 'MaintenanceFailed',
        type: 'Fail',
        status: 'FAILED',
        iteration: null,
        ...row(38, null),
        attempts: 0,
        retries: 0,
        error: 'MaintenanceFailed',
        cause: 'RegisterPartitions: Glue.AccessDeniedException',
      },
    ]);
    expect(read.executionFailure).toEqual({
      error: 'MaintenanceFailed',
      cause: 'RegisterPartitions: Glue.AccessDeniedException',
    });
    // The Fail state only ends the run: the state to read is the one whose error led there.
    expect(read.failedState).toBe('RegisterPartitions');
    for (const s of read.states) expect(StateRowSchema.parse(s)).toEqual(s);
  });

  test('a running state being retried shows its tries so far, its last error and its running time', () => {
    const read = readHistory(RUNNING_REPORT_RUN, 'RUNNING', at(10));
    expect(read.states).toEqual([
      {
        name: 'PlanReport',
        type: 'Task',
        status: 'RUNNING',
        iteration: null,
        enteredAt: at(2).toISOString(),
        exitedAt: null,
        durationMs: 8000,
        attempts: 2,
        retries: 1,
        error: 'Lambda.TooManyRequestsException',
        cause: 'Rate exceeded',
      },
    ]);
    expect(read.failedState).toBeNull();
  });

  test('a state left open by an aborted run is ABORTED, by a timed-out run FAILED with the timeout', () => {
    const aborted = readHistory(
      [...RUNNING_REPORT_RUN, { id: 7, previousEventId: 6, type: 'ExecutionAborted', timestamp: at(7) }],
      'ABORTED',
    );
    expect(aborted.states.map((s) => s.status)).toEqual(['ABORTED']);
    const timedOut = readHistory(
      [...RUNNING_REPORT_RUN, { id: 7, previousEventId: 6, type: 'ExecutionTimedOut', timestamp: at(7) }],
      'TIMED_OUT',
    );
    expect(timedOut.states.map((s) => [s.status, s.error])).toEqual([['FAILED', 'States.Timeout']]);
    expect(timedOut.failedState).toBe('PlanReport');
  });
});
