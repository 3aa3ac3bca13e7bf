/**
 * The operating commands through the CLI on `--target aws`, with the AWS SDK mocked per client class
 * (no emulator exists for CloudFormation, EventBridge or Step Functions; the data-plane calls are
 * mocked too, the emulator-backed tests of them are in test/ops): the exact requests the commands
 * send, what they print, and that every --json output parses with its exported schema.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeRuleCommand, DisableRuleCommand, EnableRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { encodeDeadLetter } from '../../src/adapters/aws/sqs-dead-letter-sink';
import { buildDailyReport, type DailyReport } from '../../src/core/report';
import {
  AlertRowSchema,
  DlqMessageSchema,
  QueueOverviewSchema,
  ReportGetResultSchema,
  RunDetailSchema,
  RunSummarySchema,
  ScheduleChangeSchema,
  ScheduleStatusSchema,
  StatusReportSchema,
  SubscribeResultSchema,
  WorkflowStartSchema,
} from '../../src/ops/types';
import { FAILED_MAINTENANCE_RUN, SUCCEEDED_REPORT_RUN } from '../ops/fixtures';
import { OUTPUTS, REGION, SM_MAINTENANCE, SM_REPORT, awsError, describeStacksAnswer } from '../ops/helpers';
import { cli, tempDataDir } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Stub = AwsStub<any, any, any>;
const mocks: Record<string, Stub> = {};
let cacheHome: string;
let cwdDir: string;

beforeAll(() => {
  mocks.cfn = mockClient(CloudFormationClient);
  mocks.eb = mockClient(EventBridgeClient);
  mocks.sfn = mockClient(SFNClient);
  mocks.cw = mockClient(CloudWatchClient);
  mocks.kinesis = mockClient(KinesisClient);
  mocks.sqs = mockClient(SQSClient);
  mocks.s3 = mockClient(S3Client);
  mocks.sns = mockClient(SNSClient);
  mocks.ddb = mockClient(DynamoDBDocumentClient);
});
afterAll(() => {
  for (const m of Object.values(mocks)) m.restore();
});
beforeEach(() => {
  for (const m of Object.values(mocks)) m.reset();
  mocks.cfn!.on(DescribeStacksCommand).resolves(describeStacksAnswer());
  cacheHome = mkdtempSync(join(tmpdir(), 'stockpipe-cache-'));
  cwdDir = tempDataDir();
});
afterEach(() => {
  rmSync(cacheHome, { recursive: true, force: true });
  rmSync(cwdDir, { recursive: true, force: true });
});

/** The CLI on the AWS target of the mocked stack; the stack-output cache goes to a temporary folder. */
const aws = (args: readonly string[], options: { stdinIsTTY?: boolean; confirm?: boolean } = {}) =>
  cli([...args, '--target', 'aws', '--region', REGION], { env: { XDG_CACHE_HOME: cacheHome }, ...options });

const json = <T>(run: { code: number; stdout: string; stderr: string }, schema: { parse(v: unknown): T }): T => {
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  return schema.parse(JSON.parse(run.stdout));
};

