import { enrich } from '../../../src/core/enrich';
import { MAX_TICK_BYTES, parseTick, validateTick } from '../../../src/core/tick';

export const validTick = {
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
  if (result.ok) throw new Error('expected a rejection');
  return result.error[0];
};

describe('parseTick', () => {
  it('accepts a valid tick and normalises its timestamp to millisecond ISO UTC', () => {
    const result = parseTick(JSON.stringify(validTick));
    expect(result).toEqual({ ok: true, value: { ...validTick, timestamp: '2024-01-02T14:30:00.000Z' } });
  });

  it('drops unknown fields instead of carrying them into the lake', () => {
    const result = parseTick(JSON.stringify({ ...validTick, extra: 'x' }));
    expect(result.ok && 'extra' in result.value).toBe(false);
  });

  it.each([
    ['malformed JSON', '{"symbol": "AAPL",', '(record)', /is not valid JSON/],
    ['NaN (not JSON)', JSON.stringify(validTick).replace('185.64', 'NaN'), '(record)', /is not valid JSON/],
    ['a JSON array', '[1,2]', '(record)', /must be a JSON object/],
    ['JSON null', 'null', '(record)', /must be a JSON object/],
  ])('rejects %s', (_name, payload, field, reason) => {
    const result = parseTick(payload);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.field).toBe(field);
      expect(result.error.reason).toMatch(reason);
    }
  });

  it('rejects an oversize payload before parsing it, saying its size', () => {
    const payload = JSON.stringify({ ...validTick, source: 'x'.repeat(MAX_TICK_BYTES) });
    const result = parseTick(payload);
    expect(result).toEqual({
      ok: false,
      error: {
        field: '(record)',
        value: `${Buffer.byteLength(payload)} bytes`,
        reason: `exceeds the ${MAX_TICK_BYTES}-byte limit of a tick`,
      },
    });
  });
});

describe('validateTick rejections name the field, the value and the reason', () => {
  it.each([
    ['missing price', { ...validTick, price: undefined }, 'price', '<missing>', 'is required'],
    ['string price', { ...validTick, price: '185' }, 'price', '"185"', 'must be a number, got string'],
    ['NaN price', { ...validTick, price: NaN }, 'price', 'NaN', 'must be a finite number'],
    ['infinite price', { ...validTick, price: Infinity }, 'price', 'Infinity', 'must be a finite number'],
    ['negative price', { ...validTick, price: -1 }, 'price', '-1', 'must be greater than 0'],
    ['zero previous close', { ...validTick, previous_close: 0 }, 'previous_close', '0', 'must be greater than 0'],
    ['negative volume', { ...validTick, volume: -5 }, 'volume', '-5', 'must not be negative'],
    ['fractional volume', { ...validTick, volume: 1.5 }, 'volume', '1.5', 'must be a whole number of shares'],
    ['missing symbol', { ...validTick, symbol: undefined }, 'symbol', '<missing>', 'is required'],
    [
      'control character in symbol',
      { ...validTick, symbol: 'AA\u0007PL' },
      'symbol',
      '"AA\\u0007PL"',
      'contains control or zero-width characters',
    ],
    [
      'zero-width space in symbol',
      { ...validTick, symbol: 'AA\u200bPL' },
      'symbol',
      '"AA\u200bPL"',
      'contains control or zero-width characters',
    ],
    [
      'lower-case symbol',
      { ...validTick, symbol: 'aapl' },
      'symbol',
      '"aapl"',
      expect.stringMatching(/^must be 1-15 characters/),
    ],
    ['empty symbol', { ...validTick, symbol: '' }, 'symbol', '""', expect.stringMatching(/^must be 1-15 characters/)],
    [
      'timestamp with an offset',
      { ...validTick, timestamp: '2024-01-02T09:30:00-05:00' },
      'timestamp',
      '"2024-01-02T09:30:00-05:00"',
      expect.stringMatching(/^must be an ISO-8601 UTC/),
    ],
    [
      'impossible date',
      { ...validTick, timestamp: '2024-13-40T00:00:00Z' },
      'timestamp',
      '"2024-13-40T00:00:00Z"',
      expect.stringMatching(/^must be an ISO-8601 UTC/),
    ],
    ['high below low', { ...validTick, high: 180, low: 181 }, 'high', '180', 'must be greater than or equal to low'],
    ['empty source', { ...validTick, source: '' }, 'source', '""', 'must not be empty'],
  ])('%s', (_name, input, field, value, reason) => {
    expect(rejectionOf(input)).toEqual({ field, value, reason });
  });
});

describe('enrich', () => {
  it('computes change, change % and the >5% anomaly flag against the previous close', () => {
    expect(enrich({ ...validTick, price: 105, previous_close: 100 })).toMatchObject({
      change: 5,
      change_percent: 5,
      anomaly: false,
    });
    expect(enrich({ ...validTick, price: 105.01, previous_close: 100 })).toMatchObject({
      change: 5.01,
      change_percent: 5.01,
      anomaly: true,
    });
    expect(enrich({ ...validTick, price: 94, previous_close: 100 })).toMatchObject({
      change: -6,
      change_percent: -6,
      anomaly: true,
    });
  });
});
