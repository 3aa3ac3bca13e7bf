import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { DynamoDBRecord } from 'aws-lambda';
import { DynamoDbAlertLedger } from '../../src/adapters/aws/dynamodb-alert-ledger';
import { DynamoDbPriceHistory } from '../../src/adapters/aws/dynamodb-price-history';
import { DynamoDbPriceStore } from '../../src/adapters/aws/dynamodb-price-store';
import { DynamoDbSignalStateStore } from '../../src/adapters/aws/dynamodb-signal-state-store';
import { SnsAlertNotifier } from '../../src/adapters/aws/sns-alert-notifier';
import { SqsDeadLetterSink } from '../../src/adapters/aws/sqs-dead-letter-sink';
import { makeAnalysisHandler, type AnalysisOutcome } from '../../src/analysis/analyse-batch';
import { enrich } from '../../src/core/enrich';
import type { SignalStateStore } from '../../src/core/ports';
import type { Tick } from '../../src/core/tick';
import { toDynamoDbStreamRecord } from '../../src/local/mappings/dynamodb-events';
import { drainQueue, scanAll } from '../support/aws-reads';
import { useLocalAws } from '../support/local-aws';

const at = (i: number) => new Date(Date.UTC(2024, 0, 2, 14, 30) + i * 30_000).toISOString();
const tick = (symbol: string, i: number, price: number): Tick => ({
  symbol,
  timestamp: at(i),
  price,
  open: price,
  high: price,
  low: price,
  previous_close: price,
  volume: 100,
  source: 'replay',
});

// Hand-checked in test/unit/core/signals.test.ts; MSFT is its mirror image (50 - p): crosses flip side.
const AAPL = [...Array(20).fill(10), 20, 5, 5, 5, 15, 5, 40];
const MSFT = AAPL.map((p) => 50 - p);
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:stockpipe-alerts';
const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/stockpipe-prices';

const expectedPublishes = [
  ['AAPL', 'BUY', at(21), 20, 12, 10.5],
  ['AAPL', 'SELL', at(24), 5, 9, 9.75],
  ['AAPL', 'BUY', at(27), 40, 14, 11.25],
  ['MSFT', 'SELL', at(21), 30, 38, 39.5],
  ['MSFT', 'BUY', at(24), 45, 41, 40.25],
  ['MSFT', 'SELL', at(27), 10, 36, 38.75],
].map(([symbol, side, timestamp, price, sma5, sma20]) => ({
  TopicArn: TOPIC,
  Subject: `stockpipe ${side} ${symbol} at ${(price as number).toFixed(2)}`,
  Message: `${side} ${symbol} at ${(price as number).toFixed(2)}: SMA-5 ${(sma5 as number).toFixed(4)} crossed ${side === 'BUY' ? 'above' : 'below'} SMA-20 ${(sma20 as number).toFixed(4)} at ${timestamp}.`,
  MessageAttributes: { symbol: { DataType: 'String', StringValue: symbol }, side: { DataType: 'String', StringValue: side } },
}));

