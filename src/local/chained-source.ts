/**
 * Quote sources one after the other: `stockpipe start` replays the shipped prices, then keeps going
 * on the synthetic (or yahoo) source. The next source takes over once the current one is exhausted.
 */
import type { Tick } from '../core/tick';
import type { QuoteSource } from '../producer/quote-source';

export class ChainedSource implements QuoteSource {
  private index = 0;

  constructor(
    private readonly sources: readonly QuoteSource[],
    private readonly onSwitch?: (from: QuoteSource, to: QuoteSource) => void,
  ) {
    if (sources.length === 0) throw new RangeError('a chained source needs at least one source');
  }

  get name(): QuoteSource['name'] {
    return this.current.name;
  }

  get current(): QuoteSource {
    return this.sources[this.index]!;
  }

  async sample(symbols: readonly string[]): Promise<Tick[]> {
    while (this.current.exhausted?.() && this.index < this.sources.length - 1) {
      const from = this.current;
      this.index++;
      this.onSwitch?.(from, this.current);
    }
    return this.current.sample(symbols);
  }

  exhausted(): boolean {
    return this.index === this.sources.length - 1 && (this.current.exhausted?.() ?? false);
  }
}
