import type { Tick } from './tick';

/** A move of more than this many percent against the previous close is an anomaly. */
export const ANOMALY_THRESHOLD_PERCENT = 5;

export interface EnrichedTick extends Tick {
  readonly change: number;
  readonly change_percent: number;
  readonly anomaly: boolean;
}

const round = (n: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

export function enrich(tick: Tick): EnrichedTick {
  const change = tick.price - tick.previous_close;
  const changePercent = (change / tick.previous_close) * 100;
  return {
    ...tick,
    change: round(change, 6),
    change_percent: round(changePercent, 4),
    anomaly: Math.abs(changePercent) > ANOMALY_THRESHOLD_PERCENT,
  };
}

/** The UTC calendar day of a tick, the lake's `dt` partition. */
export const tradingDay = (timestamp: string): string => timestamp.slice(0, 10);
