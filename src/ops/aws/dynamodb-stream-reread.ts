/**
 * Reading a failed DynamoDB-stream batch again (AWS only: the local stream keeps nothing after
 * delivery). A DynamoDB stream keeps records 24 hours; past it the records are gone and the answer
 * says so instead of pretending.
 */
import type { DynamoDBStreamsClient, _Record as DynamoStreamRecord } from '@aws-sdk/client-dynamodb-streams';
import {
  GetRecordsCommand as GetStreamRecordsCommand,
  GetShardIteratorCommand as GetStreamShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { call, type CallContext } from '../call-context';
import { MAX_EMPTY_READS, pastRetention, seq, type StreamRecordsReread } from '../stream-reread';
import type { StreamBatch } from '../types';

export interface DynamoStreamContext extends CallContext {
  readonly clients: { readonly dynamodbStreams: DynamoDBStreamsClient };
  readonly now: () => Date;
}

export const DYNAMODB_STREAM_RETENTION_HOURS = 24;
/** A DynamoDB Streams GetRecords record as the Lambda event carries it (creation time in epoch seconds). */
export function lambdaRecordOf(record: DynamoStreamRecord, streamArn: string): DynamoDBRecord {
  const { ApproximateCreationDateTime, ...rest } = record.dynamodb ?? {};
  const created = ApproximateCreationDateTime instanceof Date ? ApproximateCreationDateTime : undefined;
  return {
    ...(record.eventID ? { eventID: record.eventID } : {}),
    ...(record.eventName ? { eventName: record.eventName } : {}),
    ...(record.eventVersion ? { eventVersion: record.eventVersion } : {}),
    ...(record.eventSource ? { eventSource: record.eventSource } : {}),
    ...(record.awsRegion ? { awsRegion: record.awsRegion } : {}),
    eventSourceARN: streamArn,
    dynamodb: {
      // The SDK's AttributeValue union and Lambda's are the same JSON; only their TypeScript types differ.
      ...(rest as NonNullable<DynamoDBRecord['dynamodb']>),
      ...(created ? { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) } : {}),
    },
  };
}

/** The records of a DynamoDB stream range (GetShardIterator AT_SEQUENCE_NUMBER, then GetRecords to its end). */
export async function rereadDynamoBatch(ctx: DynamoStreamContext, batch: StreamBatch): Promise<StreamRecordsReread> {
  const gone = `the records arrived at ${batch.firstArrival} and a DynamoDB stream keeps records ${DYNAMODB_STREAM_RETENTION_HOURS} h: they are gone from the stream (the price table still holds the items)`;
  if (pastRetention(batch, DYNAMODB_STREAM_RETENTION_HOURS, ctx.now())) return { records: [], problems: [gone], expired: true };
  let iterator: string | undefined;
  try {
    iterator = (
      await ctx.clients.dynamodbStreams.send(
        new GetStreamShardIteratorCommand({
          StreamArn: batch.streamArn,
          ShardId: batch.shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          SequenceNumber: batch.startSequenceNumber,
        }),
      )
    ).ShardIterator;
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (name === 'TrimmedDataAccessException' || name === 'ResourceNotFoundException') {
      return { records: [], problems: [`${name}: ${gone}`], expired: true };
    }
    return call(ctx, `read shard ${batch.shardId} of ${batch.streamArn}`, () => Promise.reject(error));
  }
  const end = seq(batch.endSequenceNumber);
  const records: DynamoStreamRecord[] = [];
  let empty = 0;
  while (iterator && empty < MAX_EMPTY_READS) {
    const current: string = iterator;
    const out = await call(ctx, `read shard ${batch.shardId} of ${batch.streamArn}`, () =>
      ctx.clients.dynamodbStreams.send(new GetStreamRecordsCommand({ ShardIterator: current, Limit: 1000 })),
    );
    const page = out.Records ?? [];
    const inRange = page.filter((r) => seq(r.dynamodb?.SequenceNumber) <= end);
    records.push(...inRange);
    if (inRange.length < page.length) break;
    empty = page.length === 0 ? empty + 1 : 0;
    iterator = out.NextShardIterator;
  }
  if (records.length === 0)
    return { records: [], problems: [`no record of the range was found in shard ${batch.shardId}: ${gone}`], expired: true };
  const problems: string[] = [];
  const first = seq(records[0]!.dynamodb?.SequenceNumber);
  if (first > seq(batch.startSequenceNumber))
    problems.push(
      `the first records of the range were trimmed from the stream (found from ${first}, the batch started at ${batch.startSequenceNumber})`,
    );
  return { records: records.map((r) => lambdaRecordOf(r, batch.streamArn)), problems, expired: false };
}
