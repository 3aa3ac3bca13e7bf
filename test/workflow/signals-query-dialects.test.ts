/**
 * One text for both engines: every variant of the crossover query must parse with Trino's grammar
 * (dt-sql-parser's TrinoSQL, generated from Trino's own ANTLR grammar; Athena engine v3 is Trino) and
 * run on DuckDB. signals-query.test.ts runs it on DuckDB over real data; here DuckDB prepares every
 * variant, and the grammar check is shown to refuse the DuckDB-only constructs it is there to stop.
 */
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLakeDatabase } from '../../src/adapters/local/duckdb-athena';
import { chartSql } from '../../src/report/chart-query';
import { crossoverSql } from '../../src/report/signals-query';

/** The Trino syntax errors of each text (test/support/trino-grammar.mts, in a process of its own). */
function trinoErrors(texts: readonly string[]): string[][] {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'support', 'trino-grammar.mts')], {
    input: JSON.stringify(texts),
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[][];
}

const VARIANTS: readonly Parameters<typeof crossoverSql>[0][] = [
  {},
  { symbol: 'SPX' },
  { from: '2024-01-02' },
  { to: '2024-01-31' },
  { symbol: 'BRK-B', from: '2024-01-02', to: '2024-01-31' },
  { table: 'stock_data_curated', symbol: 'EURUSD=X', to: '2024-12-31' },
  // The daily report's: history compacted, the day itself raw.
  {
    table: 'stock_data_curated',
    recent: { table: 'stock_data_table', fromDay: '2024-01-04' },
    from: '2024-01-04',
    to: '2024-01-04',
  },
];

describe('the crossover query in both dialects', () => {
  it('parses with Trino’s grammar in every variant, and so does the report’s chart query', () => {
    const errors = trinoErrors([
      ...VARIANTS.map((v) => crossoverSql(v)),
      chartSql('2024-01-04', 'stock_data_curated', 'stock_data_table'),
    ]);
    expect(errors).toEqual([...VARIANTS.map(() => []), []]);
  });

  it('runs unchanged on DuckDB in every variant', async () => {
    const db = await openLakeDatabase({ s3Dir: tmpdir(), bucket: 'no-such-lake' });
    try {
      for (const variant of VARIANTS) {
        const result = await db.query(crossoverSql(variant));
        expect(result.columns.map((c) => c.name)).toEqual(['symbol', 'side', 'timestamp', 'price', 'sma5', 'sma20']);
        expect(result.rows).toEqual([]);
      }
    } finally {
      db.close();
    }
  });

  it('has a grammar check that refuses what only DuckDB accepts', async () => {
    const sql = crossoverSql({ symbol: 'SPX' });
    const duckOnly = {
      qualify: sql.replace(
        'ORDER BY symbol, "timestamp"',
        'QUALIFY ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY "timestamp") >= 1\nORDER BY symbol, "timestamp"',
      ),
      cast: sql.replace('ABS(sma20)', 'ABS(sma20::DOUBLE)'),
      ignoreNullsInside: sql.replace('LAG(relation)', 'LAG(relation IGNORE NULLS)'),
    };
    const texts = Object.values(duckOnly);
    for (const text of texts) expect(text).not.toEqual(sql);
    const errors = trinoErrors(texts);
    expect(Object.fromEntries(Object.keys(duckOnly).map((name, i) => [name, errors[i]!.length > 0]))).toEqual({
      qualify: true,
      cast: true,
      ignoreNullsInside: true,
    });
    // ...while DuckDB takes the same texts: the grammar check is what keeps them out.
    const db = await openLakeDatabase({ s3Dir: tmpdir(), bucket: 'no-such-lake' });
    try {
      for (const text of Object.values(duckOnly)) await expect(db.query(text)).resolves.toBeDefined();
    } finally {
      db.close();
    }
  });
});
