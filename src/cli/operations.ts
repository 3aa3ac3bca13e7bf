/**
 * The operating commands talk to `Operations` (src/ops/operations.ts): one interface, one
 * implementation per target (LocalOperations in src/local/local-operations.ts, AwsOperations in
 * src/ops/aws/operations.ts), the commands not knowing which one they have (src/cli/targets.ts picks
 * it). The `--json` shapes are the schemas of src/ops/types.ts.
 */
import type { Operations } from '../ops/operations';

export type { AlertFilter, Target } from '../ops/operations';
export type { AlertRow, RuleName, ScheduleChange, ScheduleStatus } from '../ops/types';

export const TARGETS = ['local', 'aws'] as const;

export type CliOperations = Operations;
