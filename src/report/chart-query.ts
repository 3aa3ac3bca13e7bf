/**
 * The daily report's chart data in SQL: per symbol, the day's ticks with SMA-5 and SMA-20 over the
 * symbol's history up to each tick (so the day's first ticks average the ticks before the day, as the
 * streaming fold did), thinned to at most CHART_POINTS ticks of the day (every n-th, the last always
 * kept): the SMAs are computed on every tick before thinning. One text for Athena and DuckDB (the
 * constructs of signals-query.ts only: window functions with ROWS frames, CASE, MOD, CEIL, CAST).
 */
import { LONG_WINDOW, SHORT_WINDOW } from '../core/signals';
import { checkedDay } from './report-day';

/**
 * Ticks of the day per symbol the chart draws. The results travel in the workflow's state (256 KiB)
 * and one GetQueryResults page (1,000 rows): 48 points of 10 symbols fit both.
 */
export const CHART_POINTS = 48;

export const CHART_COLUMNS = ['symbol', 'timestamp', 'price', 'sma5', 'sma20'] as const;

const nextDay = (d: string): string => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * History from `table` before `day`, the day itself from `recentTable` (the raw table: complete while
 * the compacted one may lag a maintenance run behind), as the reconciliation reads them.
 */
export function chartSql(date: string, table: string, recentTable: string): string {
  const day = checkedDay(date);
  for (const t of [table, recentTable])
    if (!/^[a-z_][a-z0-9_]*$/.test(t)) throw new Error(`table name ${JSON.stringify(t)} is not a plain identifier`);
  const bySymbol = 'PARTITION BY symbol ORDER BY "timestamp"';
  const dayStart = `TIMESTAMP '${day} 00:00:00.000'`;
  const dayEnd = `TIMESTAMP '${nextDay(day)} 00:00:00.000'`;
  return `WITH lake AS (
  SELECT symbol, "timestamp", price FROM ${table} WHERE dt < '${day}'
  UNION ALL
  SELECT symbol, "timestamp", price FROM ${recentTable} WHERE dt = '${day}'
),
ticks AS (
  SELECT symbol, "timestamp", MIN(price) AS price
  FROM lake
  WHERE "timestamp" < ${dayEnd}
  GROUP BY symbol, "timestamp"
),
smas AS (
  SELECT symbol, "timestamp", price,
         ROW_NUMBER() OVER (${bySymbol}) AS n,
         AVG(price) OVER (${bySymbol} ROWS BETWEEN ${SHORT_WINDOW - 1} PRECEDING AND CURRENT ROW) AS sma5,
         AVG(price) OVER (${bySymbol} ROWS BETWEEN ${LONG_WINDOW - 1} PRECEDING AND CURRENT ROW) AS sma20
  FROM ticks
),
day_ticks AS (
  SELECT symbol, "timestamp", price, n, sma5, sma20,
         ROW_NUMBER() OVER (${bySymbol}) AS d,
         COUNT(*) OVER (PARTITION BY symbol) AS m
  FROM smas
  WHERE "timestamp" >= ${dayStart}
)
SELECT symbol, "timestamp", price,
       CASE WHEN n >= ${SHORT_WINDOW} THEN sma5 END AS sma5,
       CASE WHEN n >= ${LONG_WINDOW} THEN sma20 END AS sma20
FROM day_ticks
WHERE d = m OR MOD(d - 1, CAST(CEIL(m / ${CHART_POINTS}.0) AS BIGINT)) = 0
ORDER BY symbol, "timestamp"`;
}
