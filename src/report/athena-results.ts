/**
 * Athena's GetQueryResults shape (what the Step Functions integration hands over) to typed rows.
 * Every value arrives as a string; the column's type says what it is. The local runner produces the
 * same shape from DuckDB (src/local/workflow/athena-local.ts), so this code runs in both places.
 */
import { z } from 'zod';
import type { AthenaResultSet } from '../core/ports-report';
import type { AnomalyRow, CrossoverRow, SymbolDayRow } from '../core/report';
import type { ChartPoint } from './svg-chart';
import { StockpipeError } from '../core/errors';

export class ReportResultError extends StockpipeError {
  override readonly name = 'ReportResultError';
}

const NUMERIC = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint', 'real', 'float', 'double', 'decimal']);

/** Athena prints timestamps as `2024-01-02 14:30:00.000`; they are UTC in this lake. */
export const athenaTimestampToIso = (value: string): string => {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?/.exec(value);
  if (!m) throw new ReportResultError(`timestamp ${JSON.stringify(value)} is not in Athena's yyyy-MM-dd HH:mm:ss.SSS form`);
  const millis = ((m[3] ?? '.') + '000').slice(1, 4);
  return `${m[1]}T${m[2]}.${millis}Z`;
};

function convert(value: string | undefined, type: string, where: string): unknown {
  if (value === undefined) return null;
  const base = type.toLowerCase().replace(/\(.*$/, '');
  if (NUMERIC.has(base)) {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new ReportResultError(`${where}=${JSON.stringify(value)}: is not a finite ${base}`);
    return n;
  }
  if (base === 'timestamp') return athenaTimestampToIso(value);
  if (base === 'boolean') return value === 'true';
  return value;
}

/** The rows of a result set as objects keyed by column name, values typed by column type. */
export function resultSetRows(resultSet: AthenaResultSet, query: string): Record<string, unknown>[] {
  const columns = (resultSet.ResultSetMetadata?.ColumnInfo ?? []).map((c, i) => ({
    name: c.Name ?? `_col${i}`,
    type: c.Type ?? 'varchar',
  }));
  if (columns.length === 0) throw new ReportResultError(`query ${query} returned no column metadata`);
  const rows = resultSet.Rows ?? [];
  // The first row of a SELECT's first page repeats the column names.
  const header = rows[0]?.Data?.map((d) => d.VarCharValue);
  const start = header && columns.every((c, i) => header[i] === c.name) ? 1 : 0;
  return rows
    .slice(start)
    .map((row, index) =>
      Object.fromEntries(
        columns.map((c, i) => [
          c.name,
          convert(row.Data?.[i]?.VarCharValue, c.type, `query ${query} row ${index + 1} column ${c.name}`),
        ]),
      ),
    );
}

const num = z.number({ error: (i) => (i.input === null ? 'is null' : 'must be a number') });
const str = z.string({ error: (i) => (i.input === null ? 'is null' : 'must be a string') });

const SymbolDaySchema = z.object({
  symbol: str,
  ticks: num,
  open_price: num,
  close_price: num,
  high_price: num,
  low_price: num,
  previous_close: num,
  volume: num,
  first_tick: str,
  last_tick: str,
  largest_move_at: str,
  largest_move_price: num,
  largest_move_percent: num,
  anomalies: num,
});

const CrossoverSchema = z.object({
  symbol: str,
  side: z.enum(['BUY', 'SELL'], { error: (i) => (i.input === null ? 'is null' : 'must be BUY or SELL') }),
  timestamp: str,
  price: num,
  sma5: num,
  sma20: num,
});

const AnomalySchema = z.object({ symbol: str, timestamp: str, price: num, previous_close: num, change_percent: num });

function typed<T>(rows: Record<string, unknown>[], schema: z.ZodType<T>, query: string): T[] {
  return rows.map((row, index) => {
    const parsed = schema.safeParse(row);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.');
    throw new ReportResultError(
      `query ${query} row ${index + 1} column ${field}=${JSON.stringify(row[field]) ?? 'missing'}: ${issue.message}`,
    );
  });
}

export const symbolDayRows = (rs: AthenaResultSet): SymbolDayRow[] =>
  typed(resultSetRows(rs, 'symbols'), SymbolDaySchema, 'symbols');
export const anomalyRows = (rs: AthenaResultSet): AnomalyRow[] =>
  typed(resultSetRows(rs, 'anomalies'), AnomalySchema, 'anomalies');
export const crossoverRows = (rs: AthenaResultSet): CrossoverRow[] =>
  typed(resultSetRows(rs, 'signals'), CrossoverSchema, 'signals');

const nullableNum = z.number({ error: 'must be a number or null' }).nullable();
const ChartSchema = z.object({ symbol: str, timestamp: str, price: num, sma5: nullableNum, sma20: nullableNum });

/** The chart query's rows by symbol, in time order. */
export function chartRows(rs: AthenaResultSet): Map<string, ChartPoint[]> {
  const bySymbol = new Map<string, ChartPoint[]>();
  for (const { symbol, ...point } of typed(resultSetRows(rs, 'chart'), ChartSchema, 'chart')) {
    bySymbol.set(symbol, [...(bySymbol.get(symbol) ?? []), point]);
  }
  return bySymbol;
}
