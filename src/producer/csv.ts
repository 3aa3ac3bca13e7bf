/**
 * Reads historical prices from CSV into ticks. Two layouts:
 * - Yahoo Finance's historical download, `Date,Open,High,Low,Close,Adj Close,Volume`: one symbol
 *   per file, so the caller names it;
 * - a long layout with a `symbol` column: `symbol,timestamp|date,price|close[,open,high,low,volume,previous_close]`.
 * Header names are case-insensitive. A bad row does not stop the file: it becomes a rejection with
 * its line number and raw text, for the caller to send to the dead-letter queue.
 */
import { err, ok, type Result } from '../core/result';
import { TickSchema, validateTick, type Rejection, type Tick } from '../core/tick';
import { splitCsvRecords } from './csv-records';
import { parseMarketTime } from './market-time';
import { StockpipeError } from '../core/errors';

export type CsvLayout = 'yahoo-historical' | 'long';

export interface CsvRow {
  readonly line: number;
  readonly tick: Tick;
}

export interface CsvRejection {
  readonly line: number;
  readonly raw: string;
  readonly rejection: Rejection;
}

export interface ParsedQuoteCsv {
  readonly layout: CsvLayout;
  /** Accepted rows in time order (rows at the same time in file order). */
  readonly rows: readonly CsvRow[];
  /** Refused rows in file order. */
  readonly rejections: readonly CsvRejection[];
}

export interface ParseQuoteCsvOptions {
  /** The symbol of a Yahoo historical file, which has no symbol column. */
  readonly symbol?: string;
  /** `source` of the ticks. @default 'replay' */
  readonly source?: string;
  /** Names the file in error messages. @default 'the CSV' */
  readonly name?: string;
}

/** The file as a whole cannot be read (no header, unknown or missing columns): no row is usable. */
/** The file is not usable input: a mistake of whoever passed it, so the CLI exits 2. */
export class CsvFormatError extends StockpipeError {
  override readonly name = 'CsvFormatError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, exitCode: 2 });
  }
}

type Role = 'symbol' | 'time' | 'price' | 'open' | 'high' | 'low' | 'volume' | 'previous_close';

const COLUMN_ROLES: Readonly<Record<string, Role | 'ignored'>> = {
  symbol: 'symbol',
  timestamp: 'time',
  date: 'time',
  price: 'price',
  close: 'price',
  open: 'open',
  high: 'high',
  low: 'low',
  volume: 'volume',
  previous_close: 'previous_close',
  // Adjusted close rewrites history on every split and dividend; the tick carries the traded close.
  adj_close: 'ignored',
  adjclose: 'ignored',
};

const normaliseHeader = (name: string): string =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

