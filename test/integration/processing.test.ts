import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { _Record } from '@aws-sdk/client-kinesis';
import { DynamoDbPriceStore } from '../../src/adapters/aws/dynamodb-price-store';
import { S3RawArchive } from '../../src/adapters/aws/s3-raw-archive';
import { SqsDeadLetterSink } from '../../src/adapters/aws/sqs-dead-letter-sink';
import { enrich } from '../../src/core/enrich';
import { parseTick, type Tick } from '../../src/core/tick';
import { toKinesisStreamEvent } from '../../src/local/mappings/kinesis-events';
import { makeProcessingHandler, type ProcessingOutcome } from '../../src/processing/process-batch';
import { drainQueue, listKeys, readObject, readShardBatches, scanAll } from '../support/aws-reads';
import { useLocalAws } from '../support/local-aws';

const SYMBOLS = ['AAPL', 'MSFT', 'AMZN', 'GOOG', 'IBM', 'NVDA', 'META', 'TSLA', 'BRK.B', 'JPM'];
const TICKS_PER_SYMBOL = 100;

// Half of each symbol's ticks on one trading day, half on the next: two partitions per symbol.
const validTicks: Tick[] = SYMBOLS.flatMap((symbol, s) =>
  Array.from({ length: TICKS_PER_SYMBOL }, (_, i) => {
    const day = i < TICKS_PER_SYMBOL / 2 ? 2 : 3;
    const price = 100 + s * 10 + Math.sin(i / 5) * 3;
    return {
      symbol,
      timestamp: new Date(Date.UTC(2024, 0, day, 14, 30) + i * 30_000).toISOString(),
      price: Math.round(price * 100) / 100,
      open: 100 + s * 10,
      high: 104 + s * 10,
      low: 96 + s * 10,
      previous_close: 100 + s * 10,
      volume: 1000 + i,
      source: 'synthetic',
    };
  }),
);

const good = JSON.stringify(validTicks[0]);
const BAD_RECORDS: { name: string; payload: string; reason: RegExp }[] = [
  { name: 'malformed JSON', payload: good.slice(0, 30), reason: /^\(record\)=.*: is not valid JSON/ },
  {
    name: 'missing field',
    payload: JSON.stringify({ ...validTicks[0], price: undefined }),
    reason: /^price=<missing>: is required$/,
  },
  { name: 'NaN price', payload: good.replace(/"price":[0-9.]+/, '"price":NaN'), reason: /is not valid JSON/ },
  {
    name: 'negative price',
    payload: JSON.stringify({ ...validTicks[0], price: -3 }),
    reason: /^price=-3: must be greater than 0$/,
  },
  {
    name: 'negative volume',
    payload: JSON.stringify({ ...validTicks[0], volume: -1 }),
    reason: /^volume=-1: must not be negative$/,
  },
  {
    name: 'control character in symbol',
    payload: JSON.stringify({ ...validTicks[0], symbol: 'AA\u0000PL' }),
    reason: /^symbol=.*: contains control or zero-width characters$/,
  },
  {
    name: 'zero-width character in symbol',
    payload: JSON.stringify({ ...validTicks[0], symbol: 'AA\u200dPL' }),
    reason: /^symbol=.*: contains control or zero-width characters$/,
  },
  {
    name: 'oversize payload',
    payload: JSON.stringify({ ...validTicks[0], source: 'y'.repeat(5000) }),
    reason: /^\(record\)=\d+ bytes: exceeds the 2048-byte limit/,
  },
];

