import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EnrichedTick } from '../../core/enrich';
import { priceKey as keyOf, PriceWriteError, type PriceStore } from '../../core/ports';
import { toPriceItem } from '../../core/price-item';
import { chunk, retryPending, type BackoffOptions } from '../../shared/retry';

export class DynamoDbPriceStore implements PriceStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ttlDays: number,
    private readonly now: () => number = Date.now,
    private readonly backoff: BackoffOptions = {},
  ) {}

  async putTicks(ticks: readonly EnrichedTick[]): Promise<void> {
    // BatchWriteItem rejects a whole request whose keys repeat; the last tick of a key wins, as a Put would.
    const unique = [...new Map(ticks.map((t) => [keyOf(t), t])).values()];
    const nowMs = this.now();
    const unwritten: EnrichedTick[] = [];
    for (const group of chunk(unique, 25)) {
      const left = await retryPending(
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
      unwritten.push(...left);
    }
    if (unwritten.length > 0) throw new PriceWriteError(unwritten);
  }
}
