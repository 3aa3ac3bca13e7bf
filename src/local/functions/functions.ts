/**
 * The pipeline's functions as the local runtime runs them: the unchanged handler factories
 * (makeProcessingHandler, makeAnalysisHandler) with the same AWS adapters as in Lambda, each function
 * with clients of its own (as separate Lambdas have), except that alerts go to the local outbox
 * instead of SNS. Around them, the bookkeeping of the counters.
 */
import type {
  DynamoDBBatchResponse,
  DynamoDBStreamEvent,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from 'aws-lambda';
import { OutboxNotifier, type OutboxMessage } from '../../adapters/local/outbox-notifier';
import { DynamoDbAlertLedger } from '../../adapters/aws/dynamodb-alert-ledger';
import { resolvePendingAlerts, type PendingResolution } from '../../analysis/resolve-pending';
import { makeAnalysisHandler } from '../../analysis/analyse-batch';
import { analysisDependencies } from '../../analysis/dependencies';
import type { DeadLetter, DeadLetterSink } from '../../core/ports';
import { processingDependencies } from '../../processing/dependencies';
import { makeProcessingHandler } from '../../processing/process-batch';
import { createClients, type AwsClients, type ServiceName } from '../../shared/clients';
import { DEFAULTS } from '../../shared/names';
import { countCommands, dynamoDbReads, type MutableCounters } from './counters';
import type { RequestTally } from './request-tally';
import type { LocalDynamoDbStream } from '../emulators/dynamodb-stream';
import { captureTableWrites } from '../emulators/dynamodb-stream-capture';
import type { LocalResources } from '../emulators/provision';
import type { RuntimeLog } from '../runtime-log';
import type { DeliveryResult } from '../mappings/stream-delivery';

export interface LocalFunctionsOptions {
  readonly endpoints: Partial<Record<ServiceName, string>>;
  readonly resources: LocalResources;
  readonly outboxDir: string;
  readonly stream: LocalDynamoDbStream;
  readonly counters: MutableCounters;
  readonly log: RuntimeLog;
  readonly onAlert?: (message: OutboxMessage) => void;
  /** @default DEFAULTS.ttlDays */
  readonly ttlDays?: number;
  /** Counts the functions' SDK requests by service and operation. */
  readonly requests?: RequestTally;
}

export interface LocalFunctions {
  readonly processing: (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse>;
  readonly analysis: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;
  /** The Kinesis mapping finished a batch: count each of its finished records once. */
  readonly onProcessingBatch: (result: DeliveryResult<KinesisStreamRecord>, batch: readonly KinesisStreamRecord[]) => void;
  /** Sends and marks the alerts left PENDING (resolve-pending.ts); `force` also takes live claims. */
  readonly resolvePendingAlerts: (options?: { force?: boolean }) => Promise<PendingResolution>;
  destroy(): void;
}

/** Remembers which records the processing function dead-lettered as invalid, by sequence number. */
class TrackingDeadLetterSink implements DeadLetterSink {
  readonly sequences = new Set<string>();

  constructor(private readonly inner: DeadLetterSink) {}

  async send(letters: readonly DeadLetter[]): Promise<void> {
    await this.inner.send(letters);
    for (const letter of letters) if (letter.source.sequenceNumber) this.sequences.add(letter.source.sequenceNumber);
  }
}

export function createLocalFunctions(options: LocalFunctionsOptions): LocalFunctions {
  const { resources, counters, log } = options;
  const clientsFor = (): AwsClients =>
    createClients({ endpoints: options.endpoints, sqsQueryProtocol: true, region: resources.region });

  const tally = (clients: AwsClients, caller: string) => {
    if (!options.requests) return;
    options.requests.attach(clients.s3.middlewareStack, caller, 'S3');
    options.requests.attach(clients.dynamodb.middlewareStack, caller, 'DynamoDB');
    options.requests.attach(clients.sqs.middlewareStack, caller, 'SQS');
    options.requests.attach(clients.sns.middlewareStack, caller, 'SNS');
  };

  const processingClients = clientsFor();
  tally(processingClients, 'processing');
  captureTableWrites(processingClients.dynamodb, options.stream);
  countCommands(processingClients.s3.middlewareStack, 'stockpipeCountPuts', (command) => {
    if (command === 'PutObjectCommand') counters.s3Puts++;
  });
  const processingDeps = processingDependencies(processingClients, resources, { ttlDays: options.ttlDays ?? DEFAULTS.ttlDays });
  const invalid = new TrackingDeadLetterSink(processingDeps.invalidRecords);
  const processing = makeProcessingHandler({
    ...processingDeps,
    invalidRecords: invalid,
    observe: (outcome) => {
      counters.s3Objects += outcome.objectsWritten;
      if (outcome.failed > 0) log.warn('processing reported failed records', { failed: outcome.failed, errors: outcome.errors });
    },
  });

  const analysisClients = clientsFor();
  tally(analysisClients, 'analysis');
  countCommands(analysisClients.dynamodb.middlewareStack, 'stockpipeCountReads', (command, input) => {
    counters.analysisReads += dynamoDbReads(command, input);
  });
  const notifier = new OutboxNotifier(options.outboxDir, {
    onPublish: (message) => {
      counters.alerts++;
      log.info('alert published', { alert: message.alert });
      options.onAlert?.(message);
    },
  });
  const ledger = new DynamoDbAlertLedger(analysisClients.documents, resources.alertTable);
  const analysis = makeAnalysisHandler(
    analysisDependencies(analysisClients, resources, {
      notifier,
      ledger,
      observe: (outcome) => {
        counters.lateTicks += outcome.late;
        counters.duplicateTicks += outcome.duplicates;
        if (outcome.skippedTicks.length > 0) log.warn('ticks not folded in order', { skipped: outcome.skippedTicks });
        if (outcome.deadLettered > 0) log.warn('analysis dead-lettered stream records', { count: outcome.deadLettered });
        if (outcome.failed > 0) log.warn('analysis reported failed records', { failed: outcome.failed, errors: outcome.errors });
      },
    }),
  );

  return {
    processing,
    analysis,
    onProcessingBatch(result, batch) {
      for (const record of result.succeededRecords) {
        if (invalid.sequences.has(record.kinesis.sequenceNumber)) counters.invalid++;
        else counters.processed++;
      }
      for (const record of batch) invalid.sequences.delete(record.kinesis.sequenceNumber);
    },
    resolvePendingAlerts: (resolveOptions = {}) =>
      resolvePendingAlerts({ pending: () => ledger.pending(), ledger, notifier }, resolveOptions),
    destroy() {
      processingClients.destroy();
      analysisClients.destroy();
    },
  };
}