describe('schedule on the deployed stack', () => {
  it('disable --yes sends DisableRule for the rule named by the stack output, and status then reports it disabled', async () => {
    mocks
      .eb!.on(DescribeRuleCommand)
      .resolvesOnce({ Name: OUTPUTS.scheduleRule, State: 'ENABLED', ScheduleExpression: 'rate(1 minute)' })
      .resolves({ Name: OUTPUTS.scheduleRule, State: 'DISABLED', ScheduleExpression: 'rate(1 minute)' });
    mocks.eb!.on(DisableRuleCommand).resolves({});

    const change = json(await aws(['schedule', 'disable', '--yes', '--json']), ScheduleChangeSchema);
    expect(mocks.cfn!.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input)).toEqual([{ StackName: 'Stockpipe' }]);
    expect(mocks.eb!.commandCalls(DisableRuleCommand).map((c) => c.args[0].input)).toEqual([{ Name: OUTPUTS.scheduleRule }]);
    expect(mocks.eb!.commandCalls(EnableRuleCommand)).toHaveLength(0);
    expect(change).toMatchObject({
      rule: 'ingest',
      name: OUTPUTS.scheduleRule,
      state: 'DISABLED',
      previousState: 'ENABLED',
      changed: true,
    });

    const status = await aws(['schedule', 'status']);
    expect(status).toEqual({
      code: 0,
      stdout: `ingest schedule (${OUTPUTS.scheduleRule}, rate(1 minute)): DISABLED\n`,
      stderr: '',
    });
    expect(mocks.eb!.commandCalls(DescribeRuleCommand).map((c) => c.args[0].input)).toEqual([
      { Name: OUTPUTS.scheduleRule },
      { Name: OUTPUTS.scheduleRule },
    ]);
    // The second command read the outputs from the cache.
    expect(mocks.cfn!.commandCalls(DescribeStacksCommand)).toHaveLength(1);
  });

  it('--rule report acts on the report rule, and disable without --yes and without a terminal is refused unsent', async () => {
    mocks
      .eb!.on(DescribeRuleCommand)
      .resolves({ Name: OUTPUTS.reportRule, State: 'ENABLED', ScheduleExpression: 'cron(30 21 ? * MON-FRI *)' });
    const refused = await aws(['schedule', 'disable', '--rule', 'report']);
    expect(refused).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: disabling the report schedule stops the report runs: confirm with --yes\n',
    });
    expect(mocks.eb!.commandCalls(DisableRuleCommand)).toHaveLength(0);

    const declined = await aws(['schedule', 'disable', '--rule', 'report'], { stdinIsTTY: true, confirm: false });
    expect(declined.code).toBe(1);
    expect(mocks.eb!.commandCalls(DisableRuleCommand)).toHaveLength(0);

    mocks.eb!.on(DisableRuleCommand).resolves({});
    const confirmed = await aws(['schedule', 'disable', '--rule', 'report'], { stdinIsTTY: true, confirm: true });
    expect(confirmed.code).toBe(0);
    expect(mocks.eb!.commandCalls(DisableRuleCommand).map((c) => c.args[0].input)).toEqual([{ Name: OUTPUTS.reportRule }]);
    const status = json(await aws(['schedule', 'status', '--rule', 'report', '--json']), ScheduleStatusSchema);
    expect(status).toMatchObject({ rule: 'report', name: OUTPUTS.reportRule, expression: 'cron(30 21 ? * MON-FRI *)' });
  });
});

