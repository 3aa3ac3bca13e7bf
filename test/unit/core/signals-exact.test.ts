/**
 * foldSignals against an exact reference at every price level. The reference holds prices as whole
 * price units (cents, 1e-6, 1e-8) in BigInt and takes SMA-5 against SMA-20 from the sign of
 * `4 * sum5 - sum20`, so a touch is an exact equality and nothing is rounded. The float fold must find
 * the same crossovers (timestamp and side) on real series scaled by powers of two (exact in floating
 * point, so only the fold's tolerance can make a difference) and on seeded random walks at the price
 * levels of a crypto token, a penny stock, a common stock and a Berkshire A share.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  foldSignals,
  initialSignalState,
  LONG_WINDOW,
  SHORT_WINDOW,
  SIGNAL_TOLERANCE,
  type Side,
} from '../../../src/core/signals';

interface Crossover {
  readonly timestamp: string;
  readonly side: Side;
}

/** A series as the exact reference sees it: price k is units[k] * 10^-decimals. */
interface ExactSeries {
  readonly name: string;
  readonly decimals: number;
  readonly units: readonly bigint[];
}

const REPO = join(__dirname, '../../..');
const day = (k: number): string => new Date(Date.UTC(2000, 0, 3) + k * 86_400_000).toISOString();

/** A decimal string as whole units of 10^-decimals, without going through a float. */
function toUnits(text: string, decimals: number): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new Error(`not a plain decimal price: ${JSON.stringify(text)}`);
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) throw new Error(`${text} has more than ${decimals} decimals`);
  return BigInt(match[1]! + fraction.padEnd(decimals, '0'));
}

/** The float a parsed quote of this many units gives (correctly rounded decimal). */
const toPrice = (units: bigint, decimals: number): number => Number(`${units}e-${decimals}`);

/** The fold's rules (warm-up on the previous tick too, a touch is no cross) in exact arithmetic. */
function exactCrossovers(units: readonly bigint[]): Crossover[] {
  const crossovers: Crossover[] = [];
  let relation: -1 | 0 | 1 | null = null;
  for (let k = LONG_WINDOW - 1; k < units.length; k += 1) {
    const window = units.slice(k - LONG_WINDOW + 1, k + 1);
    const sum20 = window.reduce((a, b) => a + b, 0n);
    const sum5 = window.slice(-SHORT_WINDOW).reduce((a, b) => a + b, 0n);
    const diff = BigInt(LONG_WINDOW / SHORT_WINDOW) * sum5 - sum20;
    const current = diff > 0n ? 1 : diff < 0n ? -1 : 0;
    if (relation !== null && current !== 0 && current !== relation) {
      crossovers.push({ timestamp: day(k), side: current === 1 ? 'BUY' : 'SELL' });
    }
    if (relation === null || current !== 0) relation = current;
  }
  return crossovers;
}

function floatCrossovers(prices: readonly number[]): Crossover[] {
  const points = prices.map((price, k) => ({ symbol: 'X', timestamp: day(k), price }));
  return foldSignals(initialSignalState('X'), points).alerts.map(({ timestamp, side }) => ({ timestamp, side }));
}

/** Ticks (from the 20th on) where SMA-5 equals SMA-20 exactly. */
function exactTouches(units: readonly bigint[]): number[] {
  const touches: number[] = [];
  for (let k = LONG_WINDOW - 1; k < units.length; k += 1) {
    const window = units.slice(k - LONG_WINDOW + 1, k + 1);
    const sum20 = window.reduce((a, b) => a + b, 0n);
    const sum5 = window.slice(-SHORT_WINDOW).reduce((a, b) => a + b, 0n);
    if (4n * sum5 === sum20) touches.push(k);
  }
  return touches;
}

interface Comparison {
  /** Crossovers of the exact reference, over all series. */
  readonly compared: number;
  /** One line per series where the float fold differs: what it missed and what it added. */
  readonly differing: string[];
}

const key = (c: Crossover): string => `${c.timestamp} ${c.side}`;

