/**
 * What the operating commands return, on both targets: each `--json` output is one of these shapes.
 * The schemas are the documentation and the test of that contract: the CLI tests parse every
 * `--json` output with them (test/cli/*.test.ts), the ops tests every operation's result (test/ops).
 */
import { z } from 'zod';
import type { WorkflowName } from '../shared/workflow-substitutions';
import { QUEUE_NAMES, RULE_NAMES, RUN_STATUSES, WORKFLOW_NAMES } from './names';

export { QUEUE_NAMES, RULE_NAMES, RUN_STATUSES, WORKFLOW_NAMES };
export type { QueueName, RuleName, RunStatus } from './names';

const isoTime = z.iso.datetime({ offset: true });
const nullableTime = isoTime.nullable();

export const ScheduleStatusSchema = z.object({
  rule: z.enum(RULE_NAMES),
  /** The physical rule name (from the stack output, or the local rule's name). */
  name: z.string().min(1),
  state: z.enum(['ENABLED', 'DISABLED']),
  expression: z.string().nullable(),
  /** When the rule fires next; null while disabled or when the expression cannot be read. */
  nextTrigger: nullableTime,
  /** A rate() rule fires relative to when it was created, which AWS does not tell: the time is a bound. */
  nextTriggerApproximate: z.boolean(),
});
export type ScheduleStatus = z.infer<typeof ScheduleStatusSchema>;

export const ScheduleChangeSchema = ScheduleStatusSchema.extend({
  previousState: z.enum(['ENABLED', 'DISABLED']),
  changed: z.boolean(),
});
export type ScheduleChange = z.infer<typeof ScheduleChangeSchema>;

