/**
 * Exact SDK requests of the processing function for a fixed batch, counted by the same middleware
 * the benchmark uses (src/local/functions/request-tally.ts), against the real emulators.
 */
import { captureTableWrites } from '../../src/local/emulators/dynamodb-stream-capture';
import { LocalDynamoDbStream } from '../../src/local/emulators/dynamodb-stream';
import { RequestTally, type RequestCount } from '../../src/local/functions/request-tally';
import { toKinesisStreamEvent } from '../../src/local/mappings/kinesis-events';
import { processingDependencies } from '../../src/processing/dependencies';
import { makeProcessingHandler } from '../../src/processing/process-batch';
import { createClients, type AwsClients } from '../../src/shared/clients';
import { makeAnalysisHandler } from '../../src/analysis/analyse-batch';
import { analysisDependencies } from '../../src/analysis/dependencies';
import { toDynamoDbStreamRecord } from '../../src/local/mappings/dynamodb-events';
import { scanAll } from '../support/aws-reads';
import { DynamoDbSignalStateStore } from '../../src/adapters/aws/dynamodb-signal-state-store';
import { MAX_RECENT_TIMESTAMPS } from '../../src/analysis/analyse-batch';
import { fullSignalState } from '../support/signal-states';
import type { Tick } from '../../src/core/tick';
import { useLocalAws } from '../support/local-aws';

const SYMBOLS = ['AAPL', 'MSFT', 'IBM', 'GC=F'];
const tick = (symbol: string, i: number, day = 2): Tick => ({
  symbol,
  timestamp: new Date(Date.UTC(2024, 0, day, 23, 59, 55) + i * 1000).toISOString(),
  price: 100 + i,
  open: 100,
  high: 110,
  low: 90,
  previous_close: 100,
  volume: 1000,
  source: 'synthetic',
});

