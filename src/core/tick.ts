import { z } from 'zod';
import { err, ok, type Result } from './result';

/** A quote larger than this is not a tick: Kinesis accepts 1 MiB, we accept what a quote can be. */
export const MAX_TICK_BYTES = 2048;

/** Why a record is not a tick: which field, which value, why. Data, not a log line. */
export interface Rejection {
  readonly field: string;
  readonly value: string;
  readonly reason: string;
}

export const describeRejection = (r: Rejection): string => `${r.field}=${r.value}: ${r.reason}`;

// Control characters, zero-width and bidi marks, BOM: invisible in a terminal, poison in a key.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/u;
/**
 * A symbol as Yahoo writes it: AAPL, BRK-B, BRK.B, 0700.HK, EURUSD=X, GC=F, and an index with its
 * "^" in front (^GSPC). "^" only leads: Yahoo puts it nowhere else, and a symbol that is nothing
 * but punctuation is no symbol. At most 15 characters, upper case (Yahoo's own are).
 */
const SYMBOL_SHAPE = /^(?=.{1,15}$)\^?[A-Z0-9][A-Z0-9.=-]*$/;
export const SYMBOL_SHAPE_MESSAGE =
  'must be 1-15 characters of A-Z, 0-9, ".", "-" or "=", starting with a letter or digit, or with "^" before one (an index such as ^GSPC)';
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
const ISO_UTC_MESSAGE = 'must be an ISO-8601 UTC timestamp like 2024-01-02T15:04:05Z';
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/**
 * Why a well-formed timestamp names no instant, or names one the key cannot keep; undefined when it
 * round-trips. JavaScript's Date would roll 2024-02-30 over to March 1st and T24:00 to the next day,
 * and cut digits below the millisecond: the stored timestamp would differ from the one sent.
 */
function timestampProblem(text: string): string | undefined {
  const m = ISO_UTC.exec(text);
  if (!m) return ISO_UTC_MESSAGE;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = m[7] ?? '';
  if (month < 1 || month > 12) return `is not a calendar date (there is no month ${m[2]})`;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return `is not a calendar date (${MONTHS[month - 1]} ${m[1]} has ${daysInMonth} days)`;
  if (hour > 23) return `is not a time of day (hours run 00-23; midnight is T00:00:00 of the next day)`;
  if (minute > 59) return 'is not a time of day (minutes run 00-59)';
  if (second > 59) return 'is not a time of day (seconds run 00-59; leap seconds are not representable)';
  if (/[1-9]/.test(fraction.slice(3)))
    return `has more than millisecond precision (.${fraction}): a tick is keyed to the millisecond, so it would be stored as .${fraction.slice(0, 3)} and collide with another tick of that millisecond`;
  return undefined;
}

// zod refuses NaN and Infinity as "not a number"; say what is really wrong with them.
const numberError = (issue: { input?: unknown }): string => {
  if (issue.input === undefined) return 'is required';
  if (typeof issue.input === 'number') return 'must be a finite number';
  return `must be a number, got ${issue.input === null ? 'null' : typeof issue.input}`;
};

/**
 * The range of a price. The fold sums 20 prices and compares SMA-5 with SMA-20 to a relative
 * tolerance (SIGNAL_TOLERANCE in signals.ts, 1e-9 of the price), and enrichment divides by the
 * previous close: within 1e-12..1e12 every such sum (at most 2e13) and ratio (at most 1e24) is a
 * finite, normal double whose rounding error stays near 1e-15 of its size, a million times below
 * the tolerance. Near the float limit (about 1.8e308) a sum of 20 prices overflows to Infinity, and
 * among subnormals (below 2.2e-308) the relative error grows without bound, so the rule would no
 * longer be the same at every price level. The range is also far wider than any quote: the highest
 * share prices are under 1e6, the smallest crypto quotes around 1e-10.
 */
export const MIN_PRICE = 1e-12;
export const MAX_PRICE = 1e12;
const PRICE_RANGE_WHY = ' (prices are bounded so that the SMA sums of 20 of them stay finite and precise)';
const exponent = (n: number): string => n.toExponential().replace('e+', 'e');

