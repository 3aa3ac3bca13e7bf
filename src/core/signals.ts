/**
 * SMA-5 / SMA-20 crossover detection as a fold over a symbol's ticks.
 *
 * The state is small and incremental: the last 20 prices and the side SMA-5 was last seen on,
 * so a tick never needs the symbol's history to be read again.
 */

export const SHORT_WINDOW = 5;
export const LONG_WINDOW = 20;

export type Side = 'BUY' | 'SELL';

/** Where SMA-5 stands against SMA-20: above (1), below (-1), touching (0). */
type Relation = -1 | 0 | 1;

export interface SignalState {
  readonly symbol: string;
  /** Newest tick folded in; ticks at or before it change nothing. */
  readonly lastTimestamp: string | null;
  /** The last prices, oldest first, at most LONG_WINDOW of them. */
  readonly prices: readonly number[];
  /**
   * The last side SMA-5 was strictly on, or 0 if it has only touched SMA-20 since both existed;
   * null while the previous tick had no SMA-20 yet (warm-up).
   */
  readonly relation: Relation | null;
}

export interface PricePoint {
  readonly symbol: string;
  readonly timestamp: string;
  readonly price: number;
}

export interface Alert {
  readonly symbol: string;
  readonly side: Side;
  readonly timestamp: string;
  readonly price: number;
  readonly sma5: number;
  readonly sma20: number;
}

export const initialSignalState = (symbol: string): SignalState => ({
  symbol,
  lastTimestamp: null,
  prices: [],
  relation: null,
});

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * SMA-5 is above SMA-20 when `sma5 - sma20 > SIGNAL_TOLERANCE * |sma20|`, below when it is
 * `< -SIGNAL_TOLERANCE * |sma20|`, and touching in between. Two means of the same prices summed in a
 * different order may differ in their last bits (about 1e-15 of the price), so an exact touch needs a
 * margin; it is purely relative so that the rule is the same at every price level: scaling a series
 * by a power of two changes no relation (an absolute floor below a price of 1 turned real crossovers of
 * a 1e-5 price into touches). 1e-9 of the price is some 250,000 times the rounding error, and below
 * the smallest real gap between the SMAs (one tick of the quote over 20 prices) while the price is
 * under 5e7 ticks (500,000.00 in cents): up to there a touch means equal SMAs. tick.ts bounds prices
 * so that the sums of 20 of them stay finite and normal, where the relative error holds. The SQL
 * recomputation uses the same constant, in the same shape.
 */
export const SIGNAL_TOLERANCE = 1e-9;

const relationOf = (sma5: number, sma20: number): Relation => {
  const diff = sma5 - sma20;
  const tolerance = SIGNAL_TOLERANCE * Math.abs(sma20);
  if (diff > tolerance) return 1;
  if (diff < -tolerance) return -1;
  return 0;
};

export interface FoldResult {
  readonly state: SignalState;
  readonly alerts: readonly Alert[];
}

/**
 * Folds one symbol's ticks into its state. BUY when SMA-5 goes from at-or-below SMA-20 to above it,
 * SELL when it goes from at-or-above to below. A touch (equal SMAs) is not a cross: SMA-5 touching
 * SMA-20 from above and moving up again signals nothing. No signal until both SMAs exist on the
 * previous and the current tick. Ticks of other symbols, duplicates and out-of-order ticks are ignored.
 */
export function foldSignals(state: SignalState, ticks: readonly PricePoint[]): FoldResult {
  const ordered = ticks
    .filter((t) => t.symbol === state.symbol)
    .slice()
    .sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  const alerts: Alert[] = [];
  let { lastTimestamp, prices, relation } = state;

  for (const tick of ordered) {
    if (lastTimestamp !== null && tick.timestamp <= lastTimestamp) continue;
    lastTimestamp = tick.timestamp;
    prices = [...prices, tick.price].slice(-LONG_WINDOW);
    if (prices.length < LONG_WINDOW) continue;

    const sma5 = mean(prices.slice(-SHORT_WINDOW));
    const sma20 = mean(prices);
    const current = relationOf(sma5, sma20);
    if (relation !== null && current !== 0 && current !== relation) {
      alerts.push({
        symbol: tick.symbol,
        side: current === 1 ? 'BUY' : 'SELL',
        timestamp: tick.timestamp,
        price: tick.price,
        sma5,
        sma20,
      });
    }
    if (relation === null || current !== 0) relation = current;
  }
  return { state: { symbol: state.symbol, lastTimestamp, prices, relation }, alerts };
}

/** Subject and body of the message an alert sends. */
export function formatAlert(alert: Alert): { subject: string; message: string } {
  const verb = alert.side === 'BUY' ? 'crossed above' : 'crossed below';
  return {
    subject: `stockpipe ${alert.side} ${alert.symbol} at ${alert.price.toFixed(2)}`,
    message:
      `${alert.side} ${alert.symbol} at ${alert.price.toFixed(2)}: SMA-5 ${alert.sma5.toFixed(4)} ${verb} ` +
      `SMA-20 ${alert.sma20.toFixed(4)} at ${alert.timestamp}.`,
  };
}
