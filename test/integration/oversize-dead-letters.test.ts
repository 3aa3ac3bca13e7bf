/**
 * Garbage on the stream reaches the invalid-records queue one letter per record, each with its own
 * reason, even when its payload is 1 MB: the processing handler with the real SQS sink, against
 * kinesalite, dynalite, s3rver and sqslite.
 */
import { createHash } from 'node:crypto';
import { PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { KINESIS_MAX_RECORD_BYTES, KinesisRecordTooLargeError, KinesisTickSink } from '../../src/adapters/aws/kinesis-tick-sink';
import { DynamoDbPriceStore } from '../../src/adapters/aws/dynamodb-price-store';
import { S3RawArchive } from '../../src/adapters/aws/s3-raw-archive';
import { SQS_MAX_MESSAGE_BYTES, SqsDeadLetterSink } from '../../src/adapters/aws/sqs-dead-letter-sink';
import { MAX_TICK_BYTES, type Tick } from '../../src/core/tick';
import { toKinesisStreamEvent } from '../../src/local/mappings/kinesis-events';
import { makeProcessingHandler, type ProcessingOutcome } from '../../src/processing/process-batch';
import { drainQueue, readShardBatches, scanAll } from '../support/aws-reads';
import { useLocalAws } from '../support/local-aws';

const tick = (i: number): Tick => ({
  symbol: 'AAPL',
  timestamp: new Date(Date.UTC(2024, 0, 2, 14, 30) + i * 60_000).toISOString(),
  price: 190 + i,
  open: 190,
  high: 196,
  low: 189,
  previous_close: 189.5,
  volume: 1000 + i,
  source: 'synthetic',
});
const good = JSON.stringify(tick(0));
const withSymbol = (symbol: string) => Buffer.from(JSON.stringify({ ...tick(0), symbol }), 'utf8');
const MB = 1_000_000;
const bytesOf = (hex: string) => Buffer.from(hex.replace(/ /g, ''), 'hex');
const TOO_BIG = new RegExp(`^\\(record\\)=\\d+ bytes: exceeds the ${MAX_TICK_BYTES}-byte limit`);
const INVISIBLE = /^symbol=.*: contains control or zero-width characters$/;
const NOT_JSON = /^\(record\)=.*: is not valid JSON/;

const GARBAGE: { name: string; data: Buffer; reason: RegExp }[] = [
  // 1 MB payloads
  { name: '1 MB of ASCII', data: Buffer.from('x'.repeat(MB)), reason: TOO_BIG },
  { name: '1 MB tick', data: Buffer.from(JSON.stringify({ ...tick(0), source: 's'.repeat(MB) })), reason: TOO_BIG },
  { name: '1 MB of control characters', data: Buffer.alloc(MB, 0x01), reason: TOO_BIG },
  { name: '1 MB of euro signs', data: Buffer.from('€'.repeat(MB / 3)), reason: TOO_BIG },
  { name: '1 MB of invalid UTF-8', data: Buffer.alloc(MB, 0xff), reason: TOO_BIG },
  { name: '1 MB of emoji', data: Buffer.from('😀'.repeat(MB / 4)), reason: TOO_BIG },
  // invalid UTF-8
  {
    name: 'invalid byte in symbol',
    data: Buffer.from(Buffer.from(good.replace('AAPL', 'AA\u0000PL')).map((b) => (b === 0 ? 0xff : b))),
    reason: /^symbol="AA\uFFFDPL": must be /u,
  },
  { name: 'lone continuation byte', data: bytesOf('7b 22 61 22 3a 80 7d'), reason: NOT_JSON },
  { name: 'overlong slash', data: bytesOf('c0 af'), reason: NOT_JSON },
  { name: 'encoded surrogate half', data: bytesOf('ed a0 80'), reason: NOT_JSON },
  { name: 'truncated four-byte sequence', data: bytesOf('f0 9f 98'), reason: NOT_JSON },
  // deep nesting
  { name: '10,000-deep arrays', data: Buffer.from('['.repeat(10_000) + ']'.repeat(10_000)), reason: TOO_BIG },
  { name: '10,000-deep objects', data: Buffer.from('{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000)), reason: TOO_BIG },
  { name: '10,000-deep unclosed', data: Buffer.from('['.repeat(10_000)), reason: TOO_BIG },
  {
    name: '1,000-deep arrays',
    data: Buffer.from('['.repeat(1000) + ']'.repeat(1000)),
    reason: /^\(record\)=.*: must be a JSON object$/,
  },
  // control characters
  { name: 'NUL in symbol', data: withSymbol('AA\u0000PL'), reason: INVISIBLE },
  { name: 'BEL in symbol', data: withSymbol('AA\u0007PL'), reason: INVISIBLE },
  { name: 'ESC in symbol', data: withSymbol('\u001b[31mAAPL'), reason: INVISIBLE },
  { name: 'DEL in symbol', data: withSymbol('AAPL\u007f'), reason: INVISIBLE },
  { name: 'newline in symbol', data: withSymbol('AA\r\nPL'), reason: INVISIBLE },
  { name: 'zero-width space in symbol', data: withSymbol('AA\u200bPL'), reason: INVISIBLE },
  { name: 'raw tab inside a JSON string', data: Buffer.from(good.replace('AAPL', 'AA\tPL')), reason: NOT_JSON },
  { name: 'only NUL bytes', data: Buffer.alloc(100, 0), reason: NOT_JSON },
];

describe('23 garbage records and 5 good ones through the processing handler', () => {
  const aws = useLocalAws({ shardCount: 1 });
  const outcomes: ProcessingOutcome[] = [];
  const answers: unknown[] = [];
  const streamArn = 'arn:aws:kinesis:us-east-1:000000000000:stream/stockpipe-ticks';

  beforeAll(async () => {
    const { clients, resources } = aws;
    const handler = makeProcessingHandler({
      archive: new S3RawArchive(clients.s3, resources.rawBucket),
      prices: new DynamoDbPriceStore(clients.documents, resources.priceTable, 30),
      invalidRecords: new SqsDeadLetterSink(clients.sqs, resources.invalidQueueUrl),
      observe: (o) => outcomes.push(o),
    });
    const records = [
      ...GARBAGE.map((g, i) => ({ PartitionKey: `garbage-${i}`, Data: g.data })),
      ...Array.from({ length: 5 }, (_, i) => ({ PartitionKey: `good-${i}`, Data: Buffer.from(JSON.stringify(tick(i))) })),
    ];
    // One at a time: six 1 MB records would exceed PutRecords' 5 MiB per request.
    for (const r of records) await clients.kinesis.send(new PutRecordCommand({ StreamName: resources.streamName, ...r }));
    // One batch of all 28, as a mapping with batch size 100 would deliver them.
    const batches = await readShardBatches(clients, resources.streamName, 100);
    expect(batches.reduce((n, b) => n + b.records.length, 0)).toBe(28);
    for (const b of batches)
      answers.push(await handler(toKinesisStreamEvent({ streamArn, shardId: b.shardId, region: 'us-east-1' }, b.records)));
  }, 120_000);

  it('28 in = 5 stored + 23 dead-lettered, none reported as a batch failure', async () => {
    for (const a of answers) expect(a).toEqual({ batchItemFailures: [] });
    const sum = (f: (o: ProcessingOutcome) => number) => outcomes.reduce((n, o) => n + f(o), 0);
    expect({
      records: sum((o) => o.records),
      processed: sum((o) => o.processed),
      deadLettered: sum((o) => o.deadLettered),
      failed: sum((o) => o.failed),
    }).toEqual({
      records: 28,
      processed: 5,
      deadLettered: 23,
      failed: 0,
    });
    expect(await scanAll(aws.clients, aws.resources.priceTable)).toHaveLength(5);
  });

  it('puts one letter per garbage record in the invalid-records queue, each with its own reason', async () => {
    const letters = (await drainQueue(aws.clients, aws.resources.invalidQueueUrl)) as {
      reason: string;
      payload: string;
      source: Record<string, string>;
      payloadTruncated: boolean;
      payloadBytes?: number;
      payloadSha256?: string;
    }[];
    expect(letters).toHaveLength(GARBAGE.length);
    GARBAGE.forEach((g, i) => {
      const letter = letters.find((l) => l.source.partitionKey === `garbage-${i}`);
      expect({ name: g.name, found: Boolean(letter) }).toEqual({ name: g.name, found: true });
      expect({ name: g.name, reason: letter!.reason }).toEqual({ name: g.name, reason: expect.stringMatching(g.reason) });
      const payload = g.data.toString('utf8');
      expect(Buffer.byteLength(JSON.stringify(letter), 'utf8')).toBeLessThan(SQS_MAX_MESSAGE_BYTES);
      if (letter!.payloadTruncated) {
        expect(payload.startsWith(letter!.payload)).toBe(true);
        expect(letter!.payloadBytes).toBe(Buffer.byteLength(payload, 'utf8'));
        expect(letter!.payloadSha256).toBe(createHash('sha256').update(payload, 'utf8').digest('hex'));
      } else {
        expect(letter!.payload).toBe(payload);
      }
    });
    expect(letters.filter((l) => l.payloadTruncated)).toHaveLength(6);
  });
});

describe('the local Kinesis and the 1 MiB record limit', () => {
  const aws = useLocalAws({ shardCount: 1 });
  const put = (data: Buffer, key: string) =>
    aws.clients.kinesis.send(
      new PutRecordsCommand({ StreamName: aws.resources.streamName, Records: [{ PartitionKey: key, Data: data }] }),
    );

  it('kinesalite refuses data over 1 MiB, but counts the data alone, not data plus partition key as AWS does', async () => {
    await expect(put(Buffer.alloc(KINESIS_MAX_RECORD_BYTES + 1, 0x61), 'K')).rejects.toThrow(/1048576/);
    // AWS would refuse this one (1 MiB + 1 byte with its key): kinesalite takes it.
    await expect(put(Buffer.alloc(KINESIS_MAX_RECORD_BYTES, 0x61), 'K')).resolves.toMatchObject({ FailedRecordCount: 0 });
  });

  it("the tick sink enforces AWS's rule itself, so the local pipeline refuses what AWS would", async () => {
    const sink = new KinesisTickSink(aws.clients.kinesis, { streamName: aws.resources.streamName });
    const base = { ...tick(0), source: '' };
    const empty = Buffer.byteLength(JSON.stringify(base)) + Buffer.byteLength(base.symbol);
    await expect(sink.put([{ ...base, source: 'y'.repeat(KINESIS_MAX_RECORD_BYTES - empty + 1) }])).rejects.toThrow(
      KinesisRecordTooLargeError,
    );
    await expect(sink.put([{ ...base, source: 'y'.repeat(KINESIS_MAX_RECORD_BYTES - empty) }])).resolves.toBeUndefined();
    const records = (await readShardBatches(aws.clients, aws.resources.streamName, 100)).flatMap((b) => b.records);
    expect(records.map((r) => r.Data!.byteLength + r.PartitionKey!.length)).toEqual([
      KINESIS_MAX_RECORD_BYTES + 1,
      KINESIS_MAX_RECORD_BYTES,
    ]);
  });
});
