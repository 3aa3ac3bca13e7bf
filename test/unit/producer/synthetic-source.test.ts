import { enrich } from '../../../src/core/enrich';
import { LastPriceReadError, QuoteSourceError, type LastPriceReader } from '../../../src/core/ports-quotes';
import { mulberry32, SyntheticSource, syntheticSymbols } from '../../../src/producer/synthetic-source';

const run = async (source: SyntheticSource, symbols: string[], samples: number) => {
  const out = [];
  for (let k = 0; k < samples; k += 1) out.push(...(await source.sample(symbols)));
  return out;
};

describe('syntheticSymbols', () => {
  it('names N symbols SYN000.. and widens past 1000', () => {
    expect(syntheticSymbols(3)).toEqual(['SYN000', 'SYN001', 'SYN002']);
    expect(syntheticSymbols(100)).toHaveLength(100);
    expect(syntheticSymbols(100)[99]).toBe('SYN099');
    expect(syntheticSymbols(1001)[1000]).toBe('SYN1000');
    expect(() => syntheticSymbols(0)).toThrow('synthetic symbol count 0 must be a whole number of at least 1');
  });
});

describe('mulberry32', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const seqA = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(seqA);
    expect([c(), c(), c()]).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('SyntheticSource', () => {
  it('gives the same ticks for the same seed, start and cadence', async () => {
    const options = { seed: 42, start: '2024-03-04T14:30:00Z', cadenceSeconds: 30 };
    const first = await run(new SyntheticSource(options), syntheticSymbols(5), 20);
    const second = await run(new SyntheticSource(options), syntheticSymbols(5), 20);
    expect(first).toHaveLength(100);
    expect(second).toEqual(first);
    const other = await run(new SyntheticSource({ ...options, seed: 43 }), syntheticSymbols(5), 20);
    expect(other.map((t) => t.price)).not.toEqual(first.map((t) => t.price));
  });

  it('advances market time by the cadence from the fixed start', async () => {
    const source = new SyntheticSource({ start: '2024-03-04T14:30:00Z', cadenceSeconds: 15 });
    const times = [];
    for (let k = 0; k < 3; k += 1) times.push((await source.sample(['SYN000', 'SYN001'])).map((t) => t.timestamp));
    expect(times).toEqual([
      ['2024-03-04T14:30:00.000Z', '2024-03-04T14:30:00.000Z'],
      ['2024-03-04T14:30:15.000Z', '2024-03-04T14:30:15.000Z'],
      ['2024-03-04T14:30:30.000Z', '2024-03-04T14:30:30.000Z'],
    ]);
  });

  it('walks a symbol the same way whichever other symbols are asked for', async () => {
    const alone = await run(new SyntheticSource({ seed: 5 }), ['SYN003'], 10);
    const together = (await run(new SyntheticSource({ seed: 5 }), ['SYN001', 'SYN003', 'SYN007'], 10)).filter(
      (t) => t.symbol === 'SYN003',
    );
    expect(together).toEqual(alone);
  });

  it('makes coherent bars: open is the previous price, high and low bound open and price, whole volumes', async () => {
    const ticks = await run(new SyntheticSource({ seed: 9 }), ['SYN000'], 500);
    ticks.forEach((t, k) => {
      if (k > 0) expect(t.open).toBe(ticks[k - 1]!.price);
      expect(t.previous_close).toBe(t.open);
      expect(t.high).toBeGreaterThanOrEqual(Math.max(t.open, t.price));
      expect(t.low).toBeLessThanOrEqual(Math.min(t.open, t.price));
      expect(t.low).toBeGreaterThan(0);
      expect(Number.isInteger(t.volume) && t.volume > 0).toBe(true);
      expect(t.source).toBe('synthetic');
    });
  });

  it('moves more than 5% now and then, and rarely', async () => {
    const ticks = await run(new SyntheticSource({ seed: 1 }), syntheticSymbols(10), 200);
    const anomalies = ticks.map(enrich).filter((t) => t.anomaly).length;
    // 2000 bars at a 1% jump chance: a few dozen at most, and not none.
    expect(anomalies).toBeGreaterThan(0);
    expect(anomalies).toBeLessThan(60);
  });

  it('refuses a bad start, seed or cadence', () => {
    expect(() => new SyntheticSource({ start: 'soon' })).toThrow('synthetic start "soon" is not a date');
    expect(() => new SyntheticSource({ seed: 1.5 })).toThrow('synthetic seed 1.5 must be a whole number');
    expect(() => new SyntheticSource({ cadenceSeconds: 0 })).toThrow('synthetic cadence 0 s must be greater than 0');
  });
});

describe('SyntheticSource start prices', () => {
  it('starts a symbol from the given price (a replay handing over), others from the seed', async () => {
    const seeded = await new SyntheticSource({ seed: 7 }).sample(['AAPL', 'MSFT']);
    const [aapl, msft] = await new SyntheticSource({ seed: 7, startPrices: { AAPL: 223.02 } }).sample(['AAPL', 'MSFT']);
    expect(aapl!.open).toBe(223.02);
    expect(aapl!.previous_close).toBe(223.02);
    expect(msft).toEqual(seeded[1]);
  });

  it('refuses a start price that is not a positive number, naming the symbol', () => {
    expect(() => new SyntheticSource({ startPrices: { AAPL: -1 } })).toThrow(
      'synthetic start price of AAPL (-1) must be a positive number',
    );
  });
});

/** The last stored prices, in memory; records what it was asked. */
class MemoryLastPrices implements LastPriceReader {
  readonly asked: string[][] = [];
  failing: Error | undefined;

  constructor(private readonly prices: Record<string, number>) {}

  async lastPrices(symbols: readonly string[]): Promise<Map<string, number>> {
    this.asked.push([...symbols]);
    if (this.failing) throw this.failing;
    return new Map(symbols.filter((s) => s in this.prices).map((s) => [s, this.prices[s]!]));
  }
}

describe('SyntheticSource with the last stored prices', () => {
  it('starts a symbol from its stored price, over startPrices; one never stored starts as without the reader', async () => {
    const reader = new MemoryLastPrices({ AAPL: 187.31 });
    const seeded = await new SyntheticSource({ seed: 7 }).sample(['AAPL', 'MSFT']);
    const [aapl, msft] = await new SyntheticSource({ seed: 7, startPrices: { AAPL: 223.02 }, lastPrices: reader }).sample([
      'AAPL',
      'MSFT',
    ]);
    expect([aapl!.open, aapl!.previous_close]).toEqual([187.31, 187.31]);
    expect(msft).toEqual(seeded[1]);
  });

  it('asks once per symbol, when its walk starts, never again for a walk under way', async () => {
    const reader = new MemoryLastPrices({ AAPL: 187.31, MSFT: 402.5 });
    const source = new SyntheticSource({ seed: 7, lastPrices: reader });
    await run(source, ['AAPL'], 3);
    await run(source, ['AAPL', 'MSFT'], 2);
    expect(reader.asked).toEqual([['AAPL'], ['MSFT']]);
  });

  it('continues a walk: the second source starts where the first one stopped, with the same steps', async () => {
    const first = await run(new SyntheticSource({ seed: 11 }), ['SYN000'], 50);
    const last = first[first.length - 1]!.price;
    const second = new SyntheticSource({
      seed: 11,
      start: new Date(Date.parse(first[0]!.timestamp) + 50 * 30_000),
      lastPrices: new MemoryLastPrices({ SYN000: last }),
    });
    const [next] = await second.sample(['SYN000']);
    expect(next!.timestamp).toBe(new Date(Date.parse(first[49]!.timestamp) + 30_000).toISOString());
    expect([next!.open, next!.previous_close]).toEqual([last, last]);
    // Its first step is the seed's first step, from another price.
    expect(Math.abs(Math.log(next!.price / last) - Math.log(first[0]!.price / first[0]!.open))).toBeLessThan(0.001);
  });

  it('fails the sample when the prices cannot be read, starts nothing, and reads again on the next one', async () => {
    const reader = new MemoryLastPrices({ AAPL: 187.31 });
    reader.failing = new LastPriceReadError('AAPL', 'stockpipe-prices', 'AccessDeniedException');
    const source = new SyntheticSource({ seed: 7, lastPrices: reader });
    const failure = source.sample(['AAPL']);
    await expect(failure).rejects.toThrow(
      'synthetic source could not read where its walks left off: could not read the last price of AAPL from table stockpipe-prices: AccessDeniedException',
    );
    await expect(failure).rejects.toMatchObject({ name: 'QuoteSourceError', kind: 'network', cause: reader.failing });
    reader.failing = undefined;
    const [aapl] = await source.sample(['AAPL']);
    expect(aapl).toMatchObject({ open: 187.31, timestamp: '2024-01-02T14:30:00.000Z' });
    expect(reader.asked).toEqual([['AAPL'], ['AAPL']]);
  });

  it('refuses a stored price that is not a positive number, naming the symbol', async () => {
    const source = new SyntheticSource({ lastPrices: new MemoryLastPrices({ AAPL: 0 }) });
    await expect(source.sample(['AAPL'])).rejects.toThrow(
      new QuoteSourceError('synthetic', 'invalid-quote', 'the last stored price of AAPL (0) is not a positive number'),
    );
  });
});
