/**
 * The AWS target's data-plane operations against the emulators: alerts (dynalite), reports (s3rver),
 * DLQ replay re-reading and re-putting records (kinesalite); SQS mocked (see data-target.ts). The
 * analysis queue's replay is in aws-analysis-replay.test.ts.
 */
import { DynamoDbSignalStateStore } from '../../src/adapters/aws/dynamodb-signal-state-store';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeRuleCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbAlertLedger } from '../../src/adapters/aws/dynamodb-alert-ledger';
import { encodeDeadLetter } from '../../src/adapters/aws/sqs-dead-letter-sink';
import type { Alert } from '../../src/core/signals';
import { buildOnFailureRecord } from '../../src/local/mappings/on-failure';
import { statusMetricQueries } from '../../src/ops/aws/status';
import { AlertRowSchema, DlqMessageSchema, PurgeResultSchema, ReplayResultSchema, StatusReportSchema } from '../../src/ops/types';
import { NOW, message, rejection, tick, useDataTarget, type DataTarget } from './data-target';
import { OUTPUTS, REGION, awsError, type MockedTarget } from './helpers';

const data = useDataTarget();
const env = data.env;
const { streamRecords, queueHolds, handlesOf } = data;
let t: MockedTarget;
let sqs: DataTarget['sqs'];
beforeEach(() => {
  t = data.t;
  sqs = data.sqs;
});

describe('alerts from the alert table', () => {
  const alert = (symbol: string, side: 'BUY' | 'SELL', timestamp: string, price: number): Alert => ({
    symbol,
    side,
    timestamp,
    price,
    sma5: price + 1,
    sma20: price - 1,
  });

  beforeAll(async () => {
    const ledger = new DynamoDbAlertLedger(
      env.clients.documents,
      env.resources.alertTable,
      () => new Date('2026-03-02T11:59:00Z'),
    );
    for (const a of [
      alert('AAPL', 'BUY', '2026-02-27T15:00:00.000Z', 180),
      alert('AAPL', 'SELL', '2026-03-02T10:00:00.000Z', 185),
      alert('MSFT', 'BUY', '2026-03-02T09:30:00.000Z', 400),
    ]) {
      await ledger.claim(a);
      if (a.symbol === 'AAPL') await ledger.markPublished(a);
    }
  });

  test("by symbol since a time: that symbol's alerts from then on, in time order", async () => {
    const rows = await t.ops.listAlerts({ symbol: 'aapl', since: new Date('2026-03-01T00:00:00Z') });
    expect(rows).toEqual([
      {
        symbol: 'AAPL',
        side: 'SELL',
        timestamp: '2026-03-02T10:00:00.000Z',
        price: 185,
        sma5: 186,
        sma20: 184,
        status: 'PUBLISHED',
        publishedAt: '2026-03-02T11:59:00.000Z',
      },
    ]);
    for (const r of rows) expect(AlertRowSchema.parse(r)).toEqual(r);
  });

  test("without a symbol: every symbol's alerts since the time, PENDING ones included, in time order", async () => {
    const rows = await t.ops.listAlerts({ since: new Date('2026-03-01T00:00:00Z') });
    expect(rows.map((r) => `${r.symbol} ${r.side} ${r.status}`)).toEqual(['MSFT BUY PENDING', 'AAPL SELL PUBLISHED']);
    expect(await t.ops.listAlerts()).toHaveLength(3);
  });
});

describe('daily report from the lake bucket', () => {
  beforeAll(async () => {
    for (const [key, body] of [
      ['reports/dt=2026-02-26/report.html', '<html>26</html>'],
      ['reports/dt=2026-02-27/report.html', '<html>27</html>'],
      ['reports/dt=2026-02-27/report.json', '{"date":"2026-02-27"}'],
    ]) {
      await env.clients.s3.send(new PutObjectCommand({ Bucket: env.resources.rawBucket, Key: key, Body: body }));
    }
  });

  test('without a date: the newest stored report', async () => {
    const report = await t.ops.getReport();
    expect({ ...report, body: report.body.toString('utf8') }).toEqual({
      date: '2026-02-27',
      format: 'html',
      key: 'reports/dt=2026-02-27/report.html',
      location: `s3://${env.resources.rawBucket}/reports/dt=2026-02-27/report.html`,
      body: '<html>27</html>',
    });
  });

  test('a day without that report says how to make it', async () => {
    expect((await t.ops.getReport({ date: '2026-02-27', format: 'json' })).body.toString('utf8')).toBe('{"date":"2026-02-27"}');
    const e = await rejection(t.ops.getReport({ date: '2026-02-26', format: 'json' }));
    expect(e.message).toBe(
      `no report for 2026-02-26 (s3://${env.resources.rawBucket}/reports/dt=2026-02-26/report.json does not exist); make it with stockpipe workflow run report --date 2026-02-26`,
    );
  });
});

