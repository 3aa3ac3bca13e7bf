/**
 * The SQL of the project. The four seed queries run verbatim against `stock_data_table` on Athena and,
 * locally, on DuckDB (`stockpipe query`). The daily report's queries read the compacted table and only
 * the day's partitions (`dt = '<day>'`), so Athena scans one day of Parquet, not the lake. What each
 * figure is made of is written in docs/OPERATIONS.md (the daily report).
 */
import { ANOMALY_THRESHOLD_PERCENT } from '../core/enrich';
import { dayCumulativeSources } from '../core/volume';
import { checkedDay } from './report-day';
import { RESOURCE } from '../shared/names';
import { crossoverSql } from './signals-query';
import { chartSql } from './chart-query';

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

export type ReportQueryName = 'symbols' | 'anomalies' | 'signals' | 'chart';

export interface ReportQuery {
  readonly name: ReportQueryName;
  readonly sql: string;
}

/** Anomalies listed in a report; the per-symbol count covers them all. */
export const REPORT_ANOMALY_LIMIT = 100;

export { checkedDay, InvalidReportDate } from './report-day';

const CHANGE = '((price - previous_close) / previous_close) * 100';

/**
 * The anomaly rule of core/enrich.ts (`isAnomaly`) in SQL: the move in hundredths of a percent,
 * rounded half away from zero, above the threshold. The same double operations in the same order as
 * `changeHundredths`, so the report flags exactly the ticks the processing flagged and a move shown
 * as 5.00% is not an anomaly at any price level.
 */
export const anomalySql = (changePercent: string): string =>
  `ROUND(ABS(${changePercent}) * 100) > ${ANOMALY_THRESHOLD_PERCENT * 100}`;

const sqlList = (values: readonly string[]): string => values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');

/**
 * The day's ticks with their change against the previous close, and `new_move`: false for a tick
 * that repeats the quote before it (same price, same previous close), as consecutive polls of an
 * unchanged quote do, so that a move is counted once however often it was polled.
 */
const dayTicks = (table: string, day: string): string => `WITH day_ticks AS (
  SELECT symbol, timestamp, price, open, high, low, previous_close, volume, source,
         ${CHANGE} AS change_percent
  FROM ${table}
  WHERE dt = '${day}'
),
moves AS (
  SELECT day_ticks.*,
         CASE WHEN price = LAG(price) OVER (PARTITION BY symbol ORDER BY timestamp)
               AND previous_close = LAG(previous_close) OVER (PARTITION BY symbol ORDER BY timestamp)
              THEN false ELSE true END AS new_move
  FROM day_ticks
)`;

/**
 * The day's volume per symbol: per source, the last tick's volume where the source's volume is
 * cumulative for the day (core/volume.ts), else the sum of the bars; then added over the sources.
 */
const dayVolumes = (): string => {
  const cumulative = dayCumulativeSources();
  const perSource = cumulative.length
    ? `CASE WHEN source IN (${sqlList(cumulative)}) THEN max_by(volume, timestamp) ELSE SUM(volume) END`
    : 'SUM(volume)';
  return `volumes AS (
  SELECT symbol, SUM(source_volume) AS volume
  FROM (SELECT symbol, source, ${perSource} AS source_volume FROM day_ticks GROUP BY symbol, source) per_source
  GROUP BY symbol
)`;
};

/**
 * The daily report's queries over one day of the compacted table, and the day's SMA crossovers
 * recomputed from it (src/report/signals-query.ts) for the reconciliation with the alerts: that one
 * reads each symbol's history up to the day (`dt <= day`), so the day's first ticks have warm windows.
 */
export function dailyReportQueries(
  date: string,
  table: string = RESOURCE.curatedTable,
  rawTable: string = RESOURCE.rawTable,
): ReportQuery[] {
  const day = checkedDay(date);
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`table name ${JSON.stringify(table)} is not a plain identifier`);
  return [
    {
      name: 'symbols',
      sql: `${dayTicks(table, day)},
${dayVolumes()}
SELECT m.symbol,
       COUNT(*) AS ticks,
       min_by(m.open, m.timestamp) AS open_price,
       max_by(m.price, m.timestamp) AS close_price,
       GREATEST(MAX(m.high), MAX(m.price)) AS high_price,
       LEAST(MIN(m.low), MIN(m.price)) AS low_price,
       min_by(m.previous_close, m.timestamp) AS previous_close,
       MAX(v.volume) AS volume,
       MIN(m.timestamp) AS first_tick,
       MAX(m.timestamp) AS last_tick,
       max_by(m.timestamp, ABS(m.change_percent)) AS largest_move_at,
       max_by(m.price, ABS(m.change_percent)) AS largest_move_price,
       max_by(ROUND(m.change_percent, 2), ABS(m.change_percent)) AS largest_move_percent,
       COUNT_IF(m.new_move AND ${anomalySql('m.change_percent')}) AS anomalies
FROM moves m
JOIN volumes v ON v.symbol = m.symbol
GROUP BY m.symbol
ORDER BY m.symbol`,
    },
    {
      name: 'anomalies',
      sql: `${dayTicks(table, day)}
SELECT symbol, timestamp, price, previous_close,
       ROUND(change_percent, 2) AS change_percent
FROM moves
WHERE new_move AND ${anomalySql('change_percent')}
ORDER BY ABS(change_percent) DESC, symbol, timestamp
LIMIT ${REPORT_ANOMALY_LIMIT}`,
    },
    // The history from the compacted table; the day itself from the raw one, which holds every tick
    // processed even when the last maintenance run has not compacted the day's latest yet.
    { name: 'signals', sql: crossoverSql({ table, recent: { table: rawTable, fromDay: day }, from: day, to: day }) },
    // The charts of the HTML page: the day's prices with SMAs warmed up on the ticks before it.
    { name: 'chart', sql: chartSql(day, table, rawTable) },
  ];
}
