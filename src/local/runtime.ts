/**
 * The whole pipeline on one machine: `startLocalPipeline` starts the emulators (in memory, or on disk
 * under the data dir with `persist`; the S3 lake is always under the data dir so `stockpipe query`
 * finds it after a run), creates the stream, tables, bucket and queues, and wires the unchanged
 * handlers to them through the local Kinesis mapping, the local DynamoDB stream and, when asked, the
 * local schedule that invokes the producer. `drain()` waits until both streams are consumed;
 * `stop()` delivers what was read, keeps what must survive a restart, and shuts everything down.
 *
 * Without `persist`, every start begins with an empty lake and outbox (the previous run's are cleared
 * then, not at exit, so they stay queryable after the run).
 */
import type { DynamoDBRecord } from 'aws-lambda';
import type { OutboxMessage } from '../adapters/local/outbox-notifier';
import type { CsvRejection } from '../producer/csv';
import { runProducer, type ProducerResult } from '../producer/produce';
import { makeProducerHandler } from '../producer/producer-handler';
import type { QuoteSource } from '../producer/quote-source';
import { createClients, type AwsClients } from '../shared/clients';
import { ATTR, DEFAULTS } from '../shared/names';
import { FileCheckpointStore, MemoryCheckpointStore } from './checkpoints';
import { zeroCounters, type PipelineCounters } from './counters';
import {
  dataDirLayout,
  ensureDataDir,
  readJsonFile,
  resetRunData,
  stateFile,
  writeJsonFile,
  type DataDirLayout,
} from './data-dir';
import { DynamoDbEventSource } from './dynamodb-event-source';
import { LocalDynamoDbStream } from './dynamodb-stream';
import { startEmulators, type EmulatedService } from './emulators';
import { deadLetterCsvRows, localEnvironment } from './environment';
import { createLocalFunctions } from './functions';
import { KinesisEventSource } from './kinesis-event-source';
import { localFunctionArn, sqsOnFailureDestination } from './on-failure';
import { CountingTickSink, LatencyTracker } from './producer-sink';
import { provisionLocalResources, type LocalResources } from './provision';
import { acquireRuntimeLock } from './runtime-lock';
import { RuntimeLog, type LogEntry } from './runtime-log';
import { EVERY_MINUTE, LocalSchedule, ScaledClock, ScheduleStateFile } from './schedule';
import { Sleeper } from './sleeper';

/** Names of the local functions, as they appear in ARNs of on-failure records. */
export const LOCAL_FUNCTION = {
  producer: 'stockpipe-producer',
  processing: 'stockpipe-processing',
  analysis: 'stockpipe-analysis',
} as const;

