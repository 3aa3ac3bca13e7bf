/** The dashboard's and the report charts' series shaping, against plain recomputations. */
import {
  alertLog,
  marketOrder,
  movingAverage,
  orderSymbols,
  perMinute,
  withSmas,
  type MarkerAlert,
} from '../../src/dashboard/series';

/** The average of the `window` prices ending at i, summed afresh: the definition, not the running sum. */
const plainSma = (prices: readonly number[], i: number, window: number): number | null => {
  if (i + 1 < window) return null;
  let sum = 0;
  for (let k = i - window + 1; k <= i; k++) sum += prices[k]!;
  return sum / window;
};

// Real monthly closes of MSFT, 2000-2002 (data/stocks.csv).
const MSFT = [
  39.81, 36.35, 43.22, 28.37, 25.45, 32.54, 28.4, 28.4, 24.53, 28.02, 23.34, 17.65, 24.84, 24.0, 23.25, 20.44, 25.45, 26.82,
  28.26, 26.73, 23.06, 25.43, 29.43, 27.16, 26.92, 23.73, 24.05, 21.26, 20.38, 20.32,
];
const at = (i: number) => new Date(Date.UTC(2000, i, 1, 21)).toISOString();

describe('moving averages', () => {
  it('SMA-5 and SMA-20 of real closes equal the plain average of each window, null before the window is full', () => {
    const points = withSmas(MSFT.map((price, i) => ({ timestamp: at(i), price })));
    expect(points).toHaveLength(MSFT.length);
    points.forEach((p, i) => {
      const five = plainSma(MSFT, i, 5);
      const twenty = plainSma(MSFT, i, 20);
      if (five === null) expect(p.sma5).toBeNull();
      else expect(p.sma5).toBeCloseTo(five, 10);
      if (twenty === null) expect(p.sma20).toBeNull();
      else expect(p.sma20).toBeCloseTo(twenty, 10);
    });
    expect(points.filter((p) => p.sma20 !== null)).toHaveLength(MSFT.length - 19);
  });

  it('warm-up ticks before the first point feed the averages but are not returned (the report: 19 ticks before its day)', () => {
    const all = MSFT.map((price, i) => ({ timestamp: at(i), price }));
    const day = all.slice(19);
    const points = withSmas(day, all.slice(0, 19));
    expect(points.map((p) => p.timestamp)).toEqual(day.map((p) => p.timestamp));
    points.forEach((p, k) => {
      expect(p.sma20).toBeCloseTo(plainSma(MSFT, k + 19, 20)!, 10);
      expect(p.sma5).toBeCloseTo(plainSma(MSFT, k + 19, 5)!, 10);
    });
  });

  it('refuses a window that is not a whole number of at least 1, naming it', () => {
    expect(() => movingAverage([1, 2], 0)).toThrow('window=0: must be a whole number of at least 1');
  });
});

describe('market order', () => {
  it('sorts by timestamp and keeps the first tick of a timestamp seen twice', () => {
    expect(
      marketOrder([
        { timestamp: at(2), price: 3 },
        { timestamp: at(0), price: 1 },
        { timestamp: at(2), price: 99 },
        { timestamp: at(1), price: 2 },
      ]),
    ).toEqual([
      { timestamp: at(0), price: 1 },
      { timestamp: at(1), price: 2 },
      { timestamp: at(2), price: 3 },
    ]);
  });
});

describe('symbols and alert log', () => {
  it('lists symbols with alerts first, most alerts first, then by name', () => {
    const s = (symbol: string, alerts: number) => ({ symbol, ticks: 1, alerts, lastPrice: null, lastTimestamp: null });
    expect(orderSymbols([s('AAPL', 0), s('MSFT', 2), s('IBM', 5), s('AMZN', 0), s('GOOG', 2)]).map((x) => x.symbol)).toEqual([
      'IBM',
      'GOOG',
      'MSFT',
      'AAPL',
      'AMZN',
    ]);
  });

  it('lists alerts newest first by market time, filtered by symbol and side', () => {
    const a = (symbol: string, side: 'BUY' | 'SELL', i: number): MarkerAlert => ({
      symbol,
      side,
      timestamp: at(i),
      price: 1,
      sma5: 1,
      sma20: 1,
    });
    const alerts = [a('MSFT', 'BUY', 3), a('IBM', 'SELL', 5), a('MSFT', 'SELL', 7), a('MSFT', 'BUY', 1)];
    expect(alertLog(alerts).map((x) => x.timestamp)).toEqual([at(7), at(5), at(3), at(1)]);
    expect(alertLog(alerts, { symbol: 'MSFT', side: 'BUY' }).map((x) => x.timestamp)).toEqual([at(3), at(1)]);
  });
});

describe('per-minute counts', () => {
  it('takes the growth of the cumulative counters within each wall-clock minute', () => {
    const t = (m: number, s: number) => Date.UTC(2026, 0, 1, 10, m, s);
    const samples = [
      { at: t(0, 5), in: 10, processed: 8, deadLettered: 0 },
      { at: t(0, 55), in: 100, processed: 90, deadLettered: 1 },
      { at: t(1, 30), in: 160, processed: 150, deadLettered: 3 },
      { at: t(2, 10), in: 160, processed: 160, deadLettered: 3 },
    ];
    expect(perMinute(samples, t(2, 20), 4)).toEqual([
      { minute: new Date(t(59 - 60, 0)).toISOString(), in: 0, processed: 0, deadLettered: 0 },
      { minute: new Date(t(0, 0)).toISOString(), in: 100, processed: 90, deadLettered: 1 },
      { minute: new Date(t(1, 0)).toISOString(), in: 60, processed: 60, deadLettered: 2 },
      { minute: new Date(t(2, 0)).toISOString(), in: 0, processed: 10, deadLettered: 0 },
    ]);
  });
});
