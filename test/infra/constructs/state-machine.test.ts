import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { definitionSubstitutions, workflowSchedule, workflowStateMachine } from '../../../infra/constructs/state-machine';
import { bareStack, inspectBare, statementsOfRole } from '../bare';

const known = { lakeBucket: 'lake', opsTopicArn: 'arn:ops' };
const maintenanceFunctions = { findPartitions: 'arn:find', compaction: 'arn:compact', registerPartitions: 'arn:register' };

describe('definitionSubstitutions', () => {
  it('values exactly the placeholders the definition uses', () => {
    expect(definitionSubstitutions('maintenance', { ...known, functionArns: maintenanceFunctions })).toEqual({
      FindPartitionsFunctionArn: 'arn:find',
      CompactionFunctionArn: 'arn:compact',
      RegisterPartitionsFunctionArn: 'arn:register',
      LakeBucket: 'lake',
      MaintenancePrefix: 'maintenance/',
      OpsTopicArn: 'arn:ops',
    });
  });

  it('fails synthesis on a placeholder the workflow cannot value, naming it', () => {
    expect(() => definitionSubstitutions('report', { ...known, functionArns: {} })).toThrow(
      'statemachines/daily-report.asl.json uses AlertTopicArn, AthenaWorkgroup, GlueDatabase, ReportFunctionArn, which the report workflow does not provide',
    );
  });
});

describe('workflowStateMachine and workflowSchedule', () => {
  const fx = bareStack();
  const sm = workflowStateMachine(fx.stack, 'Machine', {
    workflow: 'maintenance',
    substitutions: definitionSubstitutions('maintenance', { ...known, functionArns: maintenanceFunctions }),
    timeout: Duration.hours(1),
    opsTopic: fx.opsTopic(),
    includeExecutionData: true,
  });
  workflowSchedule(fx.stack, 'Schedule', {
    description: 'a test schedule',
    schedule: events.Schedule.rate(Duration.minutes(5)),
    stateMachine: sm,
    enabled: false,
  });
  const t = inspectBare(fx.stack);

  it('logs to its own retained log group, traces, times out and may publish to the ops topic', () => {
    t.template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 30 } });
    t.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [
          { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [t.id(fx.stack.node.findChild('MachineLogs')), 'Arn'] } } },
        ],
      },
    });
    expect(statementsOfRole(t, sm.role)).toContainEqual(
      expect.objectContaining({ Action: 'sns:Publish', Resource: { Ref: t.id(fx.opsTopic()) } }),
    );
  });

  it('starts the state machine on its schedule with an empty input', () => {
    t.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'DISABLED',
      Targets: [Match.objectLike({ Arn: { Ref: t.id(sm) }, Input: '{}' })],
    });
  });
});
