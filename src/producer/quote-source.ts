/**
 * Where ticks come from. A source returns one sample per call: at most one tick per requested
 * symbol, every tick validated, each stamped with the quote's market time (not the time it was sent).
 */
import { describeRejection, validateTick, type Tick } from '../core/tick';
import { StockpipeError } from '../core/errors';

export type QuoteSourceName = 'yahoo' | 'replay' | 'synthetic' | 'csv';

export interface QuoteSource {
  readonly name: QuoteSourceName;
  /** One sample: one tick per symbol, or fewer when a replay runs out. Throws QuoteSourceError. */
  sample(symbols: readonly string[]): Promise<Tick[]>;
  /** Only finite sources have it: true when no further sample can yield a tick. */
  exhausted?(): boolean;
}

export type QuoteSourceErrorKind =
  'network' | 'unauthorized' | 'rate-limited' | 'http' | 'schema' | 'invalid-quote' | 'unknown-symbol' | 'usage';

/**
 * A source failed. The message is one line that says what happened and what to do, so a CLI can
 * print it as it is, without a stack trace.
 */
export class QuoteSourceError extends StockpipeError {
  override readonly name = 'QuoteSourceError';

  constructor(
    readonly source: string,
    readonly kind: QuoteSourceErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message.replace(/\s*\n\s*/g, ' '), { ...options, exitCode: kind === 'usage' ? 2 : 1 });
  }
}

/** Validates a tick a source built; an invalid one is an error naming symbol, field, value and why. */
export function checkedTick(
  source: string,
  candidate: Record<string, unknown>,
  fieldName: (field: string) => string = (field) => field,
): Tick {
  const result = validateTick(candidate);
  if (result.ok) return result.value;
  const symbol = typeof candidate.symbol === 'string' ? candidate.symbol : '(no symbol)';
  const problems = result.error.map((r) => describeRejection({ ...r, field: fieldName(r.field) })).join('; ');
  throw new QuoteSourceError(source, 'invalid-quote', `${source} quote for ${symbol} is invalid: ${problems}`);
}

/** Upper-cased, trimmed, de-duplicated symbols; an empty list is a usage error. */
export function normaliseSymbols(source: string, symbols: readonly string[]): string[] {
  const list = [...new Set(symbols.map((s) => s.trim().toUpperCase()).filter(Boolean))];
  if (list.length === 0)
    throw new QuoteSourceError(source, 'usage', `${source} source was asked for no symbol; pass at least one`);
  return list;
}
