import { paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SkippedTicks } from '../../core/ports';
import type { SkippedTickReader } from '../../core/ports-report';
import { ATTR } from '../../shared/names';

/** Per symbol, per UTC day: what the signal-state items hold under `skipped`. */
export type SkippedTicksBySymbol = Record<string, Record<string, SkippedTicks>>;

/**
 * The late and duplicate ticks the analysis counted in the signal-state table: one item per symbol,
 * so a Scan of the day's counts reads as many items as there are symbols.
 */
export class DynamoDbSkippedTickReader implements SkippedTickReader {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async skippedOn(date: string): Promise<ReadonlyMap<string, SkippedTicks>> {
    const out = new Map<string, SkippedTicks>();
    for await (const page of paginateScan(
      { client: this.documents },
      {
        TableName: this.tableName,
        ProjectionExpression: '#symbol, skipped.#day',
        ExpressionAttributeNames: { '#symbol': ATTR.symbol, '#day': date },
        ConsistentRead: true,
      },
    )) {
      for (const item of page.Items ?? []) {
        const day = (item.skipped as Record<string, SkippedTicks> | undefined)?.[date];
        if (day && day.late + day.duplicate > 0) out.set(String(item.symbol), { late: day.late, duplicate: day.duplicate });
      }
    }
    return out;
  }

  /** Every symbol's counts of every day kept: what the local runtime leaves in its data dir at stop. */
  async all(): Promise<SkippedTicksBySymbol> {
    const out: SkippedTicksBySymbol = {};
    for await (const page of paginateScan(
      { client: this.documents },
      {
        TableName: this.tableName,
        ProjectionExpression: '#symbol, skipped',
        ExpressionAttributeNames: { '#symbol': ATTR.symbol },
      },
    )) {
      for (const item of page.Items ?? []) {
        const skipped = item.skipped as Record<string, SkippedTicks> | undefined;
        if (skipped && Object.keys(skipped).length > 0) out[String(item.symbol)] = skipped;
      }
    }
    return out;
  }
}
