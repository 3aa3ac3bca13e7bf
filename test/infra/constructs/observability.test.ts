import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Observability } from '../../../infra/constructs/observability';
import { bareStack, inspectBare } from '../bare';

const fx = bareStack();
const fn = new lambda.Function(fx.stack, 'Fn', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => {}'),
});
const observability = new Observability(fx.stack, 'Observability', {
  key: fx.key(),
  opsEmail: 'ops@example.com',
  stream: fx.stream(),
  functions: { Fn: fn },
  streamFunctions: { Fn: fn },
  deadLetterQueues: { Dlq: fx.queue() },
  alertTopic: fx.topic(),
});
const machine = new sfn.StateMachine(fx.stack, 'Machine', {
  definitionBody: sfn.DefinitionBody.fromChainable(
    new sfn.Wait(fx.stack, 'Wait', { time: sfn.WaitTime.duration(Duration.seconds(1)) }),
  ),
});
observability.monitorStateMachine('Machine', machine);
const t = inspectBare(fx.stack);
const opsAction = () => [{ Ref: t.id(observability.opsTopic) }];

describe('Observability', () => {
  test("alarms on the analysis's late ticks (its custom metric, summed per period)", () => {
    t.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'stockpipe',
      MetricName: 'LateTicks',
      Dimensions: [{ Name: 'service', Value: 'stockpipe' }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  test('every alarm notifies the ops topic and treats missing data as not breaching', () => {
    // One queue depth, the iterator age, late ticks, errors and throttles of one function, failed runs of one workflow.
    t.template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    t.template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: opsAction(),
      OKActions: Match.absent(),
      TreatMissingData: 'notBreaching',
    });
    t.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [t.id(fx.queue()), 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    t.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'GetRecords.IteratorAgeMilliseconds',
      Namespace: 'AWS/Kinesis',
      Threshold: 300_000,
      EvaluationPeriods: 5,
    });
    for (const metric of ['Errors', 'Throttles']) {
      t.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'AWS/Lambda',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: t.id(fn) } }],
      });
    }
    t.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsFailed',
      Namespace: 'AWS/States',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: t.id(machine) } }],
    });
  });

  test('the dashboard shows ingest rate, latency, iterator age, alerts sent, DLQ depth, function health and workflow runs', () => {
    const dashboards = t.resourcesOf('AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.[1].Properties?.DashboardBody);
    for (const title of [
      'Ingest rate',
      'Processing latency',
      'Iterator age',
      'Alerts sent',
      'Dead-letter depth',
      'Function errors',
      'Workflow runs: Machine',
    ]) {
      expect(body).toContain(title);
    }
  });

  test('CloudWatch may use the key, so that alarms can publish to the encrypted ops topic', () => {
    t.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  test('the ops topic uses the key and the ops email subscribes to it', () => {
    t.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: t.arn(fx.key()) });
    t.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: t.id(observability.opsTopic) },
    });
  });
});
