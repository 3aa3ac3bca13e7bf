/**
 * What a first deploy into a real account would hit and no emulator shows: the ops topic's policy,
 * catalog names per stack, the report role's catalog grant, alarm actions, state machine log groups.
 * Uses the fixture bundles (the real handlers do not matter here).
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { analyticsNames } from '../../infra/constructs/analytics';
import type { StockpipeStack } from '../../infra/stack';
import { FIXTURE_ENTRIES, inspect, synthStack, type Inspector } from './helpers';

let stack: StockpipeStack;
let template: Template;
let t: Inspector;

beforeAll(() => {
  const synthed = synthStack({}, FIXTURE_ENTRIES);
  stack = synthed.stack;
  t = inspect(stack, synthed.out);
  template = t.template;
});

describe('first deploy', () => {
  test('the ops topic lets CloudWatch alarms of this account publish, with source conditions', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: t.id(stack.observability.opsTopic) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': Match.anyValue() },
            },
          }),
        ]),
      },
    });
  });

  test('no alarm has OK actions, and every alarm notifies the ops topic', () => {
    const alarms = t.resourcesOf('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(5);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties?.OKActions).toBeUndefined();
      expect(alarm.Properties?.AlarmActions).toEqual([{ Ref: t.id(stack.observability.opsTopic) }]);
    }
  });

  test('the producer errors alarm needs failures in 3 of 5 minutes; processing alarms on one', () => {
    const byFunction = (fn: { node: { defaultChild?: unknown } }) =>
      t
        .resourcesOf('AWS::CloudWatch::Alarm')
        .map(([, a]) => a.Properties ?? {})
        .find((p) => p.MetricName === 'Errors' && JSON.stringify(p.Dimensions).includes(`"${t.id(fn as never)}"`));
    expect(byFunction(stack.ingestion.producer.function)).toMatchObject({ EvaluationPeriods: 5, DatapointsToAlarm: 3 });
    const processing = byFunction(stack.processing.function.function);
    expect(processing).toMatchObject({ EvaluationPeriods: 1 });
    expect(processing?.DatapointsToAlarm).toBeUndefined();
  });

  test('the Glue database and Athena workgroup are named after the stack and dropped when a create rolls back', () => {
    expect(stack.analytics.databaseName).toBe('stockpipe');
    expect(analyticsNames('Stockpipe-Staging')).toEqual({ database: 'stockpipe_staging', workgroup: 'stockpipe-staging' });
    template.hasResource('AWS::Glue::Database', {
      Properties: { DatabaseInput: Match.objectLike({ Name: 'stockpipe' }) },
      UpdateReplacePolicy: 'Retain',
      DeletionPolicy: 'RetainExceptOnCreate',
    });
    template.hasResource('AWS::Athena::WorkGroup', {
      Properties: Match.objectLike({ Name: 'stockpipe' }),
      DeletionPolicy: 'RetainExceptOnCreate',
    });
    for (const [, table] of t.resourcesOf('AWS::Glue::Table')) {
      expect(table.Properties?.DatabaseName).toBe('stockpipe');
      expect(table.DeletionPolicy).toBe('RetainExceptOnCreate');
    }
  });

  test("the report state machine's role may read the Athena data catalog", () => {
    const policies = t.resourcesOf('AWS::IAM::Policy').map(([, p]) => JSON.stringify(p.Properties));
    expect(policies.some((p) => p.includes('"athena:GetDataCatalog"') && p.includes('datacatalog/AwsDataCatalog'))).toBe(true);
  });

  test('state machine log groups live under /aws/vendedlogs/states/', () => {
    const groups = t.resourcesOf('AWS::Logs::LogGroup').filter(([, g]) => JSON.stringify(g.Properties).includes('vendedlogs'));
    expect(groups).toHaveLength(t.resourcesOf('AWS::StepFunctions::StateMachine').length);
    for (const [, g] of groups) {
      expect(JSON.stringify(g.Properties?.LogGroupName)).toContain('/aws/vendedlogs/states/');
    }
  });
});