describe('analysis handler on stream records of real price items', () => {
  const aws = useLocalAws();
  const sns = mockClient(SNSClient);
  const outcomes: AnalysisOutcome[] = [];
  const batches: DynamoDBRecord[][] = [];
  let handler: ReturnType<typeof makeAnalysisHandler>;
  let loads: string[] = [];

  const published = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);

  beforeAll(async () => {
    const { clients, resources } = aws;
    const prices = new DynamoDbPriceStore(clients.documents, resources.priceTable, 30);
    const ticks = [...AAPL.map((p, i) => tick('AAPL', i + 1, p)), ...MSFT.map((p, i) => tick('MSFT', i + 1, p))];
    await prices.putTicks(ticks.map(enrich));

    // Stream order: by time, symbols interleaved, as the table's writes happened; batches of 7.
    const items = (await scanAll(clients, resources.priceTable)).sort((a, b) =>
      `${a.timestamp}${a.symbol}` < `${b.timestamp}${b.symbol}` ? -1 : 1,
    );
    const records = items.map((item, n) =>
      toDynamoDbStreamRecord({
        tableArn: TABLE_ARN,
        region: 'us-east-1',
        eventName: 'INSERT',
        keyNames: ['symbol', 'timestamp'],
        item,
        sequenceNumber: String(1000 + n),
      }),
    );
    for (let i = 0; i < records.length; i += 7) batches.push(records.slice(i, i + 7));

    const store = new DynamoDbSignalStateStore(clients.documents, resources.signalStateTable);
    const countingStore: SignalStateStore = {
      load: (symbol) => (loads.push(symbol), store.load(symbol)),
      loadMany: (symbols) => (loads.push(...symbols), store.loadMany(symbols)),
      save: (state, version) => store.save(state, version),
    };
    handler = makeAnalysisHandler({
      states: countingStore,
      history: new DynamoDbPriceHistory(clients.documents, resources.priceTable),
      ledger: new DynamoDbAlertLedger(clients.documents, resources.alertTable),
      notifier: new SnsAlertNotifier(new SNSClient({ region: 'us-east-1' }), TOPIC),
      deadLetters: new SqsDeadLetterSink(clients.sqs, resources.analysisDlqUrl),
      observe: (o) => outcomes.push(o),
    });
  });

  afterAll(() => sns.restore());

  it('publishes exactly the known crosses, each once, across batches', async () => {
    for (const batch of batches) {
      loads = [];
      expect(await handler({ Records: batch })).toEqual({ batchItemFailures: [] });
      // The state of each symbol in the batch is loaded once, not per tick.
      expect(loads.sort()).toEqual([...new Set(batch.map((r) => r.dynamodb!.Keys!.symbol!.S!))].sort());
    }
    // Symbols are analysed concurrently, so only the order within a symbol is fixed.
    const bySubject = (a: { Subject?: string }, b: { Subject?: string }) => ((a.Subject ?? '') < (b.Subject ?? '') ? -1 : 1);
    expect([...published()].sort(bySubject)).toEqual([...expectedPublishes].sort(bySubject));
    for (const symbol of ['AAPL', 'MSFT']) {
      expect(published().filter((p) => p.Subject!.includes(` ${symbol} `))).toEqual(
        expectedPublishes.filter((p) => p.Subject.includes(` ${symbol} `)),
      );
    }
    expect(published()).toHaveLength(6);
    expect(outcomes.reduce((n, o) => n + o.folded, 0)).toBe(54);
  });

  it('records each alert as PUBLISHED in the alert table', async () => {
    const alerts = await scanAll(aws.clients, aws.resources.alertTable);
    expect(alerts).toHaveLength(6);
    expect(alerts.every((a) => a.status === 'PUBLISHED')).toBe(true);
  });

  it('a redelivered batch publishes no second alert', async () => {
    sns.resetHistory();
    for (const batch of batches) expect(await handler({ Records: batch })).toEqual({ batchItemFailures: [] });
    expect(published()).toHaveLength(0);
  });

  it('an alert whose publish failed is published by the retry, exactly once', async () => {
    const ticks = [...AAPL.map((p, i) => tick('IBM', i + 1, p))].map(enrich);
    await new DynamoDbPriceStore(aws.clients.documents, aws.resources.priceTable, 30).putTicks(ticks);
    const records = ticks.map((t, n) =>
      toDynamoDbStreamRecord({
        tableArn: TABLE_ARN,
        region: 'us-east-1',
        eventName: 'INSERT',
        keyNames: ['symbol', 'timestamp'],
        item: { ...t },
        sequenceNumber: String(5000 + n),
      }),
    );
    sns.resetHistory();
    sns.on(PublishCommand).rejectsOnce(new Error('Throttling: Rate exceeded')).resolves({ MessageId: 'm' });
    const first = await handler({ Records: records });
    expect(first.batchItemFailures).toHaveLength(records.length); // the symbol's whole batch is retried
    const retry = await handler({ Records: records });
    expect(retry).toEqual({ batchItemFailures: [] });
    const ibm = published().filter((p) => p.Subject?.includes(' IBM '));
    // First attempt: one failed publish. Retry: the pending BUY again, then SELL and BUY.
    expect(ibm.map((p) => p.Subject)).toEqual([
      'stockpipe BUY IBM at 20.00',
      'stockpipe BUY IBM at 20.00',
      'stockpipe SELL IBM at 5.00',
      'stockpipe BUY IBM at 40.00',
    ]);
    sns.reset();
  });

  it('dead-letters stream records it cannot use, with the reason, and skips non-INSERT events', async () => {
    const base = { tableArn: TABLE_ARN, region: 'us-east-1', keyNames: ['symbol', 'timestamp'] } as const;
    const badPrice = toDynamoDbStreamRecord({
      ...base,
      eventName: 'INSERT',
      item: { ...enrich(tick('ZZZ', 1, 10)), price: -1 },
      sequenceNumber: '9001',
    });
    const noImage = toDynamoDbStreamRecord({
      ...base,
      eventName: 'INSERT',
      item: { ...enrich(tick('ZZZ', 2, 10)) },
      sequenceNumber: '9002',
    });
    delete noImage.dynamodb!.NewImage;
    const modify = toDynamoDbStreamRecord({
      ...base,
      eventName: 'MODIFY',
      item: { ...enrich(tick('ZZZ', 3, 10)) },
      sequenceNumber: '9003',
    });
    outcomes.length = 0;
    expect(await handler({ Records: [badPrice, noImage, modify] })).toEqual({ batchItemFailures: [] });
    expect(outcomes[0]).toMatchObject({ records: 3, deadLettered: 2, skipped: 1, folded: 0, failed: 0 });
    const letters = await drainQueue(aws.clients, aws.resources.analysisDlqUrl);
    expect(letters.map((l) => l.reason).sort()).toEqual([
      'price=-1: must be greater than 0',
      'stream record has no NewImage: the stream view type must include NEW_IMAGE',
    ]);
  });
});