export const RunSummarySchema = z.object({
  workflow: z.enum(WORKFLOW_NAMES as [WorkflowName, ...WorkflowName[]]),
  /** The execution name; `runs show <id>` accepts it. */
  id: z.string().min(1),
  /** The execution ARN on AWS; the local run's id on the local target. */
  executionArn: z.string().min(1),
  status: z.enum(RUN_STATUSES),
  startedAt: isoTime,
  stoppedAt: nullableTime,
  durationMs: z.number().nonnegative().nullable(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

export const STATE_STATUSES = ['SUCCEEDED', 'FAILED', 'CAUGHT', 'RUNNING', 'ABORTED'] as const;

export const StateRowSchema = z.object({
  name: z.string(),
  /** Task, Map, Choice, Pass, Parallel, Wait, Succeed, Fail. */
  type: z.string(),
  /** CAUGHT: the state failed and a Catch moved the run on. */
  status: z.enum(STATE_STATUSES),
  /** Index of the Map iteration the state ran in, null outside a Map. */
  iteration: z.number().int().nonnegative().nullable(),
  enteredAt: isoTime,
  exitedAt: nullableTime,
  durationMs: z.number().nonnegative().nullable(),
  /** Times the task was tried (0 for states that run no task). */
  attempts: z.number().int().nonnegative(),
  retries: z.number().int().nonnegative(),
  error: z.string().nullable(),
  cause: z.string().nullable(),
});
export type StateRow = z.infer<typeof StateRowSchema>;

export const RunDetailSchema = RunSummarySchema.extend({
  input: z.string().nullable(),
  output: z.string().nullable(),
  /** The run's error and cause when it failed; else the last caught error, if any. */
  error: z.string().nullable(),
  cause: z.string().nullable(),
  /** The state that failed the run (or last caught an error). */
  failedState: z.string().nullable(),
  states: z.array(StateRowSchema),
});
export type RunDetail = z.infer<typeof RunDetailSchema>;

export const WorkflowStartSchema = z.object({
  workflow: z.enum(WORKFLOW_NAMES as [WorkflowName, ...WorkflowName[]]),
  id: z.string().min(1),
  executionArn: z.string().min(1),
  startedAt: isoTime,
  input: z.string(),
});
export type WorkflowStart = z.infer<typeof WorkflowStartSchema>;

export const StreamStatusSchema = z.object({
  name: z.string(),
  status: z.string(),
  openShards: z.number().int().nonnegative().nullable(),
  retentionHours: z.number().nonnegative().nullable(),
  /** Age of the oldest unread record (GetRecords.IteratorAgeMilliseconds, maximum of the last 15 minutes). */
  iteratorAgeMs: z.number().nonnegative().nullable(),
});
export type StreamStatus = z.infer<typeof StreamStatusSchema>;

export const QueueDepthSchema = z.object({
  queue: z.enum(QUEUE_NAMES),
  url: z.string(),
  visible: z.number().int().nonnegative(),
  inFlight: z.number().int().nonnegative(),
});
export type QueueDepth = z.infer<typeof QueueDepthSchema>;

/** One row of `dlq list` without `--queue`: the depth, or why the queue could not be read. */
export const QueueOverviewSchema = z.object({
  queue: z.enum(QUEUE_NAMES),
  url: z.string().nullable(),
  visible: z.number().int().nonnegative().nullable(),
  inFlight: z.number().int().nonnegative().nullable(),
  error: z.string().nullable(),
});
export type QueueOverview = z.infer<typeof QueueOverviewSchema>;

export const AnalysisHealthSchema = z.object({
  /** Ticks written after the fold had passed their timestamp, over the days the state keeps (40). */
  lateTicks: z.number().int().nonnegative(),
  /** Second ticks for a timestamp a symbol already had, with other values. */
  duplicateTicks: z.number().int().nonnegative(),
  skippedBySymbol: z.array(
    z.object({ symbol: z.string(), late: z.number().int().nonnegative(), duplicate: z.number().int().nonnegative() }),
  ),
  /** Alerts claimed and not (yet) marked published. */
  pendingAlerts: z.number().int().nonnegative(),
  /** PENDING alerts whose claim ran out: nobody is publishing them. */
  stalePendingAlerts: z.array(
    z.object({ symbol: z.string(), side: z.enum(['BUY', 'SELL']), timestamp: z.string(), claimedAt: z.string() }),
  ),
});
export type AnalysisHealth = z.infer<typeof AnalysisHealthSchema>;

export const StatusReportSchema = z.object({
  target: z.enum(['aws', 'local']),
  /** Stack and region on AWS; the data dir locally. */
  where: z.string(),
  generatedAt: isoTime,
  schedule: ScheduleStatusSchema,
  stream: StreamStatusSchema,
  lastHour: z.object({
    /** Records put into the stream. */
    ticksIn: z.number().nonnegative().nullable(),
    ticksProcessed: z.number().nonnegative().nullable(),
    alerts: z.number().nonnegative().nullable(),
  }),
  dlq: z.array(QueueDepthSchema),
  /** Null when the tables could not be read (see warnings). */
  analysis: AnalysisHealthSchema.nullable(),
  workflows: z.array(
    z.object({
      workflow: z.enum(WORKFLOW_NAMES as [WorkflowName, ...WorkflowName[]]),
      lastRun: RunSummarySchema.nullable(),
    }),
  ),
  /** Parts that could not be read (e.g. no permission for CloudWatch), each with why. */
  warnings: z.array(z.string()),
});
export type StatusReport = z.infer<typeof StatusReportSchema>;

export const AlertRowSchema = z.object({
  symbol: z.string(),
  side: z.enum(['BUY', 'SELL']),
  timestamp: isoTime,
  price: z.number(),
  sma5: z.number(),
  sma20: z.number(),
  /** PENDING: claimed but the notification is not confirmed sent (it is retried). */
  status: z.enum(['PENDING', 'PUBLISHED']),
  publishedAt: nullableTime,
});
export type AlertRow = z.infer<typeof AlertRowSchema>;

export const StreamBatchSchema = z.object({
  source: z.enum(['kinesis', 'dynamodb']),
  streamArn: z.string(),
  shardId: z.string(),
  startSequenceNumber: z.string(),
  endSequenceNumber: z.string(),
  batchSize: z.number().int().nonnegative(),
  firstArrival: nullableTime,
});
export type StreamBatch = z.infer<typeof StreamBatchSchema>;

export const DlqMessageSchema = z.object({
  queue: z.enum(QUEUE_NAMES),
  messageId: z.string(),
  /** dead-letter: the record itself is in the message; stream-batch: only its shard and sequence range. */
  kind: z.enum(['dead-letter', 'stream-batch', 'unknown']),
  reason: z.string(),
  sentAt: nullableTime,
  ageSeconds: z.number().nonnegative().nullable(),
  receiveCount: z.number().int().nonnegative().nullable(),
  /** The record as it came (dead-letter), else null. */
  payload: z.string().nullable(),
  rejection: z.object({ field: z.string(), value: z.string(), reason: z.string() }).nullable(),
  source: z.record(z.string(), z.string()).nullable(),
  batch: StreamBatchSchema.nullable(),
  /** The message body as stored, for `dlq show`. */
  body: z.string(),
});
export type DlqMessage = z.infer<typeof DlqMessageSchema>;

export const REPLAY_OUTCOMES = ['replayed', 'failed-again', 'expired', 'unreadable'] as const;
export type ReplayOutcome = (typeof REPLAY_OUTCOMES)[number];

export const ReplayItemSchema = z.object({
  messageId: z.string(),
  outcome: z.enum(REPLAY_OUTCOMES),
  /** Records put back into the stream for this message. */
  recordsSent: z.number().int().nonnegative(),
  /** Why it stayed in the queue, or what was re-sent. */
  detail: z.string(),
  /** Deleted from the queue (only after every record of it was re-sent). */
  deleted: z.boolean(),
});
export type ReplayItem = z.infer<typeof ReplayItemSchema>;

export const ReplayResultSchema = z.object({
  queue: z.enum(QUEUE_NAMES),
  received: z.number().int().nonnegative(),
  replayed: z.number().int().nonnegative(),
  failedAgain: z.number().int().nonnegative(),
  expired: z.number().int().nonnegative(),
  unreadable: z.number().int().nonnegative(),
  recordsSent: z.number().int().nonnegative(),
  /** Messages left in the queue. */
  kept: z.number().int().nonnegative(),
  items: z.array(ReplayItemSchema),
});
export type ReplayResult = z.infer<typeof ReplayResultSchema>;

export const PurgeResultSchema = z.object({
  queue: z.enum(QUEUE_NAMES),
  url: z.string(),
  /** Messages in the queue just before the purge (approximate on AWS). */
  purged: z.number().int().nonnegative(),
});
export type PurgeResult = z.infer<typeof PurgeResultSchema>;

export const SubscribeResultSchema = z.object({
  topic: z.enum(['alerts', 'ops']),
  topicArn: z.string(),
  protocol: z.literal('email'),
  endpoint: z.string(),
  subscriptionArn: z.string().nullable(),
  pendingConfirmation: z.boolean(),
  message: z.string(),
});
export type SubscribeResult = z.infer<typeof SubscribeResultSchema>;

export const ReportFileSchema = z.object({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  format: z.enum(['html', 'json']),
  key: z.string(),
  /** s3://bucket/key on AWS, the file path locally. */
  location: z.string(),
  bytes: z.number().int().nonnegative(),
  /** Where `--out` wrote it; null when printed. */
  savedTo: z.string().nullable(),
});
export type ReportFile = z.infer<typeof ReportFileSchema>;

export const ReportTotalsSchema = z.object({
  symbols: z.number().int().nonnegative(),
  ticks: z.number().int().nonnegative(),
  alerts: z.number().int().nonnegative(),
  buy: z.number().int().nonnegative(),
  sell: z.number().int().nonnegative(),
  /** Alerts claimed but never sent; 0 in reports stored before they were counted apart. */
  pending: z.number().int().nonnegative().default(0),
  anomalies: z.number().int().nonnegative(),
  /** Ticks the analysis did not fold in order (late, duplicate); 0 in reports stored before they were counted. */
  lateTicks: z.number().int().nonnegative().default(0),
  duplicateTicks: z.number().int().nonnegative().default(0),
});

/** `stockpipe report get --json`: the day's summary (what the report mail says) and the files read or saved. */
export const ReportGetResultSchema = z.object({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  subject: z.string(),
  summary: z.string(),
  totals: ReportTotalsSchema,
  /** The JSON report read (savedTo set when --out named a .json file), and the HTML page when saved. */
  files: z.array(ReportFileSchema).min(1),
});
export type ReportGetResult = z.infer<typeof ReportGetResultSchema>;

export * from './types-signals';
