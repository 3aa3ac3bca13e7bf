/**
 * What every quote source shares: a validated tick, a normalised symbol list (the port itself is
 * src/core/ports-quotes.ts).
 */
import { describeRejection, validateTick, type Tick } from '../core/tick';
import { QuoteSourceError } from '../core/ports-quotes';

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