const positivePrice = (field: string) =>
  z
    .number({ error: numberError })
    .refine((n) => n > 0, { message: 'must be greater than 0' })
    // n <= 0 has its own rejection above; one reason per value.
    .refine((n) => n <= 0 || n >= MIN_PRICE, { message: `must be at least ${exponent(MIN_PRICE)}${PRICE_RANGE_WHY}` })
    .refine((n) => n <= MAX_PRICE, { message: `must be at most ${exponent(MAX_PRICE)}${PRICE_RANGE_WHY}` })
    .describe(field);

export const TickSchema = z
  .object({
    symbol: z
      .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
      .refine((s) => !INVISIBLE.test(s), { message: 'contains control or zero-width characters' })
      .refine((s) => SYMBOL_SHAPE.test(s), { message: SYMBOL_SHAPE_MESSAGE }),
    timestamp: z
      .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be an ISO-8601 string') })
      .superRefine((s, ctx) => {
        const problem = timestampProblem(s);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      })
      .transform((s) => new Date(s).toISOString()),
    price: positivePrice('price'),
    open: positivePrice('open'),
    high: positivePrice('high'),
    low: positivePrice('low'),
    previous_close: positivePrice('previous_close'),
    volume: z
      .number({ error: numberError })
      .refine((n) => n >= 0, { message: 'must not be negative' })
      .refine(Number.isInteger, { message: 'must be a whole number of shares' }),
    source: z
      .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
      .min(1, { message: 'must not be empty' })
      .max(32, { message: 'must be at most 32 characters' }),
  })
  .refine((t) => t.high >= t.low, { path: ['high'], message: 'must be greater than or equal to low' });

/** A validated quote at the quote's market time (not the time it was sent). */
export type Tick = z.infer<typeof TickSchema>;

const printable = (value: unknown): string => {
  let text: string;
  if (value === undefined) text = '<missing>';
  else if (typeof value === 'string')
    text = JSON.stringify(value); // escapes invisible characters
  else if (typeof value === 'number' && !Number.isFinite(value)) text = String(value);
  else text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

const valueAt = (input: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (node, key) => (node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined),
    input,
  );

/** Validates an already-decoded value. All problems are reported, first one first. */
export function validateTick(input: unknown): Result<Tick, Rejection[]> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return err([{ field: '(record)', value: printable(input), reason: 'must be a JSON object' }]);
  }
  const parsed = TickSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  return err(
    parsed.error.issues.map((issue) => ({
      field: issue.path.map(String).join('.') || '(record)',
      value: printable(valueAt(input, issue.path)),
      reason: issue.message,
    })),
  );
}

/**
 * How far a tick's market time may be ahead of the clock that processes it: clocks of producer and
 * processor drift by seconds, not minutes. A tick stamped further ahead is refused, or every real tick
 * of its symbol after it would be older than the symbol's last one and never folded.
 */
export const DEFAULT_MAX_AHEAD_MS = 5 * 60_000;

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(3))} s`;

/**
 * Pure: a rejection when the tick is more than `toleranceMs` ahead of `nowMs`, undefined otherwise.
 * Replays of past days are behind the clock and always pass.
 */
export function checkNotAhead(tick: Pick<Tick, 'timestamp'>, nowMs: number, toleranceMs: number): Rejection | undefined {
  const ahead = Date.parse(tick.timestamp) - nowMs;
  if (!(ahead > toleranceMs)) return undefined;
  return {
    field: 'timestamp',
    value: printable(tick.timestamp),
    reason: `is ${seconds(ahead)} ahead of the processing time ${new Date(nowMs).toISOString()} (at most ${seconds(toleranceMs)} allowed): a tick from the future would make every later tick of its symbol look late`,
  };
}

/**
 * Parses one record's bytes as a tick: size, JSON, then schema. NaN and Infinity are not JSON, so a
 * producer that sent them sent malformed JSON and is told so.
 */
export function parseTick(payload: string): Result<Tick, Rejection> {
  const bytes = Buffer.byteLength(payload, 'utf8');
  if (bytes > MAX_TICK_BYTES) {
    return err({ field: '(record)', value: `${bytes} bytes`, reason: `exceeds the ${MAX_TICK_BYTES}-byte limit of a tick` });
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(payload);
  } catch (e) {
    return err({ field: '(record)', value: printable(payload), reason: `is not valid JSON (${(e as Error).message})` });
  }
  const result = validateTick(decoded);
  return result.ok ? result : err(result.error[0]!);
}
