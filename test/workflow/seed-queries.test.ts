import { rmSync } from 'node:fs';
import { openLakeDatabase, type LakeDatabase } from '../../src/adapters/local/duckdb-athena';
import { SEED_QUERIES } from '../../src/report/queries';
import { FIXTURE_BUCKET, fixtureS3Dir } from './fixture-lake';

describe('the four seed queries, verbatim, on the hand-checked lake (test/fixtures/lake)', () => {
  let s3Dir: string;
  let db: LakeDatabase;
  beforeAll(async () => {
    s3Dir = fixtureS3Dir();
    db = await openLakeDatabase({ s3Dir, bucket: FIXTURE_BUCKET });
  });
  afterAll(() => {
    db.close();
    rmSync(s3Dir, { recursive: true, force: true });
  });

  it('keeps the exact seed text of the queries', () => {
    // The seeds' Athena queries, character for character (whitespace as in the seeds).
    expect(SEED_QUERIES.topPriceChanges).toBe(
      'SELECT symbol, price, previous_close,\n       (price - previous_close) AS price_change\nFROM stock_data_table\nORDER BY price_change DESC\nLIMIT 5;',
    );
    expect(SEED_QUERIES.averageVolume).toBe('SELECT symbol, AVG(volume) AS avg_volume\nFROM stock_data_table\nGROUP BY symbol;');
    expect(SEED_QUERIES.anomalies).toBe(
      'SELECT symbol, price, previous_close,\n       ROUND(((price - previous_close) / previous_close) * 100, 2) AS change_percent\nFROM stock_data_table\nWHERE ABS(((price - previous_close) / previous_close) * 100) > 5;',
    );
    expect(SEED_QUERIES.anomalies).toContain('ROUND(((price - previous_close) / previous_close) * 100, 2) AS change_percent');
    expect(SEED_QUERIES.hourlyVolume).toContain("DATE_TRUNC('hour', timestamp)");
    for (const sql of Object.values(SEED_QUERIES)) expect(sql).toContain('FROM stock_data_table');
  });

  it('top 5 by price change: 6, 4, 1, then the two -1 ticks', async () => {
    const { rows } = await db.query(SEED_QUERIES.topPriceChanges);
    expect(rows).toHaveLength(5);
    expect(rows.slice(0, 3)).toEqual([
      { symbol: 'AAA', price: 106, previous_close: 100, price_change: 6 },
      { symbol: 'AAA', price: 104, previous_close: 100, price_change: 4 },
      { symbol: 'BBB', price: 53, previous_close: 52, price_change: 1 },
    ]);
    // Tied at -1 (the ticks of 15:10 and of the next day): their order is not defined by the query.
    expect(rows.slice(3).map((r) => r.price_change)).toEqual([-1, -1]);
  });

  it('average volume per symbol: AAA 500, BBB 2333.33', async () => {
    const { rows, columns } = await db.query(SEED_QUERIES.averageVolume);
    expect(columns).toEqual([
      { name: 'symbol', type: 'VARCHAR' },
      { name: 'avg_volume', type: 'DOUBLE' },
    ]);
    const bySymbol = Object.fromEntries(rows.map((r) => [r.symbol, r.avg_volume]));
    expect(Object.keys(bySymbol).sort()).toEqual(['AAA', 'BBB']);
    expect(bySymbol.AAA).toBe(500);
    expect(bySymbol.BBB).toBeCloseTo(7000 / 3, 10);
  });

  it('anomalies: the two ticks beyond 5% of the previous close, with change_percent rounded to 2 places', async () => {
    const { rows } = await db.query(SEED_QUERIES.anomalies);
    // The seed query has no ORDER BY: compare as a set.
    expect([...rows].sort((a, b) => String(a.symbol).localeCompare(String(b.symbol)))).toEqual([
      { symbol: 'AAA', price: 106, previous_close: 100, change_percent: 6 },
      { symbol: 'BBB', price: 48.5, previous_close: 52, change_percent: -6.73 },
    ]);
  });

  it('hourly volume: five symbol-hours with summed volume', async () => {
    const { rows, columns } = await db.query(SEED_QUERIES.hourlyVolume);
    expect(columns.map((c) => c.type)).toEqual(['VARCHAR', 'TIMESTAMP', 'HUGEINT']);
    expect(rows).toEqual([
      { symbol: 'AAA', hour: '2024-01-02T14:00:00.000Z', total_volume: 1500 },
      { symbol: 'AAA', hour: '2024-01-02T15:00:00.000Z', total_volume: 200 },
      { symbol: 'AAA', hour: '2024-01-03T14:00:00.000Z', total_volume: 300 },
      { symbol: 'BBB', hour: '2024-01-02T14:00:00.000Z', total_volume: 3000 },
      { symbol: 'BBB', hour: '2024-01-02T16:00:00.000Z', total_volume: 4000 },
    ]);
  });
});
