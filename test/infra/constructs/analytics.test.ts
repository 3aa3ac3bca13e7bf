import { Match } from 'aws-cdk-lib/assertions';
import { Analytics } from '../../../infra/constructs/analytics';
import { TickSchema } from '../../../src/core/tick';
import { LAKE, RESOURCE } from '../../../src/shared/names';
import { bareStack, inspectBare } from '../bare';

const fx = bareStack();
const analytics = new Analytics(fx.stack, 'Analytics', { lake: fx.lake(), accessLogs: fx.bucket() });
const t = inspectBare(fx.stack);

describe('Analytics', () => {
  const tickFields = () => Object.keys(TickSchema.shape).sort();

  test('the raw table reads JSON under raw/ with the OpenX SerDe, ISO-8601 timestamps and day partitions', () => {
    t.template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: analytics.databaseName } });
    t.template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: analytics.databaseName,
      TableInput: {
        Name: RESOURCE.rawTable,
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [Match.objectLike({ Name: 'dt', Type: 'string' })],
        StorageDescriptor: Match.objectLike({
          Location: { 'Fn::Join': ['', ['s3://', { Ref: t.id(fx.lake()) }, `/${LAKE.raw}`]] },
          SerdeInfo: {
            SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            Parameters: Match.objectLike({
              'timestamp.formats': "yyyy-MM-dd'T'HH:mm:ss.SSS'Z',yyyy-MM-dd'T'HH:mm:ss'Z'",
            }),
          },
        }),
      },
    });
  });

  test('the curated table reads Parquet under curated/ with the same columns and partitions', () => {
    t.template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: RESOURCE.curatedTable,
        StorageDescriptor: Match.objectLike({
          Location: { 'Fn::Join': ['', ['s3://', { Ref: t.id(fx.lake()) }, `/${LAKE.curated}`]] },
          SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        }),
      }),
    });
  });

  test('both tables have exactly the tick fields, symbol a column of the raw table and a partition of the curated one', () => {
    const tables = t.resourcesOf('AWS::Glue::Table');
    expect(tables).toHaveLength(2);
    const shapes = new Map(
      tables.map(([, table]) => {
        const input = table.Properties?.TableInput as {
          Name: string;
          StorageDescriptor: { Columns: { Name: string; Type: string }[] };
          PartitionKeys: { Name: string }[];
        };
        expect(input.StorageDescriptor.Columns.find((c) => c.Name === 'timestamp')?.Type).toBe('timestamp');
        return [
          input.Name,
          { columns: input.StorageDescriptor.Columns.map((c) => c.Name), keys: input.PartitionKeys.map((p) => p.Name) },
        ];
      }),
    );
    const raw = shapes.get(RESOURCE.rawTable)!;
    expect([...raw.columns].sort()).toEqual(tickFields());
    expect(raw.keys).toEqual(['dt']);
    const curated = shapes.get(RESOURCE.curatedTable)!;
    expect([...curated.columns, ...curated.keys].sort()).toEqual([...tickFields(), 'dt'].sort());
    expect(curated.keys).toEqual(['symbol', 'dt']);
  });

  test('the Athena workgroup enforces an SSE-encrypted result location and a 1 GiB scan cutoff', () => {
    t.template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: analytics.workgroupName,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 1_073_741_824,
        ResultConfiguration: {
          OutputLocation: {
            'Fn::Join': ['', ['s3://', { Ref: t.id(analytics.results) }, '/query-results/']],
          },
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        },
      },
    });
  });

  test('the results bucket logs its accesses to the given bucket', () => {
    t.template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: t.id(fx.bucket()) }, LogFilePrefix: 'athena-results/' },
    });
  });
});
