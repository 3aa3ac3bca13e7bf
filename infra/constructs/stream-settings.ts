/** Failure handling shared by the two stream-driven functions (Kinesis -> processing, DynamoDB stream -> analysis). */
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { StreamEventSourceProps } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';

export interface StreamSettings {
  /** @default 100 */
  readonly batchSize?: number;
  /** @default 5 */
  readonly batchingWindowSeconds?: number;
  /** Retries of a failing batch, never infinite. @default 3 */
  readonly retryAttempts?: number;
  /** @default 3600 */
  readonly maxRecordAgeSeconds?: number;
  /** @default 1 */
  readonly parallelizationFactor?: number;
}

/**
 * Event-source settings: read from the oldest record, report per-record failures, split a failing
 * batch to isolate the bad record, retry a bounded number of times, then hand the batch's
 * coordinates to the on-failure queue rather than blocking the shard forever.
 */
export const streamSourceProps = (settings: StreamSettings, onFailure: sqs.IQueue): StreamEventSourceProps => ({
  startingPosition: lambda.StartingPosition.TRIM_HORIZON,
  batchSize: settings.batchSize ?? 100,
  maxBatchingWindow: Duration.seconds(settings.batchingWindowSeconds ?? 5),
  bisectBatchOnError: true,
  reportBatchItemFailures: true,
  retryAttempts: settings.retryAttempts ?? 3,
  maxRecordAge: Duration.seconds(settings.maxRecordAgeSeconds ?? 3600),
  parallelizationFactor: settings.parallelizationFactor ?? 1,
  onFailure: new SqsDlq(onFailure),
});
