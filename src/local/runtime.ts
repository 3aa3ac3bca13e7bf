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
import type { DeadLetter } from '../core/ports';
import { SqsDeadLetterSink } from '../adapters/aws/sqs-dead-letter-sink';
import { runProducer } from '../producer/produce';
import { createClients } from '../shared/clients';
import { DEFAULTS } from '../shared/names';
import { writeAnalysisRecords } from './analysis-records';
import { FileCheckpointStore, MemoryCheckpointStore } from './mappings/checkpoints';
import { zeroCounters } from './functions/counters';
import { dataDirLayout, ensureDataDir, resetRunData, stateFile } from './data-dir';
import { DynamoDbEventSource } from './mappings/dynamodb-event-source';
import { startEmulatorThread } from './emulators/emulator-thread';
import { openPriceStream } from './emulators/price-stream';
import { deadLetterCsvRows, localEnvironment } from './functions/environment';
import { createLocalFunctions } from './functions/functions';
import { KinesisEventSource } from './mappings/kinesis-event-source';
import { localFunctionArn, sqsOnFailureDestination } from './mappings/on-failure';
import { CountingTickSink, LatencyTracker } from './functions/producer-sink';
import { provisionLocalResources } from './emulators/provision';
import { acquireRuntimeLock } from './runtime-lock';
import { RuntimeLog } from './runtime-log';
import { onLastResort } from './last-resort';
import { startProducerSchedule, stoppableSleep } from './schedule/producer-schedule';
import { EVERY_MINUTE, type LocalSchedule } from './schedule/schedule';
import { Sleeper } from './schedule/sleeper';

import { LOCAL_FUNCTION, type LocalPipeline, type LocalPipelineOptions } from './pipeline-contract';
import { STREAM_MAPPING_DEFAULTS } from '../shared/stream-settings';

export { LOCAL_FUNCTION, type LocalPipeline, type LocalPipelineOptions, type MappingSettings } from './pipeline-contract';

/** How often a running local pipeline looks for PENDING alerts whose claim ran out. */
const PENDING_SWEEP_MS = 60_000;

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
    cleanups.push(
      onLastResort((error) => {
        log.error('fatal: the process stops on an error nothing handled', error, { command: options.command });
        lock.release();
      }),
    );
    const emulators = await startEmulatorThread({
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

    const stream = await openPriceStream({ persist, layout, resources, clients, log });

    const functions = createLocalFunctions({
      endpoints: emulators.endpoints,
      resources,
      outboxDir: layout.outbox,
      stream,
      counters,
      log,
      ...(options.requests ? { requests: options.requests } : {}),
      onAlert: (message) => {
        latency?.alerted(message.alert);
        options.onAlert?.(message);
      },
    });
    cleanups.unshift(() => functions.destroy());

    const mapping = options.mapping ?? {};
    const policy = { maxRetryAttempts: mapping.maxRetryAttempts ?? STREAM_MAPPING_DEFAULTS.retryAttempts };
    const arn = (name: string) => localFunctionArn(resources.region, resources.accountId, name);
    const kinesisSource = new KinesisEventSource({
      kinesis: clients.kinesis,
      streamName: resources.streamName,
      handler: functions.processing,
      functionArn: arn(LOCAL_FUNCTION.processing),
      onFailure: sqsOnFailureDestination(clients.sqs, resources.processingDlqUrl),
      batchSize: mapping.batchSize ?? STREAM_MAPPING_DEFAULTS.batchSize,
      batchingWindowMs: mapping.batchingWindowMs ?? STREAM_MAPPING_DEFAULTS.localBatchingWindowMs,
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
      batchSize: mapping.batchSize ?? STREAM_MAPPING_DEFAULTS.batchSize,
      batchingWindowMs: mapping.batchingWindowMs ?? STREAM_MAPPING_DEFAULTS.localBatchingWindowMs,
      policy,
      onError: (error, shardId) => log.error('dynamodb stream mapping error', error, { shardId }),
    });
    // No alert left behind: what a killed process left PENDING is sent (or, found in the outbox,
    // marked) before anything else runs; no other process can hold a claim under the data-dir lock.
    const resolvePending = async (force: boolean) => {
      const r = await functions.resolvePendingAlerts({ force });
      if (r.published + r.markedOnly + r.failed.length > 0) {
        log.info('PENDING alerts resolved', { published: r.published, markedOnly: r.markedOnly, failed: r.failed.length });
      }
      for (const f of r.failed) log.warn('a PENDING alert could not be resolved', { alert: f.alert, error: f.reason });
    };
    if (persist) await resolvePending(true);
    // And on a schedule, for claims whose lease ran out while running.
    const pendingSweep = setInterval(() => {
      resolvePending(false).catch((error: unknown) => log.error('PENDING alert sweep failed', error));
    }, PENDING_SWEEP_MS);
    pendingSweep.unref();
    cleanups.unshift(() => clearInterval(pendingSweep));
    await kinesisSource.start();
    streamSource.start();

    const producerSink = new CountingTickSink(clients.kinesis, resources.streamName, (ticks, startedAt) => {
      counters.samples++;
      counters.produced += ticks.length;
      latency?.wrote(ticks, startedAt);
      kinesisSource.nudge();
    });
    const cadenceSeconds = options.producer?.cadenceSeconds ?? DEFAULTS.cadenceSeconds;
    const stopping = new Sleeper();
    let stopped = false;

    let schedule: LocalSchedule | undefined;
    // A quote the tick schema refuses goes, with its reason, where processing sends invalid records,
    // and counts as a record refused at the source (records in = processed + dead-lettered).
    const invalidQueue = new SqsDeadLetterSink(clients.sqs, resources.invalidQueueUrl);
    const refusedQuotes = {
      send: async (letters: readonly DeadLetter[]) => {
        await invalidQueue.send(letters);
        counters.rejectedAtSource += letters.length;
      },
    };
    if (options.schedule) {
      const producer = options.producer!;
      schedule = startProducerSchedule({
        producer: {
          source: producer.source,
          sink: producerSink,
          invalidRecords: refusedQuotes,
          symbols: producer.symbols,
          cadenceSeconds,
        },
        speed: options.schedule.speed,
        ...(options.schedule.pattern ? { pattern: options.schedule.pattern } : {}),
        stateFile: stateFile(layout, 'schedule'),
        stopping,
        isStopped: () => stopped,
        onError: (error) => log.error('producer invocation failed', error, { source: producer.source.name }),
      });
    }

    lock.update({
      endpoints: emulators.endpoints,
      ...(options.schedule
        ? { schedule: { speed: options.schedule.speed, pattern: options.schedule.pattern ?? EVERY_MINUTE } }
        : {}),
    });
    log.info('pipeline started', {
      persist,
      endpoints: emulators.endpoints,
      emulatorsInWorker: emulators.inWorker,
      command: options.command,
    });

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
          invalidRecords: refusedQuotes,
          symbols: producer.symbols,
          samples: run.samples ?? Number.MAX_SAFE_INTEGER,
          cadenceMs: run.cadenceMs ?? 0,
          sleep: stoppableSleep(stopping, () => stopped),
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
        if (persist) stream.compactJournal();
        await writeAnalysisRecords(clients, resources, layout, log);
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
