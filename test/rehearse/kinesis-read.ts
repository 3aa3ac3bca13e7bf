/** Every record a stream in moto holds, shard by shard from TRIM_HORIZON. */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
  type _Record,
} from '@aws-sdk/client-kinesis';

export async function readWholeStream(
  kinesis: KinesisClient,
  streamName: string,
): Promise<{ shardId: string; record: _Record }[]> {
  const out: { shardId: string; record: _Record }[] = [];
  for (const shard of (await kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? []) {
    let iterator = (
      await kinesis.send(
        new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      )
    ).ShardIterator;
    while (iterator) {
      const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      if (!got.Records?.length) break;
      for (const record of got.Records) out.push({ shardId: shard.ShardId!, record });
      iterator = got.NextShardIterator;
    }
  }
  return out;
}
