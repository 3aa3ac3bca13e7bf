/**
 * The demo's last month at trading-hour resolution. data/stocks.csv has one real close per symbol
 * and month; between the last two real closes this builds a synthetic path of trading days (Monday
 * to Friday) with INTRADAY_TIMES ticks each, ending exactly on the real close, so the daily report
 * of such a day has several ticks, an open, high, low and close, a chart and crossovers. The ticks
 * carry `source: "synthetic-intraday"`; the real closes keep theirs. Deterministic (seeded).
 */
import type { Tick } from '../core/tick';
import { mulberry32 } from './synthetic-source';

/** The source of the ticks this module makes up. */
export const INTRADAY_SOURCE = 'synthetic-intraday';

/** New York trading-hour ticks of a synthetic day, as UTC times for Eastern Standard Time (UTC-5). */
export const INTRADAY_TIMES = ['14:30', '15:30', '16:30', '17:30', '18:30', '19:30', '20:30', '21:00'] as const;

const DAY_MS = 86_400_000;

/** Weekdays after `from` up to and including `to` (YYYY-MM-DD of each). */
export function tradingDays(from: string, to: string): string[] {
  const days: string[] = [];
  for (
    let t = Date.parse(`${from.slice(0, 10)}T00:00:00Z`) + DAY_MS;
    t <= Date.parse(`${to.slice(0, 10)}T00:00:00Z`);
    t += DAY_MS
  ) {
    const weekday = new Date(t).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

const hash = (text: string): number => [...text].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261);

/**
 * A Brownian bridge in log price from `start` to `end` over `steps` steps: each step's shock has
 * standard deviation `volatility`, and the path is pulled so that it lands on `end` exactly.
 */
export function bridge(start: number, end: number, steps: number, volatility: number, random: () => number): number[] {
  const gauss = () => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const walk = [0];
  for (let i = 1; i <= steps; i++) walk.push(walk[i - 1]! + gauss() * volatility);
  const drift = Math.log(end / start);
  return walk.slice(1).map((w, i) => {
    const f = (i + 1) / steps;
    return start * Math.exp(drift * f + (w - walk[steps]! * f));
  });
}

const cents = (n: number): number => Math.round(n * 100) / 100;

/**
 * The ticks of one symbol between two real closes: every trading day after `from` up to `to.timestamp`,
 * INTRADAY_TIMES a day; the last tick is `to` itself (the real close, with its own source).
 */
export function intradayPath(from: Tick, to: Tick, seed: number): Tick[] {
  const days = tradingDays(from.timestamp, to.timestamp);
  if (days.length === 0) return [to];
  const random = mulberry32(seed ^ hash(`${to.symbol}${to.timestamp}`));
  const steps = days.length * INTRADAY_TIMES.length;
  // About 1.2% a day, spread over the day's ticks.
  const prices = bridge(from.price, to.price, steps, 0.012 / Math.sqrt(INTRADAY_TIMES.length), random);
  const ticks: Tick[] = [];
  let previousClose = from.price;
  days.forEach((day, d) => {
    INTRADAY_TIMES.forEach((time, k) => {
      const i = d * INTRADAY_TIMES.length + k;
      const last = i === steps - 1;
      const price = last ? to.price : cents(prices[i]!);
      const timestamp = `${day}T${time}:00.000Z`;
      ticks.push(
        last
          ? { ...to, previous_close: previousClose }
          : {
              symbol: to.symbol,
              timestamp,
              price,
              open: price,
              high: price,
              low: price,
              previous_close: previousClose,
              volume: 0,
              source: INTRADAY_SOURCE,
            },
      );
    });
    previousClose = ticks[ticks.length - 1]!.price;
  });
  return ticks;
}

/**
 * Monthly real closes with the last interval of each symbol (its last two closes) replaced by an
 * intraday path ending on the last real close.
 */
export function withIntradayTail(ticks: readonly Tick[], seed = 1): Tick[] {
  const bySymbol = new Map<string, Tick[]>();
  for (const t of [...ticks].sort((a, b) => (a.timestamp < b.timestamp ? -1 : 1))) {
    bySymbol.set(t.symbol, [...(bySymbol.get(t.symbol) ?? []), t]);
  }
  const out: Tick[] = [];
  for (const list of bySymbol.values()) {
    if (list.length < 2) {
      out.push(...list);
      continue;
    }
    out.push(...list.slice(0, -1), ...intradayPath(list[list.length - 2]!, list[list.length - 1]!, seed));
  }
  return out;
}
