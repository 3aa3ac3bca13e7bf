/**
 * Reading a failed Kinesis batch again from its stream (the on-failure record gives only shard and
 * sequence range), and putting records back into the stream. A stream keeps records for its retention
 * period only; past it the records are gone and the answer says so instead of pretending.
 *
 * Both targets use these: AWS Kinesis, and kinesalite locally.
 */
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordsCommand,
  type KinesisClient,
  type PutRecordsRequestEntry,
} from '@aws-sdk/client-kinesis';
import type { DynamoDBRecord } from 'aws-lambda';
import { chunkEntries } from '../adapters/aws/kinesis-tick-sink';
import { call, type CallContext } from './call-context';
import type { StreamBatch } from './types';

export interface KinesisContext extends CallContext {
  readonly clients: { readonly kinesis: KinesisClient };
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
}
/** The records of a batch that could be read again, and what could not. */
export interface Reread {
  readonly entries: PutRecordsRequestEntry[];
  /** Records of the range that are gone (trimmed) or unusable, with why; empty when all were found. */
  readonly problems: string[];
  /** True when the range is past the retention: nothing could be read. */
  readonly expired: boolean;
}

/** The records of a DynamoDB-stream batch read again, in the shape Lambda hands them to a function. */
export interface StreamRecordsReread {
  readonly records: DynamoDBRecord[];
  readonly problems: string[];
  readonly expired: boolean;
}

export const seq = (s: string | undefined): bigint => {
  try {
    return BigInt(s ?? '-1');
  } catch {
    return -1n;
  }
};

const streamNameOf = (arn: string, fallback: string): string => /:stream\/([^/]+)$/.exec(arn)?.[1] ?? fallback;

export const pastRetention = (batch: StreamBatch, hours: number, now: Date): boolean =>
  batch.firstArrival !== null && Date.parse(batch.firstArrival) + hours * 3_600_000 < now.getTime();

export const MAX_EMPTY_READS = 10;

export async function rereadKinesisBatch(ctx: KinesisContext, batch: StreamBatch, fallbackStream: string): Promise<Reread> {
  const streamName = streamNameOf(batch.streamArn, fallbackStream);
  const summary = await call(ctx, `describe stream ${streamName}`, () =>
    ctx.clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName })),
  );
  const hours = summary.StreamDescriptionSummary?.RetentionPeriodHours ?? 24;
  const gone = `the records arrived at ${batch.firstArrival} and stream ${streamName} keeps records ${hours} h: they are gone from the stream (the raw lake holds what processing wrote)`;
  if (pastRetention(batch, hours, ctx.now())) return { entries: [], problems: [gone], expired: true };

  let iterator: string | undefined;
  try {
    iterator = (
      await ctx.clients.kinesis.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: batch.shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          StartingSequenceNumber: batch.startSequenceNumber,
        }),
      )
    ).ShardIterator;
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (name === 'ResourceNotFoundException' || name === 'InvalidArgumentException') {
      return {
        entries: [],
        problems: [
          `shard ${batch.shardId} or sequence ${batch.startSequenceNumber} is no longer in stream ${streamName} (${name}): ${gone}`,
        ],
        expired: true,
      };
    }
    return call(ctx, `read shard ${batch.shardId} of ${streamName}`, () => Promise.reject(error));
  }

  const start = seq(batch.startSequenceNumber);
  const end = seq(batch.endSequenceNumber);
  const entries: PutRecordsRequestEntry[] = [];
  let first: bigint | undefined;
  let empty = 0;
  while (iterator && empty < MAX_EMPTY_READS) {
    const current: string = iterator;
    const out = await call(ctx, `read shard ${batch.shardId} of ${streamName}`, () =>
      ctx.clients.kinesis.send(new GetRecordsCommand({ ShardIterator: current, Limit: 1000 })),
    );
    const records = out.Records ?? [];
    let done = false;
    for (const r of records) {
      const n = seq(r.SequenceNumber);
      if (n > end) {
        done = true;
        break;
      }
      first ??= n;
      entries.push({ PartitionKey: r.PartitionKey ?? 'replay', Data: r.Data });
    }
    if (done) break;
    empty = records.length === 0 ? empty + 1 : 0;
    if (records.length === 0 && out.MillisBehindLatest === 0) break;
    iterator = out.NextShardIterator;
  }
  const problems: string[] = [];
  if (entries.length === 0)
    return { entries, problems: [`no record of the range was found in shard ${batch.shardId}: ${gone}`], expired: true };
  if (first !== undefined && first > start)
    problems.push(
      `the first records of the range were trimmed from the stream (found from ${first}, the batch started at ${start})`,
    );
  if (batch.batchSize > 0 && entries.length < batch.batchSize)
    problems.push(`${entries.length} of the batch's ${batch.batchSize} records were found`);
  return { entries, problems, expired: false };
}

/**
 * Puts records into the stream, re-sending only the ones PutRecords reports failed, a few times.
 * Returns, per input index, whether it was written.
 */
export async function putEntries(
  ctx: KinesisContext,
  streamName: string,
  entries: readonly PutRecordsRequestEntry[],
  attempts = 4,
): Promise<boolean[]> {
  const written = entries.map(() => false);
  let pending = entries.map((entry, index) => ({ entry, index }));
  for (let attempt = 1; attempt <= attempts && pending.length > 0; attempt++) {
    if (attempt > 1) await ctx.sleep(100 * 2 ** (attempt - 2));
    const failed: typeof pending = [];
    for (const group of chunkEntries(pending.map((p) => p.entry))) {
      const slice = pending.splice(0, group.length);
      const out = await call(ctx, `put records into stream ${streamName}`, () =>
        ctx.clients.kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: group })),
      );
      slice.forEach((p, k) => {
        if (out.Records?.[k] && !out.Records[k].ErrorCode) written[p.index] = true;
        else failed.push(p);
      });
    }
    pending = failed;
  }
  return written;
}
