import { join } from 'node:path';
import { QuoteSourceError } from '../../../src/core/ports-quotes';
import { DEFAULT_REPLAY_FILE, ReplaySource } from '../../../src/producer/replay-source';

const csvFixture = (name: string) => join(__dirname, '..', '..', 'fixtures', 'csv', name);

describe('ReplaySource', () => {
  it('defaults to data/stocks.csv and knows its five symbols', () => {
    expect(DEFAULT_REPLAY_FILE).toBe(join(__dirname, '..', '..', '..', 'data', 'stocks.csv'));
    expect(ReplaySource.fromFile().symbols()).toEqual(['AAPL', 'AMZN', 'GOOG', 'IBM', 'MSFT']);
  });

  it('yields one tick per requested symbol per sample, in time order, only for the requested symbols', async () => {
    const replay = ReplaySource.fromFile();
    const first = await replay.sample(['msft', 'AAPL']);
    const second = await replay.sample(['MSFT', 'AAPL']);
    expect(first.map((t) => [t.symbol, t.timestamp, t.price])).toEqual([
      ['MSFT', '2000-01-01T21:00:00.000Z', 39.81],
      ['AAPL', '2000-01-01T21:00:00.000Z', 25.94],
    ]);
    expect(second.map((t) => [t.symbol, t.timestamp, t.price, t.previous_close])).toEqual([
      ['MSFT', '2000-02-01T21:00:00.000Z', 36.35, 39.81],
      ['AAPL', '2000-02-01T21:00:00.000Z', 28.66, 25.94],
    ]);
    expect(first.every((t) => t.source === 'replay')).toBe(true);
  });

  it('leaves a symbol out of the samples before its history starts', async () => {
    // GOOG's prices start in Aug 2004, the others' in Jan 2000.
    const replay = ReplaySource.fromFile(DEFAULT_REPLAY_FILE, { from: '2004-07-01' });
    const july = await replay.sample(['GOOG', 'IBM']);
    const august = await replay.sample(['GOOG', 'IBM']);
    expect(july.map((t) => `${t.symbol}@${t.timestamp.slice(0, 10)}`)).toEqual(['IBM@2004-07-01']);
    expect(august.map((t) => `${t.symbol}@${t.timestamp.slice(0, 10)}`)).toEqual(['GOOG@2004-08-01', 'IBM@2004-08-01']);
  });

  it('runs out: fewer ticks, then none, and says it is exhausted', async () => {
    const replay = ReplaySource.fromFile(csvFixture('long-2004-reversed.csv'));
    const sizes: number[] = [];
    const exhausted: boolean[] = [];
    for (let k = 0; k < 4; k += 1) {
      sizes.push((await replay.sample(['MSFT', 'GOOG'])).length);
      exhausted.push(replay.exhausted());
    }
    expect(sizes).toEqual([2, 2, 2, 0]);
    expect(exhausted).toEqual([false, false, true, true]);
  });

  it('counts exhaustion over the symbols it was last asked for', async () => {
    const replay = ReplaySource.fromCsv('symbol,date,price\nA,2000-01-03,1\nB,2000-01-03,2\nB,2000-01-04,3\n');
    await replay.sample(['A']);
    expect(replay.exhausted()).toBe(true);
    expect(replay.remaining(['A', 'B'])).toBe(2);
    await replay.sample(['A', 'B']);
    expect(replay.exhausted()).toBe(false);
  });

  it('replays a Yahoo historical file for the symbol it is given, as the csv source', async () => {
    const replay = ReplaySource.fromFile(csvFixture('yahoo-AAPL-2020-09.csv'), { name: 'csv', symbol: 'AAPL' });
    const [tick] = await replay.sample(['AAPL']);
    expect(replay.name).toBe('csv');
    expect(tick).toMatchObject({ symbol: 'AAPL', timestamp: '2020-08-31T21:00:00.000Z', price: 129.039993, source: 'csv' });
  });

  it('keeps the rejected rows of its file for the caller to dead-letter', () => {
    const replay = ReplaySource.fromCsv('symbol,date,price\nA,2000-01-03,1\nA,not a date,2\n');
    expect(replay.rejections).toEqual([
      {
        line: 3,
        raw: 'A,not a date,2',
        rejection: { field: 'date', value: '"not a date"', reason: expect.stringContaining('is not a date') },
      },
    ]);
    expect(replay.remaining(['A'])).toBe(1);
  });

  it('refuses an unknown symbol with the list of available ones', async () => {
    const replay = ReplaySource.fromFile();
    await expect(replay.sample(['AAPL', 'TSLA'])).rejects.toThrow(
      new QuoteSourceError(
        'replay',
        'unknown-symbol',
        `${DEFAULT_REPLAY_FILE} has no prices for TSLA; available symbols: AAPL, AMZN, GOOG, IBM, MSFT`,
      ),
    );
  });

  it('refuses a missing file, an unreadable header and a bad start date with one-line errors', () => {
    expect(() => ReplaySource.fromFile('/nonexistent/prices.csv')).toThrow(
      'replay file /nonexistent/prices.csv does not exist; pass an existing CSV file',
    );
    expect(() => ReplaySource.fromCsv('when,what\n')).toThrow(QuoteSourceError);
    expect(() => ReplaySource.fromFile(DEFAULT_REPLAY_FILE, { from: 'someday' })).toThrow('replay start "someday" is not a date');
  });
});
