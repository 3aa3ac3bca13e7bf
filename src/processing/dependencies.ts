/** The processing function's adapters, built alike for the Lambda and the local runtime. */
import { DynamoDbPriceStore } from '../adapters/aws/dynamodb-price-store';
import { S3RawArchive } from '../adapters/aws/s3-raw-archive';
import { SqsDeadLetterSink } from '../adapters/aws/sqs-dead-letter-sink';
import type { AwsClients } from '../shared/clients';
import type { PipelineResources, PipelineSettings } from '../shared/config';
import { ENV } from '../shared/names';
import type { ProcessingDeps } from './process-batch';

export const PROCESSING_RESOURCES = ['rawBucket', 'priceTable', 'invalidQueueUrl'] as const;

export type ProcessingResources = Pick<PipelineResources, (typeof PROCESSING_RESOURCES)[number]>;

/**
 * The tolerance for a tick stamped ahead of the clock, from STOCKPIPE_MAX_TICK_AHEAD_SECONDS; unset
 * (as CDK and the local runtime leave it), the processing default of 5 minutes applies.
 */
export function maxAheadMsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env[ENV.maxTickAheadSeconds];
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(
      `${ENV.maxTickAheadSeconds}=${JSON.stringify(text)} must be a number of seconds of at least 0 (how far ahead of the clock a tick may be stamped)`,
    );
  }
  return value * 1000;
}

/** `overrides` replaces single dependencies (the local runtime's counting sink, an observer). */
export function processingDependencies(
  clients: Pick<AwsClients, 's3' | 'documents' | 'sqs'>,
  resources: ProcessingResources,
  settings: Pick<PipelineSettings, 'ttlDays'>,
  overrides: Partial<ProcessingDeps> = {},
): ProcessingDeps {
  const maxAheadMs = overrides.maxAheadMs ?? maxAheadMsFromEnv();
  return {
    archive: overrides.archive ?? new S3RawArchive(clients.s3, resources.rawBucket),
    prices: overrides.prices ?? new DynamoDbPriceStore(clients.documents, resources.priceTable, settings.ttlDays),
    invalidRecords: overrides.invalidRecords ?? new SqsDeadLetterSink(clients.sqs, resources.invalidQueueUrl),
    ...(overrides.observe ? { observe: overrides.observe } : {}),
    ...(overrides.now ? { now: overrides.now } : {}),
    ...(maxAheadMs !== undefined ? { maxAheadMs } : {}),
  };
}
