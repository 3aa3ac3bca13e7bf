/** What the embedded local runtime takes and what it gives back (src/local/runtime.ts wires it). */
import type { RequestTally } from './functions/request-tally';
import type { OutboxMessage } from '../adapters/local/outbox-notifier';
import type { CsvRejection } from '../producer/csv';
import type { ProducerResult } from '../producer/produce';
import type { QuoteSource } from '../core/ports-quotes';
import type { AwsClients } from '../shared/clients';
import type { PipelineCounters } from './functions/counters';
import type { DataDirLayout } from './data-dir';
import type { EmulatedService } from './emulators/emulators';
import type { LocalResources } from './emulators/provision';
import type { LogEntry, RuntimeLog } from './runtime-log';
import type { LocalSchedule } from './schedule/schedule';

/** Names of the local functions, as they appear in ARNs of on-failure records. */
export const LOCAL_FUNCTION = {
  producer: 'stockpipe-producer',
  processing: 'stockpipe-processing',
  analysis: 'stockpipe-analysis',
} as const;

export interface MappingSettings {
  /** @default 100, as the stack */
  readonly batchSize?: number;
  /** Batching window of both mappings (Kinesis and the DynamoDB stream), as the stack. @default 500 (the stack uses 5 s; locally a demo should not wait) */
  readonly batchingWindowMs?: number;
  /** @default 3, as the stack */
  readonly maxRetryAttempts?: number;
}

export interface LocalPipelineOptions {
  /** @default '.stockpipe' */
  readonly dataDir?: string;
  /** Keep stream, tables and checkpoints on disk under the data dir. @default false */
  readonly persist?: boolean;
  /** Fixed loopback ports (`stockpipe up --expose`); free ports when unset. */
  readonly ports?: Partial<Record<EmulatedService, number>>;
  readonly host?: string;
  /** Names the command in the data dir's lock file. */
  readonly command?: string;
  /** The producer: what `produce()` and the schedule invoke. */
  readonly producer?: { readonly source: QuoteSource; readonly symbols: readonly string[]; readonly cadenceSeconds?: number };
  /** Runs the schedule (needs `producer`): `speed` times real time, EventBridge's rate(1 minute) by default. */
  readonly schedule?: { readonly speed: number; readonly pattern?: string };
  readonly mapping?: MappingSettings;
  /** @default 2 */
  readonly shardCount?: number;
  readonly onAlert?: (message: OutboxMessage) => void;
  /** Warnings and errors of the runtime (also in `<data-dir>/logs/`). */
  readonly onLog?: (entry: LogEntry) => void;
  /** Keep tick-to-alert times (the benchmark does). @default false */
  readonly measureLatency?: boolean;
  /** Counts the functions' SDK requests by service and operation (the benchmark does). */
  readonly requests?: RequestTally;
}

export interface LocalPipeline {
  readonly layout: DataDirLayout;
  readonly endpoints: Readonly<Record<EmulatedService, string>>;
  readonly resources: LocalResources;
  /** Plain clients to look at the local resources (not the functions' own). */
  readonly clients: AwsClients;
  readonly schedule: LocalSchedule | undefined;
  readonly log: RuntimeLog;
  counters(): PipelineCounters;
  latency(): { count: number; p50Ms: number; p99Ms: number } | undefined;
  /**
   * Runs the producer for `samples` samples (until the source is exhausted when unset), `cadenceMs`
   * of real time apart (default 0: as fast as the stream takes them).
   */
  produce(options?: {
    samples?: number;
    cadenceMs?: number;
    onSample?: (sample: { index: number; ticks: number }) => void;
  }): Promise<ProducerResult>;
  /** Sends rows a CSV parse refused to the invalid-records queue, each with its line number and reason. */
  deadLetterRows(rejections: readonly CsvRejection[], file: string): Promise<void>;
  /** The functions' environment (ENV names -> values) plus the SDK's AWS_ENDPOINT_URL_* for the emulators. */
  environment(): Record<string, string>;
  drain(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}
