import { BatchGetCommand, BatchWriteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EnrichedTick } from '../../core/enrich';
import type { StoredTick } from '../../core/first-wins';
import { priceKey as keyOf, PriceWriteError, type PriceStore } from '../../core/ports';
import { TICK_FIELDS, toPriceItem } from '../../core/price-item';
import type { Tick } from '../../core/tick';
import { chunk, retryPending, type BackoffOptions } from '../../shared/retry';

/**
 * Writes ticks in rounds: round k holds the k-th tick of every symbol, and a round starts when the one
 * before it has committed. So no request ever holds two ticks of one symbol, and a symbol's ticks
 * commit one after the other, in the order given (stream order). Why: DynamoDB Streams orders records
 * per item only and `BatchWriteItem` commits the items of one request in no set order, so two ticks of
 * one symbol in one request could be committed (and streamed) the wrong way round. With rounds, when a
 * tick is in the table, every earlier tick of its symbol is too; the analysis relies on that when it
 * reads the table back (analyse-batch.ts).
 *
 * A symbol whose tick stays unprocessed after the retries stops there: its later ticks are not
 * written, and PriceWriteError names them all, so the caller can report them for retry in order.
 */
export class DynamoDbPriceStore implements PriceStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ttlDays: number,
    private readonly now: () => number = Date.now,
    private readonly backoff: BackoffOptions = {},
  ) {}

  async storedTicks(keys: readonly Pick<Tick, 'symbol' | 'timestamp'>[]): Promise<ReadonlyMap<string, StoredTick>> {
    const unique = [...new Map(keys.map((k) => [keyOf(k), { symbol: k.symbol, timestamp: k.timestamp }])).values()];
    const found = new Map<string, StoredTick>();
    const names = ['symbol', 'timestamp', ...TICK_FIELDS];
    const projection = {
      ProjectionExpression: names.map((_, i) => `#f${i}`).join(', '),
      ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#f${i}`, n])),
    };
    await Promise.all(
      chunk(unique, 100).map(async (group) => {
        const left = await retryPending(
          group,
          async (pending) => {
            const out = await this.documents.send(
              new BatchGetCommand({
                RequestItems: { [this.tableName]: { Keys: [...pending], ConsistentRead: true, ...projection } },
              }),
            );
            for (const item of out.Responses?.[this.tableName] ?? []) found.set(keyOf(item as StoredTick), item as StoredTick);
            const unprocessed = new Set((out.UnprocessedKeys?.[this.tableName]?.Keys ?? []).map((k) => keyOf(k as StoredTick)));
            return pending.filter((k) => unprocessed.has(keyOf(k)));
          },
          this.backoff,
        );
        if (left.length > 0) {
          throw new Error(
            `could not read ${left.length} stored price item(s) of ${this.tableName} before writing: ` +
              'the keys stayed unprocessed after retries (is the table throttling?)',
          );
        }
      }),
    );
    return found;
  }

  async putTicks(ticks: readonly EnrichedTick[]): Promise<void> {
    // A batch that carries one key twice keeps the first: the rule of first-wins.ts.
    const firstOfKey = new Map<string, EnrichedTick>();
    for (const t of ticks) if (!firstOfKey.has(keyOf(t))) firstOfKey.set(keyOf(t), t);
    const unique = [...firstOfKey.values()];
    const bySymbol = new Map<string, EnrichedTick[]>();
    for (const t of unique) bySymbol.set(t.symbol, [...(bySymbol.get(t.symbol) ?? []), t]);
    const firstUnwritten = new Map<string, number>();

    for (let round = 0; ; round++) {
      const items = [...bySymbol]
        .filter(([symbol, queue]) => !firstUnwritten.has(symbol) && round < queue.length)
        .map(([, queue]) => queue[round]!);
      if (items.length === 0) break;
      const left = await Promise.all(chunk(items, 25).map((group) => this.write(group)));
      for (const t of left.flat()) firstUnwritten.set(t.symbol, round);
    }

    const unwritten = [...firstUnwritten].flatMap(([symbol, from]) => bySymbol.get(symbol)!.slice(from));
    if (unwritten.length > 0) throw new PriceWriteError(unwritten, firstUnwritten.size);
  }

  /** One request of at most 25 items, retried for its unprocessed items; returns those left over. */
  private async write(group: readonly EnrichedTick[]): Promise<readonly EnrichedTick[]> {
    const nowMs = this.now();
    if (group.length === 1) {
      // A round of one symbol (a burst of one symbol's ticks is all such rounds): a PutItem is the same
      // one write; asking for the old item costs nothing and spares the local stream a read before it.
      await this.documents.send(
        new PutCommand({ TableName: this.tableName, Item: toPriceItem(group[0]!, nowMs, this.ttlDays), ReturnValues: 'ALL_OLD' }),
      );
      return [];
    }
    return retryPending(
      group,
      async (pending) => {
        const out = await this.documents.send(
          new BatchWriteCommand({
            RequestItems: {
              [this.tableName]: pending.map((t) => ({ PutRequest: { Item: toPriceItem(t, nowMs, this.ttlDays) } })),
            },
          }),
        );
        const unprocessed = new Set(
          (out.UnprocessedItems?.[this.tableName] ?? []).map((r) => keyOf(r.PutRequest?.Item as EnrichedTick)),
        );
        return pending.filter((t) => unprocessed.has(keyOf(t)));
      },
      this.backoff,
    );
  }
}
