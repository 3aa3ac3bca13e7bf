import type { KinesisStreamEvent } from 'aws-lambda';
import type { EnrichedTick } from '../../../src/core/enrich';
import type { DeadLetter, DeadLetterSink, PriceStore, RawArchive } from '../../../src/core/ports';
import { checkNotAhead, DEFAULT_MAX_AHEAD_MS } from '../../../src/core/tick';
import { maxAheadMsFromEnv, processingDependencies } from '../../../src/processing/dependencies';
import { makeProcessingHandler } from '../../../src/processing/process-batch';
import { ENV } from '../../../src/shared/names';

const NOW = Date.parse('2024-01-02T15:00:00.000Z');

const payload = (symbol: string, timestamp: string): string =>
  JSON.stringify({ symbol, timestamp, price: 11, open: 10, high: 12, low: 9, previous_close: 10, volume: 1, source: 'replay' });

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

const setup = (options: { maxAheadMs?: number } = {}) => {
  const objects = new Map<string, string>();
  const items: EnrichedTick[] = [];
  const letters: DeadLetter[] = [];
  const archive: RawArchive = { putObject: async (key, body) => void objects.set(key, body) };
  const prices: PriceStore = { storedTicks: async () => new Map(), putTicks: async (ticks) => void items.push(...ticks) };
  const invalidRecords: DeadLetterSink = { send: async (l) => void letters.push(...l) };
  const handler = makeProcessingHandler({ archive, prices, invalidRecords, now: () => NOW, ...options });
  return { handler, objects, items, letters };
};

describe('checkNotAhead', () => {
  it('passes a tick up to the tolerance ahead, and any tick behind the clock', () => {
    expect(checkNotAhead({ timestamp: '2024-01-02T15:05:00.000Z' }, NOW, 300_000)).toBeUndefined();
    expect(checkNotAhead({ timestamp: '1999-01-02T15:00:00.000Z' }, NOW, 0)).toBeUndefined();
  });

  it('refuses a tick further ahead, with field, value and why', () => {
    expect(checkNotAhead({ timestamp: '2024-01-02T15:05:00.001Z' }, NOW, 300_000)).toEqual({
      field: 'timestamp',
      value: '"2024-01-02T15:05:00.001Z"',
      reason:
        'is 300.001 s ahead of the processing time 2024-01-02T15:00:00.000Z (at most 300 s allowed): a tick from the future would make every later tick of its symbol look late',
    });
  });
});

describe('processing refuses ticks from the future', () => {
  it('defaults to 5 minutes', () => {
    expect(DEFAULT_MAX_AHEAD_MS).toBe(300_000);
  });

  it('dead-letters a tick dated 2099 with its reason and folds the real ticks of the symbol around it', async () => {
    const { handler, items, letters, objects } = setup();
    const future = payload('AAPL', '2099-01-02T15:04:05Z');
    const response = await handler(
      event([payload('AAPL', '2024-01-02T14:59:00Z'), future, payload('AAPL', '2024-01-02T15:04:59.999Z')]),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(items.map((t) => t.timestamp)).toEqual(['2024-01-02T14:59:00.000Z', '2024-01-02T15:04:59.999Z']);
    expect(letters).toHaveLength(1);
    expect(letters[0]!.payload).toBe(future);
    expect(letters[0]!.reason).toMatch(
      /^timestamp="2099-01-02T15:04:05.000Z": is \d+ s ahead of the processing time 2024-01-02T15:00:00.000Z \(at most 300 s allowed\)/,
    );
    expect([...objects.values()].join('')).not.toContain('2099');
  });

  it('takes its tolerance from the dependencies', async () => {
    const { handler, items, letters } = setup({ maxAheadMs: 0 });
    await handler(event([payload('AAPL', '2024-01-02T15:00:00Z'), payload('AAPL', '2024-01-02T15:00:00.001Z')]));
    expect(items.map((t) => t.timestamp)).toEqual(['2024-01-02T15:00:00.000Z']);
    expect(letters.map((l) => l.rejection?.reason)).toEqual([
      'is 0.001 s ahead of the processing time 2024-01-02T15:00:00.000Z (at most 0 s allowed): a tick from the future would make every later tick of its symbol look late',
    ]);
  });

  it('refuses a tolerance that is no number of milliseconds', () => {
    expect(() => setup({ maxAheadMs: -1 })).toThrow('maxAheadMs -1 must be a number of milliseconds of at least 0');
    expect(() => setup({ maxAheadMs: Number.NaN })).toThrow(RangeError);
  });
});

describe(`the tolerance from ${ENV.maxTickAheadSeconds}`, () => {
  it('is unset by default, so the processing default applies', () => {
    expect(maxAheadMsFromEnv({})).toBeUndefined();
    expect(maxAheadMsFromEnv({ [ENV.maxTickAheadSeconds]: ' ' })).toBeUndefined();
  });

  it('is read in seconds', () => {
    expect(maxAheadMsFromEnv({ [ENV.maxTickAheadSeconds]: '90' })).toBe(90_000);
    expect(maxAheadMsFromEnv({ [ENV.maxTickAheadSeconds]: '0.5' })).toBe(500);
  });

  it('refuses what is not a number of seconds, naming the variable', () => {
    expect(() => maxAheadMsFromEnv({ [ENV.maxTickAheadSeconds]: 'five minutes' })).toThrow(
      'STOCKPIPE_MAX_TICK_AHEAD_SECONDS="five minutes" must be a number of seconds of at least 0 (how far ahead of the clock a tick may be stamped)',
    );
    expect(() => maxAheadMsFromEnv({ [ENV.maxTickAheadSeconds]: '-1' })).toThrow(RangeError);
  });

  it('reaches the processing dependencies', () => {
    const saved = process.env[ENV.maxTickAheadSeconds];
    process.env[ENV.maxTickAheadSeconds] = '60';
    try {
      const deps = processingDependencies(
        {} as Parameters<typeof processingDependencies>[0],
        { rawBucket: 'b', priceTable: 't', invalidQueueUrl: 'q' },
        { ttlDays: 1 },
        { archive: {} as RawArchive, prices: {} as PriceStore, invalidRecords: {} as DeadLetterSink },
      );
      expect(deps.maxAheadMs).toBe(60_000);
      expect(
        processingDependencies(
          {} as never,
          { rawBucket: 'b', priceTable: 't', invalidQueueUrl: 'q' },
          { ttlDays: 1 },
          {
            archive: {} as RawArchive,
            prices: {} as PriceStore,
            invalidRecords: {} as DeadLetterSink,
            maxAheadMs: 5,
          },
        ).maxAheadMs,
      ).toBe(5);
    } finally {
      if (saved === undefined) delete process.env[ENV.maxTickAheadSeconds];
      else process.env[ENV.maxTickAheadSeconds] = saved;
    }
  });
});
