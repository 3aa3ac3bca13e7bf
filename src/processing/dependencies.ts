/** The processing function's adapters, built alike for the Lambda and the local runtime. */
import { DynamoDbPriceStore } from '../adapters/aws/dynamodb-price-store';
import { S3RawArchive } from '../adapters/aws/s3-raw-archive';
import { SqsDeadLetterSink } from '../adapters/aws/sqs-dead-letter-sink';
import type { AwsClients } from '../shared/clients';
import type { PipelineResources, PipelineSettings } from '../shared/config';
import type { ProcessingDeps } from './process-batch';

export const PROCESSING_RESOURCES = ['rawBucket', 'priceTable', 'invalidQueueUrl'] as const;

export type ProcessingResources = Pick<PipelineResources, (typeof PROCESSING_RESOURCES)[number]>;

/** `overrides` replaces single dependencies (the local runtime's counting sink, an observer). */
export function processingDependencies(
  clients: Pick<AwsClients, 's3' | 'documents' | 'sqs'>,
  resources: ProcessingResources,
  settings: Pick<PipelineSettings, 'ttlDays'>,
  overrides: Partial<ProcessingDeps> = {},
): ProcessingDeps {
  return {
    archive: overrides.archive ?? new S3RawArchive(clients.s3, resources.rawBucket),
    prices: overrides.prices ?? new DynamoDbPriceStore(clients.documents, resources.priceTable, settings.ttlDays),
    invalidRecords: overrides.invalidRecords ?? new SqsDeadLetterSink(clients.sqs, resources.invalidQueueUrl),
    ...(overrides.observe ? { observe: overrides.observe } : {}),
  };
}
