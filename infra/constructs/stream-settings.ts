/** Failure handling shared by the two stream-driven functions (Kinesis -> processing, DynamoDB stream -> analysis). */
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { StreamEventSourceProps } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { STREAM_MAPPING_DEFAULTS } from '../../src/shared/stream-settings';

export interface StreamSettings {
  /** @default STREAM_MAPPING_DEFAULTS.batchSize (1000) */
  readonly batchSize?: number;
  /** @default STREAM_MAPPING_DEFAULTS.batchingWindowSeconds (5) */
  readonly batchingWindowSeconds?: number;
  /** Retries of a failing batch, never infinite. @default STREAM_MAPPING_DEFAULTS.retryAttempts (3) */
  readonly retryAttempts?: number;
  /** @default STREAM_MAPPING_DEFAULTS.maxRecordAgeSeconds (3600) */
  readonly maxRecordAgeSeconds?: number;
  /** @default STREAM_MAPPING_DEFAULTS.parallelizationFactor (1) */
  readonly parallelizationFactor?: number;
}

/**
 * Event-source settings: read from the oldest record, report per-record failures, split a failing
 * batch to isolate the bad record, retry a bounded number of times, then hand the batch's
 * coordinates to the on-failure queue rather than blocking the shard forever.
 */
export const streamSourceProps = (settings: StreamSettings, onFailure: sqs.IQueue): StreamEventSourceProps => ({
  startingPosition: lambda.StartingPosition.TRIM_HORIZON,
  batchSize: settings.batchSize ?? STREAM_MAPPING_DEFAULTS.batchSize,
  maxBatchingWindow: Duration.seconds(settings.batchingWindowSeconds ?? STREAM_MAPPING_DEFAULTS.batchingWindowSeconds),
  bisectBatchOnError: true,
  reportBatchItemFailures: true,
  retryAttempts: settings.retryAttempts ?? STREAM_MAPPING_DEFAULTS.retryAttempts,
  maxRecordAge: Duration.seconds(settings.maxRecordAgeSeconds ?? STREAM_MAPPING_DEFAULTS.maxRecordAgeSeconds),
  parallelizationFactor: settings.parallelizationFactor ?? STREAM_MAPPING_DEFAULTS.parallelizationFactor,
  onFailure: new SqsDlq(onFailure),
});
