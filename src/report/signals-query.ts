/**
 * The SMA-5/SMA-20 crossovers recomputed in SQL from the lake, independently of the streaming fold
 * (`foldSignals` in core/signals.ts) and with its rules. One text runs on Athena (Trino) and, locally,
 * on DuckDB with the session settings of adapters/local/duckdb-athena.ts: only constructs both
 * document (window functions with ROWS frames, LAG, CASE, typed TIMESTAMP literals, double-quoted
 * identifiers); no QUALIFY, no IGNORE NULLS (its place differs between the two), no `::` casts.
 *
 * `stockpipe signals`, `stockpipe verify` and the daily report's reconciliation run it.
 */
import { LONG_WINDOW, SHORT_WINDOW, SIGNAL_TOLERANCE } from '../core/signals';
import { StockpipeError } from '../core/errors';
import { TickSchema } from '../core/tick';
import { RESOURCE } from '../shared/names';
import { checkedDay, InvalidReportDate } from './report-day';

export interface CrossoverQueryOptions {
  /** The table of ticks, a plain identifier. @default RESOURCE.rawTable (raw NDJSON: complete before compaction) */
  readonly table?: string;
  /** Only this symbol. @default every symbol */
  readonly symbol?: string;
  /** First UTC day (YYYY-MM-DD) whose crossovers are listed, inclusive. @default the first in the lake */
  readonly from?: string;
  /** Last UTC day (YYYY-MM-DD) whose crossovers are listed, inclusive. @default the last in the lake */
  readonly to?: string;
  /**
   * Days from `fromDay` on are read from this table instead (the raw table: complete, while the
   * compacted one may lag a maintenance run behind); earlier days from `table`.
   */
  readonly recent?: { readonly table: string; readonly fromDay: string };
}

/** The columns of a crossover row, in the order the query returns them. */
export const CROSSOVER_COLUMNS = ['symbol', 'side', 'timestamp', 'price', 'sma5', 'sma20'] as const;

/** Options the crossover query cannot be built from (bad day, symbol or table name). */
export class InvalidCrossoverQuery extends StockpipeError {
  override readonly name = 'InvalidCrossoverQuery';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, exitCode: 2 });
  }
}

const TABLE_NAME = /^[a-z_][a-z0-9_]*$/;

function day(option: 'from' | 'to' | 'fromDay', value: string): string {
  try {
    return checkedDay(value);
  } catch (error) {
    if (!(error instanceof InvalidReportDate)) throw error;
    throw new InvalidCrossoverQuery(`${option}=${JSON.stringify(value)} is not a day: use YYYY-MM-DD, e.g. 2024-01-02`, {
      cause: error,
    });
  }
}

function symbolLiteral(symbol: string): string {
  const parsed = TickSchema.shape.symbol.safeParse(symbol);
  if (!parsed.success) throw new InvalidCrossoverQuery(`symbol=${JSON.stringify(symbol)}: ${parsed.error.issues[0]!.message}`);
  // The shape admits no quote; doubling quotes keeps the literal safe should it ever widen.
  return `'${parsed.data.replace(/'/g, "''")}'`;
}

const nextDay = (d: string): string => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * The crossovers of the symbols (or of one), listed when they fall on a day in [from, to]. The windows
 * run over each symbol's whole history up to the end of `to` (the input is cut by `dt <= to` only), so
 * the first day of the range starts with its SMAs already warm, exactly as the streaming fold had them.
 *
 * Columns: symbol, side ('BUY' | 'SELL'), timestamp, price, sma5, sma20; ordered by symbol, timestamp.
 */
