/**
 * The pipeline in memory, for the property test: a Kinesis stream of two shards (partition key =
 * symbol, hashed), a processing mapping per shard, the price table with its stream (two shards,
 * by symbol or item by item; a record per committed change of an item, none for a put that changed
 * nothing), an analysis mapping per stream shard, and the real handlers and AWS adapters over a fake
 * DynamoDB (fake-dynamodb.ts). `written_at`, the analysis's `now` and the ledger's lease all read one
 * logical clock. Every port call completes at a random later step of the scheduler, may fail (before
 * or after it took effect), and an invocation may crash at a random call or pass its timeout (that
 * call and every later one never leave it; the calls in flight may or may not have reached the
 * service, never after the timeout). The mappings follow Lambda's rules: a shard in
 * order, one batch at a time; `batchItemFailures` retries from the lowest reported record; a thrown
 * error (a crash) bisects the batch; a finished batch is sometimes delivered again; retries unbounded.
 */
import { createHash } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import { DynamoDbAlertLedger, alertKey } from '../../src/adapters/aws/dynamodb-alert-ledger';
import { DynamoDbPriceHistory } from '../../src/adapters/aws/dynamodb-price-history';
import { DynamoDbPriceStore } from '../../src/adapters/aws/dynamodb-price-store';
import { DynamoDbSignalStateStore } from '../../src/adapters/aws/dynamodb-signal-state-store';
import { makeAnalysisHandler, type AnalysisOutcome } from '../../src/analysis/analyse-batch';
import { errorText } from '../../src/core/partial-batch';
import type { DeadLetter, DeadLetterSink } from '../../src/core/ports';
import type { Alert, PricePoint } from '../../src/core/signals';
import { toDynamoDbStreamRecord } from '../../src/local/mappings/dynamodb-events';
import { toKinesisStreamRecord } from '../../src/local/mappings/kinesis-events';
import { makeProcessingHandler } from '../../src/processing/process-batch';
import { tickOfPoint } from '../support/signal-lake';
import { FakeDynamoDb, type Item, type ItemChange } from './fake-dynamodb';
import { between, LogicalClock, Scheduler, type Random } from './scheduler';

const REGION = 'us-east-1';
const PRICE_TABLE = 'prices';
const STATE_TABLE = 'signal-state';
const ALERT_TABLE = 'alerts';
const TABLE_ARN = `arn:aws:dynamodb:${REGION}:000000000000:table/${PRICE_TABLE}`;
const STREAM_ARN = `arn:aws:kinesis:${REGION}:000000000000:stream/ticks`;
const SHARDS = 2;
const MAX_BATCH = 100;
/** The functions' timeout: a longer invocation is killed, and nothing it sends takes effect after. */
const FUNCTION_TIMEOUT_MS = 60_000;

export interface FaultRates {
  /** Per port call: it fails, half the time after it took effect (the answer was lost). */
  readonly callFailure: number;
  /** Per invocation: the function dies at a random call. */
  readonly crash: number;
  /** Per item of a BatchWriteItem request: left unprocessed. */
  readonly unprocessed: number;
  /** Per finished batch: delivered once more. */
  readonly redelivery: number;
  /**
   * How the price table's stream spreads a symbol's records over its shards: all on one shard (in
   * commit order), or item by item (DynamoDB Streams orders the records of one item only: after a
   * partition split, the items of one symbol sit on different shards, read concurrently).
   */
  readonly streamShards: 'by symbol' | 'by item';
}

export interface PublishedAlert {
  readonly alert: Alert;
  /** The alert's ledger entry was PUBLISHED already when this publish went out. */
  readonly markedBefore: boolean;
}

export interface PipelineResult {
  readonly published: readonly PublishedAlert[];
  /** Outcomes of the analysis invocations that did not crash. */
  readonly outcomes: readonly AnalysisOutcome[];
  readonly states: readonly Item[];
  readonly ledger: readonly Item[];
  readonly deadLetters: readonly DeadLetter[];
  /** Errors a handler threw by itself (not an injected crash): a handler must not throw. */
  readonly unexpected: readonly string[];
  /** Stream records no analysis invocation was given. */
  readonly undelivered: number;
  readonly invocations: { readonly processing: number; readonly analysis: number };
  /** Records handed to the handlers, counting every retry and redelivery. */
  readonly delivered: { readonly processing: number; readonly analysis: number };
  readonly steps: number;
}

