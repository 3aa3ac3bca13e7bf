/**
 * The event-source mapping settings of the two stream-driven functions (Kinesis -> processing,
 * DynamoDB stream -> analysis), written once: the stack (infra/config.ts, infra/constructs/stream-settings.ts),
 * the local runtime's mappings and the docs' table take their defaults from here.
 */
export interface StreamMappingDefaults {
  /** Records per invocation (Lambda: BatchSize). */
  readonly batchSize: number;
  /** Lambda's MaximumBatchingWindowInSeconds in the stack: fewer, fuller batches on AWS. */
  readonly batchingWindowSeconds: number;
  /**
   * The local runtime's batching window: shorter than the stack's so a demo shows alerts at once.
   * Set the stack's value (or 0, the pipeline's own latency) through the runtime's `mapping` option.
   */
  readonly localBatchingWindowMs: number;
  /** Retries of a failing batch before it goes to the on-failure queue, never infinite. */
  readonly retryAttempts: number;
  /** Records older than this go to the on-failure queue without being processed. */
  readonly maxRecordAgeSeconds: number;
  /** Concurrent batches per shard. */
  readonly parallelizationFactor: number;
  /** The local Kinesis mapping polls an idle shard this often at first, backing off to `localMaxPollIntervalMs`. */
  readonly localPollIntervalMs: number;
  readonly localMaxPollIntervalMs: number;
}

export const STREAM_MAPPING_DEFAULTS: StreamMappingDefaults = {
  // Not Lambda's 100: at the stack's steady rate the window, not the size, closes a batch, so the size
  // only matters when a backlog drains (after a stall, a replay): then 1,000 records a batch carry
  // several ticks of each symbol, and the analysis's per-symbol reads and writes serve them all
  // (docs/BENCHMARKS.md: about twice the ticks per second of 100, a tenth of the raw objects).
  batchSize: 1000,
  batchingWindowSeconds: 5,
  localBatchingWindowMs: 500,
  retryAttempts: 3,
  maxRecordAgeSeconds: 3600,
  parallelizationFactor: 1,
  localPollIntervalMs: 25,
  localMaxPollIntervalMs: 250,
};

/** The settings as the rows of docs/ARCHITECTURE.md's table (a test keeps the two equal). */
export function streamSettingsTable(d: StreamMappingDefaults = STREAM_MAPPING_DEFAULTS): string {
  const rows: [string, string, string][] = [
    ['batch size', `${d.batchSize}`, `${d.batchSize}`],
    ['batching window', `${d.batchingWindowSeconds} s`, `${d.localBatchingWindowMs} ms`],
    ['retries of a failing batch', `${d.retryAttempts}`, `${d.retryAttempts}`],
    ['maximum record age', `${d.maxRecordAgeSeconds} s`, 'not enforced'],
    ['parallelization factor', `${d.parallelizationFactor}`, '1 (one reader per shard)'],
    [
      'poll interval of an idle shard',
      "Lambda's own",
      `${d.localPollIntervalMs} ms, backing off to ${d.localMaxPollIntervalMs} ms`,
    ],
  ];
  return ['| setting | stack (AWS) | local runtime |', '|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
