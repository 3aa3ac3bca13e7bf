/**
 * The data path wired into the stack (fixture handlers: the resources do not depend on the handler
 * code): which stream, table, queue, key and bucket each construct is given, and the counts across
 * constructs. What each construct builds is asserted on a bare stack in test/infra/constructs/.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { LAKE } from '../../src/shared/names';
import type { StockpipeStack } from '../../infra/stack';
import {
  expectPrivateEncryptedRetained,
  FIXTURE_ENTRIES,
  inspect,
  synthStack,
  type Inspector,
  type Synthesized,
} from './helpers';

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
  test('one stream, and three rules: the producer schedule and the workflows’ maintenance and report schedules', () => {
    template.resourceCountIs('AWS::Kinesis::Stream', 1);
    template.resourceCountIs('AWS::Events::Rule', 3);
    template.resourcePropertiesCountIs('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' }, 1);
  });
});

describe('processing', () => {
  test('the Kinesis event-source mapping reads the ingestion stream into the processor, failing over to its DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: id(stack.processing.function.function) },
      EventSourceArn: arn(stack.ingestion.stream),
      DestinationConfig: { OnFailure: { Destination: arn(stack.processing.deadLetters) } },
    });
  });
});

describe('analysis and alerts', () => {
  test('the DynamoDB-stream mapping reads the price table into the analyser, failing over to its DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: id(stack.analysis.function.function) },
      EventSourceArn: { 'Fn::GetAtt': [id(stack.tables.prices), 'StreamArn'] },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT', 'MODIFY'] }) }] },
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

  test('one key, retained by default', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
  });
});

describe('tables and buckets', () => {
  test('three tables, retained and protected from deletion by default', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 3);
    for (const [, table] of resourcesOf('AWS::DynamoDB::Table')) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties?.DeletionProtectionEnabled).toBe(true);
    }
  });

  test('every bucket (the lake, its access logs, the Athena results) blocks public access, is SSE-encrypted, unversioned and retained', () => {
    const buckets = resourcesOf('AWS::S3::Bucket');
    expect(buckets).toHaveLength(3);
    for (const [, bucket] of buckets) {
      expectPrivateEncryptedRetained(bucket);
    }
    const tlsOnly = resourcesOf('AWS::S3::BucketPolicy').filter(([, p]) =>
      JSON.stringify(p.Properties).includes('"aws:SecureTransport":"false"'),
    );
    expect(tlsOnly).toHaveLength(3);
  });

  test('the Athena results bucket logs to the access-log bucket, and both Glue tables read the lake', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: id(stack.rawStorage.accessLogs) }, LogFilePrefix: 'athena-results/' },
    });
    for (const prefix of [LAKE.raw, LAKE.curated]) {
      template.hasResourceProperties('AWS::Glue::Table', {
        TableInput: Match.objectLike({
          StorageDescriptor: Match.objectLike({
            Location: { 'Fn::Join': ['', ['s3://', { Ref: id(stack.rawStorage.bucket) }, `/${prefix}`]] },
          }),
        }),
      });
    }
  });
});
