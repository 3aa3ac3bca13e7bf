/**
 * The record a Lambda event-source mapping sends to its on-failure destination when it gives up on a
 * batch, in the shape AWS documents (requestContext, responseContext, KinesisBatchInfo or
 * DDBStreamBatchInfo: shard, first and last sequence numbers, batch size). AWS's record says only
 * `condition`; the local one adds `reason`, the error or failure report that exhausted the retries,
 * which is what `stockpipe dlq` shows. Like AWS's, it carries no record data: the records stay in
 * the stream, addressed by shard and sequence range.
 */
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FailedBatch } from './stream-delivery';

export interface StreamBatchInfo {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly approximateArrivalOfFirstRecord: string;
  readonly approximateArrivalOfLastRecord: string;
  readonly batchSize: number;
  readonly streamArn: string;
}

export interface OnFailureRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: 'RetryAttemptsExhausted';
    readonly approximateInvokeCount: number;
  };
  readonly responseContext: {
    readonly statusCode: number;
    readonly executedVersion: string;
    readonly functionError?: 'Unhandled';
  };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly KinesisBatchInfo?: StreamBatchInfo;
  readonly DDBStreamBatchInfo?: StreamBatchInfo;
  readonly reason: string;
}

export function buildOnFailureRecord(
  source: 'kinesis' | 'dynamodb',
  functionArn: string,
  info: StreamBatchInfo,
  failed: Pick<FailedBatch<unknown>, 'attempts' | 'cause' | 'reason'>,
  now: Date = new Date(),
): OnFailureRecord {
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: failed.attempts,
    },
    responseContext: {
      statusCode: 200,
      executedVersion: '$LATEST',
      ...(failed.cause === 'function-error' ? { functionError: 'Unhandled' as const } : {}),
    },
    version: '1.0',
    timestamp: now.toISOString(),
    ...(source === 'kinesis' ? { KinesisBatchInfo: info } : { DDBStreamBatchInfo: info }),
    reason: failed.reason,
  };
}

export type OnFailureDestination = (record: OnFailureRecord) => Promise<void>;

/** An SQS queue as on-failure destination; a failed send is retried a few times, then thrown. */
export function sqsOnFailureDestination(sqs: SQSClient, queueUrl: string, attempts = 3): OnFailureDestination {
  return async (record) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: JSON.stringify(record),
            MessageAttributes: { reason: { DataType: 'String', StringValue: record.reason.slice(0, 1024) } },
          }),
        );
        return;
      } catch (error) {
        if (attempt >= attempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  };
}

/** `arn:aws:lambda:<region>:<account>:function:<name>` of a local function. */
export const localFunctionArn = (region: string, accountId: string, name: string): string =>
  `arn:aws:lambda:${region}:${accountId}:function:${name}`;
