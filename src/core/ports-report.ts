/** What the daily report reads besides the lake. */
import type { SkippedTicks } from './ports';
import type { ReportAlert } from './report';

/**
 * Every alert of a day, whatever its symbol and status (PENDING ones too): what the report lists, so
 * that a symbol whose day is not compacted yet keeps its alerts.
 */
export interface DayAlertReader {
  /** Alerts whose time falls on the UTC day `date`, oldest first (then by symbol). */
  alertsOfDay(date: string): Promise<ReportAlert[]>;
}

/**
 * Athena's GetQueryResults shape: what the Step Functions integration hands the report function in AWS
 * and what the local workflow runner produces from DuckDB.
 */
export interface AthenaDatum {
  readonly VarCharValue?: string;
}

export interface AthenaResultSet {
  readonly Rows?: readonly { readonly Data?: readonly AthenaDatum[] }[];
  readonly ResultSetMetadata?: { readonly ColumnInfo?: readonly { readonly Name?: string; readonly Type?: string }[] };
}

/** Ticks the analysis did not fold in order, per symbol, for one day (the signal-state table keeps them). */
export interface SkippedTickReader {
  /** Per symbol with any, the day's late and duplicate ticks (by the tick's UTC day). */
  skippedOn(date: string): Promise<ReadonlyMap<string, SkippedTicks>>;
}
