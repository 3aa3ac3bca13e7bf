import { createHash } from 'node:crypto';
import { BatchGetCommand, BatchWriteCommand, PutCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { KinesisStreamEvent } from 'aws-lambda';
import { DynamoDbPriceStore } from '../../../src/adapters/aws/dynamodb-price-store';
import { enrich, type EnrichedTick } from '../../../src/core/enrich';
import {
  PriceWriteError,
  priceKey,
  type DeadLetter,
  type DeadLetterSink,
  type PriceStore,
  type RawArchive,
} from '../../../src/core/ports';
import { toPriceItem } from '../../../src/core/price-item';
import type { Tick } from '../../../src/core/tick';
import { makeProcessingHandler, type ProcessingOutcome } from '../../../src/processing/process-batch';

const tick = (symbol: string, i: number, day = 2): Tick => ({
  symbol,
  timestamp: new Date(Date.UTC(2024, 0, day, 15) + i * 1000).toISOString(),
  price: 10 + i,
  open: 10,
  high: 20 + i,
  low: 5,
  previous_close: 10,
  volume: 1,
  source: 'replay',
});

const event = (payloads: string[]): KinesisStreamEvent => ({
  Records: payloads.map((p, i) => ({
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000001:${100 + i}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn',
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn:aws:kinesis:us-east-1:1:stream/s',
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: 'k',
      sequenceNumber: String(100 + i),
      data: Buffer.from(p).toString('base64'),
      approximateArrivalTimestamp: 0,
    },
  })),
});

class MemoryArchive implements RawArchive {
  readonly objects = new Map<string, string>();
  failKeysContaining?: string;
  async putObject(key: string, body: string) {
    if (this.failKeysContaining && key.includes(this.failKeysContaining)) throw new Error('SlowDown: reduce your request rate');
    this.objects.set(key, body);
  }
}
class MemoryPrices implements PriceStore {
  readonly items = new Map<string, EnrichedTick>();
  failSymbol?: string;
  async storedTicks(keys: readonly { symbol: string; timestamp: string }[]) {
    const found = new Map<string, EnrichedTick>();
    for (const k of keys) {
      const item = this.items.get(`${k.symbol}|${k.timestamp}`);
      if (item) found.set(priceKey(item), item);
    }
    return found;
  }
  async putTicks(ticks: readonly EnrichedTick[]) {
    const unwritten = ticks.filter((t) => t.symbol === this.failSymbol);
    for (const t of ticks) if (t.symbol !== this.failSymbol) this.items.set(`${t.symbol}|${t.timestamp}`, t);
    if (unwritten.length) throw new PriceWriteError(unwritten);
  }
}
class MemoryDlq implements DeadLetterSink {
  readonly letters: DeadLetter[] = [];
  down = false;
  async send(letters: readonly DeadLetter[]) {
    if (this.down) throw new Error('AWS.SimpleQueueService.NonExistentQueue');
    this.letters.push(...letters);
  }
}

const setup = () => {
  const deps = { archive: new MemoryArchive(), prices: new MemoryPrices(), invalidRecords: new MemoryDlq() };
  return { ...deps, handler: makeProcessingHandler(deps) };
};

