/**
 * The producer's port: where ticks come from (Yahoo, a replay file, a seeded walk). A source returns
 * one sample per call: at most one tick per requested symbol, every tick validated, each stamped with
 * the quote's market time (not the time it was sent).
 */
import type { Tick } from './tick';
import { StockpipeError } from './errors';

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

/**
 * The last price stored for each symbol. A synthetic walk that starts afresh (a new Lambda
 * container) picks up from it, so the restart is no jump that the indicators would take for a cross.
 */
export interface LastPriceReader {
  /** The newest stored price of each symbol that has one; a symbol never stored is absent. Throws LastPriceReadError. */
  lastPrices(symbols: readonly string[]): Promise<Map<string, number>>;
}

/** The last stored price of a symbol could not be read, or what is stored is not a price. */
export class LastPriceReadError extends StockpipeError {
  override readonly name = 'LastPriceReadError';

  constructor(
    readonly symbol: string,
    readonly table: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`could not read the last price of ${symbol} from table ${table}: ${problem}`, { ...options, exitCode: 1 });
  }
}