/** Compares the float fold with the reference on each series; lists the series that differ. */
function compare(cases: readonly { name: string; prices: readonly number[]; exact: readonly Crossover[] }[]): Comparison {
  const differing: string[] = [];
  let compared = 0;
  for (const { name, prices, exact } of cases) {
    compared += exact.length;
    const found = floatCrossovers(prices).map(key);
    const expected = exact.map(key);
    const missing = expected.filter((c) => !found.includes(c));
    const extra = found.filter((c) => !expected.includes(c));
    if (missing.length > 0 || extra.length > 0 || found.length !== expected.length) {
      differing.push(`${name}: ${missing.length} of ${expected.length} missing, ${extra.length} extra`);
    }
  }
  return { compared, differing };
}

describe('SIGNAL_TOLERANCE', () => {
  // 20 ticks at p (a touch), then q = p * (1 + e): SMA-5 - SMA-20 = 3 (q - p) / 20 and
  // (SMA-5 - SMA-20) / SMA-20 = 3e / (20 + e), so e = gap * 20 / (3 - gap) puts the gap at `gap`.
  const afterFlat = (p: number, gap: number): number[] => [
    ...Array<number>(LONG_WINDOW).fill(p),
    p * (1 + (gap * 20) / (3 - gap)),
  ];

  it.each([1.2e-5, 0.5, 100, 5e5])('is relative: at %p a gap of twice it is a cross, half of it a touch', (p) => {
    expect(floatCrossovers(afterFlat(p, 2 * SIGNAL_TOLERANCE))).toEqual([{ timestamp: day(LONG_WINDOW), side: 'BUY' }]);
    expect(floatCrossovers(afterFlat(p, -2 * SIGNAL_TOLERANCE))).toEqual([{ timestamp: day(LONG_WINDOW), side: 'SELL' }]);
    expect(floatCrossovers(afterFlat(p, 0.5 * SIGNAL_TOLERANCE))).toEqual([]);
    expect(floatCrossovers(afterFlat(p, -0.5 * SIGNAL_TOLERANCE))).toEqual([]);
  });
});

// ---- real series -------------------------------------------------------------------------------

function stocksCsv(): ExactSeries[] {
  const rows = readFileSync(join(REPO, 'data/stocks.csv'), 'utf8').trim().split('\n').slice(1);
  const bySymbol = new Map<string, bigint[]>();
  for (const row of rows) {
    const [symbol, , price] = row.split(',');
    const list = bySymbol.get(symbol!) ?? [];
    list.push(toUnits(price!, 2));
    bySymbol.set(symbol!, list);
  }
  return [...bySymbol].map(([symbol, units]) => ({ name: `stocks.csv ${symbol}`, decimals: 2, units }));
}

function sp500(): ExactSeries {
  const rows = readFileSync(join(REPO, 'node_modules/vega-datasets/data/sp500-2000.csv'), 'utf8').trim().split('\n');
  const header = rows[0]!.split(',');
  const close = header.indexOf('close');
  const units = rows.slice(1).map((row) => toUnits(row.split(',')[close]!, 6));
  return { name: 'sp500-2000 close', decimals: 6, units };
}

const REAL = [...stocksCsv(), sp500()];
const EXPONENTS = Array.from({ length: 61 }, (_, k) => k - 40); // 2^-40 ... 2^+20

describe('foldSignals against exact integer arithmetic: real series scaled by powers of two', () => {
  it('reads the real series in full (5 symbols of stocks.csv, 5105 S&P 500 closes)', () => {
    expect(REAL.map((s) => [s.name, s.units.length])).toEqual([
      ['stocks.csv MSFT', 123],
      ['stocks.csv AMZN', 123],
      ['stocks.csv IBM', 123],
      ['stocks.csv GOOG', 68],
      ['stocks.csv AAPL', 123],
      ['sp500-2000 close', 5105],
    ]);
  });

  it('finds exactly the reference crossovers at every scale from 2^-40 to 2^20', () => {
    expect(REAL.map((s) => [s.name, exactCrossovers(s.units).length])).toEqual([
      ['stocks.csv MSFT', 7],
      ['stocks.csv AMZN', 7],
      ['stocks.csv IBM', 10],
      ['stocks.csv GOOG', 2],
      ['stocks.csv AAPL', 5],
      ['sp500-2000 close', 307],
    ]);
    const cases = REAL.flatMap((series) => {
      // Scaling by 2^k changes no relation: the reference of the scaled series is the unscaled one.
      const exact = exactCrossovers(series.units);
      const base = series.units.map((u) => toPrice(u, series.decimals));
      return EXPONENTS.map((e) => {
        const prices = base.map((p) => p * 2 ** e);
        expect(prices.every((p, k) => p / 2 ** e === base[k])).toBe(true); // the scaling is exact
        return { name: `${series.name} x 2^${e}`, prices, exact };
      });
    });
    const { compared, differing } = compare(cases);
    expect(differing).toEqual([]);
    expect(cases).toHaveLength(6 * 61);
    expect(compared).toBe(61 * (31 + 307));
  });
});

