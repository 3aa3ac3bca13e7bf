/**
 * The SQL of the project. The four seed queries run verbatim against `stock_data_table` on Athena and,
 * locally, on DuckDB (`stockpipe query`). The daily report's queries read the compacted table and only
 * the day's partitions (`dt = '<day>'`), so Athena scans one day of Parquet, not the lake.
 */
import { ANOMALY_THRESHOLD_PERCENT } from '../core/enrich';
import { DaySchema } from '../compaction/layout';
import { RESOURCE } from '../shared/names';
import { StockpipeError } from '../core/errors';

export const SEED_QUERIES = {
  topPriceChanges: `SELECT symbol, price, previous_close,
       (price - previous_close) AS price_change
FROM stock_data_table
ORDER BY price_change DESC
LIMIT 5;`,
  averageVolume: `SELECT symbol, AVG(volume) AS avg_volume
FROM stock_data_table
GROUP BY symbol;`,
  anomalies: `SELECT symbol, price, previous_close,
       ROUND(((price - previous_close) / previous_close) * 100, 2) AS change_percent
FROM stock_data_table
WHERE ABS(((price - previous_close) / previous_close) * 100) > 5;`,
  hourlyVolume: `SELECT symbol, DATE_TRUNC('hour', timestamp) AS hour, SUM(volume) AS total_volume
FROM stock_data_table
GROUP BY symbol, DATE_TRUNC('hour', timestamp)
ORDER BY symbol, hour;`,
} as const;

export type SeedQueryName = keyof typeof SEED_QUERIES;

export type ReportQueryName = 'symbols' | 'anomalies';

export interface ReportQuery {
  readonly name: ReportQueryName;
  readonly sql: string;
}

/** Anomalies listed in a report; the per-symbol count covers them all. */
export const REPORT_ANOMALY_LIMIT = 100;

export class InvalidReportDate extends StockpipeError {
  override readonly name = 'InvalidReportDate';
}

/** The day as a SQL literal, only once it is a real calendar day (it is spliced into the SQL). */
export function checkedDay(date: unknown): string {
  const parsed = DaySchema.safeParse(date);
  if (!parsed.success)
    throw new InvalidReportDate(`report date=${JSON.stringify(date) ?? 'undefined'}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

const CHANGE = '((price - previous_close) / previous_close) * 100';

/** The daily report's queries over one day of the compacted table. */
export function dailyReportQueries(date: string, table: string = RESOURCE.curatedTable): ReportQuery[] {
  const day = checkedDay(date);
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`table name ${JSON.stringify(table)} is not a plain identifier`);
  return [
    {
      name: 'symbols',
      sql: `SELECT symbol,
       COUNT(*) AS ticks,
       min_by(price, timestamp) AS open_price,
       max_by(price, timestamp) AS close_price,
       MAX(price) AS high_price,
       MIN(price) AS low_price,
       SUM(volume) AS total_volume,
       max_by(volume, timestamp) AS last_volume,
       MIN(timestamp) AS first_tick,
       MAX(timestamp) AS last_tick,
       max_by(timestamp, ABS(${CHANGE})) AS largest_move_at,
       max_by(price, ABS(${CHANGE})) AS largest_move_price,
       max_by(ROUND(${CHANGE}, 2), ABS(${CHANGE})) AS largest_move_percent,
       COUNT_IF(ABS(${CHANGE}) > ${ANOMALY_THRESHOLD_PERCENT}) AS anomalies
FROM ${table}
WHERE dt = '${day}'
GROUP BY symbol
ORDER BY symbol`,
    },
    {
      name: 'anomalies',
      sql: `SELECT symbol, timestamp, price, previous_close,
       ROUND(${CHANGE}, 2) AS change_percent
FROM ${table}
WHERE dt = '${day}' AND ABS(${CHANGE}) > ${ANOMALY_THRESHOLD_PERCENT}
ORDER BY ABS(${CHANGE}) DESC, symbol, timestamp
LIMIT ${REPORT_ANOMALY_LIMIT}`,
    },
  ];
}
