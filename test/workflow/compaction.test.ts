import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { openLakeDatabase, type LakeDatabase } from '../../src/adapters/local/duckdb-athena';
import { compactPartition } from '../../src/compaction/compact';
import { makeCompactionHandler, rejectedLinesKey, type CompactionResult } from '../../src/compaction/compact-partition';
import { S3LakeObjects } from '../../src/adapters/aws/s3-lake-objects';
import { startEmulatedLake, type EmulatedLake } from './emulated-lake';

const tick = (timestamp: string, price: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    symbol: 'MSFT',
    timestamp,
    price,
    open: 370,
    high: 380,
    low: 365,
    previous_close: 368.5,
    volume: 1200,
    source: 'replay',
    ...extra,
  });

describe('compactPartition (pure)', () => {
  const p = { symbol: 'MSFT', dt: '2024-01-02' };

  it('sorts by timestamp, keeps one row per timestamp (the first archived wins, as in the price table) and reports every skipped line', () => {
    const result = compactPartition(p, [
      {
        key: 'raw/symbol=MSFT/dt=2024-01-02/b.ndjson',
        body: [tick('2024-01-02T15:00:00.000Z', 2), tick('2024-01-02T14:00:00.000Z', 9)].join('\n') + '\n',
      },
      {
        key: 'raw/symbol=MSFT/dt=2024-01-02/a.ndjson',
        body: [
          tick('2024-01-02T14:00:00.000Z', 1),
          '{not json',
          tick('2024-01-02T16:00:00.000Z', -3),
          tick('2024-01-03T10:00:00.000Z', 4),
          tick('2024-01-02T17:00:00.000Z', 5, { symbol: 'AAPL' }),
        ].join('\n'),
      },
    ]);
    expect(result.rows.map((r) => [r.timestamp, r.price])).toEqual([
      ['2024-01-02T14:00:00.000Z', 1],
      ['2024-01-02T15:00:00.000Z', 2],
    ]);
    expect(result.linesRead).toBe(7);
    expect(result.duplicates).toBe(1);
    expect(result.skipped).toHaveLength(4);
    expect(result.skipped.map((s) => [s.key.slice(-8), s.line, s.field])).toEqual([
      ['a.ndjson', 2, '(record)'],
      ['a.ndjson', 3, 'price'],
      ['a.ndjson', 4, 'timestamp'],
      ['a.ndjson', 5, 'symbol'],
    ]);
    expect(result.skipped[1]!.reason).toBe('must be greater than 0');
    expect(result.skipped[2]!.reason).toBe('belongs to partition dt=2024-01-03, not dt=2024-01-02');
  });
});

