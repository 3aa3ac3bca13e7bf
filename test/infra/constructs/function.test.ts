import { Match } from 'aws-cdk-lib/assertions';
import { PipelineFunction } from '../../../infra/constructs/function';
import { RESOURCE } from '../../../src/shared/names';
import { bareStack, FIXTURE_ENTRY, inspectBare, statementsOfRole } from '../bare';

const fx = bareStack();
const fn = new PipelineFunction(fx.stack, 'Fn', {
  entry: FIXTURE_ENTRY,
  description: 'a test function',
  environment: { EXTRA: 'value' },
  asyncRetryAttempts: 0,
});
const t = inspectBare(fx.stack);

describe('PipelineFunction', () => {
  test('runs Node 22 on arm64 with active tracing, JSON logs to its own log group, its own role and the Powertools settings', () => {
    t.template.resourceCountIs('AWS::Lambda::Function', 1);
    t.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: t.id(fn.logGroup) } },
      Role: t.arn(fn.role),
      MemorySize: 256,
      Timeout: 30,
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: RESOURCE.service,
          POWERTOOLS_METRICS_NAMESPACE: RESOURCE.metricsNamespace,
          NODE_OPTIONS: '--enable-source-maps',
          EXTRA: 'value',
        },
      },
    });
    t.template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 30 } });
    t.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
  });

  test('its role has no managed policy and may only write its own logs and trace', () => {
    t.template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    expect(statementsOfRole(t, fn.role).map((s) => ({ Action: s.Action, Resource: s.Resource }))).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: t.arn(fn.logGroup) },
      { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
    ]);
  });
});
