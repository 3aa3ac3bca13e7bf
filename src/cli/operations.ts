/**
 * The operating commands talk to `Operations` (src/ops/operations.ts): one interface, one
 * implementation per target, the commands not knowing which one they have. `CliOperations` is the part
 * the commands of this file's era use (schedule, alerts); LocalOperations (src/local/local-operations.ts)
 * implements it for the local runtime's data dir. The `--json` shapes are the types of src/ops/types.ts.
 */
import type { Operations } from '../ops/operations';

export type { AlertFilter, Target } from '../ops/operations';
export type { AlertRow, RuleName, ScheduleChange, ScheduleStatus } from '../ops/types';

export const TARGETS = ['local', 'aws'] as const;

export type CliOperations = Pick<Operations, 'target' | 'where' | 'scheduleStatus' | 'setSchedule' | 'listAlerts'>;
