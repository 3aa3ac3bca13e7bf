/**
 * Pure shaping of what the dashboard and the report charts draw: a symbol's ticks in market order
 * with SMA-5 and SMA-20, its alerts as markers, the symbol list (symbols with alerts first) and the
 * per-minute health buckets. No I/O: the data sources (local-data.ts, aws-data.ts) hand plain rows in.
 */

/** The two windows of the crossover rule (src/core/signals.ts): SMA-5 against SMA-20. */
export const SHORT_WINDOW = 5;
export const LONG_WINDOW = 20;

export interface PricePoint {
  readonly timestamp: string;
  readonly price: number;
}

export interface SmaPoint extends PricePoint {
  /** null until the window has as many ticks as it spans. */
  readonly sma5: number | null;
  readonly sma20: number | null;
}

export interface MarkerAlert {
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly timestamp: string;
  readonly price: number;
  readonly sma5: number;
  readonly sma20: number;
  readonly status?: string;
}

export interface SymbolSeries {
  readonly symbol: string;
  readonly points: readonly SmaPoint[];
  readonly markers: readonly MarkerAlert[];
}

const byTimestamp = <T extends { timestamp: string }>(a: T, b: T): number =>
  a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0;

/**
 * The ticks in timestamp order, one per timestamp (the first seen wins: a retried batch rewrites the
 * same tick, and the analysis folds the value it read first).
 */
export function marketOrder(points: readonly PricePoint[]): PricePoint[] {
  const seen = new Set<string>();
  const out: PricePoint[] = [];
  for (const p of points) {
    if (seen.has(p.timestamp)) continue;
    seen.add(p.timestamp);
    out.push({ timestamp: p.timestamp, price: p.price });
  }
  return out.sort(byTimestamp);
}

/**
 * Simple moving averages of `window` prices ending at each point, with a running sum (subtracting
 * the price that leaves the window). `null` while fewer than `window` prices are in.
 */
export function movingAverage(prices: readonly number[], window: number): (number | null)[] {
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`window=${window}: must be a whole number of at least 1`);
  let sum = 0;
  return prices.map((price, i) => {
    sum += price;
    if (i >= window) sum -= prices[i - window]!;
    return i >= window - 1 ? sum / window : null;
  });
}

/**
 * Points with both SMAs. `warmUp` are the ticks before the first point shown (the report passes the
 * 19 ticks before its day), used for the averages and not returned.
 */
export function withSmas(points: readonly PricePoint[], warmUp: readonly PricePoint[] = []): SmaPoint[] {
  const shown = marketOrder(points);
  const first = shown[0]?.timestamp;
  const before = marketOrder(warmUp).filter((p) => first === undefined || p.timestamp < first);
  const all = [...before, ...shown];
  const prices = all.map((p) => p.price);
  const short = movingAverage(prices, SHORT_WINDOW);
  const long = movingAverage(prices, LONG_WINDOW);
  return shown.map((p, i) => ({ ...p, sma5: short[i + before.length]!, sma20: long[i + before.length]! }));
}

export function symbolSeries(symbol: string, points: readonly PricePoint[], alerts: readonly MarkerAlert[]): SymbolSeries {
  return {
    symbol,
    points: withSmas(points),
    markers: alerts.filter((a) => a.symbol === symbol).sort(byTimestamp),
  };
}

export interface SymbolSummary {
  readonly symbol: string;
  /** null where counting would read every tick (AWS). */
  readonly ticks: number | null;
  readonly alerts: number;
  readonly lastPrice: number | null;
  readonly lastTimestamp: string | null;
}

/** Symbols with alerts first (most alerts first), then by name. */
export function orderSymbols(summaries: readonly SymbolSummary[]): SymbolSummary[] {
  return [...summaries].sort(
    (a, b) =>
      Number(b.alerts > 0) - Number(a.alerts > 0) ||
      b.alerts - a.alerts ||
      (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0),
  );
}

/** Newest first (market time), then by symbol; an optional symbol and side filter. */
export function alertLog<T extends MarkerAlert>(
  alerts: readonly T[],
  filter: { symbol?: string; side?: 'BUY' | 'SELL' } = {},
): T[] {
  return alerts
    .filter((a) => (!filter.symbol || a.symbol === filter.symbol) && (!filter.side || a.side === filter.side))
    .sort((a, b) => byTimestamp(b, a) || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}

export interface MinuteCounts {
  /** Start of the minute, ISO UTC. */
  readonly minute: string;
  readonly in: number | null;
  readonly processed: number | null;
  readonly deadLettered: number | null;
}

export interface CounterSample {
  readonly at: number;
  readonly in: number;
  readonly processed: number;
  readonly deadLettered: number;
}

const minuteOf = (ms: number): number => Math.floor(ms / 60_000) * 60_000;

/**
 * Per wall-clock minute, what the cumulative counters grew by: the last sample of a minute against
 * the last sample before it. The minutes are the last `minutes` up to `now`, oldest first.
 */
export function perMinute(samples: readonly CounterSample[], now: number, minutes = 15): MinuteCounts[] {
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  const lastBy = (end: number): CounterSample | undefined => {
    let found: CounterSample | undefined;
    for (const s of sorted) if (s.at < end) found = s;
    return found;
  };
  const out: MinuteCounts[] = [];
  const current = minuteOf(now);
  for (let m = current - (minutes - 1) * 60_000; m <= current; m += 60_000) {
    const end = lastBy(m + 60_000);
    const start = lastBy(m);
    const zero: CounterSample = { at: m, in: 0, processed: 0, deadLettered: 0 };
    const from = start ?? zero;
    out.push({
      minute: new Date(m).toISOString(),
      in: end ? end.in - from.in : 0,
      processed: end ? end.processed - from.processed : 0,
      deadLettered: end ? end.deadLettered - from.deadLettered : 0,
    });
  }
  return out;
}

/** Per minute, how many events fell in it (e.g. ticks of lake objects by their write time). */
export function countPerMinute(events: readonly { at: number; count: number }[], now: number, minutes = 15): MinuteCounts[] {
  const current = minuteOf(now);
  const out: MinuteCounts[] = [];
  for (let m = current - (minutes - 1) * 60_000; m <= current; m += 60_000) {
    const processed = events.filter((e) => minuteOf(e.at) === m).reduce((sum, e) => sum + e.count, 0);
    out.push({ minute: new Date(m).toISOString(), in: null, processed, deadLettered: null });
  }
  return out;
}
