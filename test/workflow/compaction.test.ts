import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { openLakeDatabase, type LakeDatabase } from '../../src/adapters/local/duckdb-athena';
import { compactDay } from '../../src/compaction/compact';
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

describe('compactDay (pure)', () => {
  it('splits a day by symbol, sorts by timestamp, keeps one row per symbol + timestamp (the first archived wins) and reports every skipped line', () => {
    const result = compactDay('2024-01-02', [
      {
        key: 'raw/dt=2024-01-02/shardId-000000000000-2-bb.ndjson',
        body:
          [
            tick('2024-01-02T15:00:00.000Z', 2),
            tick('2024-01-02T14:00:00.000Z', 9),
            tick('2024-01-02T14:00:00.000Z', 8, { symbol: 'AAPL' }),
          ].join('\n') + '\n',
      },
      {
        key: 'raw/dt=2024-01-02/shardId-000000000000-1-aa.ndjson',
        body: [
          tick('2024-01-02T14:00:00.000Z', 1),
          '{not json',
          tick('2024-01-02T16:00:00.000Z', -3),
          tick('2024-01-03T10:00:00.000Z', 4),
          tick('2024-01-02T17:00:00.000Z', 5, { symbol: 'AAPL' }),
        ].join('\n'),
      },
      // The older per-symbol layout: its folder names the symbol, and a line of another symbol is refused.
      {
        key: 'raw/symbol=MSFT/dt=2024-01-02/shardId-000000000000-0.ndjson',
        body: [tick('2024-01-02T13:00:00.000Z', 7), tick('2024-01-02T13:30:00.000Z', 6, { symbol: 'IBM' })].join('\n'),
        legacySymbol: 'MSFT',
      },
    ]);
    expect([...result.symbols.keys()]).toEqual(['AAPL', 'MSFT']);
    expect(result.symbols.get('MSFT')!.map((r) => [r.timestamp, r.price])).toEqual([
      ['2024-01-02T13:00:00.000Z', 7],
      ['2024-01-02T14:00:00.000Z', 1],
      ['2024-01-02T15:00:00.000Z', 2],
    ]);
    expect(result.symbols.get('AAPL')!.map((r) => [r.timestamp, r.price])).toEqual([
      ['2024-01-02T14:00:00.000Z', 8],
      ['2024-01-02T17:00:00.000Z', 5],
    ]);
    expect(result.rows).toBe(5);
    expect(result.linesRead).toBe(10);
    expect(result.duplicates).toBe(1);
    expect(result.skipped.map((s) => [s.key, s.line, s.field])).toEqual([
      ['raw/symbol=MSFT/dt=2024-01-02/shardId-000000000000-0.ndjson', 2, 'symbol'],
      ['raw/dt=2024-01-02/shardId-000000000000-1-aa.ndjson', 2, '(record)'],
      ['raw/dt=2024-01-02/shardId-000000000000-1-aa.ndjson', 3, 'price'],
      ['raw/dt=2024-01-02/shardId-000000000000-1-aa.ndjson', 4, 'timestamp'],
    ]);
    expect(result.skipped[0]!.reason).toBe('belongs to partition symbol=IBM, not symbol=MSFT');
    expect(result.skipped[2]!.reason).toBe('must be greater than 0');
    expect(result.skipped[3]!.reason).toBe('belongs to partition dt=2024-01-03, not dt=2024-01-02');
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
      'raw/dt=2024-01-02/shardId-000000000000-1-aa.ndjson',
      [
        tick('2024-01-02T14:31:00.000Z', 371.25),
        tick('2024-01-02T14:30:00.000Z', 370.5),
        tick('2024-01-02T14:30:00.000Z', 190, { symbol: 'AAPL' }),
      ].join('\n') + '\n',
    );
    // A redelivered batch (same tick again) and a line that is not a tick.
    await put(
      'raw/dt=2024-01-02/shardId-000000000000-2-bb.ndjson',
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

  it('writes one Parquet object per symbol of the day, then the day manifest: deduplicated rows and one skipped line', async () => {
    const result = await compact({ dt: '2024-01-02' });
    expect(result).toMatchObject({
      dt: '2024-01-02',
      symbols: 2,
      rows: 4,
      linesRead: 6,
      skipped: 1,
      duplicates: 1,
      sourceObjects: 2,
      rejectedKey: 'maintenance/rejected/dt=2024-01-02.json',
    });
    expect(result.skippedSample).toEqual([
      {
        key: 'raw/dt=2024-01-02/shardId-000000000000-2-bb.ndjson',
        line: 2,
        field: 'timestamp',
        value: '<missing>',
        reason: 'is required',
      },
    ]);
    const rejected = JSON.parse((await getBytes(rejectedLinesKey('2024-01-02'))).toString('utf8'));
    expect(rejected.skipped).toHaveLength(1);
    const curated = await new S3LakeObjects(lake.clients.s3, lake.resources.rawBucket).list('curated/');
    expect(curated.map((o) => o.key)).toEqual([
      'curated/_manifests/dt=2024-01-02.json',
      'curated/symbol=AAPL/dt=2024-01-02/part-0000.parquet',
      'curated/symbol=MSFT/dt=2024-01-02/part-0000.parquet',
    ]);
    expect(JSON.parse((await getBytes('curated/_manifests/dt=2024-01-02.json')).toString('utf8'))).toEqual({
      dt: '2024-01-02',
      sourceObjects: 2,
      symbols: ['AAPL', 'MSFT'],
    });
  });

  it('DuckDB reads the Parquet back: typed schema, sorted rows, exact values', async () => {
    const { columns, rows } = await db.query("SELECT * FROM stock_data_curated WHERE symbol = 'MSFT'");
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
    await compact({ dt: '2024-01-02' });
    expect((await getBytes(key)).equals(before)).toBe(true);
    const { rows } = await db.query('SELECT COUNT(*) AS n FROM stock_data_curated');
    expect(rows).toEqual([{ n: 4 }]);
  });

  it('lists more than one page of objects from s3rver (whose ListObjectsV2 paging fails on OpenSSL 3)', async () => {
    const keys = Array.from({ length: 1005 }, (_, i) => `raw/symbol=ZZ/dt=2024-01-09/s-${String(i).padStart(5, '0')}.ndjson`);
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => put(k, '\n')));
    const listed = await new S3LakeObjects(lake.clients.s3, lake.resources.rawBucket).list('raw/symbol=ZZ/');
    expect(listed.map((o) => o.key)).toEqual(keys);
  });

  it('reads a day of the older per-symbol layout too, when the finder says it has one', async () => {
    await put(
      'raw/symbol=IBM/dt=2024-01-04/shardId-000000000000-7.ndjson',
      tick('2024-01-04T14:30:00.000Z', 160, { symbol: 'IBM' }) + '\n',
    );
    await put(
      'raw/dt=2024-01-04/shardId-000000000000-8-cc.ndjson',
      tick('2024-01-04T14:31:00.000Z', 161, { symbol: 'IBM' }) + '\n',
    );
    expect((await compact({ dt: '2024-01-04' })).rows).toBe(1);
    expect(await compact({ dt: '2024-01-04', legacy: true })).toMatchObject({ rows: 2, symbols: 1, sourceObjects: 2 });
    const { rows } = await db.query("SELECT price FROM stock_data_curated WHERE dt = '2024-01-04' ORDER BY timestamp");
    expect(rows).toEqual([{ price: 160 }, { price: 161 }]);
    // The raw table answers both layouts locally, the symbol from the folder or from the line.
    const raw = await db.query("SELECT symbol, price FROM stock_data_table WHERE dt = '2024-01-04' ORDER BY timestamp");
    expect(raw.rows).toEqual([
      { symbol: 'IBM', price: 160 },
      { symbol: 'IBM', price: 161 },
    ]);
  });

  it('refuses a day that is not one, naming field, value and reason', async () => {
    await expect(compact({ dt: '2024-02-30' })).rejects.toThrow(
      'compaction input dt="2024-02-30": must be a calendar day written YYYY-MM-DD',
    );
    await expect(compact({ dt: '2024-01-02', legacy: 'yes' })).rejects.toThrow(
      'compaction input legacy="yes": must be true or false',
    );
    await expect(compact({ dt: '2024-01-05' })).rejects.toThrow('no raw object under raw/dt=2024-01-05/');
  });
});
