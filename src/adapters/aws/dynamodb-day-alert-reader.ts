/**
 * Every alert of one day from the alert table, whatever its symbol: the report lists the alerts of
 * symbols whose day is not compacted yet too, so it cannot ask symbol by symbol. A Scan filtered on
 * the alert key's day prefix (`<timestamp>#<side>`) reads the whole table; the table holds alerts
 * only, a few per symbol and day (`stockpipe alerts` without --symbol reads it the same way).
 */
import { paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DayAlertReader } from '../../core/ports-report';
import type { ReportAlert } from '../../core/report';
import { StockpipeError } from '../../core/errors';
import { ATTR } from '../../shared/names';

export class AlertItemError extends StockpipeError {
  override readonly name = 'AlertItemError';
}

const sideOf = (item: Record<string, unknown>): ReportAlert['side'] => {
  const side = item.side;
  if (side === 'BUY' || side === 'SELL') return side;
  throw new AlertItemError(
    `alert item ${String(item[ATTR.symbol])} ${String(item[ATTR.alertKey])} side=${JSON.stringify(side)}: must be BUY or SELL; fix or delete the item`,
  );
};

export const byTimeThenSymbol = (a: ReportAlert, b: ReportAlert): number =>
  a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;

export class DynamoDbDayAlertReader implements DayAlertReader {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async alertsOfDay(date: string): Promise<ReportAlert[]> {
    const alerts: ReportAlert[] = [];
    const pages = paginateScan(
      { client: this.documents },
      {
        TableName: this.tableName,
        FilterExpression: 'begins_with(#key, :day)',
        ExpressionAttributeNames: { '#key': ATTR.alertKey },
        ExpressionAttributeValues: { ':day': date },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        alerts.push({
          symbol: String(item[ATTR.symbol]),
          side: sideOf(item),
          timestamp: String(item[ATTR.timestamp]),
          price: Number(item.price),
          sma5: Number(item.sma5),
          sma20: Number(item.sma20),
          status: String(item.status ?? 'UNKNOWN'),
        });
      }
    }
    return alerts.sort(byTimeThenSymbol);
  }
}
