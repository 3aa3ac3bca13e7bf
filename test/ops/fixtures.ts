/** Step Functions history events in the shape GetExecutionHistory returns them. */
import type { HistoryEvent } from '@aws-sdk/client-sfn';

const T0 = Date.parse('2026-03-02T10:00:00Z');
/** Event n happens n seconds after T0. */
export const at = (id: number): Date => new Date(T0 + id * 1000);

type Spec = [id: number, prev: number, type: string, extra?: Partial<HistoryEvent>];

const build = (specs: Spec[]): HistoryEvent[] =>
  specs.map(([id, prev, type, extra]) => ({
    id,
    previousEventId: prev,
    type: type as HistoryEvent['type'],
    timestamp: at(id),
    ...extra,
  }));

const entered = (name: string): Partial<HistoryEvent> => ({ stateEnteredEventDetails: { name } });
const exited = (name: string): Partial<HistoryEvent> => ({ stateExitedEventDetails: { name } });
const iteration = (index: number): Partial<HistoryEvent> => ({ mapIterationStartedEventDetails: { name: 'CompactAll', index } });

/**
 * A maintenance run: FindPartitions retried once; a Map of two interleaved iterations; RegisterPartitions
 * fails, is caught, ops are notified, and a Fail state ends the run.
 */
export const FAILED_MAINTENANCE_RUN: HistoryEvent[] = build([
  [1, 0, 'ExecutionStarted'],
  [2, 1, 'TaskStateEntered', entered('FindPartitions')],
  [3, 2, 'TaskScheduled'],
  [4, 3, 'TaskStarted'],
  [
    5,
    4,
    'TaskFailed',
    {
      taskFailedEventDetails: {
        resourceType: 'lambda',
        resource: 'invoke',
        error: 'Lambda.TooManyRequestsException',
        cause: 'Rate exceeded',
      },
    },
  ],
  [6, 5, 'TaskScheduled'],
  [7, 6, 'TaskStarted'],
  [8, 7, 'TaskSucceeded'],
  [9, 8, 'TaskStateExited', exited('FindPartitions')],
  [10, 9, 'MapStateEntered', entered('CompactAll')],
  [11, 10, 'MapStateStarted'],
  [12, 11, 'MapIterationStarted', iteration(0)],
  [13, 11, 'MapIterationStarted', iteration(1)],
  [14, 12, 'TaskStateEntered', entered('CompactPartition')],
  [15, 13, 'TaskStateEntered', entered('CompactPartition')],
  [16, 14, 'TaskScheduled'],
  [17, 15, 'TaskScheduled'],
  [18, 16, 'TaskStarted'],
  [19, 17, 'TaskStarted'],
  [20, 19, 'TaskSucceeded'],
  [21, 20, 'TaskStateExited', exited('CompactPartition')],
  [22, 21, 'MapIterationSucceeded'],
  [23, 18, 'TaskSucceeded'],
  [24, 23, 'TaskStateExited', exited('CompactPartition')],
  [25, 24, 'MapIterationSucceeded'],
  [26, 25, 'MapStateSucceeded'],
  [27, 26, 'MapStateExited', exited('CompactAll')],
  [28, 27, 'TaskStateEntered', entered('RegisterPartitions')],
  [29, 28, 'TaskScheduled'],
  [30, 29, 'TaskStarted'],
  [
    31,
    30,
    'TaskFailed',
    {
      taskFailedEventDetails: {
        resourceType: 'aws-sdk:glue',
        resource: 'batchCreatePartition',
        error: 'Glue.AccessDeniedException',
        cause: 'not authorized to perform glue:BatchCreatePartition',
      },
    },
  ],
  [32, 31, 'TaskStateExited', exited('RegisterPartitions')],
  [33, 32, 'TaskStateEntered', entered('NotifyOps')],
  [34, 33, 'TaskScheduled'],
  [35, 34, 'TaskStarted'],
  [36, 35, 'TaskSucceeded'],
  [37, 36, 'TaskStateExited', exited('NotifyOps')],
  [38, 37, 'FailStateEntered', entered('MaintenanceFailed')],
  [
    39,
    38,
    'ExecutionFailed',
    { executionFailedEventDetails: { error: 'MaintenanceFailed', cause: 'RegisterPartitions: Glue.AccessDeniedException' } },
  ],
]);

/** A report run still in its first state, which is being retried after a throttle. */
export const RUNNING_REPORT_RUN: HistoryEvent[] = build([
  [1, 0, 'ExecutionStarted'],
  [2, 1, 'TaskStateEntered', entered('PlanReport')],
  [3, 2, 'TaskScheduled'],
  [4, 3, 'TaskStarted'],
  [
    5,
    4,
    'TaskFailed',
    {
      taskFailedEventDetails: {
        resourceType: 'lambda',
        resource: 'invoke',
        error: 'Lambda.TooManyRequestsException',
        cause: 'Rate exceeded',
      },
    },
  ],
  [6, 5, 'TaskScheduled'],
]);

export const SUCCEEDED_REPORT_RUN: HistoryEvent[] = build([
  [1, 0, 'ExecutionStarted'],
  [2, 1, 'TaskStateEntered', entered('PlanReport')],
  [3, 2, 'TaskScheduled'],
  [4, 3, 'TaskStarted'],
  [5, 4, 'TaskSucceeded'],
  [6, 5, 'TaskStateExited', exited('PlanReport')],
  [7, 6, 'SucceedStateEntered', entered('Done')],
  [8, 7, 'SucceedStateExited', exited('Done')],
  [9, 8, 'ExecutionSucceeded'],
]);