describe('processing: failures', () => {
  const payloads = [tick('AAPL', 1), tick('MSFT', 2), tick('AAPL', 3), tick('MSFT', 4)].map((t) => JSON.stringify(t));

  it('names raw objects from the shard, the first sequence number and a digest of the records, one per day the batch touches, every symbol in it', async () => {
    const { handler, archive } = setup();
    await handler(event([...payloads, JSON.stringify(tick('AAPL', 5, 3))]));
    const digest = createHash('sha256').update('100,101,102,103,104').digest('hex').slice(0, 8);
    const name = `shardId-000000000001-100-${digest}.ndjson`;
    expect([...archive.objects.keys()].sort()).toEqual([`raw/dt=2024-01-02/${name}`, `raw/dt=2024-01-03/${name}`]);
    const day = archive.objects.get(`raw/dt=2024-01-02/${name}`)!.trim().split('\n');
    expect(day.map((line) => (JSON.parse(line) as { symbol: string }).symbol)).toEqual(['AAPL', 'MSFT', 'AAPL', 'MSFT']);
    expect(archive.objects.get(`raw/dt=2024-01-03/${name}`)!.trim().split('\n')).toHaveLength(1);
  });

  it('a redelivery that archives fewer ticks (the others were stored meanwhile) never overwrites the first object', async () => {
    const { handler, archive, prices } = setup();
    prices.failSymbol = 'MSFT'; // AAPL is stored, MSFT is not: the batch is retried from the first MSFT tick
    await handler(event(payloads));
    const first = new Map(archive.objects);
    prices.failSymbol = undefined;
    await handler(event(payloads)); // the whole batch again: AAPL ticks are repeats, MSFT ticks are fresh
    for (const [key, body] of first) expect(archive.objects.get(key)).toBe(body);
    const rows = [...archive.objects.values()].flatMap((b) => b.trim().split('\n'));
    // Every tick archived at least once; the MSFT ticks twice (once per delivery), none lost.
    expect(new Set(rows).size).toBe(4);
  });

  it('reports the records of a day whose archive failed, and writes no items for them', async () => {
    const { handler, archive, prices } = setup();
    archive.failKeysContaining = 'dt=2024-01-03';
    expect(await handler(event([...payloads, JSON.stringify(tick('AAPL', 5, 3))]))).toEqual({
      batchItemFailures: [{ itemIdentifier: '104' }],
    });
    expect([...prices.items.values()].map((t) => t.timestamp.slice(0, 10))).toEqual(Array(4).fill('2024-01-02'));
  });

  it('reports exactly the records whose items stayed unwritten', async () => {
    const { handler, prices } = setup();
    prices.failSymbol = 'AAPL';
    expect(await handler(event(payloads))).toEqual({ batchItemFailures: [{ itemIdentifier: '100' }, { itemIdentifier: '102' }] });
  });

  it('reports invalid records for retry when the dead-letter queue cannot take them, and loses nothing', async () => {
    const { handler, invalidRecords } = setup();
    invalidRecords.down = true;
    const result = await handler(event(['not json', ...payloads]));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '100' }] });
  });
});

describe('processing: two ticks with one key, the first stored wins', () => {
  it('a redelivered batch is a no-op: nothing archived or written again, every record processed', async () => {
    const { archive, prices, invalidRecords, handler } = setup();
    const payloads = [tick('AAPL', 1), tick('MSFT', 1), tick('AAPL', 2)].map((t) => JSON.stringify(t));
    await handler(event(payloads));
    const first = new Map(prices.items);
    archive.objects.clear();
    const outcomes: ProcessingOutcome[] = [];
    const again = makeProcessingHandler({ archive, prices, invalidRecords, observe: (o) => outcomes.push(o) });
    expect((await again(event(payloads))).batchItemFailures).toEqual([]);
    expect(archive.objects.size).toBe(0);
    expect(prices.items).toEqual(first);
    expect(invalidRecords.letters).toEqual([]);
    expect(outcomes[0]).toMatchObject({ records: 3, processed: 3, alreadyStored: 3, deadLettered: 0, objectsWritten: 0 });
  });

  it('a different tick for a stored key is refused with the field that differs, and the stored one stays', async () => {
    const { archive, prices, invalidRecords, handler } = setup();
    await handler(event([JSON.stringify(tick('AAPL', 1))]));
    archive.objects.clear();
    const other = { ...tick('AAPL', 1), price: 99.5 };
    const result = await handler(event([JSON.stringify(other), JSON.stringify(tick('AAPL', 2))]));
    expect(result.batchItemFailures).toEqual([]);
    expect(prices.items.get(`AAPL|${other.timestamp}`)!.price).toBe(11);
    expect(invalidRecords.letters).toHaveLength(1);
    expect(invalidRecords.letters[0]!.rejection).toEqual({
      field: 'price',
      value: '99.5',
      reason: `AAPL already has a tick at ${other.timestamp} with price 11; of two ticks with one timestamp the first one stored wins`,
    });
    expect(invalidRecords.letters[0]!.payload).toBe(JSON.stringify(other));
    // Only the fresh tick is archived.
    expect([...archive.objects.values()].join('').trim().split('\n')).toEqual([JSON.stringify(tick('AAPL', 2))]);
  });

  it('within one batch the first of a key wins too: an equal repeat is processed, a different one refused', async () => {
    const { archive, prices, invalidRecords, handler } = setup();
    const a = tick('AAPL', 1);
    const payloads = [a, a, { ...a, volume: 7 }].map((t) => JSON.stringify(t));
    expect((await handler(event(payloads))).batchItemFailures).toEqual([]);
    expect([...prices.items.values()]).toEqual([enrich(a)]);
    expect(invalidRecords.letters.map((l) => l.rejection)).toEqual([
      {
        field: 'volume',
        value: '7',
        reason: `AAPL already has a tick at ${a.timestamp} with volume 1; of two ticks with one timestamp the first one stored wins`,
      },
    ]);
    expect([...archive.objects.values()].join('').trim().split('\n')).toHaveLength(1);
  });

  it('retries the batch when the stored ticks cannot be read, and writes nothing', async () => {
    const { archive, prices, invalidRecords } = setup();
    const failing = Object.assign(Object.create(prices) as MemoryPrices, {
      storedTicks: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
    });
    const handler = makeProcessingHandler({ archive, prices: failing, invalidRecords });
    const result = await handler(event([JSON.stringify(tick('AAPL', 1)), JSON.stringify(tick('AAPL', 2))]));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '100' }, { itemIdentifier: '101' }]);
    expect(archive.objects.size).toBe(0);
    expect(prices.items.size).toBe(0);
  });
});

