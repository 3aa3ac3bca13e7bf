import { instantOf, InvalidSignalTimestamp, reconcileAlerts, type SignalEntry } from '../../../src/core/reconcile';

const e = (symbol: string, side: 'BUY' | 'SELL', timestamp: string): SignalEntry => ({ symbol, side, timestamp });

describe('reconcileAlerts', () => {
  it('matches an alert and a crossover at the same instant whatever the text of the time', () => {
    const result = reconcileAlerts(
      [e('AAPL', 'BUY', '2024-01-02T14:30:00Z'), e('MSFT', 'SELL', '2024-01-03T10:00:00.000Z')],
      [e('MSFT', 'SELL', '2024-01-03 10:00:00.000'), e('AAPL', 'BUY', '2024-01-02 14:30:00')],
    );
    expect(result).toEqual({ matched: 2, missing: [], extra: [] });
  });

  it('lists a crossover with no alert as missing and an alert with no crossover as extra, sorted, in ISO time', () => {
    const result = reconcileAlerts(
      [e('MSFT', 'BUY', '2024-01-05T00:00:00Z'), e('AAPL', 'BUY', '2024-01-02T14:30:00.000Z')],
      [
        e('AAPL', 'BUY', '2024-01-02 14:30:00.000'),
        e('MSFT', 'SELL', '2024-01-05 00:00:00.000'),
        e('AAPL', 'SELL', '2024-01-04 09:00:00.000'),
      ],
    );
    expect(result).toEqual({
      matched: 1,
      missing: [e('AAPL', 'SELL', '2024-01-04T09:00:00.000Z'), e('MSFT', 'SELL', '2024-01-05T00:00:00.000Z')],
      extra: [e('MSFT', 'BUY', '2024-01-05T00:00:00.000Z')],
    });
  });

  it('counts an alert sent twice for one crossover as one match and one extra', () => {
    const twice = [e('SPX', 'BUY', '2003-03-18T21:00:00.000Z'), e('SPX', 'BUY', '2003-03-18T21:00:00Z')];
    expect(reconcileAlerts(twice, [e('SPX', 'BUY', '2003-03-18 21:00:00.000')])).toEqual({
      matched: 1,
      missing: [],
      extra: [e('SPX', 'BUY', '2003-03-18T21:00:00.000Z')],
    });
  });

  it('tells apart alerts one millisecond, one side or one symbol away', () => {
    const result = reconcileAlerts(
      [e('A', 'BUY', '2024-01-02T00:00:00.001Z'), e('A', 'SELL', '2024-01-03T00:00:00Z'), e('B', 'BUY', '2024-01-04T00:00:00Z')],
      [e('A', 'BUY', '2024-01-02 00:00:00.000'), e('A', 'BUY', '2024-01-03 00:00:00'), e('C', 'BUY', '2024-01-04 00:00:00')],
    );
    expect(result.matched).toBe(0);
    expect(result.missing).toHaveLength(3);
    expect(result.extra).toHaveLength(3);
  });

  it('agrees on two empty lists', () => {
    expect(reconcileAlerts([], [])).toEqual({ matched: 0, missing: [], extra: [] });
  });
});

describe('instantOf', () => {
  it('reads ISO-8601 with a zone, and SQL text as UTC, to the millisecond', () => {
    expect(instantOf('2024-01-02T16:30:00+02:00')).toBe('2024-01-02T14:30:00.000Z');
    expect(instantOf('2024-01-02T16:30:00+0200')).toBe('2024-01-02T14:30:00.000Z');
    expect(instantOf('2024-01-02 14:30:00.123456')).toBe('2024-01-02T14:30:00.123Z');
    expect(instantOf('2024-01-02 14:30')).toBe('2024-01-02T14:30:00.000Z');
  });

  it('refuses text that names no instant, saying which forms it takes', () => {
    expect(() => instantOf('yesterday')).toThrow(InvalidSignalTimestamp);
    expect(() => instantOf('2024-13-01T00:00:00Z')).toThrow(InvalidSignalTimestamp);
    expect(() => instantOf('2024-02-30 10:00:00')).toThrow(
      'timestamp "2024-02-30 10:00:00" is neither ISO-8601 (2024-01-02T14:30:00Z) nor SQL text (2024-01-02 14:30:00.000)',
    );
  });
});