describe('dead-letter queues', () => {
  test('list reads every message, releases them at once, and tells dead letters from batch records', async () => {
    const letter = encodeDeadLetter({
      reason: 'price=-1: must be greater than 0',
      payload: JSON.stringify(tick('AAPL', 1, -1)),
      rejection: { field: 'price', value: '-1', reason: 'must be greater than 0' },
      source: { kind: 'kinesis', shardId: 'shardId-000000000000', sequenceNumber: '1' },
    });
    queueHolds([message('m1', letter), message('m2', 'not json', new Date('2026-03-02T11:59:00Z'))]);
    const listed = await t.ops.listDlq('invalid');
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: OUTPUTS.invalidQueue,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 30,
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
      MessageAttributeNames: ['All'],
    });
    expect(handlesOf(ChangeMessageVisibilityBatchCommand)).toEqual(['rh-m1', 'rh-m2']);
    expect(sqs.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
    expect(listed.map((m) => [m.messageId, m.kind, m.reason, m.ageSeconds])).toEqual([
      ['m1', 'dead-letter', 'price=-1: must be greater than 0', 3600],
      ['m2', 'unknown', 'not a stockpipe dead letter nor an on-failure record', 60],
    ]);
    for (const m of listed) expect(DlqMessageSchema.parse(m)).toEqual(m);
  });

  test('replay of invalid records sends the fixed and the now-valid ones to the stream and deletes exactly those', async () => {
    const before = (await streamRecords()).length;
    const invalid = (id: string, price: number) =>
      message(
        id,
        encodeDeadLetter({
          reason: 'price: must be greater than 0',
          payload: JSON.stringify(tick('MSFT', 5, price)),
          source: { kind: 'kinesis' },
        }),
      );
    queueHolds([invalid('fixed', -1), invalid('still-bad', -2), invalid('valid-now', 42), message('junk', '{"hello":1}')]);
    const result = await t.ops.replayDlq('invalid', { fixes: new Map([['fixed', JSON.stringify(tick('MSFT', 6, 77))]]) });

    expect(ReplayResultSchema.parse(result)).toEqual(result);
    expect(result).toMatchObject({
      queue: 'invalid',
      received: 4,
      replayed: 2,
      failedAgain: 1,
      expired: 0,
      unreadable: 1,
      recordsSent: 2,
      kept: 2,
    });
    expect(result.items.find((i) => i.messageId === 'still-bad')).toEqual({
      messageId: 'still-bad',
      outcome: 'failed-again',
      recordsSent: 0,
      detail: 'still invalid: price=-2: must be greater than 0',
      deleted: false,
    });
    expect(handlesOf(DeleteMessageBatchCommand)).toEqual(['rh-fixed', 'rh-valid-now']);
    expect(handlesOf(ChangeMessageVisibilityBatchCommand)).toEqual(['rh-still-bad', 'rh-junk']);
    const sent = (await streamRecords()).slice(before).map((r) => JSON.parse(r.text) as { price: number; timestamp: string });
    expect(sent.map((s) => [s.price, s.timestamp])).toEqual([
      [77, '2026-03-02T11:06:00.000Z'],
      [42, '2026-03-02T11:05:00.000Z'],
    ]);
  });

  test('a fix for a message that is not in the queue is a usage error and nothing is sent or deleted', async () => {
    queueHolds([message('a', encodeDeadLetter({ reason: 'r', payload: '{}', source: {} }))]);
    const before = (await streamRecords()).length;
    const e = await rejection(t.ops.replayDlq('invalid', { fixes: new Map([['zzz', '{}']]) }));
    expect(e.exitCode).toBe(2);
    expect(sqs.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
    expect(handlesOf(ChangeMessageVisibilityBatchCommand)).toEqual(['rh-a']);
    expect(await streamRecords()).toHaveLength(before);
  });

  test('replay of a failed processing batch re-reads its sequence range from the stream; one past retention stays, saying so', async () => {
    await env.clients.kinesis.send(
      new PutRecordsCommand({
        StreamName: env.resources.streamName,
        Records: [1, 2, 3, 4, 5].map((m) => ({
          PartitionKey: 'NVDA',
          Data: Buffer.from(JSON.stringify(tick('NVDA', 20 + m)), 'utf8'),
        })),
      }),
    );
    const all = await streamRecords();
    const nvda = all.filter((r) => r.text.includes('NVDA'));
    expect(nvda).toHaveLength(5);
    const info = (first: number, last: number, arrival: Date) => ({
      shardId: nvda[first]!.shardId,
      startSequenceNumber: nvda[first]!.sequenceNumber,
      endSequenceNumber: nvda[last]!.sequenceNumber,
      approximateArrivalOfFirstRecord: arrival.toISOString(),
      approximateArrivalOfLastRecord: arrival.toISOString(),
      batchSize: last - first + 1,
      streamArn: `arn:aws:kinesis:${REGION}:000000000000:stream/${env.resources.streamName}`,
    });
    const failure = (first: number, last: number, arrival: Date) =>
      JSON.stringify(
        buildOnFailureRecord('kinesis', 'arn:aws:lambda:x:1:function:processing', info(first, last, arrival), {
          attempts: 4,
          cause: 'function-error',
          reason: 'Error: table throttled',
        }),
      );
    queueHolds([
      message('fresh', failure(1, 3, new Date('2026-03-02T11:30:00Z'))),
      message('old', failure(0, 0, new Date('2026-02-28T11:00:00Z'))),
    ]);

    const result = await t.ops.replayDlq('processing');
    expect(result).toMatchObject({ received: 2, replayed: 1, expired: 1, failedAgain: 0, recordsSent: 3, kept: 1 });
    expect(result.items.find((i) => i.messageId === 'old')!.detail).toBe(
      `the records arrived at 2026-02-28T11:00:00.000Z and stream ${env.resources.streamName} keeps records 24 h: they are gone from the stream (the raw lake holds what processing wrote)`,
    );
    expect(handlesOf(DeleteMessageBatchCommand)).toEqual(['rh-fresh']);
    expect(handlesOf(ChangeMessageVisibilityBatchCommand)).toEqual(['rh-old']);
    const resent = (await streamRecords()).slice(all.length).map((r) => (JSON.parse(r.text) as { timestamp: string }).timestamp);
    expect(resent).toEqual(['2026-03-02T11:22:00.000Z', '2026-03-02T11:23:00.000Z', '2026-03-02T11:24:00.000Z']);
  });

  test('purge needs the confirmation, then purges and reports what was there', async () => {
    sqs
      .on(GetQueueAttributesCommand)
      .resolves({ Attributes: { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '1' } });
    sqs.on(PurgeQueueCommand).resolves({});
    const refused = await rejection(t.ops.purgeDlq('analysis', false));
    expect(refused.exitCode).toBe(2);
    expect(refused.message).toBe('purging the analysis queue deletes its messages for good; pass --yes to confirm');
    expect(sqs.commandCalls(PurgeQueueCommand)).toHaveLength(0);

    const result = await t.ops.purgeDlq('analysis', true);
    expect(PurgeResultSchema.parse(result)).toEqual(result);
    expect(result).toEqual({ queue: 'analysis', url: OUTPUTS.analysisDlq, purged: 4 });
    expect(sqs.commandCalls(PurgeQueueCommand).map((c) => c.args[0].input)).toEqual([{ QueueUrl: OUTPUTS.analysisDlq }]);

    sqs
      .on(PurgeQueueCommand)
      .rejects(
        awsError(
          'AWS.SimpleQueueService.PurgeQueueInProgress',
          'Only one PurgeQueue operation on ... is allowed every 60 seconds.',
        ),
      );
    const again = await rejection(t.ops.purgeDlq('analysis', true));
    expect(again.kind).toBe('conflict');
    expect(again.message).toBe(
      `${OUTPUTS.analysisDlq} was purged less than 60 seconds ago (SQS allows one purge a minute); wait a minute and run the command again`,
    );
  });
});

