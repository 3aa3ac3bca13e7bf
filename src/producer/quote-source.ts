/**
 * What every quote source shares: a validated tick, a normalised symbol list (the port itself is
 * src/core/ports-quotes.ts).
 */
import type { DeadLetter } from '../core/ports';
import { err, ok, type Result } from '../core/result';
import { describeRejection, validateTick, type Rejection, type Tick } from '../core/tick';
import { QuoteSourceError } from '../core/ports-quotes';

/**
 * A quote the tick schema refused at the source: alone it goes to the invalid-records path, with
 * its reason, while the other symbols of its sample go on.
 */
export interface RefusedQuote {
  readonly source: string;
  readonly symbol: string;
  /** The first problem, field named as the source names it. */
  readonly rejection: Rejection;
  /** Every problem, in one line: `source quote for SYMBOL is invalid: field=value: why; ...`. */
  readonly reason: string;
  /** The quote as the source gave it, JSON. */
  readonly payload: string;
}

/** A source that refuses single quotes rather than its whole sample; the refusals of each sample are taken once. */
export interface RefusingQuoteSource {
  takeRefused(): RefusedQuote[];
}

export const refusesQuotes = (source: object): source is RefusingQuoteSource =>
  typeof (source as Partial<RefusingQuoteSource>).takeRefused === 'function';

/** The dead letter of a refused quote, as the processing function writes one of a refused record. */
export const deadLetterOfQuote = (refused: RefusedQuote): DeadLetter => ({
  reason: refused.reason,
  payload: refused.payload,
  rejection: refused.rejection,
  source: { kind: refused.source, symbol: refused.symbol },
});

/** Validates a tick a source built; a refusal names symbol, field, value and why. */
export function validatedQuote(
  source: string,
  candidate: Record<string, unknown>,
  payload: unknown,
  fieldName: (field: string) => string = (field) => field,
): Result<Tick, RefusedQuote> {
  const result = validateTick(candidate);
  if (result.ok) return ok(result.value);
  const symbol = typeof candidate.symbol === 'string' ? candidate.symbol : '(no symbol)';
  const rejections = result.error.map((r) => ({ ...r, field: fieldName(r.field) }));
  let text: string;
  try {
    text = JSON.stringify(payload) ?? String(payload);
  } catch {
    text = String(payload);
  }
  return err({
    source,
    symbol,
    rejection: rejections[0]!,
    reason: `${source} quote for ${symbol} is invalid: ${rejections.map(describeRejection).join('; ')}`,
    payload: text,
  });
}

/** Validates a tick a source built; an invalid one is an error naming symbol, field, value and why. */
export function checkedTick(
  source: string,
  candidate: Record<string, unknown>,
  fieldName: (field: string) => string = (field) => field,
): Tick {
  const result = validatedQuote(source, candidate, candidate, fieldName);
  if (result.ok) return result.value;
  throw new QuoteSourceError(source, 'invalid-quote', result.error.reason);
}

/** Upper-cased, trimmed, de-duplicated symbols; an empty list is a usage error. */
export function normaliseSymbols(source: string, symbols: readonly string[]): string[] {
  const list = [...new Set(symbols.map((s) => s.trim().toUpperCase()).filter(Boolean))];
  if (list.length === 0)
    throw new QuoteSourceError(source, 'usage', `${source} source was asked for no symbol; pass at least one`);
  return list;
}
