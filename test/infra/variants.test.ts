/**
 * The stack under non-default settings (small fixture handlers, so synthesis is quick): the dev
 * teardown mode, on-demand stream, disabled schedule, custom stream settings; and the workflow seam.
 */
import type { CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../infra/config';
import { wildcardResourceActions } from '../../infra/iam-audit';
import { StockpipeStack } from '../../infra/stack';
import { ENV } from '../../src/shared/names';
import { FIXTURE_ENTRIES, acknowledgementsUnder, newApp, synthStack, type Synthesized, type TemplateJson } from './helpers';

describe('dev settings: destroy, on-demand, schedule off, no email, custom stream handling', () => {
  let stack: StockpipeStack;
  let out: Synthesized;
  let template: Template;
  let json: TemplateJson;

  beforeAll(() => {
    ({ stack, out } = synthStack(
      {
        removalPolicy: 'destroy',
        streamMode: 'on-demand',
        scheduleEnabled: 'false',
        symbols: 'msft, AAPL',
        cadenceSeconds: '15',
        rawRetentionDays: '20',
        retryAttempts: '5',
        maxRecordAgeSeconds: '120',
        batchSize: '50',
        batchingWindowSeconds: '0',
        parallelizationFactor: '2',
        athenaBytesScannedCutoffMb: '100',
        logRetentionDays: '7',
      },
      FIXTURE_ENTRIES,
    ));
    template = out.template(stack);
    json = out.json(stack);
  });

  test('cdk-nag is satisfied in this mode too, auto-delete custom resource included', () => {
    expect(out.findings).toEqual([]);
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 3);
  });

  test('every data store is deleted with the stack and DynamoDB deletion protection is off', () => {
    const stateful = [
      'AWS::DynamoDB::Table',
      'AWS::S3::Bucket',
      'AWS::SQS::Queue',
      'AWS::KMS::Key',
      'AWS::Logs::LogGroup',
      'AWS::Glue::Database',
      'AWS::Glue::Table',
      'AWS::Athena::WorkGroup',
    ];
    const kept = Object.entries(json.Resources).filter(([, r]) => stateful.includes(r.Type) && r.DeletionPolicy !== 'Delete');
    expect(kept.map(([logical]) => logical)).toEqual([]);
    template.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
    template.hasResourceProperties('AWS::Athena::WorkGroup', { RecursiveDeleteOption: true });
  });

  test("the only managed policy is the basic execution role of CDK's bucket-emptying provider", () => {
    const managed = Object.entries(json.Resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties?.ManagedPolicyArns !== undefined)
      .map(([logical, r]) => [logical, JSON.stringify(r.Properties?.ManagedPolicyArns)]);
    expect(managed).toEqual([
      [
        'CustomS3AutoDeleteObjectsCustomResourceProviderRole3B1BD092',
        JSON.stringify([{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }]),
      ],
    ]);
  });

  test('the stream is on demand, without a shard count', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      ShardCount: Match.absent(),
    });
  });

  test('the schedule rule is created disabled', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      State: 'DISABLED',
      ScheduleExpression: 'rate(1 minute)',
    });
  });

  test('the producer gets the normalised symbols and the cadence', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ [ENV.symbols]: 'MSFT,AAPL', [ENV.cadenceSeconds]: '15' }),
      },
    });
  });

  test('both event-source mappings take the configured batch, retry and age settings; only the Kinesis one the parallelism', () => {
    const mappings = Object.values(json.Resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(2);
    for (const m of mappings) {
      // Kinesis keeps order per partition key (the symbol) at any factor; DynamoDB Streams per item only.
      const kinesis = JSON.stringify(m.Properties?.EventSourceArn).includes('Ingestion');
      expect(m.Properties).toMatchObject({
        BatchSize: 50,
        MaximumBatchingWindowInSeconds: 0,
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 120,
        ParallelizationFactor: kinesis ? 2 : 1,
      });
    }
    const factors = mappings.map((m) => m.Properties?.ParallelizationFactor).sort();
    expect(factors).toEqual([1, 2]);
  });

  test('raw JSON kept for 20 days expires without an Infrequent Access transition', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Id: 'raw-json', ExpirationInDays: 20, Transitions: Match.absent() })]),
      },
    });
  });

  test('the Athena cutoff and the log retention follow the settings', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({ BytesScannedCutoffPerQuery: 100 * 1024 * 1024 }),
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  test('without an email there is no subscription, and synthesis warns about it', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    Annotations.fromStack(stack).hasWarning('/Stockpipe/Analysis/AlertTopic', Match.stringLikeRegexp('No alertEmail set'));
  });

  test('every acknowledgement in the stack carries a reason', () => {
    const acknowledged = acknowledgementsUnder(stack);
    // Those of the workflows are checked by test/infra/constructs/*-workflow.test.ts; their reasons are checked below.
    const outside = acknowledgementsUnder(stack, [stack.maintenance, stack.report]);
    expect(acknowledged.length).toBeGreaterThan(outside.length);
    expect(outside.map((a) => a.id).sort()).toEqual(
      [
        ...Array<string>(3).fill('AwsSolutions-L1'),
        ...Array<string>(3).fill('AwsSolutions-SQS3'),
        'AwsSolutions-S1',
        ...Array<string>(3).fill('AwsSolutions-IAM5[Resource::*]'),
        ...Array<string>(3).fill('AwsSolutions-IAM5[Action::kms:GenerateDataKey*]'),
        ...Array<string>(3).fill('AwsSolutions-IAM5[Action::kms:ReEncrypt*]'),
        'AwsSolutions-IAM5[Action::s3:Abort*]',
        `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(stack.rawStorage.bucket.node.defaultChild as CfnElement)}.Arn>/raw/*]`,
      ].sort(),
    );
    for (const { id, reason } of acknowledged) expect({ id, long: reason.length >= 40 }).toEqual({ id, long: true });
  });
});

