/**
 * `stockpipe signals` and `stockpipe verify` on both targets: the typing of the recomputed crossovers
 * (DuckDB rows locally, Athena's result set on AWS) and the comparison with the published alerts.
 * Each target runs `crossoverSql` (src/report/signals-query.ts) its own way; the rest is here, once.
 */
import { reconcileAlerts, type SignalEntry } from '../core/reconcile';
import { OpsError } from './errors';
import type { Operations, SignalFilter } from './operations';
import { SignalRowSchema, type AlertRow, type SignalRow, type VerifyResult } from './types';

/** The query's rows as SignalRows; a row of another shape is a failure naming the row, the column and the value. */
export function signalRowsOf(rows: readonly Record<string, unknown>[], where: string): SignalRow[] {
  return rows.map((row, index) => {
    const parsed = SignalRowSchema.safeParse(row);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    const column = issue.path.map(String).join('.');
    throw new OpsError(
      'failed',
      `the crossover query on ${where} returned row ${index + 1} with ${column}=${JSON.stringify(row[column]) ?? 'missing'}: ${issue.message}`,
    );
  });
}

/** The half-open instant range [from 00:00, the day after to 00:00) of the filter's UTC days. */
function inRange(filter: SignalFilter): (timestamp: string) => boolean {
  const start = filter.from ? Date.parse(`${filter.from}T00:00:00Z`) : -Infinity;
  const end = filter.to ? Date.parse(`${filter.to}T00:00:00Z`) + 86_400_000 : Infinity;
  return (timestamp) => {
    const at = Date.parse(timestamp);
    return at >= start && at < end;
  };
}

const entryOf = (a: { symbol: string; side: 'BUY' | 'SELL'; timestamp: string }): SignalEntry => ({
  symbol: a.symbol,
  side: a.side,
  timestamp: a.timestamp,
});

/** Every alert of the ledger in the filter's symbol and days (market time). */
async function ledgerAlerts(operations: Operations, filter: SignalFilter): Promise<AlertRow[]> {
  const alerts = await operations.listAlerts({
    ...(filter.symbol ? { symbol: filter.symbol } : {}),
    // Locally `since` is the publish time, on AWS the market time; an alert is published at or after
    // its market time, so both give every alert of the range (and maybe more, cut below).
    ...(filter.from ? { since: new Date(`${filter.from}T00:00:00Z`) } : {}),
    limit: Number.MAX_SAFE_INTEGER,
  });
  const within = inRange(filter);
  return alerts.filter((a) => (!filter.symbol || a.symbol === filter.symbol) && within(a.timestamp));
}

/**
 * Published alerts (status PUBLISHED) against the recomputation over the same symbol and days.
 * PENDING alerts are listed apart and not counted as sent.
 */
export async function verifySignals(operations: Operations, filter: SignalFilter = {}): Promise<VerifyResult> {
  const recomputed = await operations.recomputeSignals(filter);
  const alerts = await ledgerAlerts(operations, filter);
  const published = alerts.filter((a) => a.status === 'PUBLISHED').map(entryOf);
  const pending = alerts.filter((a) => a.status === 'PENDING').map(entryOf);
  const result = reconcileAlerts(published, recomputed.map(entryOf));
  return {
    ...result,
    // Same normalised, sorted form as the differences.
    pending: reconcileAlerts(pending, []).extra,
  };
}

/** Both sides agree: every crossover sent one alert and no alert is without a crossover. */
export const agrees = (result: VerifyResult): boolean => result.missing.length === 0 && result.extra.length === 0;
