/**
 * The AWS target's control-plane operations against mocked EventBridge, Step Functions and SNS (no
 * emulator exists for them): the exact requests, pagination, and the error mapping.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeRuleCommand, DisableRuleCommand, EnableRuleCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsOperations } from '../../src/ops/aws/operations';
import { opsClientsFrom } from '../../src/ops/aws/clients';
import { parseRunStatus } from '../../src/ops/run-status';
import { OpsError } from '../../src/ops/errors';
import type { RunProgress } from '../../src/ops/operations';
import {
  RunDetailSchema,
  RunSummarySchema,
  ScheduleChangeSchema,
  ScheduleStatusSchema,
  SubscribeResultSchema,
  WorkflowStartSchema,
} from '../../src/ops/types';
import { createClients } from '../../src/shared/clients';
import { FAILED_MAINTENANCE_RUN, RUNNING_REPORT_RUN, SUCCEEDED_REPORT_RUN } from './fixtures';
import {
  OUTPUTS,
  REGION,
  SM_MAINTENANCE,
  SM_REPORT,
  awsError,
  describeStacksAnswer,
  openTarget,
  type MockedTarget,
} from './helpers';

const NOW = new Date('2026-03-02T12:00:30Z');
let t: MockedTarget;

beforeEach(async () => {
  t = await openTarget(undefined, { now: () => NOW });
});
afterEach(() => t.clients.destroy());

const rejection = async (p: Promise<unknown>): Promise<OpsError> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof OpsError) return e;
    throw e;
  }
  throw new Error('expected the promise to reject');
};

const exact = <T>(value: T, schema: { parse(v: unknown): unknown }): T => {
  expect(schema.parse(value)).toEqual(value);
  return value;
};

describe('schedule', () => {
  test('disable sends DisableRule for the ingest rule named by the stack output, and status then reports it disabled', async () => {
    const eb = mockClient(t.clients.eventbridge);
    eb.on(DescribeRuleCommand)
      .resolvesOnce({ Name: OUTPUTS.scheduleRule, State: 'ENABLED', ScheduleExpression: 'rate(1 minute)' })
      .resolves({ Name: OUTPUTS.scheduleRule, State: 'DISABLED', ScheduleExpression: 'rate(1 minute)' });
    eb.on(DisableRuleCommand).resolves({});

    const change = exact(await t.ops.setSchedule('ingest', false), ScheduleChangeSchema);
    expect(eb.commandCalls(DisableRuleCommand).map((c) => c.args[0].input)).toEqual([
      { Name: 'Stockpipe-IngestionScheduleABCD' },
    ]);
    expect(eb.commandCalls(EnableRuleCommand)).toHaveLength(0);
    expect(change).toEqual({
      rule: 'ingest',
      name: 'Stockpipe-IngestionScheduleABCD',
      state: 'DISABLED',
      expression: 'rate(1 minute)',
      nextTrigger: null,
      nextTriggerApproximate: false,
      previousState: 'ENABLED',
      changed: true,
    });

    const status = exact(await t.ops.scheduleStatus('ingest'), ScheduleStatusSchema);
    expect(status.state).toBe('DISABLED');
    expect(eb.commandCalls(DescribeRuleCommand).map((c) => c.args[0].input)).toEqual([
      { Name: 'Stockpipe-IngestionScheduleABCD' },
      { Name: 'Stockpipe-IngestionScheduleABCD' },
    ]);
  });

  test('enable of the report rule sends EnableRule and gives the cron next trigger in UTC', async () => {
    const eb = mockClient(t.clients.eventbridge);
    eb.on(DescribeRuleCommand).resolves({
      Name: OUTPUTS.reportRule,
      State: 'DISABLED',
      ScheduleExpression: 'cron(30 21 ? * MON-FRI *)',
    });
    eb.on(EnableRuleCommand).resolves({});
    const change = await t.ops.setSchedule('report', true);
    expect(eb.commandCalls(EnableRuleCommand).map((c) => c.args[0].input)).toEqual([
      { Name: 'Stockpipe-WorkflowReportSchedule' },
    ]);
    // 2026-03-02 is a Monday.
    expect(change).toMatchObject({
      state: 'ENABLED',
      previousState: 'DISABLED',
      changed: true,
      nextTrigger: '2026-03-02T21:30:00.000Z',
      nextTriggerApproximate: false,
    });
  });

  test('a rule already in the asked state is left alone', async () => {
    const eb = mockClient(t.clients.eventbridge);
    eb.on(DescribeRuleCommand).resolves({ Name: OUTPUTS.maintenanceRule, State: 'ENABLED', ScheduleExpression: 'rate(1 hour)' });
    const change = await t.ops.setSchedule('maintenance', true);
    expect(change).toMatchObject({
      changed: false,
      state: 'ENABLED',
      nextTrigger: '2026-03-02T13:00:30.000Z',
      nextTriggerApproximate: true,
    });
    expect(eb.commandCalls(EnableRuleCommand)).toHaveLength(0);
    expect(eb.commandCalls(DisableRuleCommand)).toHaveLength(0);
  });

  test('AccessDenied on DisableRule is a clear failure (exit 1) naming the rule and the region', async () => {
    const eb = mockClient(t.clients.eventbridge);
    eb.on(DescribeRuleCommand).resolves({ Name: OUTPUTS.scheduleRule, State: 'ENABLED', ScheduleExpression: 'rate(1 minute)' });
    eb.on(DisableRuleCommand).rejects(
      awsError('AccessDeniedException', 'User: arn:aws:iam::1:user/x is not authorized to perform: events:DisableRule', 403),
    );
    const e = await rejection(t.ops.setSchedule('ingest', false));
    expect(e.kind).toBe('access-denied');
    expect(e.exitCode).toBe(1);
    expect(e.message).toBe(
      'access denied to disable rule Stockpipe-IngestionScheduleABCD in region eu-west-1 (AccessDeniedException: User: arn:aws:iam::1:user/x is not authorized to perform: events:DisableRule); use credentials allowed to do this (--profile) or ask for the permission',
    );
  });

  test('a rule gone since the outputs were cached is found again after one refresh of the stack', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'stockpipe-ops-cache-'));
    try {
      const clients = opsClientsFrom(createClients({ region: REGION }), REGION);
      const cfn = mockClient(clients.cloudformation);
      cfn
        .on(DescribeStacksCommand)
        .resolvesOnce(describeStacksAnswer())
        .resolves(describeStacksAnswer({ ...OUTPUTS, scheduleRule: 'Stockpipe-NewSchedule' }));
      await (await AwsOperations.open({ clients, region: REGION, cacheDir })).close();
      const ops = await AwsOperations.open({ clients, region: REGION, cacheDir });
      expect(ops.stack.fromCache).toBe(true);
      const eb = mockClient(clients.eventbridge);
      eb.on(DescribeRuleCommand, { Name: 'Stockpipe-IngestionScheduleABCD' }).rejects(
        awsError('ResourceNotFoundException', 'Rule does not exist'),
      );
      eb.on(DescribeRuleCommand, { Name: 'Stockpipe-NewSchedule' }).resolves({
        Name: 'Stockpipe-NewSchedule',
        State: 'ENABLED',
        ScheduleExpression: 'rate(1 minute)',
      });
      expect((await ops.scheduleStatus('ingest')).name).toBe('Stockpipe-NewSchedule');
      expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(2);
      clients.destroy();
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

const execution = (sm: string, name: string, status: string, startMinute: number) => ({
  executionArn: `${sm.replace(':stateMachine:', ':execution:')}:${name}`,
  stateMachineArn: sm,
  name,
  status: status as 'SUCCEEDED',
  startDate: new Date(Date.UTC(2026, 2, 2, 11, startMinute)),
  ...(status === 'RUNNING' ? {} : { stopDate: new Date(Date.UTC(2026, 2, 2, 11, startMinute, 40)) }),
});

describe('runs', () => {
  test('list pages through ListExecutions of each workflow, newest first, and stops at --since', async () => {
    const sfn = mockClient(t.clients.sfn);
    sfn
      .on(ListExecutionsCommand, { stateMachineArn: SM_MAINTENANCE })
      .resolvesOnce({
        executions: [execution(SM_MAINTENANCE, 'm4', 'RUNNING', 50), execution(SM_MAINTENANCE, 'm3', 'SUCCEEDED', 40)],
        nextToken: 'page2',
      })
      .resolvesOnce({
        executions: [execution(SM_MAINTENANCE, 'm2', 'FAILED', 20), execution(SM_MAINTENANCE, 'm1', 'SUCCEEDED', 5)],
        nextToken: 'page3',
      });
    sfn
      .on(ListExecutionsCommand, { stateMachineArn: SM_REPORT })
      .resolves({ executions: [execution(SM_REPORT, 'r1', 'SUCCEEDED', 30)] });

    const runs = await t.ops.listRuns({ since: new Date('2026-03-02T11:10:00Z') });
    expect(runs.map((r) => `${r.workflow}/${r.id}/${r.status}`)).toEqual([
      'maintenance/m4/RUNNING',
      'maintenance/m3/SUCCEEDED',
      'report/r1/SUCCEEDED',
      'maintenance/m2/FAILED',
    ]);
    expect(sfn.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: SM_MAINTENANCE, maxResults: 50 },
      { stateMachineArn: SM_MAINTENANCE, maxResults: 50, nextToken: 'page2' },
      { stateMachineArn: SM_REPORT, maxResults: 50 },
    ]);
    expect(runs[3]).toEqual({
      workflow: 'maintenance',
      id: 'm2',
      executionArn: `${SM_MAINTENANCE.replace(':stateMachine:', ':execution:')}:m2`,
      status: 'FAILED',
      startedAt: '2026-03-02T11:20:00.000Z',
      stoppedAt: '2026-03-02T11:20:40.000Z',
      durationMs: 40_000,
    });
    for (const r of runs) exact(r, RunSummarySchema);
  });

  test('list of one workflow with --status passes the status filter to AWS', async () => {
    const sfn = mockClient(t.clients.sfn);
    sfn.on(ListExecutionsCommand).resolves({ executions: [execution(SM_REPORT, 'r9', 'FAILED', 1)] });
    const runs = await t.ops.listRuns({ workflow: 'report', status: parseRunStatus('failed'), limit: 5 });
    expect(runs).toHaveLength(1);
    expect(sfn.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: SM_REPORT, maxResults: 5, statusFilter: 'FAILED' },
    ]);
    const e = await rejection(Promise.resolve().then(() => parseRunStatus('broken')));
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(
      '--status "broken" is not a run status; use one of RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE',
    );
  });

  test('show finds a run by its id, reads the paginated history and names the failed state and its error', async () => {
    const sfn = mockClient(t.clients.sfn);
    const arn = `${SM_MAINTENANCE.replace(':stateMachine:', ':execution:')}:m2`;
    sfn.on(DescribeExecutionCommand).resolves({
      ...execution(SM_MAINTENANCE, 'm2', 'FAILED', 20),
      input: '{}',
      error: 'MaintenanceFailed',
      cause: 'RegisterPartitions: Glue.AccessDeniedException',
    });
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: FAILED_MAINTENANCE_RUN.slice(0, 20), nextToken: 'h2' })
      .resolvesOnce({ events: FAILED_MAINTENANCE_RUN.slice(20) });
    const run = exact(await t.ops.showRun('m2'), RunDetailSchema);
    expect(sfn.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input)).toEqual([{ executionArn: arn }]);
    expect(sfn.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input)).toEqual([
      { executionArn: arn, maxResults: 1000 },
      { executionArn: arn, maxResults: 1000, nextToken: 'h2' },
    ]);
    expect(run.states).toHaveLength(7);
    expect(run).toMatchObject({
      workflow: 'maintenance',
      id: 'm2',
      status: 'FAILED',
      failedState: 'RegisterPartitions',
      error: 'MaintenanceFailed',
    });
    expect(run.states.filter((s) => s.status === 'CAUGHT').map((s) => [s.name, s.error])).toEqual([
      ['RegisterPartitions', 'Glue.AccessDeniedException'],
    ]);
  });

  test('show of an id in neither workflow says so and how to list runs', async () => {
    const sfn = mockClient(t.clients.sfn);
    sfn.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist', 'Execution Does Not Exist'));
    const e = await rejection(t.ops.showRun('nope'));
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(2);
    expect(e.message).toBe('no run nope in the workflows of stack Stockpipe (eu-west-1); list them with stockpipe runs list');
  });

  test('throttling of ListExecutions is a clear failure (exit 1)', async () => {
    mockClient(t.clients.sfn).on(ListExecutionsCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    const e = await rejection(t.ops.listRuns({ workflow: 'maintenance' }));
    expect(e.kind).toBe('throttled');
    expect(e.message).toBe(
      'AWS throttled the request to list runs of the maintenance workflow in region eu-west-1 (ThrottlingException); wait a minute and run the command again',
    );
  });

  test('workflow run starts an execution with the date and, waited for, reports each state as it goes', async () => {
    const sfn = mockClient(t.clients.sfn);
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
      executionArn: `${SM_REPORT.replace(':stateMachine:', ':execution:')}:${input.name}`,
      startDate: NOW,
    }));
    const start = exact(await t.ops.startWorkflow('report', { date: '2026-02-27' }), WorkflowStartSchema);
    const sent = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(sent).toEqual({ stateMachineArn: SM_REPORT, name: start.id, input: '{"date":"2026-02-27"}' });
    expect(start.id).toMatch(/^cli-20260302T120030Z-[0-9a-f]{6}$/);

    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({ ...execution(SM_REPORT, start.id, 'RUNNING', 0), executionArn: start.executionArn })
      .resolves({ ...execution(SM_REPORT, start.id, 'SUCCEEDED', 0), executionArn: start.executionArn, output: '{"ok":true}' });
    sfn.on(GetExecutionHistoryCommand).resolvesOnce({ events: RUNNING_REPORT_RUN }).resolves({ events: SUCCEEDED_REPORT_RUN });
    const progress: RunProgress[] = [];
    const done = await t.ops.waitForRun(start.executionArn, { onProgress: (p) => progress.push(p), pollMs: 5 });
    expect(done.status).toBe('SUCCEEDED');
    expect(done.output).toBe('{"ok":true}');
    expect(
      progress.map((p) => [p.run.status, p.entered.map((s) => s.name), p.finished.map((s) => `${s.name}:${s.status}`)]),
    ).toEqual([
      ['RUNNING', ['PlanReport'], []],
      ['SUCCEEDED', ['Done'], ['PlanReport:SUCCEEDED', 'Done:SUCCEEDED']],
    ]);
  });

  test('a workflow missing from the stack outputs is named with what to do', async () => {
    const { reportStateMachine: _r, ...outputs } = OUTPUTS;
    const other = await openTarget(undefined, { outputs });
    const e = await rejection(other.ops.startWorkflow('report'));
    expect(e.message).toBe(
      'stack Stockpipe in region eu-west-1 has no output reportStateMachine, needed to find the report workflow; deploy the current version with npm run deploy',
    );
    other.clients.destroy();
  });
});

describe('subscribe', () => {
  test('subscribes the address by email to the alerts topic and says the recipient must confirm', async () => {
    const sns = mockClient(t.clients.sns);
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: 'pending confirmation' });
    const result = exact(await t.ops.subscribe('ops@example.com'), SubscribeResultSchema);
    expect(sns.commandCalls(SubscribeCommand).map((c) => c.args[0].input)).toEqual([
      { TopicArn: OUTPUTS.alertTopic, Protocol: 'email', Endpoint: 'ops@example.com' },
    ]);
    expect(result.pendingConfirmation).toBe(true);
    expect(result.message).toMatch(
      /^AWS sent a confirmation mail to ops@example.com: the recipient must click its "Confirm subscription" link/,
    );
  });

  test('a malformed address is a usage error and nothing is sent', async () => {
    const sns = mockClient(t.clients.sns);
    const e = await rejection(t.ops.subscribe('not-an-address', 'ops'));
    expect(e.exitCode).toBe(2);
    expect(sns.commandCalls(SubscribeCommand)).toHaveLength(0);
  });
});
