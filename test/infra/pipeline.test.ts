/**
 * The data path of the stack (fixture handlers: the resources do not depend on the handler code):
 * stream and schedule, event-source mappings, queues, topics, key, tables, buckets, Glue and Athena.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { TickSchema } from '../../src/core/tick';
import { ATTR, LAKE, RESOURCE } from '../../src/shared/names';
import type { StockpipeStack } from '../../infra/stack';
import { FIXTURE_ENTRIES, inspect, synthStack, type Inspector, type Synthesized } from './helpers';

let stack: StockpipeStack;
let out: Synthesized;
let template: Template;
let id: Inspector['id'];
let arn: Inspector['arn'];
let resourcesOf: Inspector['resourcesOf'];

beforeAll(() => {
  ({ stack, out } = synthStack({ alertEmail: 'alerts@example.com' }, FIXTURE_ENTRIES));
  ({ template, id, arn, resourcesOf } = inspect(stack, out));
});

test('AwsSolutions reports no unacknowledged finding', () => {
  expect(out.findings).toEqual([]);
});

describe('ingestion', () => {
  test('the stream is KMS-encrypted, provisioned with one shard, keeps 24 hours and is deleted with the stack', () => {
    template.resourceCountIs('AWS::Kinesis::Stream', 1);
    template.hasResource('AWS::Kinesis::Stream', {
      DeletionPolicy: 'Delete',
      Properties: {
        StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        ShardCount: 1,
        RetentionPeriodHours: 24,
      },
    });
  });

  test('the schedule rule runs the producer once a minute, enabled, without EventBridge retries', () => {
    // Three rules: this one, and the workflows' maintenance and report schedules.
    template.resourceCountIs('AWS::Events::Rule', 3);
    template.resourcePropertiesCountIs('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' }, 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: arn(stack.ingestion.producer.function),
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        }),
      ],
    });
  });
});

describe('processing', () => {
  test('the Kinesis event-source mapping has bounded retries, bisect, partial failures and an on-failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: id(stack.processing.function.function) },
      EventSourceArn: arn(stack.ingestion.stream),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 5,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: 3600,
      ParallelizationFactor: 1,
      DestinationConfig: { OnFailure: { Destination: arn(stack.processing.deadLetters) } },
    });
  });
});

describe('analysis and alerts', () => {
  test('the DynamoDB-stream mapping takes INSERTs only, with the same failure settings and its own DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: id(stack.analysis.function.function) },
      EventSourceArn: { 'Fn::GetAtt': [id(stack.tables.prices), 'StreamArn'] },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'] }) }] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 5,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: 3600,
      ParallelizationFactor: 1,
      DestinationConfig: { OnFailure: { Destination: arn(stack.analysis.deadLetters) } },
    });
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
  });

  test('both topics use the pipeline key, and the alert email subscribes to alerts and, by default, to ops', () => {
    template.resourceCountIs('AWS::SNS::Topic', 2);
    template.allResourcesProperties('AWS::SNS::Topic', { KmsMasterKeyId: arn(stack.encryption.key) });
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const topic of [stack.analysis.alertTopic, stack.observability.opsTopic]) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'alerts@example.com',
        TopicArn: { Ref: id(topic) },
      });
    }
  });
});

describe('queues and encryption', () => {
  test('the three queues are KMS-encrypted with the pipeline key, keep 14 days and refuse plain HTTP', () => {
    template.resourceCountIs('AWS::SQS::Queue', 3);
    template.allResourcesProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: arn(stack.encryption.key),
      MessageRetentionPeriod: 1_209_600,
    });
    const denials = resourcesOf('AWS::SQS::QueuePolicy').filter(([, p]) =>
      JSON.stringify(p.Properties).includes('"aws:SecureTransport":"false"'),
    );
    expect(denials).toHaveLength(3);
  });

  test('the key rotates and is retained by default', () => {
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: { EnableKeyRotation: true },
    });
  });
});

describe('tables', () => {
  test('the price table is keyed symbol + timestamp, on demand, with PITR, TTL, NEW_IMAGE stream and deletion protection', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 3);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: ATTR.symbol, KeyType: 'HASH' },
          { AttributeName: ATTR.timestamp, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: ATTR.ttl, Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        DeletionProtectionEnabled: true,
      },
    });
  });

  test('the signal-state table is keyed by symbol and the alert ledger by symbol + alert_key', () => {
    const pitr = {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    };
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      ...pitr,
      KeySchema: [{ AttributeName: ATTR.symbol, KeyType: 'HASH' }],
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      ...pitr,
      KeySchema: [
        { AttributeName: ATTR.symbol, KeyType: 'HASH' },
        { AttributeName: ATTR.alertKey, KeyType: 'RANGE' },
      ],
    });
  });
});

describe('raw storage', () => {
  test('every bucket blocks public access, is SSE-encrypted, unversioned and retained', () => {
    const buckets = resourcesOf('AWS::S3::Bucket');
    expect(buckets).toHaveLength(3);
    for (const [, bucket] of buckets) {
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.Properties).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      });
      expect(bucket.Properties?.VersioningConfiguration).toBeUndefined();
    }
    const tlsOnly = resourcesOf('AWS::S3::BucketPolicy').filter(([, p]) =>
      JSON.stringify(p.Properties).includes('"aws:SecureTransport":"false"'),
    );
    expect(tlsOnly).toHaveLength(3);
  });

  test('the lake logs accesses, moves raw JSON to IA after 30 days and expires it after 90', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: {
        DestinationBucketName: { Ref: id(stack.rawStorage.accessLogs) },
        LogFilePrefix: 'lake/',
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Id: 'raw-json',
            Prefix: LAKE.raw,
            Status: 'Enabled',
            ExpirationInDays: 90,
            Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
          }),
        ]),
      },
    });
  });
});

describe('analytics', () => {
  const expectedColumns = () =>
    Object.keys(TickSchema.shape)
      .filter((c) => c !== 'symbol')
      .sort();

  test('the raw table reads JSON under raw/ with the OpenX SerDe, ISO-8601 timestamps and symbol/dt partitions', () => {
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: RESOURCE.glueDatabase } });
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: RESOURCE.glueDatabase,
      TableInput: {
        Name: RESOURCE.rawTable,
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [{ Name: 'symbol', Type: 'string' }, Match.objectLike({ Name: 'dt', Type: 'string' })],
        StorageDescriptor: Match.objectLike({
          Location: { 'Fn::Join': ['', ['s3://', { Ref: id(stack.rawStorage.bucket) }, `/${LAKE.raw}`]] },
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
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: RESOURCE.curatedTable,
        StorageDescriptor: Match.objectLike({
          Location: { 'Fn::Join': ['', ['s3://', { Ref: id(stack.rawStorage.bucket) }, `/${LAKE.curated}`]] },
          SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        }),
      }),
    });
  });

  test('both tables have exactly the tick fields as columns, symbol being a partition rather than a column', () => {
    const tables = resourcesOf('AWS::Glue::Table');
    expect(tables).toHaveLength(2);
    for (const [, t] of tables) {
      const input = t.Properties?.TableInput as {
        StorageDescriptor: { Columns: { Name: string; Type: string }[] };
        PartitionKeys: { Name: string }[];
      };
      expect(input.StorageDescriptor.Columns.map((c) => c.Name).sort()).toEqual(expectedColumns());
      expect(input.StorageDescriptor.Columns.find((c) => c.Name === 'timestamp')?.Type).toBe('timestamp');
      expect(input.PartitionKeys.map((p) => p.Name)).toEqual(['symbol', 'dt']);
    }
  });

  test('the Athena workgroup enforces an SSE-encrypted result location and a 1 GiB scan cutoff', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: RESOURCE.athenaWorkgroup,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 1_073_741_824,
        ResultConfiguration: {
          OutputLocation: {
            'Fn::Join': ['', ['s3://', { Ref: id(stack.analytics.results) }, '/query-results/']],
          },
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        },
      },
    });
  });
});