export function crossoverSql(opts: CrossoverQueryOptions = {}): string {
  const table = opts.table ?? RESOURCE.rawTable;
  if (!TABLE_NAME.test(table))
    throw new InvalidCrossoverQuery(`table=${JSON.stringify(table)} is not a plain lower-case identifier`);
  const from = opts.from === undefined ? undefined : day('from', opts.from);
  const to = opts.to === undefined ? undefined : day('to', opts.to);
  if (from !== undefined && to !== undefined && from > to)
    throw new InvalidCrossoverQuery(`from=${from} is after to=${to}: the range is empty; swap them`);

  const input = [
    ...(to !== undefined ? [`dt <= '${to}'`] : []),
    ...(opts.symbol !== undefined ? [`symbol = ${symbolLiteral(opts.symbol)}`] : []),
  ];
  const recent = opts.recent && { table: opts.recent.table, fromDay: day('fromDay', opts.recent.fromDay) };
  if (recent && !TABLE_NAME.test(recent.table))
    throw new InvalidCrossoverQuery(`recent.table=${JSON.stringify(recent.table)} is not a plain lower-case identifier`);
  const where = (extra: readonly string[]) => {
    const all = [...extra, ...input];
    return all.length > 0 ? `\n  WHERE ${all.join(' AND ')}` : '';
  };
  const source = recent
    ? `(
  SELECT symbol, "timestamp", price FROM ${table}${where([`dt < '${recent.fromDay}'`])}
  UNION ALL
  SELECT symbol, "timestamp", price FROM ${recent.table}${where([`dt >= '${recent.fromDay}'`])}
) AS lake`
    : table;
  const output = [
    `n > ${LONG_WINDOW}`,
    '(previous_relation IS NULL OR previous_relation <> relation)',
    ...(from !== undefined ? [`"timestamp" >= TIMESTAMP '${from} 00:00:00.000'`] : []),
    ...(to !== undefined ? [`"timestamp" < TIMESTAMP '${nextDay(to)} 00:00:00.000'`] : []),
  ];
  const bySymbol = 'PARTITION BY symbol ORDER BY "timestamp"';
  const tolerance = String(SIGNAL_TOLERANCE);

  // ticks: one row per symbol and timestamp. The fold keeps the first duplicate it saw in stream
  // order, which the lake does not record; the lowest price is a deterministic pick, and a retried
  // batch rewrites the very same tick, where every pick is the same.
  // relations: +1 / -1 / 0 exactly as relationOf in core/signals.ts (purely relative tolerance), from
  // row LONG_WINDOW on, where SMA-20 exists.
  // sides: the non-zero relations only, so LAG gives the last side SMA-5 was strictly on (what the
  // fold keeps in its state); no earlier side means it has touched since warm-up (state 0). Row
  // LONG_WINDOW itself only sets the state: the fold alerts from the next row on.
  return `WITH ticks AS (
  SELECT symbol, "timestamp", MIN(price) AS price
  FROM ${source}${recent ? '' : where([])}
  GROUP BY symbol, "timestamp"
),
smas AS (
  SELECT symbol, "timestamp", price,
         ROW_NUMBER() OVER (${bySymbol}) AS n,
         AVG(price) OVER (${bySymbol} ROWS BETWEEN ${SHORT_WINDOW - 1} PRECEDING AND CURRENT ROW) AS sma5,
         AVG(price) OVER (${bySymbol} ROWS BETWEEN ${LONG_WINDOW - 1} PRECEDING AND CURRENT ROW) AS sma20
  FROM ticks
),
relations AS (
  SELECT symbol, "timestamp", price, n, sma5, sma20,
         CASE
           WHEN sma5 - sma20 > ${tolerance} * ABS(sma20) THEN 1
           WHEN sma5 - sma20 < -${tolerance} * ABS(sma20) THEN -1
           ELSE 0
         END AS relation
  FROM smas
  WHERE n >= ${LONG_WINDOW}
),
sides AS (
  SELECT symbol, "timestamp", price, n, sma5, sma20, relation,
         LAG(relation) OVER (${bySymbol}) AS previous_relation
  FROM relations
  WHERE relation <> 0
)
SELECT symbol,
       CASE WHEN relation = 1 THEN 'BUY' ELSE 'SELL' END AS side,
       "timestamp", price, sma5, sma20
FROM sides
WHERE ${output.join('\n  AND ')}
ORDER BY symbol, "timestamp"`;
}