interface Invocation {
  calls: number;
  readonly crashAt: number;
  readonly deadline: number;
  crashed: boolean;
}

type Outcome =
  { readonly kind: 'ok' } | { readonly kind: 'partial'; readonly failed: readonly string[] } | { readonly kind: 'error' };

class InjectedFailure extends Error {
  override readonly name = 'InjectedFailure';
}

const shards = new Map<string, number>();
/** Which of the shards a key hashes to (Kinesis: MD5 of the partition key over the hash key range). */
const shardOf = (key: string, salt = ''): number => {
  let shard = shards.get(salt + key);
  if (shard === undefined) {
    const hash = BigInt(
      `0x${createHash('md5')
        .update(salt + key)
        .digest('hex')}`,
    );
    shards.set(salt + key, (shard = Number((hash * BigInt(SHARDS)) >> 128n)));
  }
  return shard;
};

const tickPayload = (p: PricePoint, previous: PricePoint | undefined): string =>
  JSON.stringify(tickOfPoint(p, { previousClose: previous?.price ?? p.price, source: 'synthetic' }));

export class PipelineWorld {
  readonly clock = new LogicalClock();
  readonly scheduler: Scheduler;
  private readonly db: FakeDynamoDb;
  private readonly kinesis: KinesisStreamRecord[][] = Array.from({ length: SHARDS }, () => []);
  private readonly priceStream: DynamoDBRecord[][] = Array.from({ length: SHARDS }, () => []);
  private readonly consumed: number[] = Array.from({ length: SHARDS }, () => 0);
  private readonly objects = new Map<string, string>();
  private readonly deadLetters: DeadLetter[] = [];
  private readonly published: PublishedAlert[] = [];
  private readonly outcomes: AnalysisOutcome[] = [];
  private readonly unexpected: string[] = [];
  private streamSequence = 0;
  private readonly invocations = { processing: 0, analysis: 0 };
  private readonly delivered = { processing: 0, analysis: 0 };
  private processingRunning = SHARDS;

  constructor(
    private readonly random: Random,
    private readonly faults: FaultRates,
    maxSteps: number,
  ) {
    this.scheduler = new Scheduler(random, this.clock, maxSteps);
    this.db = new FakeDynamoDb({
      keys: { [PRICE_TABLE]: ['symbol', 'timestamp'], [STATE_TABLE]: ['symbol'], [ALERT_TABLE]: ['symbol', 'alert_key'] },
      random,
      unprocessed: () => random() < faults.unprocessed,
      onChanges: (changes) => changes.filter((c) => c.table === PRICE_TABLE).forEach((c) => this.stream(c)),
    });
  }

  /** The price table's stream: one record per committed change, on the shard of the item's symbol. */
  private stream(change: ItemChange): void {
    const record = toDynamoDbStreamRecord({
      tableArn: TABLE_ARN,
      region: REGION,
      eventName: change.eventName,
      keyNames: ['symbol', 'timestamp'],
      item: change.item,
      ...(change.oldItem ? { oldItem: change.oldItem } : {}),
      sequenceNumber: String(++this.streamSequence).padStart(21, '0'),
      approximateCreationSeconds: Math.floor(this.clock.now() / 1000),
    });
    const symbol = String(change.item.symbol);
    const shardKey = this.faults.streamShards === 'by symbol' ? symbol : `${symbol} ${String(change.item.timestamp)}`;
    this.priceStream[shardOf(shardKey, 'stream:')]!.push(record);
  }

  /** The producer: each tick put once, in time order per symbol, the symbols interleaved at random. */
  produce(points: readonly PricePoint[]): void {
    const queues = new Map<string, PricePoint[]>();
    for (const p of points) queues.set(p.symbol, [...(queues.get(p.symbol) ?? []), p]);
    for (const q of queues.values()) q.sort((a, b) => (a.timestamp < b.timestamp ? -1 : 1));
    const previous = new Map<string, PricePoint>();
    let sequence = 0;
    for (;;) {
      const open = [...queues].filter(([, q]) => q.length > 0);
      if (open.length === 0) return;
      const [symbol, queue] = open[Math.floor(this.random() * open.length)]!;
      const point = queue.shift()!;
      const shard = shardOf(symbol);
      const shardId = `shardId-${String(shard).padStart(12, '0')}`;
      this.kinesis[shard]!.push(
        toKinesisStreamRecord(
          { streamArn: STREAM_ARN, shardId, region: REGION },
          {
            SequenceNumber: String(++sequence).padStart(56, '0'),
            PartitionKey: symbol,
            Data: Buffer.from(tickPayload(point, previous.get(symbol))),
            ApproximateArrivalTimestamp: new Date(this.clock.now()),
          },
        ),
      );
      previous.set(symbol, point);
    }
  }

