/** The demo's synthetic trading-hour path between two real monthly closes. */
import { readFileSync } from 'node:fs';
import type { Tick } from '../../../src/core/tick';
import { demoReplay } from '../../../src/producer/demo-feed';
import { INTRADAY_SOURCE, INTRADAY_TIMES, intradayPath, tradingDays } from '../../../src/producer/intraday-path';
import { DEFAULT_REPLAY_FILE } from '../../../src/producer/replay-source';

const close = (timestamp: string, price: number): Tick => ({
  symbol: 'MSFT',
  timestamp,
  price,
  open: price,
  high: price,
  low: price,
  previous_close: price,
  volume: 0,
  source: 'replay',
});

describe('the intraday path', () => {
  const from = close('2010-02-01T21:00:00.000Z', 28.67);
  const to = close('2010-03-01T21:00:00.000Z', 28.8);
  const path = intradayPath(from, to, 1);

  it('has 8 ticks on every weekday after the first close up to the second, and ends on the real close itself', () => {
    const days = tradingDays(from.timestamp, to.timestamp);
    expect(days[0]).toBe('2010-02-02');
    expect(days.at(-1)).toBe('2010-03-01');
    expect(days).toHaveLength(20);
    expect(path).toHaveLength(20 * INTRADAY_TIMES.length);
    expect(path.at(-1)).toEqual({ ...to, previous_close: path.at(-1 - INTRADAY_TIMES.length)!.price });
    expect(path.slice(0, -1).every((t) => t.source === INTRADAY_SOURCE)).toBe(true);
    expect(new Set(path.map((t) => t.timestamp)).size).toBe(path.length);
  });

  it("gives each tick the previous day's last price as its previous close", () => {
    expect(path.slice(0, 8).every((t) => t.previous_close === from.price)).toBe(true);
    expect(path.slice(8, 16).every((t) => t.previous_close === path[7]!.price)).toBe(true);
  });

  it('stays near the two closes (no jump) and is the same for the same seed', () => {
    expect(Math.max(...path.map((t) => t.price))).toBeLessThan(28.67 * 1.3);
    expect(Math.min(...path.map((t) => t.price))).toBeGreaterThan(28.67 * 0.7);
    expect(intradayPath(from, to, 1)).toEqual(path);
    expect(intradayPath(from, to, 2)).not.toEqual(path);
  });
});

describe('the demo replay', () => {
  it('keeps every real monthly close and adds the synthetic last month', () => {
    const replay = demoReplay(1);
    const rows = readFileSync(DEFAULT_REPLAY_FILE, 'utf8').trim().split('\n').length - 1;
    expect(replay.symbols()).toEqual(['AAPL', 'AMZN', 'GOOG', 'IBM', 'MSFT']);
    // The last close of each symbol is the end of its path: 560 real rows, 5 x (20 x 8 - 1) synthetic.
    expect(replay.remaining()).toBe(rows + 5 * (20 * 8 - 1));
  });
});
