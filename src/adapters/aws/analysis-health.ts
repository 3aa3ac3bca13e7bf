/**
 * What `stockpipe status` says about the analysis, on both targets: ticks it could not fold in order
 * (late, duplicate: counted per symbol and day in the signal-state table) and alerts that were claimed
 * but never marked published (PENDING in the alert table). A PENDING alert whose claim ran out is
 * stale: no invocation is publishing it, so it is listed until a retry or a DLQ replay sends it.
 */
import { paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SkippedTicks } from '../../core/ports';
import type { Side } from '../../core/signals';
import { DEFAULT_CLAIM_LEASE_MS, type AlertItem } from './dynamodb-alert-ledger';

/** `stockpipe status`'s analysis part (its schema: AnalysisHealthSchema in src/ops/types.ts). */
export interface AnalysisHealth {
  readonly lateTicks: number;
  readonly duplicateTicks: number;
  readonly skippedBySymbol: { readonly symbol: string; readonly late: number; readonly duplicate: number }[];
  readonly pendingAlerts: number;
  readonly stalePendingAlerts: {
    readonly symbol: string;
    readonly side: Side;
    readonly timestamp: string;
    readonly claimedAt: string;
  }[];
}

export interface AnalysisTables {
  readonly signalState: string;
  readonly alerts: string;
}

export async function analysisHealth(
  documents: DynamoDBDocumentClient,
  tables: AnalysisTables,
  now: Date,
  staleAfterMs: number = DEFAULT_CLAIM_LEASE_MS,
): Promise<AnalysisHealth> {
  const bySymbol: { symbol: string; late: number; duplicate: number }[] = [];
  for await (const page of paginateScan(
    { client: documents },
    { TableName: tables.signalState, ProjectionExpression: 'symbol, skipped', ConsistentRead: true },
  )) {
    for (const item of page.Items ?? []) {
      const days = Object.values((item.skipped ?? {}) as Record<string, SkippedTicks>);
      const late = days.reduce((n, d) => n + d.late, 0);
      const duplicate = days.reduce((n, d) => n + d.duplicate, 0);
      if (late + duplicate > 0) bySymbol.push({ symbol: String(item.symbol), late, duplicate });
    }
  }
  bySymbol.sort((a, b) => (a.symbol < b.symbol ? -1 : 1));

  const pending: AlertItem[] = [];
  for await (const page of paginateScan(
    { client: documents },
    {
      TableName: tables.alerts,
      FilterExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pending': 'PENDING' },
      ConsistentRead: true,
    },
  )) {
    pending.push(...((page.Items ?? []) as AlertItem[]));
  }
  const stale = pending
    .filter((a) => now.getTime() - Date.parse(a.claimed_at) > staleAfterMs)
    .sort((a, b) => (a.claimed_at < b.claimed_at ? -1 : 1))
    .map((a) => ({ symbol: a.symbol, side: a.side, timestamp: a.timestamp, claimedAt: a.claimed_at }));

  return {
    lateTicks: bySymbol.reduce((n, s) => n + s.late, 0),
    duplicateTicks: bySymbol.reduce((n, s) => n + s.duplicate, 0),
    skippedBySymbol: bySymbol,
    pendingAlerts: pending.length,
    stalePendingAlerts: stale,
  };
}