describe('DynamoDbPriceStore', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  afterEach(() => ddb.reset());
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const noSleep = { sleep: async () => undefined };

  it('re-sends only the unprocessed items, then succeeds', async () => {
    const ticks = [tick('AAPL', 1), tick('MSFT', 1), tick('IBM', 1)].map(enrich);
    const items = ticks.map((t) => toPriceItem(t, 0, 1));
    ddb
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { prices: [{ PutRequest: { Item: items[1] } }] } })
      .resolves({});
    await new DynamoDbPriceStore(client, 'prices', 1, () => 0, noSleep).putTicks(ticks);
    const calls = ddb.commandCalls(BatchWriteCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { RequestItems: { prices: items.map((Item) => ({ PutRequest: { Item } })) } },
      { RequestItems: { prices: [{ PutRequest: { Item: items[1] } }] } },
    ]);
  });

  const label = (t: Tick) => `${t.symbol}@${t.timestamp.slice(17, 19)}`;
  /** Every write request in order: a BatchWriteItem's items, or the one item of a PutItem. */
  const requests = (): string[][] =>
    ddb
      .calls()
      .map((c) => c.args[0].input as { RequestItems?: Record<string, { PutRequest: { Item: Tick } }[]>; Item?: Tick })
      .map((input) => (input.Item ? [label(input.Item)] : input.RequestItems!.prices!.map((r) => label(r.PutRequest.Item))));

  it("never puts two ticks of one symbol in one request, and sends a symbol's ticks one after the other, in order", async () => {
    const ticks = [tick('AAPL', 1), tick('AAPL', 2), tick('MSFT', 1), tick('AAPL', 3), tick('MSFT', 2)].map(enrich);
    let inFlight = 0;
    const slowly = async () => {
      inFlight++;
      expect(inFlight).toBe(1); // a round starts once the one before it committed
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return {};
    };
    ddb.on(BatchWriteCommand).callsFake(slowly);
    ddb.on(PutCommand).callsFake(slowly);
    await new DynamoDbPriceStore(client, 'prices', 1, () => 0, noSleep).putTicks(ticks);
    expect(requests()).toEqual([['AAPL@01', 'MSFT@01'], ['AAPL@02', 'MSFT@02'], ['AAPL@03']]);
    // A round of one tick is a PutItem that returns the old item (what the local stream needs).
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input).toEqual({
      TableName: 'prices',
      Item: toPriceItem(ticks[3]!, 0, 1),
      ReturnValues: 'ALL_OLD',
    });
  });

  it('throws PriceWriteError naming the stuck tick and every later tick of its symbol, which it does not send', async () => {
    const ticks = [tick('AAPL', 1), tick('MSFT', 1), tick('AAPL', 2), tick('MSFT', 2)].map(enrich);
    const stuck = toPriceItem(ticks[0]!, 0, 1);
    ddb.on(BatchWriteCommand).callsFake(async (input: { RequestItems: Record<string, { PutRequest: { Item: Tick } }[]> }) => {
      const aapl = input.RequestItems.prices!.filter((r) => r.PutRequest.Item.symbol === 'AAPL');
      return { UnprocessedItems: aapl.length ? { prices: [{ PutRequest: { Item: stuck } }] } : {} };
    });
    ddb.on(PutCommand).resolves({});
    const error = await new DynamoDbPriceStore(client, 'prices', 1, () => 0, { ...noSleep, attempts: 4 })
      .putTicks(ticks)
      .catch((e) => e);
    expect(error).toBeInstanceOf(PriceWriteError);
    expect((error as PriceWriteError).unwritten).toEqual([ticks[0], ticks[2]]);
    // AAPL@1 four times (1 + 3 retries), MSFT@1 with the first, then MSFT@2 alone: AAPL@2 is never sent.
    expect(requests()).toEqual([['AAPL@01', 'MSFT@01'], ['AAPL@01'], ['AAPL@01'], ['AAPL@01'], ['MSFT@02']]);
  });

  it('reads stored ticks with one consistent BatchGetItem per 100 keys, retrying unprocessed keys', async () => {
    const keys = Array.from({ length: 101 }, (_, i) => tick('AAPL', i));
    const stored = { ...keys[3]!, expires_at: 1, written_at: 0 };
    const projection = {
      ProjectionExpression: '#f0, #f1, #f2, #f3, #f4, #f5, #f6, #f7, #f8',
      ExpressionAttributeNames: {
        '#f0': 'symbol',
        '#f1': 'timestamp',
        '#f2': 'price',
        '#f3': 'open',
        '#f4': 'high',
        '#f5': 'low',
        '#f6': 'previous_close',
        '#f7': 'volume',
        '#f8': 'source',
      },
    };
    const keyOf = (t: Tick) => ({ symbol: t.symbol, timestamp: t.timestamp });
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { prices: [] }, UnprocessedKeys: { prices: { Keys: [keyOf(keys[3]!)] } } })
      .resolves({ Responses: { prices: [stored] } });
    const found = await new DynamoDbPriceStore(client, 'prices', 1, () => 0, noSleep).storedTicks(keys);
    expect([...found.keys()]).toEqual([priceKey(keys[3]!)]);
    const calls = ddb.commandCalls(BatchGetCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(3);
    expect(calls[0]).toEqual({
      RequestItems: { prices: { Keys: keys.slice(0, 100).map(keyOf), ConsistentRead: true, ...projection } },
    });
    expect(calls[1]).toEqual({ RequestItems: { prices: { Keys: [keyOf(keys[100]!)], ConsistentRead: true, ...projection } } });
    expect(calls[2]).toEqual({ RequestItems: { prices: { Keys: [keyOf(keys[3]!)], ConsistentRead: true, ...projection } } });
  });

  it('sends a repeated key once (BatchWriteItem rejects duplicate keys in one request)', async () => {
    const t = enrich(tick('AAPL', 1));
    ddb.on(PutCommand).resolves({});
    await new DynamoDbPriceStore(client, 'prices', 1, () => 0, noSleep).putTicks([t, t]);
    expect(requests()).toEqual([['AAPL@01']]);
  });
});

