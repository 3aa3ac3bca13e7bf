/**
 * The AWS target's data-plane operations against the emulators: alerts (dynalite), reports (s3rver),
 * DLQ replay re-reading and re-putting records (kinesalite). SQS's part is mocked: sqslite hands one
 * receipt handle to every message of a receive, keeps only the listed messages on DeleteMessageBatch,
 * never makes a received message visible again and fails ChangeMessageVisibilityBatch, so the
 * receive/release/delete protocol a DLQ replay depends on cannot be exercised on it.
 */
import { GetRecordsCommand as GetStreamRecordsCommand, GetShardIteratorCommand as GetStreamShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { InvokeCommand } from '@aws-sdk/client-lambda';
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
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoDbAlertLedger } from '../../src/adapters/aws/dynamodb-alert-ledger';
import { encodeDeadLetter } from '../../src/adapters/aws/sqs-dead-letter-sink';
import type { Alert } from '../../src/core/signals';
import { buildOnFailureRecord } from '../../src/local/on-failure';
import { OpsError } from '../../src/ops/errors';
import { statusMetricQueries } from '../../src/ops/aws/status';
import { AlertRowSchema, DlqMessageSchema, PurgeResultSchema, ReplayResultSchema, StatusReportSchema } from '../../src/ops/types';
import { useLocalAws } from '../support/local-aws';
import { readShardBatches } from '../support/aws-reads';
import { OUTPUTS, REGION, awsError, openTarget, type MockedTarget } from './helpers';

const env = useLocalAws({ shardCount: 1 });
const NOW = new Date('2026-03-02T12:00:00Z');
let t: MockedTarget;
let sqs: ReturnType<typeof mockSqs>;
const mockSqs = (client: SQSClient) => mockClient(client);

beforeAll(async () => {
  const outputs = {
    ...OUTPUTS,
    stream: env.resources.streamName,
    alertTable: env.resources.alertTable,
    rawBucket: env.resources.rawBucket,
  };
  // SQS is mocked on its own client; the stream, table and bucket are the emulators'.
  t = await openTarget({ ...env.clients, sqs: new SQSClient({ region: REGION }) }, { outputs, now: () => NOW });
});
beforeEach(() => {
  sqs = mockSqs(t.clients.sqs);
});
afterEach(() => sqs.restore());

const rejection = async (p: Promise<unknown>): Promise<OpsError> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof OpsError) return e;
    throw e;
  }
  throw new Error('expected the promise to reject');
};

const tick = (symbol: string, minute: number, price = 100 + minute) => ({
  symbol,
  timestamp: `2026-03-02T11:${String(minute).padStart(2, '0')}:00.000Z`,
  price,
  open: 100,
  high: 200,
  low: 50,
  previous_close: 99,
  volume: 1000,
  source: 'test',
});

const streamRecords = async (): Promise<{ shardId: string; sequenceNumber: string; text: string }[]> =>
  (await readShardBatches(env.clients, env.resources.streamName, 1000)).flatMap((b) =>
    b.records.map((r) => ({ shardId: b.shardId, sequenceNumber: r.SequenceNumber!, text: Buffer.from(r.Data!).toString('utf8') })),
  );

const message = (id: string, body: string, sentAt = new Date('2026-03-02T11:00:00Z')): Message => ({
  MessageId: id,
  ReceiptHandle: `rh-${id}`,
  Body: body,
  Attributes: { SentTimestamp: String(sentAt.getTime()), ApproximateReceiveCount: '1' },
});

/** The queue answers these messages once, then nothing; deletes and releases succeed. */
function queueHolds(messages: Message[]) {
  sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: messages }).resolves({ Messages: [] });
  sqs.on(DeleteMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({ Successful: input.Entries.map((e) => ({ Id: e.Id })), Failed: [] }));
  sqs.on(ChangeMessageVisibilityBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({ Successful: input.Entries.map((e) => ({ Id: e.Id })), Failed: [] }));
}

const handlesOf = (command: typeof DeleteMessageBatchCommand | typeof ChangeMessageVisibilityBatchCommand) =>
  sqs.commandCalls(command).flatMap((c) => (c.args[0].input as { Entries: { ReceiptHandle: string }[] }).Entries.map((e) => e.ReceiptHandle));