describe('processing handler against kinesalite, dynalite, s3rver and sqslite', () => {
  const aws = useLocalAws({ shardCount: 2 });
  const outcomes: ProcessingOutcome[] = [];
  let batches: { shardId: string; records: _Record[] }[] = [];
  let handler: ReturnType<typeof makeProcessingHandler>;
  const streamArn = 'arn:aws:kinesis:us-east-1:000000000000:stream/stockpipe-ticks';

  const invoke = (batch: { shardId: string; records: _Record[] }) =>
    handler(toKinesisStreamEvent({ streamArn, shardId: batch.shardId, region: 'us-east-1' }, batch.records));

  beforeAll(async () => {
    const { clients, resources } = aws;
    handler = makeProcessingHandler({
      archive: new S3RawArchive(clients.s3, resources.rawBucket),
      prices: new DynamoDbPriceStore(clients.documents, resources.priceTable, 30),
      invalidRecords: new SqsDeadLetterSink(clients.sqs, resources.invalidQueueUrl),
      observe: (o) => outcomes.push(o),
    });
    const entries = [
      ...validTicks.map((t) => ({ PartitionKey: t.symbol, Data: Buffer.from(JSON.stringify(t)) })),
      ...BAD_RECORDS.map((b, i) => ({ PartitionKey: `bad-${i}`, Data: Buffer.from(b.payload) })),
    ];
    for (let i = 0; i < entries.length; i += 500) {
      const out = await clients.kinesis.send(
        new PutRecordsCommand({ StreamName: resources.streamName, Records: entries.slice(i, i + 500) }),
      );
      expect(out.FailedRecordCount).toBe(0);
    }
    batches = await readShardBatches(clients, resources.streamName, 100);
    for (const batch of batches) expect(await invoke(batch)).toEqual({ batchItemFailures: [] });
  });

  it('reads every record back from the stream in several GetRecords batches', () => {
    expect(batches.length).toBeGreaterThan(10);
    expect(batches.reduce((n, b) => n + b.records.length, 0)).toBe(validTicks.length + BAD_RECORDS.length);
  });

  it('accounts for every record: records in == processed + dead-lettered', () => {
    const sum = (f: (o: ProcessingOutcome) => number) => outcomes.reduce((n, o) => n + f(o), 0);
    expect(sum((o) => o.records)).toBe(1008);
    expect(sum((o) => o.processed)).toBe(1000);
    expect(sum((o) => o.deadLettered)).toBe(8);
    expect(sum((o) => o.failed)).toBe(0);
  });

  it('writes one S3 object per batch and day it touches, every symbol in it, never one per tick or per symbol', async () => {
    const expected = batches.reduce((n, b) => {
      const days = new Set<string>();
      for (const r of b.records) {
        const parsed = parseTick(Buffer.from(r.Data!).toString('utf8'));
        if (parsed.ok) days.add(parsed.value.timestamp.slice(0, 10));
      }
      return n + days.size;
    }, 0);
    const keys = await listKeys(aws.clients, aws.resources.rawBucket, 'raw/');
    expect(keys).toHaveLength(expected);
    expect(keys.length).toBeLessThanOrEqual(batches.length * 2);
    for (const key of keys) expect(key).toMatch(/^raw\/dt=2024-01-0[23]\/shardId-\d+-\d+-[0-9a-f]{8}\.ndjson$/);
    const lines = (await Promise.all(keys.map((k) => readObject(aws.clients, aws.resources.rawBucket, k))))
      .flatMap((body) => body.trim().split('\n'))
      .map((l) => JSON.parse(l) as Tick);
    expect(lines).toHaveLength(1000);
    expect(new Set(lines.map((t) => `${t.symbol}|${t.timestamp}`)).size).toBe(1000);
  });

  it('writes one enriched item per valid tick, with a TTL', async () => {
    const items = await scanAll(aws.clients, aws.resources.priceTable);
    expect(items).toHaveLength(1000);
    const first = validTicks[0]!;
    const item = items.find((i) => i.symbol === first.symbol && i.timestamp === first.timestamp);
    expect(item).toMatchObject({ ...enrich(first) });
    expect(item!.expires_at).toBeGreaterThan(Date.now() / 1000 + 29 * 86_400);
  });

  it('dead-letters each kind of bad record with its payload and the reason', async () => {
    const letters = await drainQueue(aws.clients, aws.resources.invalidQueueUrl);
    expect(letters).toHaveLength(BAD_RECORDS.length);
    for (const bad of BAD_RECORDS) {
      const letter = letters.find((l) => l.payload === bad.payload);
      expect({ name: bad.name, found: Boolean(letter) }).toEqual({ name: bad.name, found: true });
      expect(letter!.reason).toMatch(bad.reason);
      expect(letter!.source).toMatchObject({ kind: 'kinesis', shardId: expect.stringMatching(/^shardId-/) });
    }
  });

  it('a redelivered batch changes no counts (same objects, same items)', async () => {
    const batchWithBadRecord = batches.find((b) => b.records.some((r) => (r.PartitionKey ?? '').startsWith('bad-')))!;
    const badInBatch = batchWithBadRecord.records.filter((r) => (r.PartitionKey ?? '').startsWith('bad-')).length;
    const keysBefore = await listKeys(aws.clients, aws.resources.rawBucket, 'raw/');
    for (const batch of [batches[0]!, batchWithBadRecord]) expect(await invoke(batch)).toEqual({ batchItemFailures: [] });
    expect(await listKeys(aws.clients, aws.resources.rawBucket, 'raw/')).toEqual(keysBefore);
    expect(await scanAll(aws.clients, aws.resources.priceTable)).toHaveLength(1000);
    // SQS standard queues are at-least-once: the redelivered bad records arrive again, carrying the same
    // source sequence numbers, so the DLQ tools deduplicate on them.
    const again = await drainQueue(aws.clients, aws.resources.invalidQueueUrl);
    expect(again).toHaveLength(badInBatch);
  });
});