describe('compaction task against s3rver, read back by DuckDB', () => {
  let lake: EmulatedLake;
  let db: LakeDatabase;
  let compact: (input: unknown) => Promise<CompactionResult>;
  const put = (key: string, body: string) =>
    lake.clients.s3.send(new PutObjectCommand({ Bucket: lake.resources.rawBucket, Key: key, Body: body }));
  const getBytes = async (key: string) => {
    const out = await lake.clients.s3.send(new GetObjectCommand({ Bucket: lake.resources.rawBucket, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  };

  beforeAll(async () => {
    lake = await startEmulatedLake();
    compact = makeCompactionHandler({ lake: new S3LakeObjects(lake.clients.s3, lake.resources.rawBucket) });
    await put(
      'raw/symbol=MSFT/dt=2024-01-02/shardId-000000000000-1.ndjson',
      [tick('2024-01-02T14:31:00.000Z', 371.25), tick('2024-01-02T14:30:00.000Z', 370.5)].join('\n') + '\n',
    );
    // A redelivered batch (same tick again) and a line that is not a tick.
    await put(
      'raw/symbol=MSFT/dt=2024-01-02/shardId-000000000000-2.ndjson',
      [
        tick('2024-01-02T14:30:00.000Z', 370.5),
        '{"symbol":"MSFT","price":"n/a"}',
        tick('2024-01-02T14:32:00.000Z', 372, { volume: 9_000_000_000 }),
      ].join('\n') + '\n',
    );
    db = await openLakeDatabase({ s3Dir: lake.s3Dir, bucket: lake.resources.rawBucket });
  });
  afterAll(async () => {
    db?.close();
    await lake.stop();
  });

  it('writes curated/symbol=MSFT/dt=2024-01-02/part-0000.parquet with three deduplicated rows and one skipped line', async () => {
    const result = await compact({ symbol: 'MSFT', dt: '2024-01-02' });
    expect(result).toMatchObject({
      key: 'curated/symbol=MSFT/dt=2024-01-02/part-0000.parquet',
      rows: 3,
      linesRead: 5,
      skipped: 1,
      duplicates: 1,
      sourceObjects: 2,
      rejectedKey: 'maintenance/rejected/symbol=MSFT/dt=2024-01-02.json',
    });
    expect(result.skippedSample).toEqual([
      {
        key: 'raw/symbol=MSFT/dt=2024-01-02/shardId-000000000000-2.ndjson',
        line: 2,
        field: 'timestamp',
        value: '<missing>',
        reason: 'is required',
      },
    ]);
    const rejected = JSON.parse((await getBytes(rejectedLinesKey({ symbol: 'MSFT', dt: '2024-01-02' }))).toString('utf8'));
    expect(rejected.skipped).toHaveLength(1);
  });

  it('DuckDB reads the Parquet back: typed schema, sorted rows, exact values', async () => {
    const { columns, rows } = await db.query('SELECT * FROM stock_data_curated');
    expect(columns).toEqual([
      { name: 'symbol', type: 'VARCHAR' },
      { name: 'timestamp', type: 'TIMESTAMP' },
      { name: 'price', type: 'DOUBLE' },
      { name: 'open', type: 'DOUBLE' },
      { name: 'high', type: 'DOUBLE' },
      { name: 'low', type: 'DOUBLE' },
      { name: 'previous_close', type: 'DOUBLE' },
      { name: 'volume', type: 'BIGINT' },
      { name: 'source', type: 'VARCHAR' },
      { name: 'dt', type: 'VARCHAR' },
    ]);
    expect(rows).toEqual(
      [
        ['2024-01-02T14:30:00.000Z', 370.5, 1200],
        ['2024-01-02T14:31:00.000Z', 371.25, 1200],
        ['2024-01-02T14:32:00.000Z', 372, 9_000_000_000],
      ].map(([timestamp, price, volume]) => ({
        symbol: 'MSFT',
        timestamp,
        price,
        open: 370,
        high: 380,
        low: 365,
        previous_close: 368.5,
        volume,
        source: 'replay',
        dt: '2024-01-02',
      })),
    );
  });

  it('is compressed and typed in the file itself (no symbol column: it is the partition)', async () => {
    const file = `${lake.s3Dir}/${lake.resources.rawBucket}/curated/symbol=MSFT/dt=2024-01-02/part-0000.parquet._S3rver_object`;
    const { rows } = await db.query(
      `SELECT path_in_schema AS col, compression FROM parquet_metadata('${file}') ORDER BY column_id`,
    );
    expect(rows).toEqual(
      ['timestamp', 'price', 'open', 'high', 'low', 'previous_close', 'volume', 'source'].map((col) => ({
        col,
        compression: 'GZIP',
      })),
    );
    const schema = await db.query(`SELECT name, converted_type FROM parquet_schema('${file}') WHERE name = 'timestamp'`);
    expect(schema.rows).toEqual([{ name: 'timestamp', converted_type: 'TIMESTAMP_MILLIS' }]);
  });

  it('re-running the partition rewrites an identical object: no duplicate rows', async () => {
    const key = 'curated/symbol=MSFT/dt=2024-01-02/part-0000.parquet';
    const before = await getBytes(key);
    await compact({ symbol: 'MSFT', dt: '2024-01-02' });
    expect((await getBytes(key)).equals(before)).toBe(true);
    const { rows } = await db.query('SELECT COUNT(*) AS n FROM stock_data_curated');
    expect(rows).toEqual([{ n: 3 }]);
  });

  it('lists more than one page of objects from s3rver (whose ListObjectsV2 paging fails on OpenSSL 3)', async () => {
    const keys = Array.from({ length: 1005 }, (_, i) => `raw/symbol=ZZ/dt=2024-01-09/s-${String(i).padStart(5, '0')}.ndjson`);
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => put(k, '\n')));
    const listed = await new S3LakeObjects(lake.clients.s3, lake.resources.rawBucket).list('raw/symbol=ZZ/');
    expect(listed.map((o) => o.key)).toEqual(keys);
  });

  it('refuses a partition name that is not one, naming field, value and reason', async () => {
    await expect(compact({ symbol: 'MSFT', dt: '2024-02-30' })).rejects.toThrow(
      'compaction input dt="2024-02-30": must be a calendar day written YYYY-MM-DD',
    );
    await expect(compact({ symbol: 'MSFT', dt: '2024-01-05' })).rejects.toThrow(
      'no raw object under raw/symbol=MSFT/dt=2024-01-05/',
    );
  });
});
