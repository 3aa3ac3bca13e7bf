/** What the daily report reads besides the lake. */
import type { ReportAlert } from './report';

export interface AlertReader {
  /** Alerts of the symbols whose time falls on the UTC day `date`, oldest first. */
  alertsOn(date: string, symbols: readonly string[]): Promise<ReportAlert[]>;
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
