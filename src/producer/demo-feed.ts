/**
 * What `stockpipe start` feeds the pipeline with: the real prices shipped in data/stocks.csv, then a
 * seeded synthetic walk that carries on from each symbol's last real price (so the handover is no
 * fake cross), or yahoo's quotes, or nothing. It remembers the newest market time the replay gave:
 * the day the first daily report covers.
 */
import type { Tick } from '../core/tick';
import { ChainedSource } from './chained-source';
import { createQuoteSource, type QuoteSourceOptions } from './create-source';
import type { QuoteSource } from '../core/ports-quotes';
import { readFileSync } from 'node:fs';
import { parseQuoteCsv } from './csv';
import { withIntradayTail } from './intraday-path';
import { DEFAULT_REPLAY_FILE, ReplaySource } from './replay-source';
import { SyntheticSource } from './synthetic-source';

export type DemoFollowUp = 'synthetic' | 'yahoo' | 'none';

export interface DemoFeedOptions {
  readonly then: DemoFollowUp;
  readonly seed: number;
  readonly cadenceSeconds: number;
  /** Symbols of the replay; default: every symbol of the file. */
  readonly symbols?: readonly string[];
  /** A file to replay as it is; default: data/stocks.csv with its last month made intraday (intraday-path.ts). */
  readonly replayFile?: string;
  readonly yahooLog?: QuoteSourceOptions['log'];
  /** Called when the replay is over and the follow-up source takes over. */
  readonly onHandover?: (to: QuoteSource, replayedTicks: number) => void;
}

/** The replay, remembering the newest market time it gave: the day the report covers. */
class TrackedReplay implements QuoteSource {
  last: string | undefined;

  constructor(readonly replay: ReplaySource) {}

  get name(): QuoteSource['name'] {
    return this.replay.name;
  }

  async sample(symbols: readonly string[]): Promise<Tick[]> {
    const ticks = await this.replay.sample(symbols);
    for (const t of ticks) if (!this.last || t.timestamp > this.last) this.last = t.timestamp;
    return ticks;
  }

  exhausted(): boolean {
    return this.replay.exhausted();
  }
}

/** The NYSE open of the day after `timestamp`: where synthetic prices pick up after the replay. */
export const dayAfter = (timestamp: string | undefined): string => {
  const day = timestamp ? new Date(Date.parse(timestamp.slice(0, 10)) + 86_400_000) : new Date();
  return `${day.toISOString().slice(0, 10)}T14:30:00Z`;
};

export class DemoFeed {
  readonly source: ChainedSource;
  readonly symbols: readonly string[];
  /** Every symbol the replay has prices for. */
  readonly known: readonly string[];
  /** Ticks the replay holds for the symbols. */
  readonly total: number;
  private readonly replay: ReplaySource;
  private readonly tracked: TrackedReplay;

  constructor(options: DemoFeedOptions) {
    this.replay = options.replayFile ? ReplaySource.fromFile(options.replayFile) : demoReplay(options.seed);
    this.known = this.replay.symbols();
    this.symbols = options.symbols ?? this.known;
    this.total = this.replay.remaining(this.symbols);
    this.tracked = new TrackedReplay(this.replay);
    const next =
      options.then === 'none'
        ? undefined
        : (last: string | undefined, lastPrices: Readonly<Record<string, number>>): QuoteSource =>
            options.then === 'synthetic'
              ? new SyntheticSource({
                  seed: options.seed,
                  start: dayAfter(last),
                  cadenceSeconds: options.cadenceSeconds,
                  startPrices: lastPrices,
                })
              : createQuoteSource('yahoo', options.yahooLog ? { log: options.yahooLog } : {});
    this.source = new ChainedSource(this.tracked, next, (to) => options.onHandover?.(to, this.total));
  }

  /** True while the replay still feeds the pipeline. */
  get replaying(): boolean {
    return this.source.current === this.tracked;
  }

  replayed(): number {
    return this.total - this.replay.remaining(this.symbols);
  }

  replayExhausted(): boolean {
    return this.replay.exhausted();
  }

  /** The newest market time the replay gave. */
  lastReplayed(): string | undefined {
    return this.tracked.last;
  }
}

/**
 * The shipped monthly closes, each symbol's last month as synthetic trading-hour ticks between its
 * last two real closes (source "synthetic-intraday"), so the first daily report has a day to show.
 */
export function demoReplay(seed = 1): ReplaySource {
  const parsed = parseQuoteCsv(readFileSync(DEFAULT_REPLAY_FILE, 'utf8'), { source: 'replay', name: DEFAULT_REPLAY_FILE });
  return new ReplaySource(
    withIntradayTail(
      parsed.rows.map((r) => r.tick),
      seed,
    ),
    [],
    { name: 'replay', label: `${DEFAULT_REPLAY_FILE} (last month intraday, synthetic)` },
  );
}