  /** Runs every mapping until the streams are drained. */
  async run(): Promise<PipelineResult> {
    const processing = this.kinesis.map((records) =>
      this.mapping(
        records,
        () => true,
        (r) => r.kinesis.sequenceNumber,
        (batch) => this.invokeProcessing(batch),
      ).finally(() => this.processingRunning--),
    );
    const analysis = this.priceStream.map((records, shard) =>
      this.mapping(
        records,
        () => this.processingRunning === 0,
        (r) => r.dynamodb?.SequenceNumber ?? '',
        (batch) => this.invokeAnalysis(batch),
        (n) => (this.consumed[shard] = n),
      ),
    );
    await this.scheduler.run(Promise.all([...processing, ...analysis]));
    return {
      published: this.published,
      outcomes: this.outcomes,
      states: this.db.items(STATE_TABLE),
      ledger: this.db.items(ALERT_TABLE),
      deadLetters: this.deadLetters,
      unexpected: this.unexpected,
      undelivered: this.priceStream.reduce((n, records, shard) => n + records.length - this.consumed[shard]!, 0),
      invocations: this.invocations,
      delivered: this.delivered,
      steps: this.scheduler.steps,
    };
  }

  /** A shard's event-source mapping: batches of 1..100 of what the shard holds, in order. */
  private async mapping<R>(
    records: readonly R[],
    upstreamDone: () => boolean,
    idOf: (record: R) => string,
    invoke: (batch: readonly R[]) => Promise<Outcome>,
    onConsumed?: (n: number) => void,
  ): Promise<void> {
    let cursor = 0;
    for (;;) {
      const available = records.length - cursor;
      if (available === 0) {
        if (upstreamDone()) return;
        await this.scheduler.turn(); // poll the shard again
        continue;
      }
      const size = between(this.random, 1, MAX_BATCH);
      // The batching window: while the shard holds less than a batch, the mapping mostly waits for more.
      if (available < size && !upstreamDone() && this.random() < 0.97) {
        await this.scheduler.turn();
        continue;
      }
      const batch = records.slice(cursor, cursor + Math.min(available, size));
      await this.deliver(batch, idOf, invoke);
      while (this.random() < this.faults.redelivery) await this.deliver(batch, idOf, invoke);
      cursor += batch.length;
      onConsumed?.(cursor);
    }
  }

  /** One batch to completion, by Lambda's rules (ReportBatchItemFailures and BisectBatchOnFunctionError on). */
  private async deliver<R>(
    records: readonly R[],
    idOf: (record: R) => string,
    invoke: (batch: readonly R[]) => Promise<Outcome>,
  ): Promise<void> {
    const queue: (readonly R[])[] = [records];
    let retries = 0;
    while (queue.length > 0) {
      const batch = queue[0]!;
      this.clock.advance(this.random() * 200);
      const outcome = await invoke(batch);
      if (outcome.kind === 'ok') {
        queue.shift();
        continue;
      }
      // The mapping backs off before the retry, longer each time (so a claim's lease runs out).
      this.clock.advance(this.random() * Math.min(20_000, 500 * 2 ** retries++));
      if (outcome.kind === 'partial') {
        const ids = batch.map(idOf);
        const positions = outcome.failed.map((id) => ids.indexOf(id));
        if (positions.includes(-1)) throw new Error(`a handler reported ${JSON.stringify(outcome.failed)}, not all in its batch`);
        queue[0] = batch.slice(Math.min(...positions)); // the records before the first reported one are done
      } else if (batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        queue.splice(0, 1, batch.slice(0, half), batch.slice(half));
      }
    }
  }

