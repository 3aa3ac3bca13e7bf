import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchCreatePartitionCommand, GetPartitionsCommand, GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';
import { GlueCatalog } from '../../src/adapters/aws/glue-catalog';
import { localCatalogFile, LocalGlueCatalog, readLocalPartitions } from '../../src/adapters/local/glue-catalog';
import { PartitionRegistrationError } from '../../src/core/ports-lake';

const descriptor = {
  Columns: [{ Name: 'timestamp', Type: 'timestamp' }],
  Location: 's3://lake/curated/',
  InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
};

describe('GlueCatalog (aws-sdk-client-mock: the exact requests)', () => {
  const glue = mockClient(GlueClient);
  beforeEach(() => {
    glue.reset();
    glue.on(GetTableCommand).resolves({
      Table: { Name: 'stock_data_curated', StorageDescriptor: descriptor, PartitionKeys: [{ Name: 'symbol' }, { Name: 'dt' }] },
    });
  });

  it("registers a partition with the table's storage descriptor at the partition's own location", async () => {
    glue.on(BatchCreatePartitionCommand).resolves({ Errors: [] });
    const outcome = await new GlueCatalog(new GlueClient({}), 'stockpipe').addPartitions('stock_data_curated', [
      { symbol: 'MSFT', dt: '2024-01-02' },
    ]);
    expect(outcome).toEqual({ created: [{ symbol: 'MSFT', dt: '2024-01-02' }], existing: [] });
    expect(glue.commandCalls(GetTableCommand)[0]!.args[0].input).toEqual({
      DatabaseName: 'stockpipe',
      Name: 'stock_data_curated',
    });
    expect(glue.commandCalls(BatchCreatePartitionCommand).map((c) => c.args[0].input)).toEqual([
      {
        DatabaseName: 'stockpipe',
        TableName: 'stock_data_curated',
        PartitionInputList: [
          {
            Values: ['MSFT', '2024-01-02'],
            StorageDescriptor: { ...descriptor, Location: 's3://lake/curated/symbol=MSFT/dt=2024-01-02/' },
          },
        ],
      },
    ]);
  });

  it('registers a symbol with "=" or "^" under its Hive-escaped location, with its real name as the value', async () => {
    glue.on(BatchCreatePartitionCommand).resolves({ Errors: [] });
    await new GlueCatalog(new GlueClient({}), 'stockpipe').addPartitions('stock_data_curated', [
      { symbol: 'EURUSD=X', dt: '2024-01-02' },
      { symbol: '^GSPC', dt: '2024-01-02' },
    ]);
    expect(glue.commandCalls(BatchCreatePartitionCommand)[0]!.args[0].input.PartitionInputList).toEqual([
      {
        Values: ['EURUSD=X', '2024-01-02'],
        StorageDescriptor: { ...descriptor, Location: 's3://lake/curated/symbol=EURUSD%3DX/dt=2024-01-02/' },
      },
      {
        Values: ['^GSPC', '2024-01-02'],
        StorageDescriptor: { ...descriptor, Location: 's3://lake/curated/symbol=%5EGSPC/dt=2024-01-02/' },
      },
    ]);
  });

  it('counts an already existing partition as registered and sends at most 100 per call', async () => {
    glue.on(BatchCreatePartitionCommand).callsFake((input: { PartitionInputList: { Values: string[] }[] }) => ({
      Errors: input.PartitionInputList.filter((p) => p.Values[1] === '2024-01-01').map((p) => ({
        PartitionValues: p.Values,
        ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'Partition already exists.' },
      })),
    }));
    const partitions = Array.from({ length: 150 }, (_, i) => ({
      symbol: `S${i}`,
      dt: i % 2 === 0 ? '2024-01-01' : '2024-01-02',
    }));
    const outcome = await new GlueCatalog(new GlueClient({}), 'stockpipe').addPartitions('stock_data_curated', partitions);
    expect(outcome.created).toHaveLength(75);
    expect(outcome.existing).toHaveLength(75);
    expect(glue.commandCalls(BatchCreatePartitionCommand).map((c) => c.args[0].input.PartitionInputList!.length)).toEqual([
      100, 50,
    ]);
  });

  it('fails on any other per-partition error, naming partition, code and message', async () => {
    glue.on(BatchCreatePartitionCommand).resolves({
      Errors: [
        {
          PartitionValues: ['IBM', '2024-01-02'],
          ErrorDetail: { ErrorCode: 'InvalidInputException', ErrorMessage: 'bad location' },
        },
      ],
    });
    const catalog = new GlueCatalog(new GlueClient({}), 'stockpipe');
    const attempt = catalog.addPartitions('stock_data_curated', [
      { symbol: 'IBM', dt: '2024-01-02' },
      { symbol: 'AAPL', dt: '2024-01-02' },
    ]);
    await expect(attempt).rejects.toBeInstanceOf(PartitionRegistrationError);
    await expect(attempt).rejects.toThrow(
      '1 partition(s) of table stock_data_curated could not be registered: symbol=IBM/dt=2024-01-02: InvalidInputException bad location',
    );
  });

  it('lists partitions across pages', async () => {
    // The paginator reuses one input object: record a copy of each request as it is sent.
    const requests: unknown[] = [];
    glue.on(GetPartitionsCommand).callsFake((input: { NextToken?: string }) => {
      requests.push({ ...input });
      return input.NextToken
        ? { Partitions: [{ Values: ['B', '2024-01-02'] }] }
        : { Partitions: [{ Values: ['A', '2024-01-01'] }], NextToken: 't' };
    });
    const partitions = await new GlueCatalog(new GlueClient({}), 'stockpipe').listPartitions('stock_data_curated');
    expect(partitions).toEqual([
      { symbol: 'A', dt: '2024-01-01' },
      { symbol: 'B', dt: '2024-01-02' },
    ]);
    expect(requests).toEqual([
      {
        DatabaseName: 'stockpipe',
        TableName: 'stock_data_curated',
        ExcludeColumnSchema: true,
        NextToken: undefined,
        MaxResults: undefined,
      },
      {
        DatabaseName: 'stockpipe',
        TableName: 'stock_data_curated',
        ExcludeColumnSchema: true,
        NextToken: 't',
        MaxResults: undefined,
      },
    ]);
  });
});

