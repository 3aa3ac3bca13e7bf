import { foldSignals, formatAlert, initialSignalState, type PricePoint } from '../../../src/core/signals';

const at = (i: number) => new Date(Date.UTC(2024, 0, 2, 14, 30) + i * 30_000).toISOString();
const series = (prices: number[], symbol = 'AAPL', from = 1): PricePoint[] =>
  prices.map((price, i) => ({ symbol, timestamp: at(from + i), price }));

// Hand-checked: 20 flat ticks at 10 (SMA-5 = SMA-20 = 10, a touch at warm-up), then
// t21 20 -> SMA5 12    SMA20 10.5   above: BUY (from equal to above)
// t22  5 -> SMA5 11    SMA20 10.25  above
// t23  5 -> SMA5 10    SMA20 10     touch
// t24  5 -> SMA5  9    SMA20  9.75  below: SELL (from equal, after above, to below)
// t25 15 -> SMA5 10    SMA20 10     touch from below
// t26  5 -> SMA5  7    SMA20  9.75  below again: no signal, a touch is not a cross
// t27 40 -> SMA5 14    SMA20 11.25  above: BUY
const HAND_CHECKED = [...Array(20).fill(10), 20, 5, 5, 5, 15, 5, 40];

describe('foldSignals', () => {
  it('finds exactly the hand-checked crosses with their SMAs', () => {
    const { alerts } = foldSignals(initialSignalState('AAPL'), series(HAND_CHECKED));
    expect(alerts).toEqual([
      { symbol: 'AAPL', side: 'BUY', timestamp: at(21), price: 20, sma5: 12, sma20: 10.5 },
      { symbol: 'AAPL', side: 'SELL', timestamp: at(24), price: 5, sma5: 9, sma20: 9.75 },
      { symbol: 'AAPL', side: 'BUY', timestamp: at(27), price: 40, sma5: 14, sma20: 11.25 },
    ]);
  });

  it('gives the same alerts tick by tick as in one fold (state carries the cross)', () => {
    let state = initialSignalState('AAPL');
    const alerts = [];
    for (const point of series(HAND_CHECKED)) {
      const out = foldSignals(state, [point]);
      state = out.state;
      alerts.push(...out.alerts);
    }
    expect(alerts).toEqual(foldSignals(initialSignalState('AAPL'), series(HAND_CHECKED)).alerts);
  });

  it('signals nothing during warm-up, even when SMA-5 starts above SMA-20', () => {
    const rising = Array.from({ length: 22 }, (_, i) => 10 + i);
    const { alerts, state } = foldSignals(initialSignalState('AAPL'), series(rising));
    expect(alerts).toEqual([]);
    expect(state.relation).toBe(1);
    expect(state.prices).toHaveLength(20);
  });

  it('needs SMA-20 on the previous tick too: a cross on the 20th tick is not signalled', () => {
    // 19 ticks falling, then a jump: at tick 20 SMA-5 is above SMA-20 for the first time it exists.
    const prices = [...Array.from({ length: 19 }, (_, i) => 30 - i), 100];
    expect(foldSignals(initialSignalState('AAPL'), series(prices)).alerts).toEqual([]);
  });

  it('treats a touch from above followed by a rise as no cross', () => {
    // Hand-checked: after the BUY at t21,
    // t22  8 -> SMA5 11.6  SMA20 10.4  above
    // t23  2 -> SMA5 10    SMA20 10    touch
    // t24 30 -> SMA5 14    SMA20 11    above again: no second BUY
    const prices = [...Array(20).fill(10), 20, 8, 2, 30];
    const { alerts, state } = foldSignals(initialSignalState('AAPL'), series(prices));
    expect(alerts.map((a) => [a.side, a.timestamp])).toEqual([['BUY', at(21)]]);
    expect(state.relation).toBe(1);
  });

  it('ignores duplicate and out-of-order ticks', () => {
    const first = foldSignals(initialSignalState('AAPL'), series(HAND_CHECKED.slice(0, 21)));
    expect(first.alerts).toHaveLength(1);
    const again = foldSignals(first.state, [
      { symbol: 'AAPL', timestamp: at(21), price: 1 }, // duplicate timestamp, different price
      { symbol: 'AAPL', timestamp: at(3), price: 1000 }, // far out of order
    ]);
    expect(again.alerts).toEqual([]);
    expect(again.state).toEqual(first.state);
  });

  it('sorts a batch by time and ignores other symbols', () => {
    const shuffled = series(HAND_CHECKED).reverse();
    const withNoise = [...shuffled, { symbol: 'MSFT', timestamp: at(30), price: 1 }];
    expect(foldSignals(initialSignalState('AAPL'), withNoise).alerts.map((a) => a.side)).toEqual(['BUY', 'SELL', 'BUY']);
  });

  it('formats an alert naming symbol, side, price, both SMAs and time', () => {
    const [buy] = foldSignals(initialSignalState('AAPL'), series(HAND_CHECKED)).alerts;
    const { subject, message } = formatAlert(buy!);
    expect(subject).toBe('stockpipe BUY AAPL at 20.00');
    expect(message).toBe(`BUY AAPL at 20.00: SMA-5 12.0000 crossed above SMA-20 10.5000 at ${at(21)}.`);
  });
});
