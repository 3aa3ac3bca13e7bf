import { enrich } from '../../../src/core/enrich';
import { foldSignals, initialSignalState } from '../../../src/core/signals';
import { MAX_PRICE, MAX_TICK_BYTES, MIN_PRICE, parseTick, validateTick } from '../../../src/core/tick';

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
      'is not a calendar date (there is no month 13)',
    ],
    ['high below low', { ...validTick, high: 180, low: 181 }, 'high', '180', 'must be greater than or equal to low'],
    ['empty source', { ...validTick, source: '' }, 'source', '""', 'must not be empty'],
  ])('%s', (_name, input, field, value, reason) => {
    expect(rejectionOf(input)).toEqual({ field, value, reason });
  });
});

const WHY = ' (prices are bounded so that the SMA sums of 20 of them stay finite and precise)';
const PRICE_FIELDS = ['price', 'open', 'high', 'low', 'previous_close'] as const;

describe('validateTick bounds every price to 1e-12..1e12', () => {
  it('exports the bounds it checks', () => {
    expect([MIN_PRICE, MAX_PRICE]).toEqual([1e-12, 1e12]);
  });

  it.each(PRICE_FIELDS)('rejects %s above 1e12 and below 1e-12, naming field, value and why', (field) => {
    const ones = { ...validTick, price: 1, open: 1, high: 1, low: 1, previous_close: 1 };
    // A low above the bound needs a high there too (high >= low); a high below it, a low there too.
    const cases = [
      { value: 1.5e12, printed: '1500000000000', reason: `must be at most 1e12${WHY}`, also: field === 'low' ? ['high'] : [] },
      { value: 5e-13, printed: '5e-13', reason: `must be at least 1e-12${WHY}`, also: field === 'high' ? ['low'] : [] },
    ];
    for (const { value, printed, reason, also } of cases) {
      const off = [field, ...also];
      const input = { ...ones, ...Object.fromEntries(off.map((f) => [f, value])) };
      const expected = PRICE_FIELDS.filter((f) => off.includes(f)).map((f) => ({ field: f, value: printed, reason }));
      expect(validateTick(input)).toEqual({ ok: false, error: expected });
    }
  });

  it('rejects a price near the float limit, where a sum of 20 of them is Infinity', () => {
    expect(
      Array<number>(20)
        .fill(1e308)
        .reduce((a, b) => a + b, 0),
    ).toBe(Infinity);
    expect(rejectionOf({ ...validTick, price: 1e308, high: 1e308 })).toEqual({
      field: 'price',
      value: '1e+308',
      reason: `must be at most 1e12${WHY}`,
    });
  });

  it('gives a negative or zero price one reason, not also the lower bound', () => {
    expect(validateTick({ ...validTick, low: -1 })).toEqual({
      ok: false,
      error: [{ field: 'low', value: '-1', reason: 'must be greater than 0' }],
    });
  });

  it('accepts prices at both bounds, and the fold and enrichment stay finite there', () => {
    for (const n of [MIN_PRICE, MAX_PRICE]) {
      const tick = { ...validTick, price: n, open: n, high: n, low: n, previous_close: n };
      expect(validateTick(tick)).toEqual({ ok: true, value: { ...tick, timestamp: '2024-01-02T14:30:00.000Z' } });
    }
    const swing = enrich({ ...validTick, price: MAX_PRICE, previous_close: MIN_PRICE });
    expect(Number.isFinite(swing.change_percent)).toBe(true);
    // 20 ticks at the top bound, then one at the bottom: a SELL with finite SMAs.
    const prices = [...Array<number>(20).fill(MAX_PRICE), MIN_PRICE];
    const points = prices.map((price, k) => ({
      symbol: 'X',
      timestamp: `2024-01-${String(k + 1).padStart(2, '0')}T00:00:00.000Z`,
      price,
    }));
    const { alerts } = foldSignals(initialSignalState('X'), points);
    expect(alerts.map((a) => [a.side, Number.isFinite(a.sma5), Number.isFinite(a.sma20)])).toEqual([['SELL', true, true]]);
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
