/**
 * Operations and permissions (fixture handlers): the alarms on the stack's queues, stream, functions and
 * workflows, and the exact IAM statements of each function role. Dashboard and key policy: constructs/observability.test.ts.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { LAKE } from '../../src/shared/names';
import { WILDCARD_RESOURCE_ACTIONS, wildcardResourceActions } from '../../infra/iam-audit';
import type { StockpipeStack } from '../../infra/stack';
import { FIXTURE_ENTRIES, inspect, synthStack, type Inspector, type Synthesized, type TemplateJson } from './helpers';

let stack: StockpipeStack;
let out: Synthesized;
let template: Template;
let json: TemplateJson;
let id: Inspector['id'];
let arn: Inspector['arn'];
let resourcesOf: Inspector['resourcesOf'];

beforeAll(() => {
  ({ stack, out } = synthStack({}, FIXTURE_ENTRIES));
  ({ template, json, id, arn, resourcesOf } = inspect(stack, out));
});

test('AwsSolutions reports no unacknowledged finding', () => {
  expect(out.findings).toEqual([]);
});

describe('observability', () => {
  const opsAction = () => [{ Ref: id(stack.observability.opsTopic) }];

  test('thirteen alarms notify the ops topic: three queue depths, stream iterator age, late ticks, errors and throttles of three functions, failed runs of two workflows', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 13);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: opsAction(),
      TreatMissingData: 'notBreaching',
    });
    for (const queue of [stack.processing.invalidRecords, stack.processing.deadLetters, stack.analysis.deadLetters]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id(queue), 'QueueName'] } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'GetRecords.IteratorAgeMilliseconds',
      Namespace: 'AWS/Kinesis',
      Threshold: 300_000,
    });
    for (const fn of [stack.ingestion.producer, stack.processing.function, stack.analysis.function]) {
      for (const metric of ['Errors', 'Throttles']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: metric,
          Namespace: 'AWS/Lambda',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(fn.function) } }],
        });
      }
    }
  });
  // The dashboard and the key policy CloudWatch needs are asserted in test/infra/constructs/observability.test.ts.
});

describe('least privilege', () => {
  const statementsOf = (fn: { readonly role: { readonly node: { readonly defaultChild?: unknown } } }) => {
    const roleId = id(fn.role);
    const policies = resourcesOf('AWS::IAM::Policy').filter(
      ([, p]) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]),
    );
    expect(policies).toHaveLength(1);
    return (policies[0]?.[1].Properties?.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement.map(
      (s) => ({ Action: s.Action, Resource: s.Resource }),
    );
  };
  const logs = (fn: { readonly logGroup: { readonly node: { readonly defaultChild?: unknown } } }) => ({
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: arn(fn.logGroup),
  });
  const xray = { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' };
  const key = () => arn(stack.encryption.key);
  const sqsSend = (queue: Parameters<typeof arn>[0]) => ({
    Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
    Resource: arn(queue),
  });
  const kmsForSqs = () => ({
    Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
    Resource: key(),
  });

  test('the producer may only write logs, trace, put records on the stream and send refused quotes to the invalid-records queue', () => {
    const producer = stack.ingestion.producer;
    expect(statementsOf(producer)).toEqual([
      logs(producer),
      xray,
      {
        Action: ['kinesis:ListShards', 'kinesis:PutRecord', 'kinesis:PutRecords'],
        Resource: arn(stack.ingestion.stream),
      },
      sqsSend(stack.processing.invalidRecords),
      kmsForSqs(),
    ]);
  });

  test('the processor may only put raw/ objects, batch-write prices, send to its queues and read the stream', () => {
    const fn = stack.processing.function;
    expect(statementsOf(fn)).toEqual([
      logs(fn),
      xray,
      {
        Action: [
          's3:PutObject',
          's3:PutObjectLegalHold',
          's3:PutObjectRetention',
          's3:PutObjectTagging',
          's3:PutObjectVersionTagging',
          's3:Abort*',
        ],
        Resource: { 'Fn::Join': ['', [arn(stack.rawStorage.bucket), `/${LAKE.raw}*`]] },
      },
      { Action: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:PutItem'], Resource: [arn(stack.tables.prices)] },
      sqsSend(stack.processing.invalidRecords),
      kmsForSqs(),
      sqsSend(stack.processing.deadLetters),
      {
        Action: expect.arrayContaining(['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:DescribeStream']),
        Resource: arn(stack.ingestion.stream),
      },
    ]);
  });

  test('the analyser may only use its two tables, Query the price table, publish alerts, send to its DLQ and read the price stream', () => {
    const fn = stack.analysis.function;
    expect(statementsOf(fn)).toEqual([
      logs(fn),
      xray,
      { Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem'], Resource: [arn(stack.tables.signalState)] },
      { Action: 'dynamodb:Query', Resource: [arn(stack.tables.prices)] },
      {
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Scan'],
        Resource: [arn(stack.tables.alerts)],
      },
      { Action: 'sns:Publish', Resource: { Ref: id(stack.analysis.alertTopic) } },
      { Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: key() },
      sqsSend(stack.analysis.deadLetters),
      kmsForSqs(),
      { Action: 'dynamodb:ListStreams', Resource: '*' },
      {
        Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        Resource: { 'Fn::GetAtt': [id(stack.tables.prices), 'StreamArn'] },
      },
    ]);
  });

  test('no role has a managed policy, so none has *FullAccess', () => {
    for (const [, role] of resourcesOf('AWS::IAM::Role')) {
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    }
    expect(JSON.stringify(json)).not.toMatch(/FullAccess/);
  });

  test('Resource "*" appears only for the actions whose reason WILDCARD_RESOURCE_ACTIONS documents', () => {
    const wildcard = resourcesOf('AWS::IAM::Policy').flatMap(([, p]) =>
      wildcardResourceActions(p.Properties?.PolicyDocument as Parameters<typeof wildcardResourceActions>[0]),
    );
    // Seven functions trace to X-Ray; two state machines also deliver logs and sample traces.
    const logDelivery = [
      'CreateLogDelivery',
      'DeleteLogDelivery',
      'DescribeLogGroups',
      'DescribeResourcePolicies',
      'GetLogDelivery',
      'ListLogDeliveries',
      'PutResourcePolicy',
      'UpdateLogDelivery',
    ];
    expect(wildcard.sort()).toEqual(
      [
        'dynamodb:ListStreams',
        ...logDelivery.flatMap((a) => Array<string>(2).fill(`logs:${a}`)),
        ...Array<string>(2).fill('xray:GetSamplingRules'),
        ...Array<string>(2).fill('xray:GetSamplingTargets'),
        ...Array<string>(9).fill('xray:PutTelemetryRecords'),
        ...Array<string>(9).fill('xray:PutTraceSegments'),
      ].sort(),
    );
    for (const action of wildcard) expect(WILDCARD_RESOURCE_ACTIONS[action]?.length).toBeGreaterThan(40);
  });
});
