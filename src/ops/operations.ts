/**
 * The operating commands' one interface. The CLI talks to an `Operations` and does not know whether
 * it is the local runtime's or the AWS deployment's (src/ops/aws/operations.ts).
 */
import type { WorkflowName } from '../shared/workflow-substitutions';
import type {
  AlertRow,
  DlqMessage,
  PurgeResult,
  QueueName,
  QueueOverview,
  ReplayResult,
  RuleName,
  RunDetail,
  RunStatus,
  RunSummary,
  ScheduleChange,
  SignalRow,
  ScheduleStatus,
  StateRow,
  StatusReport,
  SubscribeResult,
  WorkflowStart,
} from './types';

export type Target = 'aws' | 'local';

export interface RunFilter {
  readonly workflow?: WorkflowName;
  readonly status?: RunStatus;
  readonly since?: Date;
  /** @default 50 */
  readonly limit?: number;
}

export interface RunProgress {
  readonly run: RunDetail;
  /** States entered since the previous report. */
  readonly entered: readonly StateRow[];
  /** States that finished (any status) since the previous report. */
  readonly finished: readonly StateRow[];
}

export interface WaitOptions {
  readonly onProgress?: (progress: RunProgress) => void;
  /** @default 3000 */
  readonly pollMs?: number;
  /** Stop waiting (the run goes on) after this long. @default 3_600_000 */
  readonly timeoutMs?: number;
}

export interface WorkflowInput {
  /** The day a report run covers (YYYY-MM-DD); the report workflow's own default when unset. */
  readonly date?: string;
}

export interface AlertFilter {
  readonly symbol?: string;
  readonly since?: Date;
  /** The newest this many. @default 1000 */
  readonly limit?: number;
}

/** Which crossovers `stockpipe signals` / `verify` cover. */
export interface SignalFilter {
  /** Only this symbol (as the tick schema spells symbols). */
  readonly symbol?: string;
  /** First UTC day (YYYY-MM-DD), inclusive. */
  readonly from?: string;
  /** Last UTC day (YYYY-MM-DD), inclusive; the SMAs still start from each symbol's first tick. */
  readonly to?: string;
}

export interface DlqListOptions {
  /** @default 100 */
  readonly max?: number;
}

export interface ReplayOptions {
  /** Replacement tick JSON by message id: the operator's fix of an invalid record. */
  readonly fixes?: ReadonlyMap<string, string>;
  /** @default 1000 */
  readonly max?: number;
  /** Seconds the messages stay hidden while being replayed. @default 300 */
  readonly visibilityTimeout?: number;
}

export type ReportFormat = 'html' | 'json';

export interface StoredReport {
  readonly date: string;
  readonly format: ReportFormat;
  readonly key: string;
  /** s3://bucket/key on AWS, the file path locally. */
  readonly location: string;
  readonly body: Buffer;
}

export interface Operations {
  readonly target: Target;
  /** Where it operates, for messages: "stack Stockpipe in eu-west-1", ".stockpipe". */
  readonly where: string;
  status(): Promise<StatusReport>;
  scheduleStatus(rule: RuleName): Promise<ScheduleStatus>;
  setSchedule(rule: RuleName, enabled: boolean): Promise<ScheduleChange>;
  listRuns(filter?: RunFilter): Promise<RunSummary[]>;
  /** An execution ARN or id (execution name). */
  showRun(ref: string): Promise<RunDetail>;
  startWorkflow(workflow: WorkflowName, input?: WorkflowInput): Promise<WorkflowStart>;
  waitForRun(ref: string, options?: WaitOptions): Promise<RunDetail>;
  /** Alerts in time order. */
  listAlerts(filter?: AlertFilter): Promise<AlertRow[]>;
  /** The SMA-5/SMA-20 crossovers recomputed from the raw lake in SQL (DuckDB locally, Athena on AWS), by symbol then time. */
  recomputeSignals(filter?: SignalFilter): Promise<SignalRow[]>;
  subscribe(email: string, topic?: 'alerts' | 'ops'): Promise<SubscribeResult>;
  /** Every dead-letter queue with its depth; a queue that cannot be read is a row with its error. */
  dlqOverview(): Promise<QueueOverview[]>;
  listDlq(queue: QueueName, options?: DlqListOptions): Promise<DlqMessage[]>;
  showDlq(queue: QueueName, messageId: string): Promise<DlqMessage>;
  replayDlq(queue: QueueName, options?: ReplayOptions): Promise<ReplayResult>;
  /** `confirmed` is the operator's `--yes` (or a yes on the TTY prompt). */
  purgeDlq(queue: QueueName, confirmed: boolean): Promise<PurgeResult>;
  getReport(options?: { date?: string; format?: ReportFormat }): Promise<StoredReport>;
  close(): Promise<void>;
}