describe('workflows in the stack', () => {
  test('both state machines pass the IAM audit and get a failed-runs alarm and a dashboard row', () => {
    const app = newApp();
    const stack = new StockpipeStack(app, 'Stockpipe', { config: parseConfig(), entries: FIXTURE_ENTRIES });
    const template = Template.fromStack(stack);
    for (const stateMachine of [stack.maintenance.stateMachine, stack.report.stateMachine]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ExecutionsFailed',
        Namespace: 'AWS/States',
        Dimensions: [
          {
            Name: 'StateMachineArn',
            Value: { Ref: stack.getLogicalId(stateMachine.node.defaultChild as CfnElement) },
          },
        ],
        AlarmActions: [{ Ref: stack.getLogicalId(stack.observability.opsTopic.node.defaultChild as CfnElement) }],
      });
    }
    const wildcard = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) =>
      wildcardResourceActions(
        (p as { Properties: { PolicyDocument: Parameters<typeof wildcardResourceActions>[0] } }).Properties.PolicyDocument,
      ),
    );
    expect(wildcard).toEqual(expect.arrayContaining(['logs:CreateLogDelivery', 'xray:GetSamplingRules']));
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('Workflow runs: Maintenance');
    expect(body).toContain('Workflow runs: Report');
  });
});

describe('the synthetic source in the stack', () => {
  let stack: StockpipeStack;
  let out: Synthesized;

  beforeAll(() => {
    ({ stack, out } = synthStack({ quoteSource: 'synthetic', symbols: 'SYN000,SYN001' }, FIXTURE_ENTRIES));
  });

  test('the producer may Query the price table and nothing more of it; cdk-nag and the IAM audit are satisfied', () => {
    expect(out.findings).toEqual([]);
    const template = out.template(stack);
    const idOf = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as CfnElement);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ [ENV.quoteSource]: 'synthetic', [ENV.priceTable]: { Ref: idOf(stack.tables.prices) } }),
      },
    });
    const producerRole = idOf(stack.ingestion.producer.role);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: producerRole }]))
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement);
    expect(statements.filter((s) => JSON.stringify(s.Action).includes('dynamodb:'))).toEqual([
      expect.objectContaining({ Action: 'dynamodb:Query', Resource: [{ 'Fn::GetAtt': [idOf(stack.tables.prices), 'Arn'] }] }),
    ]);
  });
});
