import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Analysis } from '../../../infra/constructs/analysis';
import { ENV } from '../../../src/shared/names';
import { bareStack, FIXTURE_ENTRY, inspectBare } from '../bare';

const build = (alertEmail?: string) => {
  const fx = bareStack();
  const signalState = fx.table();
  const analysis = new Analysis(fx.stack, 'Analysis', {
    key: fx.key(),
    prices: fx.table(),
    signalState,
    alerts: signalState,
    entry: FIXTURE_ENTRY,
    ...(alertEmail ? { alertEmail } : {}),
  });
  return { fx, analysis, t: inspectBare(fx.stack) };
};

describe('Analysis', () => {
  const { fx, analysis, t } = build('alerts@example.com');

  test('the DynamoDB-stream mapping takes INSERTs and MODIFYs (never TTL REMOVEs), with the same failure settings and its own DLQ', () => {
    t.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: t.id(analysis.function.function) },
      EventSourceArn: { 'Fn::GetAtt': [t.id(fx.table()), 'StreamArn'] },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT', 'MODIFY'] }) }] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 5,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: 3600,
      ParallelizationFactor: 1,
      DestinationConfig: { OnFailure: { Destination: t.arn(analysis.deadLetters) } },
    });
  });

  test('the analyser is told both tables, the alert topic ARN and its DLQ', () => {
    t.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.signalStateTable]: { Ref: t.id(fx.table()) },
          [ENV.alertTable]: { Ref: t.id(fx.table()) },
          [ENV.alertTopicArn]: { Ref: t.id(analysis.alertTopic) },
          [ENV.analysisDlqUrl]: { Ref: t.id(analysis.deadLetters) },
        }),
      },
    });
  });

  test('the alert topic uses the key and the alert email subscribes to it', () => {
    t.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: t.arn(fx.key()) });
    t.template.resourceCountIs('AWS::SNS::Subscription', 1);
    t.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'alerts@example.com',
      TopicArn: { Ref: t.id(analysis.alertTopic) },
    });
  });

  test('without an email there is no subscription, and synthesis warns about it', () => {
    const bare = build();
    bare.t.template.resourceCountIs('AWS::SNS::Subscription', 0);
    Annotations.fromStack(bare.fx.stack).hasWarning('*', Match.stringLikeRegexp('No alertEmail set'));
  });
});