describe('requests per batch of the processing function', () => {
  const aws = useLocalAws({ shardCount: 1 });
  let clients: AwsClients;
  let tally: RequestTally;
  let handler: ReturnType<typeof makeProcessingHandler>;
  let sequence = 0;

  const event = (ticks: readonly Tick[], firstSequence = sequence) =>
    toKinesisStreamEvent(
      {
        streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/stockpipe-ticks',
        shardId: 'shardId-000000000000',
        region: 'us-east-1',
      },
      ticks.map((t, i) => ({
        SequenceNumber: String(firstSequence + i).padStart(20, '0'),
        PartitionKey: t.symbol,
        Data: Buffer.from(JSON.stringify(t)),
        ApproximateArrivalTimestamp: new Date(),
      })),
    );

  beforeAll(() => {
    clients = createClients({ endpoints: aws.emulators.endpoints, sqsQueryProtocol: true });
    tally = new RequestTally();
    tally.attach(clients.s3.middlewareStack, 'processing', 'S3');
    tally.attach(clients.dynamodb.middlewareStack, 'processing', 'DynamoDB');
    tally.attach(clients.sqs.middlewareStack, 'processing', 'SQS');
    handler = makeProcessingHandler({
      ...processingDependencies(clients, aws.resources, { ttlDays: 30 }),
      now: () => Date.UTC(2024, 0, 4),
    });
  });
  afterAll(() => clients.destroy());

  /** The requests `work` sends, by service and operation, and the DynamoDB capacity units they consume. */
  const measure = async (work: () => Promise<unknown>) => {
    const key = (c: RequestCount) => `${c.service} ${c.operation}`;
    const before = new Map(tally.list().map((c) => [key(c), c]));
    await work();
    const delta = tally.list().map((c) => ({
      key: key(c),
      requests: c.aws - (before.get(key(c))?.aws ?? 0),
      units: c.awsUnits - (before.get(key(c))?.awsUnits ?? 0),
    }));
    const sent = delta.filter((d) => d.requests > 0);
    return {
      requests: Object.fromEntries(sent.map((d) => [d.key, d.requests])),
      units: Object.fromEntries(sent.filter((d) => d.key.startsWith('DynamoDB ')).map((d) => [d.key, d.units])),
    };
  };
  const counts = async (work: () => Promise<unknown>) => (await measure(work)).requests;

  // 4 symbols x 5 ticks within one day: one read of the stored keys, one raw object, and one
  // BatchWriteItem per round (a symbol's ticks go one round after another, never two in one request).
  const day = SYMBOLS.flatMap((s) => [0, 1, 2, 3, 4].map((i) => tick(s, i - 10))).sort((a, b) =>
    a.timestamp < b.timestamp ? -1 : 1,
  );

  // Units as DynamoDB bills them: a strongly consistent read of an item (found or not) is one read
  // unit per 4 KB, a write one write unit per KB; a price item is a few hundred bytes.
  it('a fresh batch of 20 ticks of one day: 1 BatchGetItem, 1 PutObject, 5 BatchWriteItem; 20 read and 20 write units', async () => {
    const { requests, units } = await measure(() => handler(event(day)));
    expect(requests).toEqual({
      'DynamoDB BatchGetItem': 1,
      'DynamoDB BatchWriteItem': 5,
      'S3 PutObject': 1,
    });
    expect(units).toEqual({ 'DynamoDB BatchGetItem': 20, 'DynamoDB BatchWriteItem': 20 });
    sequence += day.length;
  });

  it('the same batch redelivered: the one read (20 units), nothing written', async () => {
    const { requests, units } = await measure(() => handler(event(day, 0)));
    expect(requests).toEqual({ 'DynamoDB BatchGetItem': 1 });
    expect(units).toEqual({ 'DynamoDB BatchGetItem': 20 });
  });

  it('a batch that spans midnight: one raw object per day', async () => {
    const ticks = SYMBOLS.flatMap((s) => [0, 5, 10].map((i) => tick(s, i))).sort((a, b) => (a.timestamp < b.timestamp ? -1 : 1));
    expect(await counts(() => handler(event(ticks)))).toEqual({
      'DynamoDB BatchGetItem': 1,
      'DynamoDB BatchWriteItem': 3,
      'S3 PutObject': 2,
    });
    sequence += ticks.length;
  });

  it('the local stream capture reads what a write replaces, counted apart from what AWS would receive', async () => {
    const stream = new LocalDynamoDbStream({
      tableName: aws.resources.priceTable,
      keySchema: { hash: 'symbol', range: 'timestamp' },
      region: aws.resources.region,
      accountId: aws.resources.accountId,
    });
    const captured = createClients({ endpoints: aws.emulators.endpoints, sqsQueryProtocol: true });
    try {
      const captureTally = new RequestTally();
      captureTally.attach(captured.dynamodb.middlewareStack, 'processing', 'DynamoDB');
      captureTableWrites(captured.dynamodb, stream);
      const capturing = makeProcessingHandler({
        ...processingDependencies(captured, aws.resources, { ttlDays: 30 }),
        now: () => Date.UTC(2024, 0, 4),
      });
      const ticks = SYMBOLS.map((s) => tick(s, 20));
      await capturing(event(ticks, 1000));
      expect(captureTally.total({ operation: 'BatchWriteItem' })).toEqual({ aws: 1, localOnly: 0 });
      expect(captureTally.total({ operation: 'BatchGetItem' })).toEqual({ aws: 1, localOnly: 1 });
    } finally {
      captured.destroy();
    }
  });

  it('analysis of a batch of 4 symbols: their states in 1 BatchGetItem, 1 Query and 1 PutItem each, no ledger without an alert', async () => {
    const analysisClients = createClients({ endpoints: aws.emulators.endpoints, sqsQueryProtocol: true });
    try {
      const analysisTally = new RequestTally();
      analysisTally.attach(analysisClients.dynamodb.middlewareStack, 'analysis', 'DynamoDB');
      analysisTally.attach(analysisClients.sns.middlewareStack, 'analysis', 'SNS');
      analysisTally.attach(analysisClients.sqs.middlewareStack, 'analysis', 'SQS');
      const analyse = makeAnalysisHandler(analysisDependencies(analysisClients, aws.resources));
      const items = (await scanAll(aws.clients, aws.resources.priceTable)).filter(
        (i) => String(i.timestamp) < '2024-01-02T23:59:50',
      );
      expect(items).toHaveLength(20);
      const records = items.map((item, n) =>
        toDynamoDbStreamRecord({
          tableArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/stockpipe-prices',
          region: 'us-east-1',
          eventName: 'INSERT',
          keyNames: ['symbol', 'timestamp'],
          item,
          sequenceNumber: String(5000 + n),
        }),
      );
      expect(await analyse({ Records: records })).toEqual({ batchItemFailures: [] });
      expect(Object.fromEntries(analysisTally.list().map((c) => [`${c.service} ${c.operation}`, c.aws]))).toEqual({
        'DynamoDB BatchGetItem': 1,
        'DynamoDB Query': 4,
        'DynamoDB PutItem': 4,
      });
      // 4 states not there yet (a unit each), 5 ticks of a symbol per Query (under 4 KB), 4 new small states.
      expect(Object.fromEntries(analysisTally.list().map((c) => [`${c.service} ${c.operation}`, c.awsUnits]))).toEqual({
        'DynamoDB BatchGetItem': 4,
        'DynamoDB Query': 4,
        'DynamoDB PutItem': 4,
      });
    } finally {
      analysisClients.destroy();
    }
  });

  // The state item at its bounds: 20 prices, MAX_RECENT_TIMESTAMPS ISO timestamps (~25 bytes each),
  // MAX_CHECKPOINTS checkpoints (~50 bytes each), a day of skipped counts: ~3.5 KB as plain
  // attributes (4 write units per save, one per KB); the store keeps the two lists compressed, so the
  // save bills one write unit, and the load one read unit (one per 4 KB).
  it('a state at its full size costs 1 write unit to save and 1 read unit to load', async () => {
    const stateClients = createClients({ endpoints: aws.emulators.endpoints, sqsQueryProtocol: true });
    try {
      const stateTally = new RequestTally();
      stateTally.attach(stateClients.dynamodb.middlewareStack, 'analysis', 'DynamoDB');
      const store = new DynamoDbSignalStateStore(stateClients.documents, aws.resources.signalStateTable);
      const full = fullSignalState('FULL');
      expect(await store.save(full, 0)).toBe(true);
      const loaded = await store.loadMany(['FULL', 'NONE']);
      expect(loaded.get('FULL')?.recentTimestamps).toHaveLength(MAX_RECENT_TIMESTAMPS);
      expect(stateTally.units('write', { operation: 'PutItem' }).aws).toBe(1);
      // The full state and a symbol with none: one unit each.
      expect(stateTally.units('read', { operation: 'BatchGetItem' }).aws).toBe(2);
    } finally {
      stateClients.destroy();
    }
  });
});
