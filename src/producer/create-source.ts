/** Builds a quote source by name, as STOCKPIPE_QUOTE_SOURCE or the CLI's --source gives it. */
import { DEFAULT_REPLAY_FILE, ReplaySource } from './replay-source';
import { QuoteSourceError, type LastPriceReader, type QuoteSource } from '../core/ports-quotes';
import { SyntheticSource } from './synthetic-source';
import { YahooSource } from './yahoo-source';

export const QUOTE_SOURCE_NAMES = ['yahoo', 'replay', 'synthetic', 'csv'] as const;

export interface QuoteSourceOptions {
  /** replay, csv: the CSV file. @default DEFAULT_REPLAY_FILE for replay; required for csv */
  readonly file?: string;
  /** replay, csv: the symbol of a Yahoo Finance historical file (it has no symbol column). */
  readonly symbol?: string;
  /** replay, csv: skip rows before this ISO time. */
  readonly from?: string;
  /** synthetic: @default 1 */
  readonly seed?: number;
  /** synthetic: market time of the first sample. */
  readonly start?: string | Date;
  /** synthetic: market time between samples. */
  readonly cadenceSeconds?: number;
  /** synthetic: where each walk left off (the price table in AWS). @default walks start from the seed */
  readonly lastPrices?: LastPriceReader;
  /** yahoo: the fetch to use. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** yahoo: where yahoo-finance2's warnings go. @default console.warn */
  readonly log?: (message: string) => void;
}

export function createQuoteSource(name: string, options: QuoteSourceOptions = {}): QuoteSource {
  const replayOptions = {
    ...(options.symbol ? { symbol: options.symbol } : {}),
    ...(options.from ? { from: options.from } : {}),
  };
  switch (name) {
    case 'yahoo':
      return new YahooSource({
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.log ? { log: options.log } : {}),
      });
    case 'replay':
      return ReplaySource.fromFile(options.file ?? DEFAULT_REPLAY_FILE, { name: 'replay', ...replayOptions });
    case 'csv':
      if (!options.file) throw new QuoteSourceError('csv', 'usage', 'the csv source needs a file; pass --file <path>');
      return ReplaySource.fromFile(options.file, { name: 'csv', ...replayOptions });
    case 'synthetic':
      return new SyntheticSource({
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
        ...(options.start !== undefined ? { start: options.start } : {}),
        ...(options.cadenceSeconds !== undefined ? { cadenceSeconds: options.cadenceSeconds } : {}),
        ...(options.lastPrices ? { lastPrices: options.lastPrices } : {}),
      });
    default:
      throw new QuoteSourceError(
        String(name),
        'usage',
        `unknown quote source ${JSON.stringify(name)}; use one of ${QUOTE_SOURCE_NAMES.join(', ')} (STOCKPIPE_QUOTE_SOURCE or --source)`,
      );
  }
}