describe('stream order', () => {
  test('prices are written in stream order whatever order the raw archive PUTs complete in', async () => {
    // One partition per day: the first day's PUT is the slowest, so it completes last.
    const ticks = [1, 2, 3, 4, 5].map((day) => tick('SPX', 0, day));
    const written: string[] = [];
    const slowFirstArchive: RawArchive = {
      putObject: (key) => new Promise((resolve) => setTimeout(resolve, key.includes('dt=2024-01-01') ? 30 : 1)),
    };
    const prices: PriceStore = {
      storedTicks: async () => new Map(),
      putTicks: async (batch) => void written.push(...batch.map((t) => t.timestamp)),
    };
    const handler = makeProcessingHandler({ archive: slowFirstArchive, prices, invalidRecords: { send: async () => undefined } });
    const result = await handler(event(ticks.map((t) => JSON.stringify(t))));
    expect(result.batchItemFailures).toEqual([]);
    expect(written).toEqual(ticks.map((t) => t.timestamp));
  });

  test('a tick that fails to archive holds back the later ticks of its symbol, and the retry from it writes them in order', async () => {
    const ticks = [
      tick('SPX', 0, 1),
      tick('IBM', 0, 1),
      tick('SPX', 0, 2),
      tick('IBM', 0, 2),
      tick('SPX', 0, 3),
      tick('IBM', 0, 3),
    ];
    const archive = new MemoryArchive();
    archive.failKeysContaining = 'dt=2024-01-02';
    const written: string[] = [];
    const prices: PriceStore = {
      storedTicks: async () => new Map(),
      putTicks: async (batch) => void written.push(...batch.map((t) => `${t.symbol} ${t.timestamp.slice(0, 10)}`)),
    };
    const handler = makeProcessingHandler({ archive, prices, invalidRecords: { send: async () => undefined } });
    const first = await handler(event(ticks.map((t) => JSON.stringify(t))));
    // Day 2's object failed: both symbols stop there. Reported: day 2 (the failure) and day 3 (held back).
    expect(written).toEqual(['SPX 2024-01-01', 'IBM 2024-01-01']);
    expect(first.batchItemFailures).toEqual(['102', '103', '104', '105'].map((itemIdentifier) => ({ itemIdentifier })));

    // The mapping retries from the first reported record (sequence 102) to the end of the batch.
    archive.failKeysContaining = undefined;
    const retried = await handler(event(ticks.slice(2).map((t) => JSON.stringify(t))));
    expect(retried.batchItemFailures).toEqual([]);
    for (const symbol of ['SPX', 'IBM'])
      expect(written.filter((w) => w.startsWith(symbol))).toEqual([1, 2, 3].map((d) => `${symbol} 2024-01-0${d}`));
  });
});