// ---- seeded random walks ----------------------------------------------------------------------

/** mulberry32, seeded: the walks are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const gaussian = (random: () => number): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/**
 * A walk in whole ticks of 10^-decimals around `level`. Where the next price can make SMA-5 equal
 * SMA-20 exactly (4 * (s4 + p) = s19 + p, so p = (s19 - 4 * s4) / 3 in whole ticks, close to the last
 * price), the walk takes it most of the time: exact touches, the case the tolerance exists for.
 */
function walk(random: () => number, level: number, decimals: number, length: number): bigint[] {
  const units: bigint[] = [BigInt(Math.round(level * 10 ** decimals))];
  while (units.length < length) {
    const last = units[units.length - 1]!;
    if (units.length >= LONG_WINDOW - 1) {
      const s19 = units.slice(-(LONG_WINDOW - 1)).reduce((a, b) => a + b, 0n);
      const s4 = units.slice(-(SHORT_WINDOW - 1)).reduce((a, b) => a + b, 0n);
      const numerator = s19 - 4n * s4;
      const touch = numerator / 3n;
      const near = Number(touch - last) / Number(last);
      if (numerator % 3n === 0n && touch > 0n && Math.abs(near) < 0.02 && random() < 0.8) {
        units.push(touch);
        continue;
      }
    }
    const next = BigInt(Math.round(Number(last) * Math.exp(0.01 * gaussian(random))));
    units.push(next > 0n ? next : 1n);
  }
  return units;
}

/** Price levels with the tick size a market quotes them in. */
const LEVELS = [
  { level: 1.2e-5, decimals: 8, what: 'a crypto token quoted to 1e-8', touches: 646, unequalInFloat: 321, crossovers: 1281 },
  { level: 0.5, decimals: 4, what: 'a penny stock quoted to 1e-4', touches: 685, unequalInFloat: 362, crossovers: 1272 },
  { level: 100, decimals: 2, what: 'a common stock quoted in cents', touches: 623, unequalInFloat: 301, crossovers: 1276 },
  { level: 5e5, decimals: 2, what: 'a Berkshire A share quoted in cents', touches: 686, unequalInFloat: 352, crossovers: 1292 },
] as const;
const WALKS_PER_LEVEL = 50;
const WALK_LENGTH = 400;

describe.each(LEVELS)('foldSignals against exact integer arithmetic: walks at $level ($what)', (expected) => {
  const { level, decimals } = expected;
  const walks: ExactSeries[] = Array.from({ length: WALKS_PER_LEVEL }, (_, k) => ({
    name: `walk ${k} at ${level}`,
    decimals,
    units: walk(prng(1000 * decimals + k), level, decimals, WALK_LENGTH),
  }));

  it('the walks hold exact touches, about half of which floating point sees as unequal SMAs', () => {
    let touches = 0;
    let unequalInFloat = 0;
    for (const series of walks) {
      const prices = series.units.map((u) => toPrice(u, series.decimals));
      for (const k of exactTouches(series.units)) {
        touches += 1;
        const window = prices.slice(k - LONG_WINDOW + 1, k + 1);
        const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
        if (mean(window.slice(-SHORT_WINDOW)) !== mean(window)) unequalInFloat += 1;
      }
    }
    expect(touches).toBe(expected.touches);
    expect(unequalInFloat).toBe(expected.unequalInFloat);
  });

  it(`finds exactly the reference crossovers on all ${WALKS_PER_LEVEL} walks`, () => {
    const cases = walks.map((series) => ({
      name: series.name,
      prices: series.units.map((u) => toPrice(u, series.decimals)),
      exact: exactCrossovers(series.units),
    }));
    const { compared, differing } = compare(cases);
    expect(differing).toEqual([]);
    expect(compared).toBe(expected.crossovers);
  });
});
