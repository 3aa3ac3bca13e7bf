/**
 * The SQL recomputation of the crossovers (src/report/signals-query.ts) run for real on DuckDB over
 * raw lake files, against the streaming fold (foldSignals) and a plain reference fold, on real data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLakeDatabase } from '../../src/adapters/local/duckdb-athena';
import { foldSignals, initialSignalState, SIGNAL_TOLERANCE, type PricePoint } from '../../src/core/signals';
import { crossoverSql, CROSSOVER_COLUMNS, InvalidCrossoverQuery } from '../../src/report/signals-query';
import { referenceCrossovers, sp500Daily, stocksCsv, writeRawLake } from '../support/signal-lake';

const BUCKET = 'signals-lake';

interface Row {
  readonly symbol: string;
  readonly side: string;
  readonly timestamp: string;
  readonly price: number;
  readonly sma5: number;
  readonly sma20: number;
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function lakeOf(...batches: (readonly PricePoint[])[]): string {
  const s3Dir = mkdtempSync(join(tmpdir(), 'stockpipe-signals-'));
  dirs.push(s3Dir);
  batches.forEach((points, i) => writeRawLake(s3Dir, BUCKET, points, i));
  return s3Dir;
}

async function run(s3Dir: string, opts: Parameters<typeof crossoverSql>[0] = {}): Promise<{ columns: string[]; rows: Row[] }> {
  const db = await openLakeDatabase({ s3Dir, bucket: BUCKET });
  try {
    const result = await db.query(crossoverSql(opts));
    return { columns: result.columns.map((c) => c.name), rows: result.rows as unknown as Row[] };
  } finally {
    db.close();
  }
}

function streamingAlerts(points: readonly PricePoint[]) {
  const symbols = [...new Set(points.map((p) => p.symbol))].sort();
  return symbols.flatMap((s) => foldSignals(initialSignalState(s), points).alerts);
}

const keyOf = (a: { symbol: string; side: string; timestamp: string }) => `${a.symbol} ${a.side} ${a.timestamp}`;

function expectSameSmas(rows: readonly Row[], alerts: readonly { sma5: number; sma20: number }[]): void {
  rows.forEach((row, i) => {
    expect(Math.abs(row.sma5 - alerts[i]!.sma5)).toBeLessThanOrEqual(1e-12 * Math.abs(alerts[i]!.sma5));
    expect(Math.abs(row.sma20 - alerts[i]!.sma20)).toBeLessThanOrEqual(1e-12 * Math.abs(alerts[i]!.sma20));
  });
}

describe('crossoverSql on DuckDB over the raw lake', () => {
  it('finds every crossover of every symbol of data/stocks.csv that the fold and the reference find', async () => {
    const points = stocksCsv();
    const { columns, rows } = await run(lakeOf(points));
    const fold = streamingAlerts(points);
    const reference = referenceCrossovers(points, SIGNAL_TOLERANCE);

    expect(columns).toEqual([...CROSSOVER_COLUMNS]);
    expect(rows.map(keyOf)).toEqual(fold.map(keyOf));
    expect(rows.map(keyOf)).toEqual(reference.map(keyOf));
    expect(rows).toHaveLength(31);
    const perSymbol = Object.fromEntries(
      ['AAPL', 'AMZN', 'GOOG', 'IBM', 'MSFT'].map((s) => [s, rows.filter((r) => r.symbol === s).length]),
    );
    expect(perSymbol).toEqual({ AAPL: 5, AMZN: 7, GOOG: 2, IBM: 10, MSFT: 7 });
    expect(rows.map((r) => r.price)).toEqual(fold.map((a) => a.price));
    expectSameSmas(rows, fold);
  });

  it('finds the crossovers of 5,100 daily S&P 500 closes exactly as the fold and the reference', async () => {
    const points = sp500Daily();
    expect(points.length).toBeGreaterThan(5000);
    const { rows } = await run(lakeOf(points));
    const fold = streamingAlerts(points);

    expect(rows.map(keyOf)).toEqual(fold.map(keyOf));
    expect(rows.map(keyOf)).toEqual(referenceCrossovers(points, SIGNAL_TOLERANCE).map(keyOf));
    expect(rows).toHaveLength(307);
    expectSameSmas(rows, fold);
  });

  it('counts a duplicate tick once, the lowest price of the duplicates being the one kept', async () => {
    const points = sp500Daily().slice(0, 600);
    const retried = points.filter((_, i) => i % 7 === 0);
    const clean = (await run(lakeOf(points))).rows;
    expect((await run(lakeOf(points, retried))).rows).toEqual(clean);

    // A second tick at the same time with another price: the fold keeps the first it saw; the lake
    // keeps the lower one. Put the lower price first for the fold, so both must agree.
    const lower = points.map((p, i) => (i % 11 === 0 ? { ...p, price: p.price - 40 } : p));
    const higher = points.filter((_, i) => i % 11 === 0);
    const { rows } = await run(lakeOf(lower, higher));
    const fold = streamingAlerts([...lower, ...higher]);
    expect(rows.map(keyOf)).toEqual(fold.map(keyOf));
    expect(rows.map(keyOf)).not.toEqual(clean.map(keyOf));
  });

  it('sees no cross when SMA-5 touches SMA-20 and returns to its side, and one when it leaves a touch since warm-up', async () => {
    const at = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString();
    const series = (symbol: string, prices: readonly number[]): PricePoint[] =>
      prices.map((price, i) => ({ symbol, timestamp: at(i), price }));
    // 20 flat prices: SMA-5 = SMA-20 from row 20 on (a touch, also where the sums of 10.1 differ in
    // their last bits). Row 21 at 12: BUY, out of a touch since warm-up. Row 22 at 8: SMA-5 = SMA-20 = 10
    // (touch). Row 23 at 12: above again, no cross (TBK); at 8 instead: below, SELL (TSL).
    const flat = (price: number) => Array.from({ length: 20 }, () => price);
    const points = [
      ...series('TBK', [...flat(10), 12, 8, 12]),
      ...series('TSL', [...flat(10), 12, 8, 8]),
      ...series('TFL', [...flat(10.1), 10.1, 10.1, 30]),
    ];
    const { rows } = await run(lakeOf(points));
    expect(rows.map((r) => [r.symbol, r.side, r.timestamp])).toEqual([
      ['TBK', 'BUY', at(20)],
      ['TFL', 'BUY', at(22)],
      ['TSL', 'BUY', at(20)],
      ['TSL', 'SELL', at(22)],
    ]);
    expect(rows.map(keyOf)).toEqual(streamingAlerts(points).map(keyOf));
    expect(rows.map(keyOf)).toEqual(referenceCrossovers(points, SIGNAL_TOLERANCE).map(keyOf));
  });

  it('gives a window that starts mid-series exactly the crossovers of the full run inside it', async () => {
    const points = sp500Daily();
    const s3Dir = lakeOf(points);
    const full = (await run(s3Dir)).rows;
    const inside = full.filter((r) => r.timestamp >= '2003-03-10' && r.timestamp < '2004-01-01');
    expect(inside).toHaveLength(13);
    const window = await run(s3Dir, { from: '2003-03-10', to: '2003-12-31' });
    expect(window.rows).toEqual(inside);
    const oneDay = await run(s3Dir, { from: inside[0]!.timestamp.slice(0, 10), to: inside[0]!.timestamp.slice(0, 10) });
    expect(oneDay.rows).toEqual([inside[0]]);
    // Started cold (a lake holding only the window's days), the first crossover comes too late.
    const cold = await run(lakeOf(points.filter((p) => p.timestamp >= '2003-03-10')), { from: '2003-03-10', to: '2003-12-31' });
    expect(cold.rows.map(keyOf)).not.toEqual(inside.map(keyOf));
  });

  it('filters on one symbol', async () => {
    const points = stocksCsv();
    const s3Dir = lakeOf(points);
    const all = (await run(s3Dir)).rows;
    const ibm = await run(s3Dir, { symbol: 'IBM' });
    expect(ibm.rows).toEqual(all.filter((r) => r.symbol === 'IBM'));
    expect(ibm.rows).toHaveLength(10);
  });
});

describe('crossoverSql options', () => {
  it('cuts the input at the end of `to` only and filters the output to [from, to]', () => {
    const sql = crossoverSql({ symbol: 'SPX', from: '2024-01-02', to: '2024-01-31' });
    expect(sql).toContain("WHERE dt <= '2024-01-31' AND symbol = 'SPX'");
    expect(sql).not.toMatch(/dt\s*>=/);
    expect(sql).toContain(`"timestamp" >= TIMESTAMP '2024-01-02 00:00:00.000'`);
    expect(sql).toContain(`"timestamp" < TIMESTAMP '2024-02-01 00:00:00.000'`);
    expect(sql).toContain('FROM stock_data_table');
    expect(crossoverSql({ table: 'stock_data_curated' })).toContain('FROM stock_data_curated\n  GROUP BY');
  });

  it('refuses a bad day, symbol, table or range with the option, the value and why', () => {
    expect(() => crossoverSql({ from: '2024-02-30' })).toThrow('from="2024-02-30" is not a day: use YYYY-MM-DD, e.g. 2024-01-02');
    expect(() => crossoverSql({ to: "2024-01-01' OR 1=1" })).toThrow(InvalidCrossoverQuery);
    expect(() => crossoverSql({ symbol: "X' OR '1'='1" })).toThrow(/^symbol="X' OR '1'='1": must be 1-15 characters/);
    expect(() => crossoverSql({ table: 'stock_data_table; DROP TABLE x' })).toThrow(/not a plain lower-case identifier/);
    expect(() => crossoverSql({ from: '2024-02-02', to: '2024-02-01' })).toThrow(
      'from=2024-02-02 is after to=2024-02-01: the range is empty; swap them',
    );
    try {
      crossoverSql({ symbol: 'bad symbol' });
    } catch (error) {
      expect((error as InvalidCrossoverQuery).exitCode).toBe(2);
    }
  });
});