const printable = (cell: string): string => {
  const text = JSON.stringify(cell);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** undefined for an empty cell; a rejection reason for anything that is not a plain decimal number. */
const parseNumber = (cell: string | undefined): Result<number | undefined, string> => {
  if (cell === undefined || cell === '') return ok(undefined);
  if (!DECIMAL.test(cell)) return err('must be a number');
  return ok(Number(cell));
};

interface Columns {
  readonly layout: CsvLayout;
  readonly index: Partial<Record<Role, number>>;
  /** The header's own spelling of each role, for rejections. */
  readonly label: Partial<Record<Role, string>>;
  readonly width: number;
}

function readHeader(fields: readonly string[], options: ParseQuoteCsvOptions, file: string): Columns {
  const index: Partial<Record<Role, number>> = {};
  const label: Partial<Record<Role, string>> = {};
  fields.forEach((name, k) => {
    const role = COLUMN_ROLES[normaliseHeader(name)];
    if (role === undefined) {
      throw new CsvFormatError(
        `${file} has an unknown column "${name}"; known columns: symbol, timestamp or date, price or close, open, high, low, volume, previous_close, adj close (ignored)`,
      );
    }
    if (role === 'ignored') return;
    if (index[role] !== undefined) {
      throw new CsvFormatError(`${file} has both "${label[role]}" and "${name}" columns, which mean the same; keep one`);
    }
    index[role] = k;
    label[role] = name;
  });
  if (index.time === undefined) throw new CsvFormatError(`${file} has no timestamp or date column`);
  if (index.price === undefined) throw new CsvFormatError(`${file} has no price or close column`);

  const layout: CsvLayout = index.symbol === undefined ? 'yahoo-historical' : 'long';
  if (layout === 'long' && options.symbol !== undefined) {
    throw new CsvFormatError(`${file} has a symbol column, so no symbol may be given for it (got ${options.symbol})`);
  }
  if (layout === 'yahoo-historical' && options.symbol === undefined) {
    throw new CsvFormatError(
      `${file} has no symbol column (a Yahoo Finance historical download?); give the symbol its prices belong to`,
    );
  }
  return { layout, index, label, width: fields.length };
}

interface Candidate {
  readonly line: number;
  readonly raw: string;
  readonly tick: Tick;
  /** previous_close was not in the file and is still to be derived. */
  readonly derivePreviousClose: boolean;
  readonly open: number | undefined;
}

type RowOutcome = { ok: true; candidate: Candidate } | { ok: false; rejection: Rejection };

function readRow(
  record: { line: number; raw: string; fields: readonly string[] },
  columns: Columns,
  symbol: string | undefined,
  source: string,
): RowOutcome {
  const { index, label } = columns;
  const reject = (field: string, value: string, reason: string): RowOutcome => ({
    ok: false,
    rejection: { field, value, reason },
  });
  if (record.fields.length !== columns.width) {
    return reject('(row)', `${record.fields.length} fields`, `expected ${columns.width} fields, as in the header`);
  }
  const cell = (role: Role): string | undefined => (index[role] === undefined ? undefined : record.fields[index[role]]);

  const rowSymbol = symbol ?? (cell('symbol') ?? '').toUpperCase();
  const timeCell = cell('time') ?? '';
  const time = parseMarketTime(timeCell);
  if (!time.ok) return reject(label.time!, printable(timeCell), time.error);

  const numbers: Partial<Record<Role, number>> = {};
  for (const role of ['price', 'open', 'high', 'low', 'volume', 'previous_close'] as const) {
    const raw = cell(role);
    const parsed = parseNumber(raw);
    if (!parsed.ok) return reject(label[role]!, printable(raw ?? ''), parsed.error);
    if (parsed.value !== undefined) numbers[role] = parsed.value;
  }
  if (numbers.price === undefined) return reject(label.price!, printable(cell('price') ?? ''), 'is required');

  const price = numbers.price;
  const open = numbers.open;
  // Without a high or low, the bar spans what is known of it: the open and the price.
  const candidate = {
    symbol: rowSymbol,
    timestamp: time.value,
    price,
    open: open ?? price,
    high: numbers.high ?? Math.max(price, open ?? price),
    low: numbers.low ?? Math.min(price, open ?? price),
    // A placeholder until the previous row of the symbol is known; positive, so it validates.
    previous_close: numbers.previous_close ?? (price > 0 ? price : 1),
    volume: numbers.volume ?? 0,
    source,
  };
  const checked = validateTick(candidate);
  if (!checked.ok) {
    const first = checked.error[0]!;
    const role = first.field === 'timestamp' ? 'time' : first.field;
    const column = symbol !== undefined && role === 'symbol' ? '(symbol)' : (label[role as Role] ?? first.field);
    return { ok: false, rejection: { ...first, field: column } };
  }
  return {
    ok: true,
    candidate: {
      line: record.line,
      raw: record.raw,
      tick: checked.value,
      derivePreviousClose: numbers.previous_close === undefined,
      open,
    },
  };
}

const byTime = (a: Candidate, b: Candidate): number =>
  a.tick.timestamp < b.tick.timestamp ? -1 : a.tick.timestamp > b.tick.timestamp ? 1 : a.line - b.line;

/**
 * Parses CSV text. Throws CsvFormatError only when the file as a whole is unusable; every row-level
 * problem is a rejection. A missing open, high or low defaults to the price (high and low widen to
 * an open that is given), a missing volume to 0, a missing previous_close to the previous row's price
 * for the symbol in time order (first row: its open if given, else its price).
 */
export function parseQuoteCsv(text: string, options: ParseQuoteCsvOptions = {}): ParsedQuoteCsv {
  const file = options.name ?? 'the CSV';
  const source = options.source ?? 'replay';
  const records = splitCsvRecords(text);
  const header = records[0];
  if (header === undefined) throw new CsvFormatError(`${file} is empty; expected a header line like symbol,date,price`);
  if (header.problem) throw new CsvFormatError(`${file} line ${header.line}: the header ${header.problem}`);

  let symbol: string | undefined;
  if (options.symbol !== undefined) {
    symbol = options.symbol.trim().toUpperCase();
    const shape = TickSchema.shape.symbol.safeParse(symbol);
    if (!shape.success)
      throw new CsvFormatError(`symbol ${JSON.stringify(options.symbol)} for ${file} ${shape.error.issues[0]?.message}`);
  }
  const columns = readHeader(header.fields, options, file);

  const rejections: CsvRejection[] = [];
  const accepted: Candidate[] = [];
  const seen = new Map<string, number>();
  for (const record of records.slice(1)) {
    if (record.problem) {
      rejections.push({
        line: record.line,
        raw: record.raw,
        rejection: { field: '(row)', value: printable(record.raw), reason: record.problem },
      });
      continue;
    }
    const outcome = readRow(record, columns, symbol, source);
    if (!outcome.ok) {
      rejections.push({ line: record.line, raw: record.raw, rejection: outcome.rejection });
      continue;
    }
    const { tick } = outcome.candidate;
    const key = `${tick.symbol}\u0000${tick.timestamp}`;
    const firstLine = seen.get(key);
    if (firstLine !== undefined) {
      rejections.push({
        line: record.line,
        raw: record.raw,
        rejection: {
          field: columns.label.time!,
          value: JSON.stringify(tick.timestamp),
          reason: `repeats line ${firstLine} for ${tick.symbol}`,
        },
      });
      continue;
    }
    seen.set(key, record.line);
    accepted.push(outcome.candidate);
  }

  accepted.sort(byTime);
  const lastPrice = new Map<string, number>();
  const rows = accepted.map(({ line, tick, derivePreviousClose, open }): CsvRow => {
    const previous = lastPrice.get(tick.symbol);
    lastPrice.set(tick.symbol, tick.price);
    if (!derivePreviousClose) return { line, tick };
    return { line, tick: { ...tick, previous_close: previous ?? open ?? tick.price } };
  });
  return { layout: columns.layout, rows, rejections };
}
