/** Read-back helpers for assertions: everything a test needs to count what landed where. */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type _Record } from '@aws-sdk/client-kinesis';
import { ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, DeleteMessageCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../src/shared/clients';

export async function scanAll(clients: AwsClients, table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await clients.documents.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

export async function listKeys(clients: AwsClients, bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const out = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(out.Contents ?? []).map((o) => o.Key!));
    token = out.NextContinuationToken;
  } while (token);
  return keys;
}

export async function readObject(clients: AwsClients, bucket: string, key: string): Promise<string> {
  const out = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body!.transformToString();
}

/** Receives (and deletes) every message in a queue, parsed as JSON. */
export async function drainQueue(clients: AwsClients, queueUrl: string): Promise<Record<string, unknown>[]> {
  const bodies: Record<string, unknown>[] = [];
  for (;;) {
    const out = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    const messages = out.Messages ?? [];
    if (messages.length === 0) return bodies;
    for (const m of messages) {
      bodies.push(JSON.parse(m.Body!) as Record<string, unknown>);
      await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
}

/** Every record of every shard, read with real GetRecords calls in batches of `limit`. */
export async function readShardBatches(
  clients: AwsClients,
  streamName: string,
  limit: number,
): Promise<{ shardId: string; records: _Record[] }[]> {
  const shards = (await clients.kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
  const batches: { shardId: string; records: _Record[] }[] = [];
  for (const shard of shards) {
    let iterator = (
      await clients.kinesis.send(
        new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
      )
    ).ShardIterator;
    while (iterator) {
      const out = await clients.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
      if ((out.Records ?? []).length === 0) break;
      batches.push({ shardId: shard.ShardId!, records: out.Records! });
      iterator = out.NextShardIterator;
    }
  }
  return batches;
}
