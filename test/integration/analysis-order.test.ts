/**
 * The analysis against the ordering freedoms AWS has and the failures Lambda retries around, on the
 * price table in dynalite: stream records of a symbol in any order, a batch that exhausted its
 * retries and went to the DLQ, its replay, late and duplicate ticks, and the alert ledger's lease.
 * Alerts are compared with the plain reference fold over the time-sorted series (test/support).
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { DynamoDbAlertLedger } from '../../src/adapters/aws/dynamodb-alert-ledger';
import { DynamoDbPriceHistory } from '../../src/adapters/aws/dynamodb-price-history';
import { DynamoDbPriceStore } from '../../src/adapters/aws/dynamodb-price-store';
import { DynamoDbSignalStateStore } from '../../src/adapters/aws/dynamodb-signal-state-store';
import { SqsDeadLetterSink } from '../../src/adapters/aws/sqs-dead-letter-sink';
import { makeAnalysisHandler, type AnalysisOutcome } from '../../src/analysis/analyse-batch';
import { enrich } from '../../src/core/enrich';
import { AlertClaimHeld } from '../../src/core/ports';
import type { Alert, PricePoint } from '../../src/core/signals';
import { toDynamoDbStreamRecord } from '../../src/local/mappings/dynamodb-events';
import { referenceCrossovers, sp500Daily, stocksCsv, tickOfPoint } from '../support/signal-lake';
import { useLocalAws } from '../support/local-aws';

const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/stockpipe-prices';

/** A seeded PRNG (mulberry32), so a failing order can be replayed. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const shuffled = <T>(items: readonly T[], random: () => number): T[] => {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

const tickOf = (p: PricePoint) => enrich(tickOfPoint(p));

const sideKey = (a: { symbol: string; side: string; timestamp: string }) => `${a.symbol} ${a.side} ${a.timestamp}`;

describe('analysis order and failures', () => {
  const aws = useLocalAws();
  let sequence = 1;

  /** The table's items of the points, as INSERT records (the NEW_IMAGE is what was committed). */
  async function write(points: readonly PricePoint[], now = Date.now()): Promise<DynamoDBRecord[]> {
    const { clients, resources } = aws;
    await new DynamoDbPriceStore(clients.documents, resources.priceTable, 30, () => now).putTicks(points.map(tickOf));
    const items =
      (await clients.documents.send(new ScanCommand({ TableName: resources.priceTable, ConsistentRead: true }))).Items ?? [];
    const wanted = new Set(points.map((p) => `${p.symbol} ${p.timestamp}`));
    return items
      .filter((item) => wanted.has(`${String(item.symbol)} ${String(item.timestamp)}`))
      .map((item) =>
        toDynamoDbStreamRecord({
          tableArn: TABLE_ARN,
          region: 'us-east-1',
          eventName: 'INSERT',
          keyNames: ['symbol', 'timestamp'],
          item,
          sequenceNumber: String(sequence++).padStart(21, '0'),
        }),
      );
  }

  function analyser(options: { failPublish?: () => boolean; now?: () => number } = {}) {
    const { clients, resources } = aws;
    const published: Alert[] = [];
    const outcomes: AnalysisOutcome[] = [];
    const handler = makeAnalysisHandler({
      states: new DynamoDbSignalStateStore(clients.documents, resources.signalStateTable),
      history: new DynamoDbPriceHistory(clients.documents, resources.priceTable),
      ledger: new DynamoDbAlertLedger(clients.documents, resources.alertTable),
      notifier: {
        publish: async (alert) => {
          if (options.failPublish?.()) throw new Error('SNS is down');
          published.push(alert);
        },
      },
      deadLetters: new SqsDeadLetterSink(clients.sqs, resources.analysisDlqUrl),
      observe: (o) => outcomes.push(o),
      ...(options.now ? { now: options.now } : {}),
    });
    return { handler, published, outcomes };
  }

  it.each([1, 2, 3])(
    'stream records of one symbol in any order and batch size give the reference alerts, each once (seed %i)',
    async (seed) => {
      const random = prng(seed);
      const points = stocksCsv().map((p) => ({ ...p, symbol: `${p.symbol}${seed}` }));
      const records = shuffled(await write(points), random);
      const { handler, published, outcomes } = analyser();
      for (let i = 0; i < records.length;) {
        const size = 1 + Math.floor(random() * 40);
        expect(await handler({ Records: records.slice(i, i + size) })).toEqual({ batchItemFailures: [] });
        i += size;
      }
      const expected = referenceCrossovers(points, 1e-9).map(sideKey).sort();
      expect(published.map(sideKey).sort()).toEqual(expected);
      expect(expected.length).toBeGreaterThan(20);
      expect(outcomes.reduce((n, o) => n + o.late + o.duplicates, 0)).toBe(0);
    },
  );

  it('a batch that exhausted its retries (SNS down) leaves no gap: the next batch publishes its alerts, the DLQ replay nothing more', async () => {
    const points = sp500Daily('SPXD').slice(0, 400);
    const records = (await write(points)).sort((a, b) =>
      a.dynamodb!.Keys!.timestamp!.S! < b.dynamodb!.Keys!.timestamp!.S! ? -1 : 1,
    );
    let snsDown = true;
    const { handler, published, outcomes } = analyser({ failPublish: () => snsDown });
    const first = records.slice(0, 250);
    // Four deliveries, every one failed: the mapping gives up and sends the batch to the DLQ.
    for (let attempt = 0; attempt < 4; attempt++) {
      expect((await handler({ Records: first })).batchItemFailures).toHaveLength(first.length);
    }
    expect(published).toEqual([]);
    snsDown = false;
    expect(await handler({ Records: records.slice(250) })).toEqual({ batchItemFailures: [] });
    const expected = referenceCrossovers(points, 1e-9).map(sideKey);
    expect(published.map(sideKey)).toEqual(expected);

    // The DLQ replayed later: its ticks were folded from the table; nothing is published twice or late.
    expect(await handler({ Records: first })).toEqual({ batchItemFailures: [] });
    expect(published.map(sideKey)).toEqual(expected);
    expect(outcomes.at(-1)).toMatchObject({ late: 0, duplicates: 0, failed: 0 });
    const pending = (
      await aws.clients.documents.send(new ScanCommand({ TableName: aws.resources.alertTable, ConsistentRead: true }))
    ).Items!.filter((a) => a.symbol === 'SPXD' && a.status !== 'PUBLISHED');
    expect(pending).toEqual([]);
  });

  it('a tick written after the fold passed its time is counted late, per day, and changes no alert', async () => {
    const points = sp500Daily('SPXL').slice(0, 60);
    const late = points.splice(30, 1)[0]!;
    const { handler, published, outcomes } = analyser();
    expect(await handler({ Records: await write(points) })).toEqual({ batchItemFailures: [] });
    const before = published.map(sideKey);
    expect(await handler({ Records: await write([late], Date.now() + 1000) })).toEqual({ batchItemFailures: [] });
    expect(outcomes.at(-1)).toMatchObject({ late: 1, duplicates: 0, folded: 0 });
    expect(outcomes.at(-1)!.skippedTicks).toEqual([{ kind: 'late', symbol: 'SPXL', timestamp: late.timestamp }]);
    expect(published.map(sideKey)).toEqual(before);
    const state = await new DynamoDbSignalStateStore(aws.clients.documents, aws.resources.signalStateTable).load('SPXL');
    expect(state.skipped).toEqual({ [late.timestamp.slice(0, 10)]: { late: 1, duplicate: 0 } });
  });

  it('a MODIFY with other tick values is a duplicate; one that only rewrote the same tick is not', async () => {
    const points = sp500Daily('SPXM').slice(0, 25);
    const [record] = await write(points.slice(0, 1));
    const { handler, outcomes } = analyser();
    expect(await handler({ Records: [record!, ...(await write(points.slice(1)))] })).toEqual({ batchItemFailures: [] });
    const item = (await aws.clients.documents.send(new ScanCommand({ TableName: aws.resources.priceTable }))).Items!.find(
      (i) => i.symbol === 'SPXM' && i.timestamp === points[0]!.timestamp,
    )!;
    const modify = (next: Record<string, unknown>) =>
      toDynamoDbStreamRecord({
        tableArn: TABLE_ARN,
        region: 'us-east-1',
        eventName: 'MODIFY',
        keyNames: ['symbol', 'timestamp'],
        item: next,
        oldItem: item,
        sequenceNumber: String(sequence++).padStart(21, '0'),
      });
    const rewrite = modify({ ...item, written_at: Number(item.written_at) + 5, expires_at: Number(item.expires_at) + 5 });
    const other = modify({ ...item, price: Number(item.price) + 1 });
    expect(await handler({ Records: [rewrite, other] })).toEqual({ batchItemFailures: [] });
    expect(outcomes.at(-1)).toMatchObject({ skipped: 1, duplicates: 1, late: 0 });
    const state = await new DynamoDbSignalStateStore(aws.clients.documents, aws.resources.signalStateTable).load('SPXM');
    expect(state.skipped).toEqual({ [points[0]!.timestamp.slice(0, 10)]: { late: 0, duplicate: 1 } });
  });

  describe('the alert ledger', () => {
    const alert: Alert = { symbol: 'LEAS', side: 'BUY', timestamp: '2024-01-02T15:00:00.000Z', price: 10, sma5: 11, sma20: 10 };
    let clock = Date.parse('2024-01-02T15:00:00Z');
    const ledger = () => new DynamoDbAlertLedger(aws.clients.documents, aws.resources.alertTable, () => new Date(clock), 60_000);

    it('holds a claim against a second claimant until it is given back or runs out, and never after PUBLISHED', async () => {
      expect(await ledger().claim(alert)).toBe('claimed');
      await expect(ledger().claim(alert)).rejects.toBeInstanceOf(AlertClaimHeld);
      await ledger().release(alert);
      expect(await ledger().claim(alert)).toBe('claimed');
      clock += 30_000;
      await expect(ledger().claim(alert)).rejects.toThrow('is being published by another invocation');
      clock += 31_000; // the lease ran out: the claimant died between claim and mark
      expect(await ledger().claim(alert)).toBe('claimed');
      await ledger().markPublished(alert);
      clock += 3_600_000;
      expect(await ledger().claim(alert)).toBe('already-published');
    });
  });
});