describe('status', () => {
  test('reports schedule, stream, last hour, DLQ depths and last runs; a part it cannot read becomes a warning', async () => {
    const eb = mockClient(t.clients.eventbridge);
    eb.on(DescribeRuleCommand).resolves({ Name: OUTPUTS.scheduleRule, State: 'DISABLED', ScheduleExpression: 'rate(1 minute)' });
    const cw = mockClient(t.clients.cloudwatch);
    cw.on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'ticksIn', Values: [1200] },
          { Id: 'ticksProcessed', Values: [1190] },
          { Id: 'iteratorAge', Values: [1500, 900, 300] },
        ],
        NextToken: 'more',
      })
      .resolves({ MetricDataResults: [{ Id: 'alerts', Values: [3] }] });
    const sfn = mockClient(t.clients.sfn);
    sfn.on(ListExecutionsCommand, { stateMachineArn: OUTPUTS.maintenanceStateMachine }).resolves({
      executions: [
        {
          executionArn: 'arn:aws:states:eu-west-1:1:execution:stockpipe-lake-maintenance:m9',
          stateMachineArn: OUTPUTS.maintenanceStateMachine,
          name: 'm9',
          status: 'FAILED',
          startDate: new Date('2026-03-02T11:00:00Z'),
          stopDate: new Date('2026-03-02T11:01:00Z'),
        },
      ],
    });
    sfn
      .on(ListExecutionsCommand, { stateMachineArn: OUTPUTS.reportStateMachine })
      .rejects(awsError('AccessDeniedException', 'no states:ListExecutions', 403));
    sqs
      .on(GetQueueAttributesCommand)
      .resolves({ Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' } });
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: OUTPUTS.invalidQueue })
      .resolves({ Attributes: { ApproximateNumberOfMessages: '2', ApproximateNumberOfMessagesNotVisible: '0' } });

    await new DynamoDbSignalStateStore(env.clients.documents, env.resources.signalStateTable).save(
      {
        state: { symbol: 'IBM', lastTimestamp: '2026-03-02T11:00:00.000Z', prices: [1], relation: null },
        recentTimestamps: [],
        checkpoints: [],
        skipped: { '2026-03-02': { late: 4, duplicate: 2 } },
      },
      0,
    );

    const status = await t.ops.status();
    expect(StatusReportSchema.parse(status)).toEqual(status);
    expect(cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input)).toEqual([
      {
        MetricDataQueries: statusMetricQueries(env.resources.streamName),
        StartTime: new Date('2026-03-02T11:00:00Z'),
        EndTime: NOW,
        ScanBy: 'TimestampDescending',
      },
      {
        MetricDataQueries: statusMetricQueries(env.resources.streamName),
        StartTime: new Date('2026-03-02T11:00:00Z'),
        EndTime: NOW,
        ScanBy: 'TimestampDescending',
        NextToken: 'more',
      },
    ]);
    expect(status).toEqual({
      target: 'aws',
      where: 'stack Stockpipe in eu-west-1',
      generatedAt: NOW.toISOString(),
      schedule: {
        rule: 'ingest',
        name: OUTPUTS.scheduleRule,
        state: 'DISABLED',
        expression: 'rate(1 minute)',
        nextTrigger: null,
        nextTriggerApproximate: false,
      },
      stream: { name: env.resources.streamName, status: 'ACTIVE', openShards: 1, retentionHours: 24, iteratorAgeMs: 1500 },
      lastHour: { ticksIn: 1200, ticksProcessed: 1190, alerts: 3 },
      dlq: [
        { queue: 'invalid', url: OUTPUTS.invalidQueue, visible: 2, inFlight: 0 },
        { queue: 'processing', url: OUTPUTS.processingDlq, visible: 0, inFlight: 0 },
        { queue: 'analysis', url: OUTPUTS.analysisDlq, visible: 0, inFlight: 0 },
      ],
      // The PENDING MSFT alert of the alert tests was claimed a minute ago: within its lease, not stale.
      analysis: {
        lateTicks: 4,
        duplicateTicks: 2,
        skippedBySymbol: [{ symbol: 'IBM', late: 4, duplicate: 2 }],
        pendingAlerts: 1,
        stalePendingAlerts: [],
      },
      workflows: [
        {
          workflow: 'maintenance',
          lastRun: {
            workflow: 'maintenance',
            id: 'm9',
            executionArn: 'arn:aws:states:eu-west-1:1:execution:stockpipe-lake-maintenance:m9',
            status: 'FAILED',
            startedAt: '2026-03-02T11:00:00.000Z',
            stoppedAt: '2026-03-02T11:01:00.000Z',
            durationMs: 60_000,
          },
        },
        { workflow: 'report', lastRun: null },
      ],
      warnings: [
        'workflow report: access denied to list runs of the report workflow in region eu-west-1 (AccessDeniedException: no states:ListExecutions); use credentials allowed to do this (--profile) or ask for the permission',
      ],
    });
    eb.restore();
    cw.restore();
    sfn.restore();
  });
});
