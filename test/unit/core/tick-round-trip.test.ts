import { describeRejection, SYMBOL_SHAPE_MESSAGE, validateTick } from '../../../src/core/tick';

const validTick = {
  symbol: 'AAPL',
  timestamp: '2024-01-02T14:30:00Z',
  price: 185.64,
  open: 187.15,
  high: 188.44,
  low: 183.89,
  previous_close: 192.53,
  volume: 82488700,
  source: 'yahoo',
};

const rejectionOf = (input: unknown) => {
  const result = validateTick(input);
  if (result.ok) throw new Error(`expected a rejection of ${JSON.stringify(input)}`);
  return result.error[0]!;
};

const timestampOf = (input: unknown) => {
  const result = validateTick(input);
  if (!result.ok) throw new Error(`expected a tick, got ${result.error.map(describeRejection).join('; ')}`);
  return result.value.timestamp;
};

describe('a timestamp is accepted only when it round-trips exactly', () => {
  it.each([
    ['2024-02-30T15:04:05Z', 'is not a calendar date (February 2024 has 29 days)'],
    ['2023-02-29T15:04:05Z', 'is not a calendar date (February 2023 has 28 days)'],
    ['2024-04-31T15:04:05Z', 'is not a calendar date (April 2024 has 30 days)'],
    ['2024-01-00T15:04:05Z', 'is not a calendar date (January 2024 has 31 days)'],
    ['2024-00-10T15:04:05Z', 'is not a calendar date (there is no month 00)'],
    ['2024-01-02T24:00:00Z', 'is not a time of day (hours run 00-23; midnight is T00:00:00 of the next day)'],
    ['2024-01-02T15:60:00Z', 'is not a time of day (minutes run 00-59)'],
    ['2024-01-02T15:04:60Z', 'is not a time of day (seconds run 00-59; leap seconds are not representable)'],
    [
      '2024-01-02T15:04:05.1234Z',
      'has more than millisecond precision (.1234): a tick is keyed to the millisecond, so it would be stored as .123 and collide with another tick of that millisecond',
    ],
    [
      '2024-01-02T15:04:05.000000001Z',
      'has more than millisecond precision (.000000001): a tick is keyed to the millisecond, so it would be stored as .000 and collide with another tick of that millisecond',
    ],
  ])('refuses %s, saying why', (timestamp, reason) => {
    const rejection = rejectionOf({ ...validTick, timestamp });
    expect(rejection).toEqual({ field: 'timestamp', value: JSON.stringify(timestamp), reason });
    expect(describeRejection(rejection)).toBe(`timestamp="${timestamp}": ${reason}`);
  });

  it('keeps the message for text that is no ISO-8601 UTC timestamp at all', () => {
    for (const timestamp of ['2024-01-02 15:04:05', '2024-1-2T15:04:05Z', '2024-01-02T15:04:05.Z', 'yesterday']) {
      expect(rejectionOf({ ...validTick, timestamp }).reason).toBe('must be an ISO-8601 UTC timestamp like 2024-01-02T15:04:05Z');
    }
  });

  it.each([
    ['2024-02-29T15:04:05Z', '2024-02-29T15:04:05.000Z'],
    ['2024-12-31T23:59:59.999Z', '2024-12-31T23:59:59.999Z'],
    ['2024-01-02T00:00:00.5Z', '2024-01-02T00:00:00.500Z'],
    ['2024-01-02T15:04:05.123000Z', '2024-01-02T15:04:05.123Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
  ])('accepts %s as %s', (timestamp, stored) => {
    expect(timestampOf({ ...validTick, timestamp })).toBe(stored);
  });

  it('refuses 1900-02-29 (no leap year) and accepts 2000-02-29 (one)', () => {
    expect(rejectionOf({ ...validTick, timestamp: '1900-02-29T00:00:00Z' }).reason).toBe(
      'is not a calendar date (February 1900 has 28 days)',
    );
  });
});

describe('symbols as Yahoo writes them', () => {
  it.each([
    ['an index', '^GSPC'],
    ['another index', '^IXIC'],
    ['a share class with a dash', 'BRK-B'],
    ['a share class with a dot', 'BRK.B'],
    ['an exchange suffix on a numeric code', '0700.HK'],
    ['15 characters', 'ABCDEFGHIJKLMNO'],
    ['15 characters with the caret', '^ABCDEFGHIJKLMN'],
  ])('accepts %s (%s)', (_what, symbol) => {
    const result = validateTick({ ...validTick, symbol });
    expect(result.ok && result.value.symbol).toBe(symbol);
  });

  it.each([
    ['lower case', 'gspc'],
    ['lower case after the caret', '^gspc'],
    ['a space', 'BRK B'],
    ['empty', ''],
    ['a caret alone', '^'],
    ['a caret not in front', 'GS^PC'],
    ['two carets', '^^GSPC'],
    ['punctuation in front', '-GSPC'],
    ['"=" in front', '=X'],
    ['16 characters', 'ABCDEFGHIJKLMNOP'],
    ['16 characters with the caret', '^ABCDEFGHIJKLMNO'],
    ['a slash', 'BRK/B'],
  ])('refuses %s (%s)', (_what, symbol) => {
    expect(rejectionOf({ ...validTick, symbol })).toEqual({
      field: 'symbol',
      value: JSON.stringify(symbol),
      reason: SYMBOL_SHAPE_MESSAGE,
    });
  });

  it.each([
    ['a currency pair', 'EURUSD=X'],
    ['a future', 'GC=F'],
    ['an index', '^GSPC'],
    ['a share class', 'BRK-B'],
  ])('accepts the tick of %s (%s): partition paths escape the symbol (test/local/symbol-forms.test.ts)', (_what, symbol) => {
    expect(validateTick({ ...validTick, symbol }).ok).toBe(true);
  });

  it('refuses control and zero-width characters with their own reason', () => {
    for (const symbol of ['^GS\u0000PC', '\u200b^GSPC', 'GC=F\ufeff']) {
      expect(rejectionOf({ ...validTick, symbol }).reason).toBe('contains control or zero-width characters');
    }
  });
});
