/**
 * A quote source followed by another: `stockpipe start` replays the shipped prices, then keeps going
 * on the synthetic (or yahoo) source. The next source is made when the first is exhausted, from the
 * last market time the first one gave, so its ticks come after the replay's (the signal fold ignores
 * ticks at or before the last one it saw), and with each symbol's last price, so that a random walk
 * can carry on from it.
 */
import type { Tick } from '../core/tick';
import type { QuoteSource } from '../core/ports-quotes';

export class ChainedSource implements QuoteSource {
  private next: QuoteSource | undefined;
  private lastTimestamp: string | undefined;
  private readonly lastPrices: Record<string, number> = {};

  constructor(
    readonly first: QuoteSource,
    private readonly makeNext:
      ((lastTimestamp: string | undefined, lastPrices: Readonly<Record<string, number>>) => QuoteSource) | undefined,
    private readonly onSwitch?: (to: QuoteSource) => void,
  ) {}

  get name(): QuoteSource['name'] {
    return this.current.name;
  }

  get current(): QuoteSource {
    return this.next ?? this.first;
  }

  async sample(symbols: readonly string[]): Promise<Tick[]> {
    if (!this.next && this.makeNext && this.first.exhausted?.()) {
      this.next = this.makeNext(this.lastTimestamp, { ...this.lastPrices });
      this.onSwitch?.(this.next);
    }
    const ticks = await this.current.sample(symbols);
    for (const tick of ticks) {
      if (this.lastTimestamp === undefined || tick.timestamp > this.lastTimestamp) this.lastTimestamp = tick.timestamp;
      this.lastPrices[tick.symbol] = tick.price;
    }
    return ticks;
  }

  exhausted(): boolean {
    if (!this.next) return !this.makeNext && (this.first.exhausted?.() ?? false);
    return this.next.exhausted?.() ?? false;
  }
}
