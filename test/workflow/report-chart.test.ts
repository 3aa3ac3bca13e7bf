/**
 * The daily report's charts: the chart query on DuckDB (the day's ticks with SMA-5/SMA-20 warmed up
 * on the ticks before the day, thinned to CHART_POINTS) against a plain recomputation, and the
 * stored page's inline SVG: one chart per symbol, a marker per alert of the day, no script.
 */
import { tmpdir } from 'node:os';
import { openLakeDatabase, type LakeDatabase } from '../../src/adapters/local/duckdb-athena';
import type { ReportAlert } from '../../src/core/report';
import type { Tick } from '../../src/core/tick';
import { CHART_POINTS, chartSql } from '../../src/report/chart-query';
import { FIXTURE_TABLE, loadTicks, reportOf } from './report-sql';

let db: LakeDatabase;
beforeAll(async () => {
  db = await openLakeDatabase({ s3Dir: tmpdir(), bucket: 'no-such-bucket' });
});
afterAll(() => db.close());

const tick = (symbol: string, timestamp: string, price: number): Tick => ({
  symbol,
  timestamp,
  price,
  open: price,
  high: price,
  low: price,
  previous_close: price,
  volume: 0,
  source: 'replay',
});

/** The average of the `window` prices ending at i, summed afresh. */
const plainSma = (prices: readonly number[], i: number, window: number): number | null => {
  if (i + 1 < window) return null;
  let sum = 0;
  for (let k = i - window + 1; k <= i; k++) sum += prices[k]!;
  return sum / window;
};

// Real IBM monthly closes 2000-2001 (data/stocks.csv) as the history, then a day of 30 ticks.
const HISTORY = [
  100.52, 92.11, 106.11, 99.95, 96.31, 98.33, 100.74, 118.62, 101.19, 88.5, 84.12, 87.35, 108.5, 91.6, 89.19, 106.34, 111.41,
  104.51, 98.07, 87.52, 82.82, 89.48, 100.61, 109.36,
];
const DAY = '2002-01-02';
const dayPrices = Array.from({ length: 30 }, (_, i) => 110 + Math.sin(i / 3) * 4 + i * 0.1);
const dayTime = (i: number) => new Date(Date.parse(`${DAY}T14:30:00Z`) + i * 10 * 60_000).toISOString();

describe('the chart query', () => {
  beforeAll(async () => {
    await loadTicks(db, [
      ...HISTORY.map((p, i) => tick('IBM', new Date(Date.UTC(2000, i, 1, 21)).toISOString(), p)),
      ...dayPrices.map((p, i) => tick('IBM', dayTime(i), p)),
      // A later day is not the report's.
      tick('IBM', '2002-01-03T14:30:00.000Z', 999),
    ]);
  });

  it("gives the day's ticks with SMAs over the ticks before the day too, equal to plain averages", async () => {
    const { rows } = await db.query(chartSql(DAY, FIXTURE_TABLE, FIXTURE_TABLE));
    const all = [...HISTORY, ...dayPrices];
    expect(rows.map((r) => r.timestamp)).toEqual(dayPrices.map((_, i) => dayTime(i)));
    rows.forEach((r, i) => {
      const at = HISTORY.length + i;
      expect(r.price).toBe(dayPrices[i]);
      expect(r.sma5 as number).toBeCloseTo(plainSma(all, at, 5)!, 9);
      expect(r.sma20 as number).toBeCloseTo(plainSma(all, at, 20)!, 9);
    });
  });

  it(`thins a day of more than ${CHART_POINTS} ticks to every n-th, keeping the last, with SMAs of every tick`, async () => {
    const many = Array.from({ length: 200 }, (_, i) => 50 + (i % 7));
    const time = (i: number) => new Date(Date.parse(`${DAY}T14:30:00Z`) + i * 60_000).toISOString();
    await loadTicks(
      db,
      many.map((p, i) => tick('MSFT', time(i), p)),
    );
    const { rows } = await db.query(chartSql(DAY, FIXTURE_TABLE, FIXTURE_TABLE));
    const step = Math.ceil(200 / CHART_POINTS);
    const kept = many.map((_, i) => i).filter((i) => i % step === 0 || i === 199);
    expect(rows.length).toBeLessThanOrEqual(CHART_POINTS + 1);
    expect(rows.map((r) => r.timestamp)).toEqual(kept.map(time));
    rows.forEach((r, k) => {
      const i = kept[k]!;
      if (i < 19) expect(r.sma20).toBeNull();
      else expect(r.sma20 as number).toBeCloseTo(plainSma(many, i, 20)!, 9);
      if (i < 4) expect(r.sma5).toBeNull();
      else expect(r.sma5 as number).toBeCloseTo(plainSma(many, i, 5)!, 9);
    });
  });
});

describe("the report page's charts", () => {
  it('has one SVG chart per symbol and a marker for each alert of the day, and no script', async () => {
    await loadTicks(db, [
      ...dayPrices.map((p, i) => tick('IBM', dayTime(i), p)),
      ...dayPrices.map((p, i) => tick('MSFT', dayTime(i), p / 3)),
    ]);
    const alert = (symbol: string, side: 'BUY' | 'SELL', i: number, status = 'PUBLISHED'): ReportAlert => ({
      symbol,
      side,
      timestamp: dayTime(i),
      price: dayPrices[i]!,
      sma5: 1,
      sma20: 1,
      status,
    });
    const { built } = await reportOf(db, DAY, [
      alert('IBM', 'BUY', 3),
      alert('IBM', 'SELL', 12),
      alert('MSFT', 'SELL', 20, 'PENDING'),
    ]);
    expect(built.html.match(/<svg class="chart"/g)).toHaveLength(2);
    const ibm = built.html.slice(built.html.indexOf('id="chart-IBM"'), built.html.indexOf('id="chart-MSFT"'));
    expect(ibm.match(/<g class="marker buy">/g)).toHaveLength(1);
    expect(ibm.match(/<g class="marker sell">/g)).toHaveLength(1);
    expect(ibm.match(/<polyline class="(price|sma5|sma20)"/g)).toHaveLength(3);
    // A claimed alert that was never sent is drawn hollow.
    const msft = built.html.slice(built.html.indexOf('id="chart-MSFT"'));
    expect(msft).toMatch(/<g class="marker sell"><title>SELL at [\d.]+, [\d:]+ ET \(not sent\)<\/title><path [^>]*fill="none"/);
    expect(built.html).not.toMatch(/<script/i);
  });
});
