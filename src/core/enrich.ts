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

/**
 * The move against the previous close in hundredths of a percent, rounded half away from zero: the
 * percentage as the report shows it (5.00%). The anomaly rule compares this whole number, not the
 * unrounded float: 1.05 against 1.00 is 5.000000000000004% in floating point and 105 against 100 is
 * 5%, and both are the same 5.00% to the reader. The report's SQL (src/report/queries.ts) computes
 * the same value with the same operations in the same order (ROUND(ABS(...) * 100)), so the stored
 * flag, the shown percentage and the report agree at every price level.
 */
export function changeHundredths(price: number, previousClose: number): number {
  const percent = ((price - previousClose) / previousClose) * 100;
  const hundredths = Math.round(Math.abs(percent) * 100);
  return percent < 0 && hundredths !== 0 ? -hundredths : hundredths;
}

/** An anomaly: a move of more than ANOMALY_THRESHOLD_PERCENT, at the two decimals shown. */
export const isAnomaly = (price: number, previousClose: number): boolean =>
  Math.abs(changeHundredths(price, previousClose)) > ANOMALY_THRESHOLD_PERCENT * 100;

export function enrich(tick: Tick): EnrichedTick {
  const change = tick.price - tick.previous_close;
  const changePercent = (change / tick.previous_close) * 100;
  return {
    ...tick,
    change: round(change, 6),
    change_percent: round(changePercent, 4),
    anomaly: isAnomaly(tick.price, tick.previous_close),
  };
}

/** The UTC calendar day of a tick, the lake's `dt` partition. */
export const tradingDay = (timestamp: string): string => timestamp.slice(0, 10);