export interface MappingSettings {
  /** @default 100, as the stack */
  readonly batchSize?: number;
  /** Kinesis batching window. @default 500 (the stack uses 5 s; locally a demo should not wait) */
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

class StopRequested extends Error {
  override readonly name = 'StopRequested';
}

export async function startLocalPipeline(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  if (options.schedule && !options.producer) throw new Error('the local schedule needs a producer (options.producer)');
  const layout = dataDirLayout(options.dataDir);
  ensureDataDir(layout);
  const persist = options.persist ?? false;
  const lock = acquireRuntimeLock(layout, { command: options.command ?? 'runtime', persist });
  const cleanups: (() => Promise<void> | void)[] = [() => lock.release()];
  try {
    if (!persist) resetRunData(layout);
    const log = new RuntimeLog(layout.logs, options.onLog);
    const emulators = await startEmulators({
      ...(persist ? { persistDir: layout.emulators } : {}),
      s3Dir: layout.lake,
      ...(options.ports ? { ports: options.ports } : {}),
      ...(options.host ? { host: options.host } : {}),
    });
    cleanups.unshift(() => emulators.stop());
    const clients = createClients({ endpoints: emulators.endpoints, sqsQueryProtocol: true });
    cleanups.unshift(() => clients.destroy());
    const resources = await provisionLocalResources(clients, { shardCount: options.shardCount ?? 2 });
    const counters = zeroCounters();
    const latency = options.measureLatency ? new LatencyTracker() : undefined;

    const stream = new LocalDynamoDbStream({
      tableName: resources.priceTable,
      keySchema: { hash: ATTR.symbol, range: ATTR.timestamp },
      region: resources.region,
      accountId: resources.accountId,
    });
    const pendingFile = stateFile(layout, 'dynamodb-stream-pending');
    if (persist) stream.restore(readJsonFile<DynamoDBRecord[]>(pendingFile) ?? []);

    const functions = createLocalFunctions({
      endpoints: emulators.endpoints,
      resources,
      outboxDir: layout.outbox,
      stream,
      counters,
      log,
      onAlert: (message) => {
        latency?.alerted(message.alert);
        options.onAlert?.(message);
      },
    });
    cleanups.unshift(() => functions.destroy());

    const mapping = options.mapping ?? {};
    const policy = { maxRetryAttempts: mapping.maxRetryAttempts ?? 3 };
    const arn = (name: string) => localFunctionArn(resources.region, resources.accountId, name);
    const kinesisSource = new KinesisEventSource({
      kinesis: clients.kinesis,
      streamName: resources.streamName,
      handler: functions.processing,
      functionArn: arn(LOCAL_FUNCTION.processing),
      onFailure: sqsOnFailureDestination(clients.sqs, resources.processingDlqUrl),
      batchSize: mapping.batchSize ?? 100,
      batchingWindowMs: mapping.batchingWindowMs ?? 500,
      policy,
      checkpoints: persist ? new FileCheckpointStore(stateFile(layout, 'checkpoints')) : new MemoryCheckpointStore(),
      onBatch: (_shard, result, batch) => functions.onProcessingBatch(result, batch),
      onError: (error, shardId) => log.error('kinesis mapping error', error, { shardId }),
    });
    const streamSource = new DynamoDbEventSource({
      stream,
      handler: functions.analysis,
      functionArn: arn(LOCAL_FUNCTION.analysis),
      onFailure: sqsOnFailureDestination(clients.sqs, resources.analysisDlqUrl),
      batchSize: mapping.batchSize ?? 100,
      policy,
      onError: (error, shardId) => log.error('dynamodb stream mapping error', error, { shardId }),
    });
    await kinesisSource.start();
    streamSource.start();

    const producerSink = new CountingTickSink(clients.kinesis, resources.streamName, (ticks, startedAt) => {
      counters.samples++;
      counters.produced += ticks.length;
      latency?.wrote(ticks, startedAt);
    });
    const cadenceSeconds = options.producer?.cadenceSeconds ?? DEFAULTS.cadenceSeconds;
    const stopping = new Sleeper();
    let stopped = false;

    let schedule: LocalSchedule | undefined;
    if (options.schedule) {
      const producer = options.producer!;
      const clock = new ScaledClock(options.schedule.speed);
      // The schedule invokes the producer function's own factory (free of Powertools, see
      // src/producer/producer-handler.ts); its waits between samples run on the scaled clock, and a
      // stop cuts the wait and ends the invocation.
      const invoke = makeProducerHandler({
        source: producer.source,
        sink: producerSink,
        symbols: producer.symbols,
        cadenceSeconds,
        now: () => clock.now(),
        sleep: async (ms) => {
          await stopping.sleep(clock.realMs(ms));
          if (stopped) throw new StopRequested('the pipeline is stopping');
        },
      });
      schedule = new LocalSchedule({
        state: new ScheduleStateFile(stateFile(layout, 'schedule')),
        clock,
        ...(options.schedule.pattern ? { pattern: options.schedule.pattern } : {}),
        invoke: async () => {
          await invoke();
        },
        onError: (error) => {
          if (!(error instanceof StopRequested)) log.error('producer invocation failed', error, { source: producer.source.name });
        },
      });
      schedule.start();
    }

    lock.update({
      endpoints: emulators.endpoints,
      ...(options.schedule
        ? { schedule: { speed: options.schedule.speed, pattern: options.schedule.pattern ?? EVERY_MINUTE } }
        : {}),
    });
    log.info('pipeline started', { persist, endpoints: emulators.endpoints, command: options.command });

    const pipeline: LocalPipeline = {
      layout,
      endpoints: emulators.endpoints,
      resources,
      clients,
      schedule,
      log,
      counters: () => ({
        ...counters,
        processingFailed: kinesisSource.stats.failed,
        deadLettered: counters.rejectedAtSource + counters.invalid + kinesisSource.stats.failed,
        streamRecords: stream.appended,
        analysed: streamSource.stats.succeeded,
        analysisFailed: streamSource.stats.failed,
      }),
      latency: () => latency?.summary(),
      async produce(run = {}) {
        const producer = options.producer;
        if (!producer) throw new Error('this pipeline was started without a producer (options.producer)');
        return runProducer({
          source: producer.source,
          sink: producerSink,
          symbols: producer.symbols,
          samples: run.samples ?? Number.MAX_SAFE_INTEGER,
          cadenceMs: run.cadenceMs ?? 0,
          sleep: async (ms) => {
            await stopping.sleep(ms);
            if (stopped) throw new StopRequested('the pipeline is stopping');
          },
          ...(run.onSample ? { onSample: run.onSample } : {}),
        });
      },
      async deadLetterRows(rejections, file) {
        await deadLetterCsvRows(clients.sqs, resources.invalidQueueUrl, rejections, file);
        counters.rejectedAtSource += rejections.length;
      },
      environment: () => localEnvironment(resources, emulators.endpoints),
      async drain(timeoutMs = 60_000) {
        await kinesisSource.drain(timeoutMs);
        await streamSource.drain(timeoutMs);
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        stopping.wakeAll();
        await schedule?.stop();
        // What is already in the streams is taken in before the stop, within a short deadline (a
        // Ctrl-C must not hang); what is left then stays in a persisted stream for the next start.
        await kinesisSource
          .drain(1500)
          .catch(() => log.warn('stopped before the Kinesis stream was drained', { read: kinesisSource.stats.read }));
        await kinesisSource.stop();
        await streamSource
          .drain(1000)
          .catch(() => log.warn('stopped before the DynamoDB stream was drained', { pending: stream.pending() }));
        await streamSource.stop();
        // Records the analysis could not take before the stop wait for the next start of a persisted runtime.
        if (persist) writeJsonFile(pendingFile, stream.snapshot());
        log.info('pipeline stopped', { counters: pipeline.counters() });
        for (const cleanup of cleanups) await cleanup();
      },
    };
    return pipeline;
  } catch (error) {
    for (const cleanup of cleanups) await cleanup();
    throw error;
  }
}
