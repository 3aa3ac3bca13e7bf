/** The day's alerts from the alert table (the same items `stockpipe alerts` lists). */
import { paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AlertReader } from '../../core/ports-report';
import type { ReportAlert } from '../../core/report';
import { ATTR } from '../../shared/names';

const sideOf = (side: unknown, item: Record<string, unknown>): ReportAlert['side'] => {
  if (side === 'BUY' || side === 'SELL') return side;
  throw new Error(
    `alert item ${String(item[ATTR.symbol])} ${String(item[ATTR.alertKey])} side=${JSON.stringify(side)}: must be BUY or SELL`,
  );
};

export class DynamoDbAlertReader implements AlertReader {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async alertsOn(date: string, symbols: readonly string[]): Promise<ReportAlert[]> {
    const alerts: ReportAlert[] = [];
    for (const symbol of symbols) {
      // alert_key is `<timestamp>#<side>`: the day is a key prefix, so one Query per symbol.
      const pages = paginateQuery(
        { client: this.documents },
        {
          TableName: this.tableName,
          KeyConditionExpression: '#symbol = :symbol AND begins_with(#key, :day)',
          ExpressionAttributeNames: { '#symbol': ATTR.symbol, '#key': ATTR.alertKey },
          ExpressionAttributeValues: { ':symbol': symbol, ':day': date },
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) {
          alerts.push({
            symbol: String(item.symbol),
            side: sideOf(item.side, item),
            timestamp: String(item.timestamp),
            price: Number(item.price),
            sma5: Number(item.sma5),
            sma20: Number(item.sma20),
            status: String(item.status ?? 'UNKNOWN'),
          });
        }
      }
    }
    return alerts.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.symbol < b.symbol ? -1 : 1));
  }
}
