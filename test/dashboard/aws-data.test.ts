/**
 * The dashboard's data API on `--target aws`, through its HTTP endpoints, with the SDK clients mocked
 * per instance (aws-sdk-client-mock): for each endpoint, the exact read requests it sends to the
 * deployed stack's resources (named by the stack outputs) and what it answers.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { AwsDashboardData, AWS_SERIES_LIMIT } from '../../src/dashboard/aws-data';
import { startDashboardServer, type DashboardServer } from '../../src/dashboard/server';
import { opsClientsFrom, type OpsClients } from '../../src/ops/aws/clients';
import { createClients } from '../../src/shared/clients';
import { OUTPUTS, REGION, SM_MAINTENANCE, SM_REPORT, describeStacksAnswer } from '../ops/helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Stub = AwsStub<any, any, any>;
let clients: OpsClients;
let mocks: Record<'cfn' | 'ddb' | 'cw' | 'sqs' | 'sfn' | 's3', Stub>;
let server: DashboardServer;
const NOW = new Date('2026-03-02T15:07:30Z');

const alertItem = (symbol: string, side: 'BUY' | 'SELL', timestamp: string, price: number) => ({
  symbol,
  alert_key: `${timestamp}#${side}`,
  side,
  timestamp,
  price,
  sma5: price + 0.5,
  sma20: price - 0.5,
  status: 'PUBLISHED',
  published_at: '2026-03-02T15:00:01.000Z',
});

beforeEach(async () => {
  clients = opsClientsFrom(createClients({ region: REGION }), REGION);
  mocks = {
    cfn: mockClient(clients.cloudformation),
    ddb: mockClient(clients.documents),
    cw: mockClient(clients.cloudwatch),
    sqs: mockClient(clients.sqs),
    sfn: mockClient(clients.sfn),
    s3: mockClient(clients.s3),
  };
  mocks.cfn.on(DescribeStacksCommand).resolves(describeStacksAnswer());
  const data = await AwsDashboardData.open({ clients, region: REGION, cacheDir: null, now: () => NOW });
  server = await startDashboardServer({ data, port: 0 });
});
afterEach(async () => {
  await server.close();
  for (const m of Object.values(mocks)) m.restore();
  clients.destroy();
});

const get = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
  const res = await fetch(new URL(path, server.url));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

const inputs = (stub: Stub, command: unknown) =>
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  stub.commandCalls(command as any).map((c) => c.args[0].input);

describe('dashboard data API on the deployed stack', () => {
  it('/api/info names the stack and region, read from CloudFormation once', async () => {
    expect(await get('/api/info')).toEqual({ status: 200, body: { target: 'aws', where: `stack Stockpipe in ${REGION}` } });
    expect(inputs(mocks.cfn, DescribeStacksCommand)).toEqual([{ StackName: 'Stockpipe' }]);
  });

  it('/api/symbols scans the signal-state table for symbols only and the alert table, symbols with alerts first', async () => {
    mocks.ddb
      .on(ScanCommand, { TableName: OUTPUTS.signalStateTable })
      .resolvesOnce({ Items: [{ symbol: 'AAPL' }], LastEvaluatedKey: { symbol: 'AAPL' } })
      .resolves({ Items: [{ symbol: 'MSFT' }] });
    mocks.ddb
      .on(ScanCommand, { TableName: OUTPUTS.alertTable })
      .resolves({ Items: [alertItem('MSFT', 'BUY', '2026-03-02T14:31:00.000Z', 410)] });
    const { status, body } = await get('/api/symbols');
    expect(status).toBe(200);
    expect(body.symbols).toEqual([
      { symbol: 'MSFT', ticks: null, alerts: 1, lastPrice: null, lastTimestamp: null },
      { symbol: 'AAPL', ticks: null, alerts: 0, lastPrice: null, lastTimestamp: null },
    ]);
    expect(inputs(mocks.ddb, ScanCommand)).toEqual([
      {
        TableName: OUTPUTS.signalStateTable,
        ProjectionExpression: '#symbol',
        ExpressionAttributeNames: { '#symbol': 'symbol' },
        ExclusiveStartKey: undefined,
      },
      {
        TableName: OUTPUTS.signalStateTable,
        ProjectionExpression: '#symbol',
        ExpressionAttributeNames: { '#symbol': 'symbol' },
        ExclusiveStartKey: { symbol: 'AAPL' },
      },
      { TableName: OUTPUTS.alertTable, ExclusiveStartKey: undefined },
    ]);
  });

  it('/api/series queries the newest ticks of the symbol newest first and its alerts, and answers them in market order with SMAs', async () => {
    const ticks = Array.from({ length: 25 }, (_, i) => ({
      timestamp: `2026-03-02T14:${String(30 + i).padStart(2, '0')}:00.000Z`,
      price: 400 + i,
    }));
    mocks.ddb.on(QueryCommand, { TableName: OUTPUTS.priceTable }).resolves({ Items: [...ticks].reverse() });
    mocks.ddb.on(QueryCommand, { TableName: OUTPUTS.alertTable }).resolves({
      Items: [alertItem('MSFT', 'SELL', ticks[22]!.timestamp, 422), alertItem('MSFT', 'BUY', '2026-02-27T20:00:00.000Z', 390)],
    });
    const { status, body } = await get('/api/series?symbol=MSFT');
    expect(status).toBe(200);
    const points = body.points as { timestamp: string; price: number; sma5: number | null; sma20: number | null }[];
    expect(points.map((p) => p.timestamp)).toEqual(ticks.map((t) => t.timestamp));
    expect(points[24]).toEqual({ timestamp: ticks[24]!.timestamp, price: 424, sma5: 422, sma20: 414.5 });
    // The alert of an earlier day lies before the ticks shown: no marker for it.
    expect((body.markers as { side: string }[]).map((m) => m.side)).toEqual(['SELL']);
    expect(inputs(mocks.ddb, QueryCommand)).toEqual([
      {
        TableName: OUTPUTS.priceTable,
        KeyConditionExpression: '#symbol = :symbol',
        ExpressionAttributeNames: { '#symbol': 'symbol', '#ts': 'timestamp', '#price': 'price' },
        ExpressionAttributeValues: { ':symbol': 'MSFT' },
        ProjectionExpression: '#ts, #price',
        ScanIndexForward: false,
        Limit: AWS_SERIES_LIMIT,
      },
      {
        TableName: OUTPUTS.alertTable,
        KeyConditionExpression: '#symbol = :symbol',
        ExpressionAttributeNames: { '#symbol': 'symbol' },
        ExpressionAttributeValues: { ':symbol': 'MSFT' },
        ExclusiveStartKey: undefined,
      },
    ]);
  });

  it('/api/alerts with a symbol and side queries that symbol only and answers newest first', async () => {
    mocks.ddb.on(QueryCommand, { TableName: OUTPUTS.alertTable }).resolves({
      Items: [
        alertItem('IBM', 'BUY', '2026-03-02T14:31:00.000Z', 250),
        alertItem('IBM', 'SELL', '2026-03-02T14:40:00.000Z', 249),
        alertItem('IBM', 'BUY', '2026-03-02T14:50:00.000Z', 252),
      ],
    });
    const { status, body } = await get('/api/alerts?symbol=IBM&side=BUY');
    expect(status).toBe(200);
    expect((body.alerts as { timestamp: string }[]).map((a) => a.timestamp)).toEqual([
      '2026-03-02T14:50:00.000Z',
      '2026-03-02T14:31:00.000Z',
    ]);
    expect(inputs(mocks.ddb, QueryCommand)).toEqual([
      {
        TableName: OUTPUTS.alertTable,
        KeyConditionExpression: '#symbol = :symbol',
        ExpressionAttributeNames: { '#symbol': 'symbol' },
        ExpressionAttributeValues: { ':symbol': 'IBM' },
        ExclusiveStartKey: undefined,
      },
    ]);
    expect(mocks.ddb.commandCalls(ScanCommand)).toHaveLength(0);
  });

  it('/api/health reads per-minute metrics, the three queue depths, both workflows’ runs and the newest report', async () => {
    const minute = (m: number) => new Date(Date.UTC(2026, 2, 2, 15, m));
    mocks.cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'ticksIn', Timestamps: [minute(6), minute(7)], Values: [120, 60] },
        { Id: 'processed', Timestamps: [minute(6)], Values: [118] },
        { Id: 'deadLettered', Timestamps: [minute(6)], Values: [2] },
      ],
    });
    mocks.sqs
      .on(GetQueueAttributesCommand)
      .resolves({ Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' } });
    mocks.sqs
      .on(GetQueueAttributesCommand, { QueueUrl: OUTPUTS.invalidQueue })
      .resolves({ Attributes: { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '1' } });
    mocks.sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    mocks.sfn.on(ListExecutionsCommand, { stateMachineArn: SM_REPORT }).resolves({
      executions: [
        {
          executionArn: `${SM_REPORT.replace(':stateMachine:', ':execution:')}:r1`,
          stateMachineArn: SM_REPORT,
          name: 'r1',
          status: 'SUCCEEDED',
          startDate: new Date('2026-03-02T00:30:00Z'),
          stopDate: new Date('2026-03-02T00:31:00Z'),
        },
      ],
    });
    mocks.s3
      .on(ListObjectsV2Command)
      .resolves({ CommonPrefixes: [{ Prefix: 'reports/dt=2026-02-27/' }, { Prefix: 'reports/dt=2026-03-01/' }] });
    const report = { date: '2026-03-01', reconciliation: { recomputed: 4, matched: 3, missing: [], extra: [], differences: 1 } };
    mocks.s3
      .on(GetObjectCommand)
      .resolves({ Body: { transformToByteArray: async () => Buffer.from(JSON.stringify(report)) } as never });

    const { status, body } = await get('/api/health');
    expect(status).toBe(200);
    const perMinute = body.perMinute as { minute: string; in: number; processed: number; deadLettered: number }[];
    expect(perMinute).toHaveLength(15);
    expect(perMinute.slice(-2)).toEqual([
      { minute: '2026-03-02T15:06:00.000Z', in: 120, processed: 118, deadLettered: 2 },
      { minute: '2026-03-02T15:07:00.000Z', in: 60, processed: 0, deadLettered: 0 },
    ]);
    expect(body.dlq).toEqual([
      { queue: 'invalid', visible: 3, inFlight: 1 },
      { queue: 'processing', visible: 0, inFlight: 0 },
      { queue: 'analysis', visible: 0, inFlight: 0 },
    ]);
    expect(body.runs).toEqual([
      {
        workflow: 'report',
        id: 'r1',
        status: 'SUCCEEDED',
        startedAt: '2026-03-02T00:30:00.000Z',
        stoppedAt: '2026-03-02T00:31:00.000Z',
      },
    ]);
    expect(body.lastReport).toEqual({ date: '2026-03-01', recomputed: 4, matched: 3, differences: 1 });
    expect(body.notes).toEqual([]);

    const metrics = inputs(mocks.cw, GetMetricDataCommand);
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toMatchObject({
      StartTime: new Date('2026-03-02T14:53:00Z'),
      EndTime: new Date('2026-03-02T15:08:00Z'),
      ScanBy: 'TimestampAscending',
    });
    expect(
      metrics[0].MetricDataQueries.map((q: { Id: string; MetricStat: { Metric: unknown; Period: number; Stat: string } }) => [
        q.Id,
        q.MetricStat.Metric,
        q.MetricStat.Period,
        q.MetricStat.Stat,
      ]),
    ).toEqual([
      [
        'ticksIn',
        { Namespace: 'AWS/Kinesis', MetricName: 'IncomingRecords', Dimensions: [{ Name: 'StreamName', Value: OUTPUTS.stream }] },
        60,
        'Sum',
      ],
      [
        'processed',
        { Namespace: 'stockpipe', MetricName: 'TicksProcessed', Dimensions: [{ Name: 'service', Value: 'stockpipe' }] },
        60,
        'Sum',
      ],
      [
        'deadLettered',
        { Namespace: 'stockpipe', MetricName: 'TicksDeadLettered', Dimensions: [{ Name: 'service', Value: 'stockpipe' }] },
        60,
        'Sum',
      ],
    ]);
    expect(
      inputs(mocks.sqs, GetQueueAttributesCommand)
        .map((i) => i.QueueUrl)
        .sort(),
    ).toEqual([OUTPUTS.invalidQueue, OUTPUTS.processingDlq, OUTPUTS.analysisDlq].sort());
    expect(
      inputs(mocks.sfn, ListExecutionsCommand)
        .map((i) => i.stateMachineArn)
        .sort(),
    ).toEqual([SM_MAINTENANCE, SM_REPORT].sort());
    expect(inputs(mocks.s3, GetObjectCommand)).toEqual([{ Bucket: OUTPUTS.rawBucket, Key: 'reports/dt=2026-03-01/report.json' }]);
  });

  it('/api/health keeps the panel when CloudWatch refuses, saying what could not be read', async () => {
    mocks.cw
      .on(GetMetricDataCommand)
      .rejects(Object.assign(new Error('not authorized to perform cloudwatch:GetMetricData'), { name: 'AccessDenied' }));
    mocks.sqs.on(GetQueueAttributesCommand).resolves({ Attributes: {} });
    mocks.sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    mocks.s3.on(ListObjectsV2Command).resolves({});
    const { status, body } = await get('/api/health');
    expect(status).toBe(200);
    expect(body.perMinute).toEqual([]);
    expect(body.lastReport).toBeNull();
    expect(body.notes).toEqual([expect.stringMatching(/^per-minute counts: .*GetMetricData/)]);
  });
});
