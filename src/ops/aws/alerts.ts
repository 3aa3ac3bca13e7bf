/** `stockpipe alerts` on AWS: the alert table (what the analysis function claimed and published). */
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { AlertItem } from '../../adapters/aws/dynamodb-alert-ledger';
import { ATTR } from '../../shared/names';
import type { AlertFilter } from '../operations';
import type { AlertRow } from '../types';
import { call, type AwsContext } from './context';
import { stackOutput } from './stack';

export const alertRowOf = (item: AlertItem): AlertRow => ({
  symbol: item.symbol,
  side: item.side,
  timestamp: item.timestamp,
  price: item.price,
  sma5: item.sma5,
  sma20: item.sma20,
  status: item.status,
  publishedAt: item.published_at ?? null,
});

/**
 * With a symbol: a Query on its partition, from `since` on (the sort key starts with the alert's
 * timestamp). Without: a Scan filtered on the timestamp, which reads the whole table; the table
 * holds alerts only, a few per symbol and day.
 */
export async function listAlerts(ctx: AwsContext, filter: AlertFilter = {}): Promise<AlertRow[]> {
  const table = stackOutput(ctx.stack, 'alertTable', 'read alerts');
  const limit = filter.limit ?? 1000;
  const since = filter.since?.toISOString();
  const items: AlertItem[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const command = filter.symbol
      ? new QueryCommand({
          TableName: table,
          KeyConditionExpression: since ? '#symbol = :symbol AND #key >= :since' : '#symbol = :symbol',
          ExpressionAttributeNames: { '#symbol': ATTR.symbol, ...(since ? { '#key': ATTR.alertKey } : {}) },
          ExpressionAttributeValues: { ':symbol': filter.symbol.toUpperCase(), ...(since ? { ':since': since } : {}) },
          ExclusiveStartKey: start,
        })
      : new ScanCommand({
          TableName: table,
          ...(since
            ? {
                FilterExpression: '#ts >= :since',
                ExpressionAttributeNames: { '#ts': ATTR.timestamp },
                ExpressionAttributeValues: { ':since': since },
              }
            : {}),
          ExclusiveStartKey: start,
        });
    const out = await call(ctx, `read alerts from table ${table}`, () => ctx.clients.documents.send(command as QueryCommand));
    items.push(...((out.Items ?? []) as AlertItem[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items
    .map(alertRowOf)
    .sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.symbol.localeCompare(b.symbol))
    .slice(-limit);
}
