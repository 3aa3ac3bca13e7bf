import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LastPriceReadError, type LastPriceReader } from '../../core/ports-quotes';
import { ATTR } from '../../shared/names';

/** Queries in flight at once: a load test's thousand synthetic symbols must not be a burst of a thousand. */
const DEFAULT_CONCURRENCY = 8;

/**
 * Each symbol's newest price from the price table: one Query per symbol on its partition, newest
 * timestamp first, one item, only the price. Eventually consistent: a container starts minutes
 * after the ticks it continues from were written, and a price a second old is as good a start.
 */
export class DynamoDbLastPriceReader implements LastPriceReader {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly concurrency: number = DEFAULT_CONCURRENCY,
  ) {}

  async lastPrices(symbols: readonly string[]): Promise<Map<string, number>> {
    const pending = [...new Set(symbols)];
    const found = new Map<string, number>();
    const worker = async (): Promise<void> => {
      for (let symbol = pending.shift(); symbol !== undefined; symbol = pending.shift()) {
        const price = await this.lastPrice(symbol);
        if (price !== undefined) found.set(symbol, price);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, pending.length) }, worker));
    // In the order asked, whatever order the queries completed in.
    return new Map(symbols.filter((s) => found.has(s)).map((s) => [s, found.get(s)!]));
  }

  private async lastPrice(symbol: string): Promise<number | undefined> {
    let items: Record<string, unknown>[] | undefined;
    try {
      const out = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#symbol = :symbol',
          ExpressionAttributeNames: { '#symbol': ATTR.symbol, '#price': ATTR.price },
          ExpressionAttributeValues: { ':symbol': symbol },
          ProjectionExpression: '#price',
          ScanIndexForward: false,
          Limit: 1,
        }),
      );
      items = out.Items;
    } catch (error) {
      throw new LastPriceReadError(
        symbol,
        this.tableName,
        `${(error as Error).message}; check the table and dynamodb:Query on it`,
        {
          cause: error,
        },
      );
    }
    const item = items?.[0];
    if (item === undefined) return undefined;
    const price = item[ATTR.price];
    if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0) {
      throw new LastPriceReadError(
        symbol,
        this.tableName,
        `the newest item's ${ATTR.price} is ${JSON.stringify(price)}, not a positive number`,
      );
    }
    return price;
  }
}
