/**
 * Replays real historical prices from a CSV file, in time order: each sample is the next moment of
 * the file at which one of the requested symbols has a price, with every requested symbol priced at
 * that moment (at most one tick per symbol). A symbol whose history starts later or ends sooner is
 * simply absent from the samples it has no price for.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tick } from '../core/tick';
import { packageRoot } from '../shared/package-root';
import { parseQuoteCsv, type CsvRejection, type ParseQuoteCsvOptions } from './csv';
import { normaliseSymbols } from './quote-source';
import { QuoteSourceError, type QuoteSource } from '../core/ports-quotes';

/**
 * Monthly closes 2000-2010 of MSFT, AMZN, IBM, GOOG and AAPL (from vega-datasets 3.2.1), shipped in
 * the package's data/. A Lambda bundle does not ship the file: pass `file` there.
 */
export const DEFAULT_REPLAY_FILE = join(packageRoot(), 'data', 'stocks.csv');

export interface ReplaySourceOptions {
  /** Name of the source and `source` of its ticks: 'csv' for a file the user brought. @default 'replay' */
  readonly name?: 'replay' | 'csv';
  /** Symbol of a Yahoo Finance historical file, which has no symbol column. */
  readonly symbol?: string;
  /** Skip rows before this ISO time. */
  readonly from?: string;
  /** Names the data in messages. @default the file path, or 'the replay data' */
  readonly label?: string;
}

export class ReplaySource implements QuoteSource {
  readonly name: 'replay' | 'csv';
  /** Rows of the file that are not ticks, for the caller to dead-letter; the replay skips them. */
  readonly rejections: readonly CsvRejection[];
  private readonly label: string;
  private readonly bySymbol = new Map<string, Tick[]>();
  private readonly cursor = new Map<string, number>();
  private lastSymbols: readonly string[] | undefined;

  static fromFile(path: string = DEFAULT_REPLAY_FILE, options: ReplaySourceOptions = {}): ReplaySource {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const reason =
        (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
      throw new QuoteSourceError(options.name ?? 'replay', 'usage', `replay file ${path} ${reason}; pass an existing CSV file`, {
        cause: error,
      });
    }
    return ReplaySource.fromCsv(text, { label: path, ...options });
  }

  static fromCsv(text: string, options: ReplaySourceOptions = {}): ReplaySource {
    const name = options.name ?? 'replay';
    const parseOptions: ParseQuoteCsvOptions = {
      source: name,
      name: options.label ?? 'the replay data',
      ...(options.symbol ? { symbol: options.symbol } : {}),
    };
    let parsed;
    try {
      parsed = parseQuoteCsv(text, parseOptions);
    } catch (error) {
      throw new QuoteSourceError(name, 'usage', (error as Error).message, { cause: error });
    }
    const from = options.from === undefined ? undefined : isoOrThrow(name, options.from);
    const ticks = parsed.rows.map((r) => r.tick).filter((t) => from === undefined || t.timestamp >= from);
    return new ReplaySource(ticks, parsed.rejections, { ...options, name });
  }

  /** `ticks` in any order; they are replayed in time order. */
  constructor(ticks: readonly Tick[], rejections: readonly CsvRejection[] = [], options: ReplaySourceOptions = {}) {
    this.name = options.name ?? 'replay';
    this.label = options.label ?? 'the replay data';
    this.rejections = rejections;
    const ordered = [...ticks].sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
    for (const tick of ordered) {
      const list = this.bySymbol.get(tick.symbol) ?? [];
      list.push(tick);
      this.bySymbol.set(tick.symbol, list);
    }
  }

  /** Symbols the data has prices for, sorted. */
  symbols(): string[] {
    return [...this.bySymbol.keys()].sort();
  }

  /** Ticks still to come for the symbols (those of the last sample when not given). */
  remaining(symbols: readonly string[] = this.lastSymbols ?? this.symbols()): number {
    return symbols.reduce((sum, s) => sum + (this.bySymbol.get(s)?.length ?? 0) - (this.cursor.get(s) ?? 0), 0);
  }

  exhausted(): boolean {
    return this.remaining() === 0;
  }

  async sample(symbols: readonly string[]): Promise<Tick[]> {
    const wanted = normaliseSymbols(this.name, symbols);
    const unknown = wanted.filter((s) => !this.bySymbol.has(s));
    if (unknown.length > 0) {
      throw new QuoteSourceError(
        this.name,
        'unknown-symbol',
        `${this.label} has no prices for ${unknown.join(', ')}; available symbols: ${this.symbols().join(', ') || '(none)'}`,
      );
    }
    this.lastSymbols = wanted;

    const head = (s: string): Tick | undefined => this.bySymbol.get(s)![this.cursor.get(s) ?? 0];
    let next: string | undefined;
    for (const s of wanted) {
      const t = head(s);
      if (t && (next === undefined || t.timestamp < next)) next = t.timestamp;
    }
    if (next === undefined) return [];

    const ticks: Tick[] = [];
    for (const s of wanted) {
      const t = head(s);
      if (t?.timestamp === next) {
        ticks.push(t);
        this.cursor.set(s, (this.cursor.get(s) ?? 0) + 1);
      }
    }
    return ticks;
  }
}

function isoOrThrow(source: string, value: string): string {
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) {
    throw new QuoteSourceError(
      source,
      'usage',
      `replay start ${JSON.stringify(value)} is not a date; use an ISO date like 2004-08-01`,
    );
  }
  return new Date(millis).toISOString();
}
