import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { PriceHistory } from '../../core/ports';
import type { PricePoint } from '../../core/signals';
import { ATTR } from '../../shared/names';

/**
 * The price table read back with a strongly consistent Query on the symbol, in timestamp order, so
 * every tick committed before the call is in the answer. Only the three attributes the fold needs.
 */
export class DynamoDbPriceHistory implements PriceHistory {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async ticksAfter(symbol: string, after: string | null): Promise<PricePoint[]> {
    const points: PricePoint[] = [];
    let startKey: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const out = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: after === null ? '#symbol = :symbol' : '#symbol = :symbol AND #timestamp > :after',
          ExpressionAttributeNames: { '#symbol': ATTR.symbol, '#timestamp': ATTR.timestamp, '#price': ATTR.price },
          ExpressionAttributeValues: { ':symbol': symbol, ...(after === null ? {} : { ':after': after }) },
          ProjectionExpression: '#symbol, #timestamp, #price',
          ConsistentRead: true,
          ScanIndexForward: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of out.Items ?? []) {
        points.push({ symbol: String(item.symbol), timestamp: String(item.timestamp), price: Number(item.price) });
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return points;
  }
}
