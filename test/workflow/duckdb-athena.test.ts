import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLakeDatabase, TRINO_COMPATIBLE_SETTINGS } from '../../src/adapters/local/duckdb-athena';
import { LocalAthena } from '../../src/local/workflow/athena-local';
import { SEED_QUERIES } from '../../src/report/queries';
import { FIXTURE_BUCKET, fixtureS3Dir } from './fixture-lake';

describe('the lake database (DuckDB standing in for Athena)', () => {
  it('answers an empty lake with an empty result of the table columns, not an error', async () => {
    const s3Dir = mkdtempSync(join(tmpdir(), 'stockpipe-empty-'));
    const db = await openLakeDatabase({ s3Dir, bucket: 'nothing-here' });
    try {
      const raw = await db.query('SELECT * FROM stock_data_table');
      expect(raw.rows).toEqual([]);
      expect(raw.columns.map((c) => c.name)).toEqual([
        'symbol',
        'timestamp',
        'price',
        'open',
        'high',
        'low',
        'previous_close',
        'volume',
        'source',
        'dt',
      ]);
      expect((await db.query('SELECT COUNT(*) AS n FROM stock_data_curated')).rows).toEqual([{ n: 0 }]);
    } finally {
      db.close();
      rmSync(s3Dir, { recursive: true, force: true });
    }
  });

  it('answers each symbol + timestamp of the raw table once, the first archived, however often a retried batch archived it', async () => {
    const s3Dir = mkdtempSync(join(tmpdir(), 'stockpipe-redelivered-'));
    const tickAt = (minute: number, volume: number) =>
      JSON.stringify({
        symbol: 'MSFT',
        timestamp: `2024-01-02T14:${String(minute).padStart(2, '0')}:00.000Z`,
        price: 370 + minute,
        open: 370,
        high: 400,
        low: 360,
        previous_close: 368.5,
        volume,
        source: 'yahoo',
      });
    const archive = (name: string, minutes: readonly number[]) => {
      const dir = join(s3Dir, 'lake', 'raw', 'symbol=MSFT', 'dt=2024-01-02');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${name}.ndjson._S3rver_object`), minutes.map((m) => tickAt(m, 1000 * (m + 1))).join('\n') + '\n');
    };
    // The batch from sequence 100 was archived, then retried from 101 after a failed table write, then from 100 again.
    archive('shardId-000000000000-00000000000000000100', [0, 1, 2]);
    archive('shardId-000000000000-00000000000000000101', [1, 2, 3]);
    archive('shardId-000000000000-00000000000000000100-retry', [0, 1, 2]);
    const db = await openLakeDatabase({ s3Dir, bucket: 'lake' });
    try {
      expect((await db.query('SELECT COUNT(*) AS n FROM stock_data_table')).rows).toEqual([{ n: 4 }]);
      // The seed query's average over the four distinct ticks (a plain fold over them), not over the nine archived lines.
      const distinctVolumes = [0, 1, 2, 3].map((m) => 1000 * (m + 1));
      expect((await db.query(SEED_QUERIES.averageVolume)).rows).toEqual([
        { symbol: 'MSFT', avg_volume: distinctVolumes.reduce((a, b) => a + b, 0) / distinctVolumes.length },
      ]);
    } finally {
      db.close();
      rmSync(s3Dir, { recursive: true, force: true });
    }
  });

  it('gives Trino semantics through session settings only: integer division, UTC, NULLs last', async () => {
    expect(TRINO_COMPATIBLE_SETTINGS).toHaveLength(3);
    const db = await openLakeDatabase({ s3Dir: tmpdir(), bucket: 'none' });
    try {
      const { rows } = await db.query(
        "SELECT 7 / 2 AS q, 7.0 / 2 AS d, CAST(TIMESTAMPTZ '2024-01-02 10:00:00+02' AS VARCHAR) AS tz, 9007199254740993 AS big",
      );
      expect(rows).toEqual([{ q: 3, d: 3.5, tz: '2024-01-02 08:00:00+00', big: '9007199254740993' }]);
      expect((await db.query('SELECT x FROM (VALUES (2), (NULL), (1)) t(x) ORDER BY x DESC')).rows.map((r) => r.x)).toEqual([
        2,
        1,
        null,
      ]);
    } finally {
      db.close();
    }
  });

  it('names the problem of a bad query', async () => {
    const db = await openLakeDatabase({ s3Dir: tmpdir(), bucket: 'none' });
    try {
      await expect(db.query('SELECT nope FROM stock_data_table')).rejects.toThrow(
        /^query failed: Binder Error: Referenced column "nope" not found/,
      );
    } finally {
      db.close();
    }
  });

  it('prunes partitions: a one-day query reads fewer bytes than the whole table', async () => {
    const s3Dir = fixtureS3Dir();
    const db = await openLakeDatabase({ s3Dir, bucket: FIXTURE_BUCKET });
    try {
      const all = await db.query('SELECT SUM(volume) AS v FROM stock_data_table', { measureBytes: true });
      const day = await db.query("SELECT SUM(volume) AS v FROM stock_data_table WHERE dt = '2024-01-03'", { measureBytes: true });
      expect(all.rows).toEqual([{ v: 9000 }]);
      expect(day.rows).toEqual([{ v: 300 }]);
      expect(day.bytesRead).toBeGreaterThan(0);
      expect(day.bytesRead!).toBeLessThan(all.bytesRead! / 3);
    } finally {
      db.close();
      rmSync(s3Dir, { recursive: true, force: true });
    }
  });

  it("local Athena answers in Athena's shape: header row, VarCharValue strings, Athena type names", async () => {
    const s3Dir = fixtureS3Dir();
    const db = await openLakeDatabase({ s3Dir, bucket: FIXTURE_BUCKET });
    try {
      const athena = new LocalAthena(db);
      const started = (await athena.startQueryExecutionSync({
        QueryString: "SELECT symbol, timestamp, volume FROM stock_data_table WHERE dt = '2024-01-03'",
        WorkGroup: 'stockpipe',
      })) as {
        QueryExecution: { QueryExecutionId: string; Status: { State: string }; Statistics: { DataScannedInBytes: number } };
      };
      expect(started.QueryExecution.Status.State).toBe('SUCCEEDED');
      expect(started.QueryExecution.Statistics.DataScannedInBytes).toBeGreaterThan(0);
      expect(athena.getQueryResults({ QueryExecutionId: started.QueryExecution.QueryExecutionId })).toEqual({
        ResultSet: {
          Rows: [
            { Data: [{ VarCharValue: 'symbol' }, { VarCharValue: 'timestamp' }, { VarCharValue: 'volume' }] },
            { Data: [{ VarCharValue: 'AAA' }, { VarCharValue: '2024-01-03 14:30:00.000' }, { VarCharValue: '300' }] },
          ],
          ResultSetMetadata: {
            ColumnInfo: [
              { Name: 'symbol', Label: 'symbol', Type: 'varchar', Nullable: 'UNKNOWN', CaseSensitive: true },
              { Name: 'timestamp', Label: 'timestamp', Type: 'timestamp', Nullable: 'UNKNOWN', CaseSensitive: false },
              { Name: 'volume', Label: 'volume', Type: 'bigint', Nullable: 'UNKNOWN', CaseSensitive: false },
            ],
          },
        },
        UpdateCount: 0,
      });
      await expect(athena.startQueryExecutionSync({ QueryString: 'SELEC 1' })).rejects.toMatchObject({
        name: 'States.TaskFailed',
        message: expect.stringContaining('"State":"FAILED"'),
      });
    } finally {
      db.close();
      rmSync(s3Dir, { recursive: true, force: true });
    }
  });
});
