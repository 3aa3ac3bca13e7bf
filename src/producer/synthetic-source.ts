/**
 * A seeded random walk, for load tests and offline demos with any number of symbols. The same seed,
 * start and cadence give the same ticks on every run. Each sample is one bar per symbol: open is the
 * previous sample's price, previous_close too, so a jump of more than 5% shows up as an anomaly.
 * Given a LastPriceReader, a walk starts from the symbol's last stored price: in AWS each new Lambda
 * container builds a new source, and a walk restarted from its seeded price would jump (17% on one
 * run) and fake crossovers.
 */
import { DEFAULTS } from '../shared/names';
import type { Tick } from '../core/tick';
import { checkedTick, normaliseSymbols } from './quote-source';
import { QuoteSourceError, type LastPriceReader, type QuoteSource } from '../core/ports-quotes';

/** Symbols SYN000, SYN001, ... (four digits from 1001 symbols on). */
export function syntheticSymbols(count: number): string[] {
  if (!Number.isInteger(count) || count < 1) {
    throw new QuoteSourceError('synthetic', 'usage', `synthetic symbol count ${count} must be a whole number of at least 1`);
  }
  const width = Math.max(3, String(count - 1).length);
  return Array.from({ length: count }, (_, k) => `SYN${String(k).padStart(width, '0')}`);
}

/** mulberry32: a tiny, fast PRNG; plenty for prices, and reproducible everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hash = (text: string): number => {
  let h = 2166136261;
  for (let k = 0; k < text.length; k += 1) h = Math.imul(h ^ text.charCodeAt(k), 16777619);
  return h >>> 0;
};

const cents = (n: number): number => Math.max(0.01, Math.round(n * 100) / 100);

export interface SyntheticSourceOptions {
  /** @default 1 */
  readonly seed?: number;
  /** Market time of the first sample. @default 2024-01-02T14:30:00Z (a NYSE open) */
  readonly start?: string | Date;
  /** Market time between samples. @default DEFAULTS.cadenceSeconds */
  readonly cadenceSeconds?: number;
  /** Standard deviation of a sample's log return. @default 0.002 */
  readonly volatility?: number;
  /** Chance per sample and symbol of a 5-9% jump. @default 0.01 */
  readonly jumpProbability?: number;
  /**
   * Where a symbol's walk starts, e.g. its last real price when the walk continues a replay, so the
   * handover is not a jump that the indicators would take for a cross.
   * @default a price drawn from the seed, 20 to 500
   */
  readonly startPrices?: Readonly<Record<string, number>>;
  /**
   * Read once per symbol, when its walk starts: its last stored price, which then wins over
   * `startPrices` and the seed. A symbol with no stored price starts as without it.
   * @default none: walks start from `startPrices` or the seed
   */
  readonly lastPrices?: LastPriceReader;
}

interface Walk {
  readonly random: () => number;
  readonly baseVolume: number;
  price: number;
}

export class SyntheticSource implements QuoteSource {
  readonly name = 'synthetic' as const;
  private readonly seed: number;
  private readonly startMs: number;
  private readonly cadenceMs: number;
  private readonly volatility: number;
  private readonly jumpProbability: number;
  private readonly startPrices: Readonly<Record<string, number>>;
  private readonly lastPrices: LastPriceReader | undefined;
  private readonly walks = new Map<string, Walk>();
  private step = 0;