describe('LocalGlueCatalog (a file in the data dir)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'stockpipe-catalog-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('registers partitions once: a second registration reports them as existing', async () => {
    const catalog = new LocalGlueCatalog({
      dir,
      database: 'stockpipe',
      tables: { stock_data_table: 's3://lake/raw/' },
      now: () => new Date('2024-01-03T00:00:00Z'),
    });
    const p = [
      { symbol: 'MSFT', dt: '2024-01-02' },
      { symbol: 'IBM', dt: '2024-01-02' },
    ];
    expect(await catalog.addPartitions('stock_data_table', p)).toEqual({ created: p, existing: [] });
    expect(await catalog.addPartitions('stock_data_table', p)).toEqual({ created: [], existing: p });
    expect(readLocalPartitions(dir, 'stockpipe', 'stock_data_table')).toEqual([
      {
        symbol: 'IBM',
        dt: '2024-01-02',
        location: 's3://lake/raw/symbol=IBM/dt=2024-01-02/',
        createdAt: '2024-01-03T00:00:00.000Z',
      },
      {
        symbol: 'MSFT',
        dt: '2024-01-02',
        location: 's3://lake/raw/symbol=MSFT/dt=2024-01-02/',
        createdAt: '2024-01-03T00:00:00.000Z',
      },
    ]);
    expect(JSON.parse(readFileSync(localCatalogFile(dir, 'stockpipe'), 'utf8')).tables.stock_data_table.partitions).toHaveLength(
      2,
    );
  });

  it('refuses a table it does not know, naming the known ones', async () => {
    const catalog = new LocalGlueCatalog({ dir, database: 'stockpipe', tables: { stock_data_table: 's3://lake/raw/' } });
    await expect(catalog.addPartitions('nope', [{ symbol: 'A', dt: '2024-01-01' }])).rejects.toThrow(
      'table stockpipe.nope does not exist in the local catalog (known: stock_data_table)',
    );
  });
});