  private invocation(kind: 'processing' | 'analysis', records: number): Invocation {
    this.invocations[kind]++;
    this.delivered[kind] += records;
    const crashAt = this.random() < this.faults.crash ? between(this.random, 1, 2 * records + 4) : Infinity;
    return { calls: 0, crashAt, deadline: this.clock.now() + FUNCTION_TIMEOUT_MS, crashed: false };
  }

  /** Lambda ends an invocation at its timeout. */
  private timedOut(inv: Invocation): boolean {
    if (this.clock.now() > inv.deadline) inv.crashed = true;
    return inv.crashed;
  }

  /** A call to AWS from an invocation: completes at a random later step, may fail, may never leave. */
  private async port<T>(inv: Invocation, op: string, effect: () => T): Promise<T> {
    if (this.timedOut(inv) || inv.crashed) throw new InjectedFailure(`${op}: the function has died`);
    if (++inv.calls >= inv.crashAt) {
      inv.crashed = true;
      throw new InjectedFailure(`${op}: the function died here`);
    }
    await this.scheduler.turn();
    if (this.timedOut(inv) || inv.crashed || this.random() < this.faults.callFailure) {
      // A request in flight when the function died, or one that failed: it may have taken effect.
      if (this.clock.now() <= inv.deadline && this.random() < 0.5) {
        try {
          effect();
        } catch {
          // its answer is lost either way
        }
        throw new InjectedFailure(`${op}: no answer, though it took effect`);
      }
      throw new InjectedFailure(`${op} failed`);
    }
    return effect();
  }

  private documents(inv: Invocation): DynamoDBDocumentClient {
    const send = (command: { constructor: { name: string } }) =>
      this.port(inv, `DynamoDB ${command.constructor.name}`, () => this.db.execute(command));
    return { send } as unknown as DynamoDBDocumentClient;
  }

  private deadLetterSink(inv: Invocation): DeadLetterSink {
    return { send: (letters) => this.port(inv, 'SQS SendMessageBatch', () => void this.deadLetters.push(...letters)) };
  }

  private async outcomeOf(
    inv: Invocation,
    call: () => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>,
  ): Promise<Outcome> {
    try {
      const response = await call();
      if (this.timedOut(inv)) return { kind: 'error' };
      const failed = response.batchItemFailures.map((f) => f.itemIdentifier);
      return failed.length > 0 ? { kind: 'partial', failed } : { kind: 'ok' };
    } catch (e) {
      if (!inv.crashed) this.unexpected.push(errorText(e));
      return { kind: 'error' };
    }
  }

  private invokeProcessing(records: readonly KinesisStreamRecord[]): Promise<Outcome> {
    const inv = this.invocation('processing', records.length);
    const handler = makeProcessingHandler({
      archive: { putObject: (key, body) => this.port(inv, 'S3 PutObject', () => void this.objects.set(key, body)) },
      prices: new DynamoDbPriceStore(this.documents(inv), PRICE_TABLE, 30, this.clock.now, {
        sleep: () => this.scheduler.turn(),
      }),
      invalidRecords: this.deadLetterSink(inv),
    });
    return this.outcomeOf(inv, () => handler({ Records: [...records] }));
  }

  private invokeAnalysis(records: readonly DynamoDBRecord[]): Promise<Outcome> {
    const inv = this.invocation('analysis', records.length);
    const documents = this.documents(inv);
    const handler = makeAnalysisHandler({
      states: new DynamoDbSignalStateStore(documents, STATE_TABLE, { sleep: () => this.scheduler.turn() }),
      history: new DynamoDbPriceHistory(documents, PRICE_TABLE),
      ledger: new DynamoDbAlertLedger(documents, ALERT_TABLE, () => new Date(this.clock.now())),
      notifier: {
        publish: (alert) =>
          this.port(inv, 'SNS Publish', () => {
            const entry = this.db.peek(ALERT_TABLE, { symbol: alert.symbol, alert_key: alertKey(alert) });
            this.published.push({ alert, markedBefore: entry?.status === 'PUBLISHED' });
          }),
      },
      deadLetters: this.deadLetterSink(inv),
      now: this.clock.now,
      observe: (outcome) => {
        if (!inv.crashed) this.outcomes.push(outcome);
      },
    });
    return this.outcomeOf(inv, () => handler({ Records: [...records] }));
  }
}
