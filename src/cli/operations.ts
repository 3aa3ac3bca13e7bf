/**
 * What the operating commands (schedule, alerts, and the status/runs/dlq/report commands that come
 * with the cloud operations) ask of a deployment. One interface, one implementation per target:
 * LocalOperations (src/local/local-operations.ts) for the local runtime's data dir; the AWS one
 * implements the same interface. The commands do not know which one they have.
 *
 * The result types are the `--json` shapes of the commands; they match src/ops/types.ts
 * (ScheduleStatus, ScheduleChange, AlertRow) field for field.
 */

export const TARGETS = ['local', 'aws'] as const;
export type Target = (typeof TARGETS)[number];

export type RuleName = 'ingest' | 'report' | 'maintenance';
export type RuleState = 'ENABLED' | 'DISABLED';

export interface ScheduleStatus {
  readonly rule: RuleName;
  /** The physical rule name. */
  readonly name: string;
  readonly state: RuleState;
  readonly expression: string | null;
  /** ISO time of the next fire; null while disabled or when unknown. */
  readonly nextTrigger: string | null;
  readonly nextTriggerApproximate: boolean;
}

export interface ScheduleChange extends ScheduleStatus {
  readonly previousState: RuleState;
  readonly changed: boolean;
}

export interface AlertRow {
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly timestamp: string;
  readonly price: number;
  readonly sma5: number;
  readonly sma20: number;
  readonly status: 'PENDING' | 'PUBLISHED';
  readonly publishedAt: string | null;
}

export interface AlertQuery {
  readonly symbol?: string;
  /** Alerts published at or after this time. */
  readonly since?: Date;
}

export interface Operations {
  readonly target: Target;
  /** Where it operates: the data dir locally, the stack and region on AWS. */
  readonly where: string;
  scheduleStatus(rule: RuleName): Promise<ScheduleStatus>;
  /** Enables or disables a rule; one already in that state is left alone (changed: false). */
  setSchedule(rule: RuleName, enabled: boolean): Promise<ScheduleChange>;
  /** Alerts in time order. */
  listAlerts(query: AlertQuery): Promise<AlertRow[]>;
}