describe('the other operating commands on the deployed stack', () => {
  it('status: one report of schedule, stream, last hour, queues and runs', async () => {
    mocks
      .eb!.on(DescribeRuleCommand)
      .resolves({ Name: OUTPUTS.scheduleRule, State: 'ENABLED', ScheduleExpression: 'rate(1 minute)' });
    mocks.kinesis!.on(DescribeStreamSummaryCommand).resolves({
      StreamDescriptionSummary: {
        StreamName: OUTPUTS.stream,
        StreamStatus: 'ACTIVE',
        OpenShardCount: 2,
        RetentionPeriodHours: 24,
      } as never,
    });
    mocks.cw!.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'ticksIn', Values: [120] },
        { Id: 'ticksProcessed', Values: [118] },
        { Id: 'alerts', Values: [2] },
      ],
    });
    mocks
      .sqs!.on(GetQueueAttributesCommand)
      .resolves({ Attributes: { ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '0' } });
    mocks.sfn!.on(ListExecutionsCommand).resolves({ executions: [] });
    mocks.ddb!.on(ScanCommand, { TableName: OUTPUTS.signalStateTable }).resolves({
      Items: [{ symbol: 'AAPL', skipped: { '2026-03-01': { late: 2, duplicate: 0 }, '2026-03-02': { late: 1, duplicate: 1 } } }],
    });
    mocks.ddb!.on(ScanCommand, { TableName: OUTPUTS.alertTable }).resolves({
      Items: [
        {
          symbol: 'MSFT',
          side: 'BUY',
          timestamp: '2026-03-02T09:30:00.000Z',
          status: 'PENDING',
          claimed_at: '2026-03-02T09:31:00.000Z',
        },
      ],
    });
    const status = json(await aws(['status', '--json']), StatusReportSchema);
    expect(status).toMatchObject({
      target: 'aws',
      where: `stack Stockpipe in ${REGION}`,
      lastHour: { ticksIn: 120, ticksProcessed: 118, alerts: 2 },
      warnings: [],
    });
    expect(status.dlq.map((q) => [q.queue, q.visible])).toEqual([
      ['invalid', 1],
      ['processing', 1],
      ['analysis', 1],
    ]);

    const text = await aws(['status']);
    expect(text.stdout).toContain(`stream      ${OUTPUTS.stream} ACTIVE, 2 shard(s), retention 24 h`);
    expect(text.stdout).toContain('last hour   ticks in 120, processed 118, alerts 2');
    expect(text.stdout).toContain('workflows   maintenance never ran');
    expect(status.analysis).toEqual({
      lateTicks: 3,
      duplicateTicks: 1,
      skippedBySymbol: [{ symbol: 'AAPL', late: 3, duplicate: 1 }],
      pendingAlerts: 1,
      stalePendingAlerts: [
        { symbol: 'MSFT', side: 'BUY', timestamp: '2026-03-02T09:30:00.000Z', claimedAt: '2026-03-02T09:31:00.000Z' },
      ],
    });
    expect(mocks.ddb!.commandCalls(ScanCommand).map((c) => c.args[0].input)).toContainEqual({
      TableName: OUTPUTS.alertTable,
      FilterExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pending': 'PENDING' },
      ConsistentRead: true,
    });
    expect(text.stdout).toContain('analysis    late ticks 3, duplicate ticks 1 (AAPL 3/1), pending alerts 1, 1 stale');
    expect(text.stdout).toContain('stale PENDING BUY MSFT at 2026-03-02T09:30:00.000Z (claimed 2026-03-02T09:31:00.000Z)');
  });

  it('runs list and runs show: the runs newest first, and a failed run state by state with the failed state', async () => {
    const started = (minute: number) => new Date(`2026-03-02T10:${String(minute).padStart(2, '0')}:00Z`);
    mocks.sfn!.on(ListExecutionsCommand, { stateMachineArn: SM_MAINTENANCE }).resolves({
      executions: [
        {
          executionArn: `${SM_MAINTENANCE.replace(':stateMachine:', ':execution:')}:m1`,
          stateMachineArn: SM_MAINTENANCE,
          name: 'm1',
          status: 'FAILED',
          startDate: started(5),
          stopDate: started(6),
        },
      ],
    });
    mocks.sfn!.on(ListExecutionsCommand, { stateMachineArn: SM_REPORT }).resolves({
      executions: [
        {
          executionArn: `${SM_REPORT.replace(':stateMachine:', ':execution:')}:r1`,
          stateMachineArn: SM_REPORT,
          name: 'r1',
          status: 'SUCCEEDED',
          startDate: started(9),
          stopDate: started(10),
        },
      ],
    });
    const runs = json(await aws(['runs', 'list', '--json']), { parse: (v: unknown) => RunSummarySchema.array().parse(v) });
    expect(runs.map((r) => [r.id, r.workflow, r.status])).toEqual([
      ['r1', 'report', 'SUCCEEDED'],
      ['m1', 'maintenance', 'FAILED'],
    ]);

    const arn = `${SM_MAINTENANCE.replace(':stateMachine:', ':execution:')}:m1`;
    mocks.sfn!.on(DescribeExecutionCommand).resolves({
      executionArn: arn,
      stateMachineArn: SM_MAINTENANCE,
      name: 'm1',
      status: 'FAILED',
      startDate: started(5),
      stopDate: started(6),
      input: '{}',
      error: 'MaintenanceFailed',
      cause: 'RegisterPartitions: Glue.AccessDeniedException',
    });
    mocks.sfn!.on(GetExecutionHistoryCommand).resolves({ events: FAILED_MAINTENANCE_RUN });
    const detail = json(await aws(['runs', 'show', 'm1', '--json']), RunDetailSchema);
    expect(detail).toMatchObject({ id: 'm1', failedState: 'RegisterPartitions', error: 'MaintenanceFailed' });
    const text = await aws(['runs', 'show', 'm1']);
    expect(text.stdout).toContain(
      'failed in RegisterPartitions: MaintenanceFailed: RegisterPartitions: Glue.AccessDeniedException',
    );
    expect(text.stdout).toMatch(/^RegisterPartitions +Task +CAUGHT .* Glue\.AccessDeniedException: not authorized/m);
  });

  it('workflow run report --date --wait starts the report for that day and follows it to its end', async () => {
    const arn = `${SM_REPORT.replace(':stateMachine:', ':execution:')}:x`;
    mocks.sfn!.on(StartExecutionCommand).resolves({ executionArn: arn, startDate: new Date('2026-03-02T12:00:00Z') });
    mocks.sfn!.on(DescribeExecutionCommand).resolves({
      executionArn: arn,
      stateMachineArn: SM_REPORT,
      name: 'x',
      status: 'SUCCEEDED',
      startDate: new Date('2026-03-02T12:00:00Z'),
      stopDate: new Date('2026-03-02T12:00:09Z'),
    });
    mocks.sfn!.on(GetExecutionHistoryCommand).resolves({ events: SUCCEEDED_REPORT_RUN });
    const detail = json(await aws(['workflow', 'run', 'report', '--date', '2026-03-02', '--wait', '--json']), RunDetailSchema);
    const start = mocks.sfn!.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(start).toEqual([
      {
        stateMachineArn: SM_REPORT,
        name: expect.stringMatching(/^cli-\d{8}T\d{6}Z-[0-9a-f]{6}$/),
        input: '{"date":"2026-03-02"}',
      },
    ]);
    expect(detail).toMatchObject({ workflow: 'report', status: 'SUCCEEDED', states: [{ name: 'PlanReport' }, { name: 'Done' }] });

    const noWait = json(await aws(['workflow', 'run', 'maintenance', '--json']), WorkflowStartSchema);
    expect(noWait).toMatchObject({ workflow: 'maintenance', input: '{}' });
    const badDate = await aws(['workflow', 'run', 'maintenance', '--date', '2026-03-02']);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toBe(
      'error: --date is for the report workflow; maintenance compacts every partition not compacted yet\n',
    );
  });

  it('alerts, dlq list, subscribe and report get print what the stack holds, each --json in its schema', async () => {
    mocks.ddb!.on(ScanCommand).resolves({
      Items: [
        {
          symbol: 'AAPL',
          alert_key: '2026-03-02T14:31:00.000Z#BUY',
          side: 'BUY',
          timestamp: '2026-03-02T14:31:00.000Z',
          price: 190.5,
          sma5: 190,
          sma20: 189,
          status: 'PUBLISHED',
          published_at: '2026-03-02T14:31:02.000Z',
        },
      ],
    });
    const alerts = json(await aws(['alerts', '--json']), { parse: (v: unknown) => AlertRowSchema.array().parse(v) });
    expect(alerts).toEqual([
      {
        symbol: 'AAPL',
        side: 'BUY',
        timestamp: '2026-03-02T14:31:00.000Z',
        price: 190.5,
        sma5: 190,
        sma20: 189,
        status: 'PUBLISHED',
        publishedAt: '2026-03-02T14:31:02.000Z',
      },
    ]);
    expect(mocks.ddb!.commandCalls(ScanCommand)[0]!.args[0].input).toMatchObject({ TableName: OUTPUTS.alertTable });

    const letter = encodeDeadLetter({
      reason: 'price=-1: must be greater than 0',
      payload: '{"symbol":"AAPL","price":-1}',
      source: { kind: 'kinesis' },
    });
    mocks
      .sqs!.on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          {
            MessageId: 'm1',
            ReceiptHandle: 'h1',
            Body: letter,
            Attributes: { SentTimestamp: String(Date.now()), ApproximateReceiveCount: '1' },
          },
        ],
      })
      .resolves({ Messages: [] });
    mocks.sqs!.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [{ Id: '0' }], Failed: [] });
    const listed = json(await aws(['dlq', 'list', '--queue', 'invalid', '--json']), {
      parse: (v: unknown) => DlqMessageSchema.array().parse(v),
    });
    expect(listed.map((m) => [m.messageId, m.kind, m.reason])).toEqual([
      ['m1', 'dead-letter', 'price=-1: must be greater than 0'],
    ]);
    expect(mocks.sqs!.commandCalls(ReceiveMessageCommand)[0]!.args[0].input).toMatchObject({ QueueUrl: OUTPUTS.invalidQueue });

    mocks.sns!.on(SubscribeCommand).resolves({ SubscriptionArn: 'pending confirmation' });
    const subscribed = json(
      await aws(['subscribe', '--email', 'ops@example.com', '--topic', 'ops', '--json']),
      SubscribeResultSchema,
    );
    expect(mocks.sns!.commandCalls(SubscribeCommand).map((c) => c.args[0].input)).toEqual([
      { TopicArn: OUTPUTS.opsTopic, Protocol: 'email', Endpoint: 'ops@example.com' },
    ]);
    expect(subscribed.pendingConfirmation).toBe(true);

    const report: DailyReport = buildDailyReport({
      date: '2026-03-02',
      generatedAt: '2026-03-02T22:00:00.000Z',
      symbolRows: [],
      anomalyRows: [],
      alerts: [],
    });
    mocks
      .s3!.on(ListObjectsV2Command)
      .resolves({ CommonPrefixes: [{ Prefix: 'reports/dt=2026-03-01/' }, { Prefix: 'reports/dt=2026-03-02/' }] });
    mocks
      .s3!.on(GetObjectCommand, { Key: 'reports/dt=2026-03-02/report.json' })
      .resolves({ Body: { transformToByteArray: async () => Buffer.from(JSON.stringify(report)) } as never });
    mocks
      .s3!.on(GetObjectCommand, { Key: 'reports/dt=2026-03-02/report.html' })
      .resolves({ Body: { transformToByteArray: async () => Buffer.from('<html>report</html>') } as never });
    const out = join(cwdDir, 'report.html');
    const got = json(await aws(['report', '--out', out, '--json']), ReportGetResultSchema);
    expect(got).toMatchObject({ date: '2026-03-02', subject: 'stockpipe daily report 2026-03-02: 0 symbols, 0 alerts' });
    expect(got.files.map((f) => [f.format, f.location, f.savedTo])).toEqual([
      ['json', `s3://${OUTPUTS.rawBucket}/reports/dt=2026-03-02/report.json`, null],
      ['html', `s3://${OUTPUTS.rawBucket}/reports/dt=2026-03-02/report.html`, out],
    ]);
    expect(readFileSync(out, 'utf8')).toBe('<html>report</html>');
  });

  it('a missing stack says how to deploy it; without a data dir and without AWS options the target is local, not aws', async () => {
    mocks.cfn!.on(DescribeStacksCommand).rejects(awsError('ValidationError', 'Stack with id Prod does not exist'));
    const run = await cli(['status', '--region', REGION, '--stack', 'Prod'], { env: { XDG_CACHE_HOME: cacheHome } });
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: `target: aws (because --region, --stack was given)\nerror: stack Prod not found in region ${REGION}; deploy it with npm run deploy or pass --stack (and --region)\n`,
    });
    const byDefault = await cli(['alerts', '--data-dir', join(cwdDir, 'none')], {
      env: { XDG_CACHE_HOME: cacheHome, AWS_REGION: REGION },
    });
    expect(byDefault.stderr).toContain(`target: local, but there is no data dir at ${join(cwdDir, 'none')} yet`);
    expect(mocks.cfn!.commandCalls(DescribeStacksCommand)).toHaveLength(1);
  });
});