describe('alerts from the alert table', () => {
  const alert = (symbol: string, side: 'BUY' | 'SELL', timestamp: string, price: number): Alert => ({ symbol, side, timestamp, price, sma5: price + 1, sma20: price - 1 });

  beforeAll(async () => {
    const ledger = new DynamoDbAlertLedger(env.clients.documents, env.resources.alertTable, () => new Date('2026-03-02T11:59:00Z'));
    for (const a of [
      alert('AAPL', 'BUY', '2026-02-27T15:00:00.000Z', 180),
      alert('AAPL', 'SELL', '2026-03-02T10:00:00.000Z', 185),
      alert('MSFT', 'BUY', '2026-03-02T09:30:00.000Z', 400),
    ]) {
      await ledger.claim(a);
      if (a.symbol === 'AAPL') await ledger.markPublished(a);
    }
  });

  test('by symbol since a time: that symbol\'s alerts from then on, in time order', async () => {
    const rows = await t.ops.listAlerts({ symbol: 'aapl', since: new Date('2026-03-01T00:00:00Z') });
    expect(rows).toEqual([
      { symbol: 'AAPL', side: 'SELL', timestamp: '2026-03-02T10:00:00.000Z', price: 185, sma5: 186, sma20: 184, status: 'PUBLISHED', publishedAt: '2026-03-02T11:59:00.000Z' },
    ]);
    for (const r of rows) expect(AlertRowSchema.parse(r)).toEqual(r);
  });

  test('without a symbol: every symbol\'s alerts since the time, PENDING ones included, in time order', async () => {
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
      message(id, encodeDeadLetter({ reason: 'price: must be greater than 0', payload: JSON.stringify(tick('MSFT', 5, price)), source: { kind: 'kinesis' } }));
    queueHolds([invalid('fixed', -1), invalid('still-bad', -2), invalid('valid-now', 42), message('junk', '{"hello":1}')]);
    const result = await t.ops.replayDlq('invalid', { fixes: new Map([['fixed', JSON.stringify(tick('MSFT', 6, 77))]]) });

    expect(ReplayResultSchema.parse(result)).toEqual(result);
    expect(result).toMatchObject({ queue: 'invalid', received: 4, replayed: 2, failedAgain: 1, expired: 0, unreadable: 1, recordsSent: 2, kept: 2 });
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
        Records: [1, 2, 3, 4, 5].map((m) => ({ PartitionKey: 'NVDA', Data: Buffer.from(JSON.stringify(tick('NVDA', 20 + m)), 'utf8') })),
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
      JSON.stringify(buildOnFailureRecord('kinesis', 'arn:aws:lambda:x:1:function:processing', info(first, last, arrival), { attempts: 4, cause: 'function-error', reason: 'Error: table throttled' }));
    queueHolds([message('fresh', failure(1, 3, new Date('2026-03-02T11:30:00Z'))), message('old', failure(0, 0, new Date('2026-02-28T11:00:00Z')))]);

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

  test('replay of a failed analysis batch re-reads its DynamoDB stream range and invokes the analysis function with the INSERT records', async () => {
    const streams = mockClient(t.clients.dynamodbStreams);
    const lambda = mockClient(t.clients.lambda);
    const streamArn = `arn:aws:dynamodb:${REGION}:1:table/prices/stream/2026-01-01T00:00:00.000`;
    const item = (minute: number) => ({ ...tick('TSLA', minute), change: 1, change_percent: 1, anomaly: false, expires_at: 1 });
    const created = new Date('2026-03-02T11:45:00Z');
    const record = (sequence: string, eventName: 'INSERT' | 'MODIFY', minute: number) => ({
      eventID: `e${sequence}`,
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: REGION,
      dynamodb: { ApproximateCreationDateTime: created, Keys: marshall({ symbol: 'TSLA', timestamp: item(minute).timestamp }) as never, NewImage: marshall(item(minute)) as never, SequenceNumber: sequence, SizeBytes: 100, StreamViewType: 'NEW_IMAGE' as const },
    });
    streams.on(GetStreamShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    streams.on(GetStreamRecordsCommand).resolves({ Records: [record('100', 'INSERT', 40), record('101', 'MODIFY', 40), record('102', 'INSERT', 41), record('103', 'INSERT', 42)], NextShardIterator: 'it-2' });
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: Buffer.from('{"batchItemFailures":[]}') as never });
    const batch = (start: string, end: string, arrival: string) =>
      JSON.stringify(
        buildOnFailureRecord(
          'dynamodb',
          'arn:aws:lambda:x:1:function:analysis',
          { shardId: 'shardId-1', startSequenceNumber: start, endSequenceNumber: end, approximateArrivalOfFirstRecord: arrival, approximateArrivalOfLastRecord: arrival, batchSize: 3, streamArn },
          { attempts: 3, cause: 'function-error', reason: 'Error: boom' },
        ),
      );
    queueHolds([message('ddb', batch('100', '102', '2026-03-02T11:45:00Z'))]);
    const before = (await streamRecords()).length;
    const result = await t.ops.replayDlq('analysis');

    expect(streams.commandCalls(GetStreamShardIteratorCommand).map((c) => c.args[0].input)).toEqual([
      { StreamArn: streamArn, ShardId: 'shardId-1', ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: '100' },
    ]);
    const invocations = lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input);
    expect(invocations).toHaveLength(1);
    expect({ ...invocations[0], Payload: undefined }).toEqual({ FunctionName: OUTPUTS.analysisFunction, InvocationType: 'RequestResponse', Payload: undefined });
    const event = JSON.parse(Buffer.from(invocations[0]!.Payload as Uint8Array).toString('utf8')) as DynamoDBStreamEvent;
    const lambdaRecord = (sequence: string, minute: number) => ({
      eventID: `e${sequence}`,
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: REGION,
      eventSourceARN: streamArn,
      dynamodb: { ApproximateCreationDateTime: created.getTime() / 1000, Keys: marshall({ symbol: 'TSLA', timestamp: item(minute).timestamp }), NewImage: marshall(item(minute)), SequenceNumber: sequence, SizeBytes: 100, StreamViewType: 'NEW_IMAGE' },
    });
    // The MODIFY in the range is left out, as the mapping's INSERT filter leaves it out; 103 is past the range.
    expect(event).toEqual({ Records: [lambdaRecord('100', 40), lambdaRecord('102', 41)] });
    expect(ReplayResultSchema.parse(result)).toEqual(result);
    expect(result).toMatchObject({ received: 1, replayed: 1, recordsSent: 2, kept: 0 });
    expect(handlesOf(DeleteMessageBatchCommand)).toEqual(['rh-ddb']);
    // Nothing goes through the Kinesis stream any more: processing's rewrite would be a MODIFY, filtered out.
    expect(await streamRecords()).toHaveLength(before);

    sqs.reset();
    lambda.reset();
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: Buffer.from('{"batchItemFailures":[{"itemIdentifier":"102"}]}') as never });
    queueHolds([message('ddb-again', batch('100', '102', '2026-03-02T11:45:00Z'))]);
    const partly = await t.ops.replayDlq('analysis');
    expect(partly).toMatchObject({ received: 1, replayed: 0, failedAgain: 1, recordsSent: 1, kept: 1 });
    expect(partly.items[0]!.detail).toBe('1 of 2 record(s) failed again in the analysis function (reported in batchItemFailures)');
    expect(sqs.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
    expect(handlesOf(ChangeMessageVisibilityBatchCommand)).toEqual(['rh-ddb-again']);

    streams.on(GetStreamShardIteratorCommand).rejects(awsError('TrimmedDataAccessException', 'trimmed'));
    sqs.reset();
    lambda.reset();
    queueHolds([message('ddb2', batch('5', '6', '2026-03-02T11:45:00Z'))]);
    const trimmed = await t.ops.replayDlq('analysis');
    expect(trimmed).toMatchObject({ received: 1, replayed: 0, expired: 1, kept: 1 });
    expect(trimmed.items[0]!.detail).toMatch(/^TrimmedDataAccessException: the records arrived at 2026-03-02T11:45:00.000Z and a DynamoDB stream keeps records 24 h/);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    streams.restore();
    lambda.restore();
  });

  test("replay of the analysis function's own dead letters invokes it with the fixed item; an unusable one and a function error stay", async () => {
    const lambda = mockClient(t.clients.lambda);
    const streamArn = `arn:aws:dynamodb:${REGION}:1:table/prices/stream/2026-01-01T00:00:00.000`;
    const item = { ...tick('AMZN', 10), change: 1, change_percent: 1, anomaly: false, expires_at: 1 };
    const letter = (sequence: string, stored: Record<string, unknown>) =>
      encodeDeadLetter({
        reason: 'anomaly=<missing>: must be a boolean',
        payload: JSON.stringify({ Keys: marshall({ symbol: 'AMZN', timestamp: stored.timestamp }), NewImage: marshall(stored), SequenceNumber: sequence, StreamViewType: 'NEW_IMAGE' }),
        source: { kind: 'dynamodb-stream', eventSourceARN: streamArn, eventName: 'INSERT', sequenceNumber: sequence },
      });
    const { anomaly: _dropped, ...broken } = item;
    queueHolds([message('fixable', letter('7', broken)), message('unusable', letter('8', { ...broken, timestamp: '2026-03-02T11:11:00.000Z' }))]);
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: Buffer.from('null') as never });
    const result = await t.ops.replayDlq('analysis', { fixes: new Map([['fixable', '{"anomaly":false}']]) });

    const invocations = lambda.commandCalls(InvokeCommand).map((c) => JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString('utf8')) as DynamoDBStreamEvent);
    expect(invocations).toHaveLength(1);
    expect(invocations[0]!.Records).toHaveLength(1);
    expect(invocations[0]!.Records[0]).toMatchObject({ eventName: 'INSERT', eventSourceARN: streamArn, awsRegion: REGION, dynamodb: { SequenceNumber: '7', NewImage: marshall(item) } });
    expect(result).toMatchObject({ received: 2, replayed: 1, failedAgain: 1, recordsSent: 1, kept: 1 });
    expect(result.items.find((i) => i.messageId === 'unusable')!.detail).toBe('still unusable: anomaly=<missing>: must be a boolean');
    expect(handlesOf(DeleteMessageBatchCommand)).toEqual(['rh-fixable']);

    sqs.reset();
    lambda.reset();
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: Buffer.from('{"errorType":"Error","errorMessage":"table throttled"}') as never });
    queueHolds([message('again', letter('9', item))]);
    const failed = await t.ops.replayDlq('analysis');
    expect(failed).toMatchObject({ received: 1, replayed: 0, failedAgain: 1, recordsSent: 0, kept: 1 });
    expect(failed.items[0]!.detail).toBe(`1 of 1 record(s) failed again in the analysis function (function ${OUTPUTS.analysisFunction} failed (Unhandled): Error: table throttled)`);
    expect(sqs.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
    lambda.restore();
  });

  test('purge needs the confirmation, then purges and reports what was there', async () => {
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '1' } });
    sqs.on(PurgeQueueCommand).resolves({});
    const refused = await rejection(t.ops.purgeDlq('analysis', false));
    expect(refused.exitCode).toBe(2);
    expect(refused.message).toBe('purging the analysis queue deletes its messages for good; pass --yes to confirm');
    expect(sqs.commandCalls(PurgeQueueCommand)).toHaveLength(0);

    const result = await t.ops.purgeDlq('analysis', true);
    expect(PurgeResultSchema.parse(result)).toEqual(result);
    expect(result).toEqual({ queue: 'analysis', url: OUTPUTS.analysisDlq, purged: 4 });
    expect(sqs.commandCalls(PurgeQueueCommand).map((c) => c.args[0].input)).toEqual([{ QueueUrl: OUTPUTS.analysisDlq }]);

    sqs.on(PurgeQueueCommand).rejects(awsError('AWS.SimpleQueueService.PurgeQueueInProgress', 'Only one PurgeQueue operation on ... is allowed every 60 seconds.'));
    const again = await rejection(t.ops.purgeDlq('analysis', true));
    expect(again.kind).toBe('conflict');
    expect(again.message).toBe(`${OUTPUTS.analysisDlq} was purged less than 60 seconds ago (SQS allows one purge a minute); wait a minute and run the command again`);
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
    sfn.on(ListExecutionsCommand, { stateMachineArn: OUTPUTS.reportStateMachine }).rejects(awsError('AccessDeniedException', 'no states:ListExecutions', 403));
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' } });
    sqs.on(GetQueueAttributesCommand, { QueueUrl: OUTPUTS.invalidQueue }).resolves({ Attributes: { ApproximateNumberOfMessages: '2', ApproximateNumberOfMessagesNotVisible: '0' } });

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
      schedule: { rule: 'ingest', name: OUTPUTS.scheduleRule, state: 'DISABLED', expression: 'rate(1 minute)', nextTrigger: null, nextTriggerApproximate: false },
      stream: { name: env.resources.streamName, status: 'ACTIVE', openShards: 1, retentionHours: 24, iteratorAgeMs: 1500 },
      lastHour: { ticksIn: 1200, ticksProcessed: 1190, alerts: 3 },
      dlq: [
        { queue: 'invalid', url: OUTPUTS.invalidQueue, visible: 2, inFlight: 0 },
        { queue: 'processing', url: OUTPUTS.processingDlq, visible: 0, inFlight: 0 },
        { queue: 'analysis', url: OUTPUTS.analysisDlq, visible: 0, inFlight: 0 },
      ],
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