  constructor(options: SyntheticSourceOptions = {}) {
    this.seed = options.seed ?? 1;
    const start = options.start ?? '2024-01-02T14:30:00Z';
    this.startMs = start instanceof Date ? start.getTime() : Date.parse(start);
    if (!Number.isInteger(this.seed))
      throw new QuoteSourceError('synthetic', 'usage', `synthetic seed ${this.seed} must be a whole number`);
    if (Number.isNaN(this.startMs)) {
      throw new QuoteSourceError(
        'synthetic',
        'usage',
        `synthetic start ${JSON.stringify(String(start))} is not a date; use an ISO time like 2024-01-02T14:30:00Z`,
      );
    }
    const cadence = options.cadenceSeconds ?? DEFAULTS.cadenceSeconds;
    if (!(cadence > 0)) throw new QuoteSourceError('synthetic', 'usage', `synthetic cadence ${cadence} s must be greater than 0`);
    this.cadenceMs = cadence * 1000;
    this.volatility = options.volatility ?? 0.002;
    this.jumpProbability = options.jumpProbability ?? 0.01;
    this.startPrices = options.startPrices ?? {};
    this.lastPrices = options.lastPrices;
    for (const [symbol, price] of Object.entries(this.startPrices)) {
      if (!(Number.isFinite(price) && price > 0)) {
        throw new QuoteSourceError(
          'synthetic',
          'usage',
          `synthetic start price of ${symbol} (${price}) must be a positive number`,
        );
      }
    }
  }

  /** A symbol's walk depends only on the seed and the symbol, not on which other symbols are asked for. */
  private walk(symbol: string, stored: number | undefined): Walk {
    let walk = this.walks.get(symbol);
    if (!walk) {
      const random = mulberry32(this.seed ^ hash(symbol));
      const drawn = cents(20 + random() * 480);
      const start = stored ?? this.startPrices[symbol] ?? drawn;
      walk = { random, price: cents(start), baseVolume: Math.round(10_000 + random() * 990_000) };
      this.walks.set(symbol, walk);
    }
    return walk;
  }

  /** The stored prices of the symbols whose walks have not started yet. */
  private async storedPrices(symbols: readonly string[]): Promise<Map<string, number>> {
    const starting = symbols.filter((s) => !this.walks.has(s));
    if (!this.lastPrices || starting.length === 0) return new Map();
    let stored: Map<string, number>;
    try {
      stored = await this.lastPrices.lastPrices(starting);
    } catch (error) {
      // No seeded fallback: the jump it would make is what the reader is there to prevent. Nothing
      // has started, so the next sample (the next scheduled run) reads again.
      throw new QuoteSourceError(
        this.name,
        'network',
        `synthetic source could not read where its walks left off: ${(error as Error).message}`,
        { cause: error },
      );
    }
    for (const [symbol, price] of stored) {
      if (!(Number.isFinite(price) && price > 0)) {
        throw new QuoteSourceError(
          this.name,
          'invalid-quote',
          `the last stored price of ${symbol} (${price}) is not a positive number`,
        );
      }
    }
    return stored;
  }

  private gaussian(random: () => number): number {
    // Box-Muller; 1 - u keeps the logarithm away from 0.
    return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  }

  async sample(symbols: readonly string[]): Promise<Tick[]> {
    const wanted = normaliseSymbols(this.name, symbols);
    const stored = await this.storedPrices(wanted);
    const timestamp = new Date(this.startMs + this.step * this.cadenceMs).toISOString();
    this.step += 1;
    return wanted.map((symbol) => {
      const walk = this.walk(symbol, stored.get(symbol));
      const { random } = walk;
      const open = walk.price;
      let logReturn = this.volatility * this.gaussian(random);
      const jump = random() < this.jumpProbability;
      if (jump) logReturn += (random() < 0.5 ? -1 : 1) * (0.05 + 0.04 * random());
      const price = cents(open * Math.exp(logReturn));
      const wick = () => Math.abs(this.gaussian(random)) * this.volatility * 0.5;
      walk.price = price;
      return checkedTick(this.name, {
        symbol,
        timestamp,
        price,
        open,
        high: cents(Math.max(open, price) * (1 + wick())),
        low: cents(Math.min(open, price) * (1 - wick())),
        previous_close: open,
        volume: Math.round(walk.baseVolume * (0.5 + random()) * (jump ? 3 : 1)),
        source: this.name,
      });
    });
  }
}
