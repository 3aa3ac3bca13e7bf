/**
 * The dashboard's data API as one interface, implemented over the local data dir (local-data.ts)
 * and over the deployed stack (aws-data.ts). The HTTP server (server.ts) maps each method to one
 * fixed JSON endpoint; nothing of a request reaches a query but a checked symbol and side.
 */
import type { MarkerAlert, MinuteCounts, SymbolSeries, SymbolSummary } from './series';

export interface DashboardAlert extends MarkerAlert {
  readonly status: string;
  readonly publishedAt: string | null;
}

export interface AlertQuery {
  readonly symbol?: string;
  readonly side?: 'BUY' | 'SELL';
}

export interface HealthRun {
  readonly workflow: string;
  readonly id: string;
  readonly status: string;
  readonly startedAt: string;
  readonly stoppedAt: string | null;
}

export interface DashboardHealth {
  readonly generatedAt: string;
  /** Oldest first; a null count is one this target cannot tell (see `notes`). */
  readonly perMinute: readonly MinuteCounts[];
  readonly dlq: readonly { readonly queue: string; readonly visible: number; readonly inFlight: number }[];
  readonly runs: readonly HealthRun[];
  /** The newest stored daily report's reconciliation, or null when there is no report. */
  readonly lastReport: {
    readonly date: string;
    readonly recomputed: number;
    readonly matched: number;
    readonly differences: number;
  } | null;
  /** What could not be read, or is not known on this target, in words. */
  readonly notes: readonly string[];
}

export interface DashboardInfo {
  readonly target: 'local' | 'aws';
  /** The data dir, or "stack Stockpipe in eu-west-1". */
  readonly where: string;
}

export interface DashboardData extends DashboardInfo {
  symbols(): Promise<SymbolSummary[]>;
  series(symbol: string): Promise<SymbolSeries>;
  /** Newest first. */
  alerts(query?: AlertQuery): Promise<DashboardAlert[]>;
  health(): Promise<DashboardHealth>;
  /** Changes whenever what the page shows may have changed: the live feed (server-sent events) polls it. */
  version(): Promise<string>;
  close(): Promise<void>;
}

/** The shape of a tick's symbol (src/core/tick.ts, without "=", which no stored tick has), for checking a query parameter. */
export const SYMBOL_PARAM = /^(?=.{1,15}$)\^?[A-Z0-9][A-Z0-9.-]*$/;
