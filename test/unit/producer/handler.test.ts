import type { Tick } from '../../../src/core/tick';
import { createQuoteSource, handler, makeProducerHandler } from '../../../src/producer/handler';
import { QuoteSourceError } from '../../../src/core/ports-quotes';
import { DEFAULT_REPLAY_FILE, ReplaySource } from '../../../src/producer/replay-source';
import { SyntheticSource } from '../../../src/producer/synthetic-source';
import { YahooSource } from '../../../src/producer/yahoo-source';

/** Collects what the handler logs and measures. */
const observed = () => {
  const logs: unknown[][] = [];
  const metrics: [string, string, number][] = [];
  return {
    logs,
    metrics,
    logger: {
      info: (...args: unknown[]) => void logs.push(['info', ...args]),
      error: (...args: unknown[]) => void logs.push(['error', ...args]),
    },
    metricsSink: { addMetric: (name: string, unit: string, value: number) => void metrics.push([name, unit, value]) },
  };
};

describe('createQuoteSource', () => {
  it('builds each source by name', () => {
    expect(createQuoteSource('yahoo', { log: () => undefined })).toBeInstanceOf(YahooSource);
    const replay = createQuoteSource('replay');
    expect(replay).toBeInstanceOf(ReplaySource);
    expect((replay as ReplaySource).symbols()).toEqual(['AAPL', 'AMZN', 'GOOG', 'IBM', 'MSFT']);
    expect(createQuoteSource('synthetic', { seed: 2 })).toBeInstanceOf(SyntheticSource);
    expect(createQuoteSource('csv', { file: DEFAULT_REPLAY_FILE }).name).toBe('csv');
  });

  it('refuses an unknown name, and csv without a file, in one line that says what to use', () => {
    expect(() => createQuoteSource('bloomberg')).toThrow(
      new QuoteSourceError(
        'bloomberg',
        'usage',
        'unknown quote source "bloomberg"; use one of yahoo, replay, synthetic, csv (STOCKPIPE_QUOTE_SOURCE or --source)',
      ),
    );
    expect(() => createQuoteSource('csv')).toThrow('the csv source needs a file; pass --file <path>');
  });
});

describe('makeProducerHandler', () => {
  it('takes 60/cadence samples per event and writes each one', async () => {
    const puts: Tick[][] = [];
    const sleeps: number[] = [];
    let now = 0;
    const seen = observed();
    const produce = makeProducerHandler({
      logger: seen.logger,
      metrics: seen.metricsSink,
      source: new SyntheticSource({ seed: 4 }),
      sink: { put: async (ticks) => void puts.push([...ticks]) },
      symbols: ['SYN000', 'SYN001', 'SYN002'],
      cadenceSeconds: 15,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
      now: () => now,
    });
    await expect(produce()).resolves.toEqual({ samples: 4, ticks: 12, exhausted: false });
    expect(puts.map((p) => p.length)).toEqual([3, 3, 3, 3]);
    expect(sleeps).toEqual([15_000, 15_000, 15_000]);
    expect(seen.metrics).toEqual([
      ['TicksProduced', 'Count', 12],
      ['SamplesProduced', 'Count', 4],
    ]);
    expect(seen.logs).toEqual([
      ['info', 'ticks produced', { source: 'synthetic', symbols: 3, samples: 4, ticks: 12, exhausted: false }],
    ]);
  });

  it('fails the invocation when a sample fails, having written nothing of it', async () => {
    const put = jest.fn(async () => undefined);
    const seen = observed();
    const produce = makeProducerHandler({
      logger: seen.logger,
      metrics: seen.metricsSink,
      source: {
        name: 'yahoo',
        sample: async () => Promise.reject(new QuoteSourceError('yahoo', 'rate-limited', 'yahoo is rate-limiting this client')),
      },
      sink: { put },
      symbols: ['AAPL'],
      cadenceSeconds: 30,
      sleep: async () => undefined,
    });
    await expect(produce()).rejects.toThrow('yahoo is rate-limiting this client');
    expect(put).not.toHaveBeenCalled();
    expect(seen.metrics).toEqual([['ProducerFailures', 'Count', 1]]);
    expect(seen.logs).toHaveLength(1);
    expect(seen.logs[0]!.slice(0, 2)).toEqual(['error', 'producer failed']);
  });

  it('refuses a cadence that does not divide the minute', () => {
    expect(() =>
      makeProducerHandler({
        source: new SyntheticSource(),
        sink: { put: async () => undefined },
        symbols: ['A'],
        cadenceSeconds: 45,
      }),
    ).toThrow('cadence 45 s must be a positive divisor of 60');
  });
});

describe('handler', () => {
  it('can be imported without the function environment and names the missing variable when invoked', async () => {
    const saved = process.env.STOCKPIPE_STREAM_NAME;
    delete process.env.STOCKPIPE_STREAM_NAME;
    try {
      await expect(handler({}, {} as never)).rejects.toThrow('environment variable STOCKPIPE_STREAM_NAME is not set');
    } finally {
      if (saved !== undefined) process.env.STOCKPIPE_STREAM_NAME = saved;
    }
  });
});