describe('dlq list without --queue on the deployed stack', () => {
  const depth = (visible: number, inFlight: number) => ({
    Attributes: { ApproximateNumberOfMessages: String(visible), ApproximateNumberOfMessagesNotVisible: String(inFlight) },
  });

  it('lists every queue with its depth from one GetQueueAttributes each, and an unreadable queue as a row with its error', async () => {
    mocks.sqs!.on(GetQueueAttributesCommand, { QueueUrl: OUTPUTS.invalidQueue }).resolves(depth(3, 0));
    mocks
      .sqs!.on(GetQueueAttributesCommand, { QueueUrl: OUTPUTS.processingDlq })
      .rejects(awsError('AccessDenied', 'not authorized to perform: sqs:getqueueattributes', 403));
    mocks.sqs!.on(GetQueueAttributesCommand, { QueueUrl: OUTPUTS.analysisDlq }).resolves(depth(0, 2));

    const rows = json(await aws(['dlq', 'list', '--json']), { parse: (v: unknown) => QueueOverviewSchema.array().parse(v) });
    expect(mocks.sqs!.commandCalls(GetQueueAttributesCommand).map((c) => c.args[0].input)).toEqual(
      [OUTPUTS.invalidQueue, OUTPUTS.processingDlq, OUTPUTS.analysisDlq].map((QueueUrl) => ({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      })),
    );
    expect(rows.map((r) => [r.queue, r.visible, r.inFlight, r.url])).toEqual([
      ['invalid', 3, 0, OUTPUTS.invalidQueue],
      ['processing', null, null, OUTPUTS.processingDlq],
      ['analysis', 0, 2, OUTPUTS.analysisDlq],
    ]);
    expect(rows[1]!.error).toContain('not authorized to perform: sqs:getqueueattributes');
    expect(rows.filter((r) => r.error !== null)).toHaveLength(1);
    expect(mocks.sqs!.commandCalls(ReceiveMessageCommand)).toHaveLength(0);

    const text = await aws(['dlq', 'list']);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^QUEUE +VISIBLE +IN FLIGHT +URL +ERROR/);
    expect(lines[1]).toMatch(new RegExp(`^invalid +3 +0 +${OUTPUTS.invalidQueue}`));
    expect(lines[2]).toMatch(new RegExp(`^processing +- +- +${OUTPUTS.processingDlq} +.*not authorized`));
    expect(lines[3]).toMatch(new RegExp(`^analysis +0 +2 +${OUTPUTS.analysisDlq}`));
    expect(text.stdout).toContain('messages of one queue: stockpipe dlq list --queue invalid');
    expect(text.stderr).toContain('1 queue(s) could not be read');
  });

  it("fails with exit 1 when no queue can be read, still printing each one's reason", async () => {
    mocks.sqs!.on(GetQueueAttributesCommand).rejects(awsError('AccessDenied', 'no sqs for you', 403));
    const run = await aws(['dlq', 'list']);
    expect(run.code).toBe(1);
    expect(run.stdout.match(/no sqs for you/g)).toHaveLength(3);
    expect(run.stderr).toContain(`error: no dead-letter queue of stack Stockpipe in ${REGION} could be read`);
  });

  it('status keeps the readable queues and warns once per unreadable one', async () => {
    mocks
      .eb!.on(DescribeRuleCommand)
      .resolves({ Name: OUTPUTS.scheduleRule, State: 'ENABLED', ScheduleExpression: 'rate(1 minute)' });
    mocks.cw!.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    mocks.sfn!.on(ListExecutionsCommand).resolves({ executions: [] });
    mocks.ddb!.on(ScanCommand).resolves({ Items: [] });
    mocks.sqs!.on(GetQueueAttributesCommand).resolves(depth(1, 0));
    mocks
      .sqs!.on(GetQueueAttributesCommand, { QueueUrl: OUTPUTS.analysisDlq })
      .rejects(awsError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.'));
    const status = json(await aws(['status', '--json']), StatusReportSchema);
    expect(status.dlq.map((q) => [q.queue, q.visible])).toEqual([
      ['invalid', 1],
      ['processing', 1],
    ]);
    expect((await aws(['status'])).stdout).toContain('last hour   ticks in unknown, processed unknown, alerts unknown');
    expect(status.warnings.filter((w) => w.startsWith('dead-letter queue'))).toEqual([
      expect.stringMatching(/^dead-letter queue analysis: .*The specified queue does not exist/),
    ]);
  });
});
