import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CsvFormatError, parseQuoteCsv } from '../../../src/producer/csv';
import { splitCsvRecords } from '../../../src/producer/csv-records';
import { parseMarketTime } from '../../../src/producer/market-time';

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', 'fixtures', 'csv', name), 'utf8');

describe('parseMarketTime', () => {
  it.each([
    ['Jan 1 2000', '2000-01-01T21:00:00.000Z'],
    ['Feb 29 2000', '2000-02-29T21:00:00.000Z'],
    ['2000-01-03', '2000-01-03T21:00:00.000Z'],
    ['2020-09-01T20:00:00Z', '2020-09-01T20:00:00.000Z'],
    ['2020-09-02T16:00:00-04:00', '2020-09-02T20:00:00.000Z'],
    ['2020-09-02 16:00:00+0200', '2020-09-02T14:00:00.000Z'],
    ['2020-09-02T16:00:00.123456Z', '2020-09-02T16:00:00.123Z'],
  ])('reads %s as %s', (input, expected) => {
    expect(parseMarketTime(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'is required'],
    ['Feb 30 2000', 'is not a day of the calendar'],
    ['2000-13-01', 'is not a day of the calendar'],
    ['Foo 1 2000', 'has an unknown month "Foo"'],
    ['2020-09-01T20:00:00', 'has no time zone'],
    ['2020-09-01T25:00:00Z', 'is not a valid time'],
    ['yesterday', 'is not a date'],
  ])('refuses %j: %s', (input, reason) => {
    const result = parseMarketTime(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(reason);
  });
});

describe('splitCsvRecords', () => {
  it('keeps quoted commas, escaped quotes and line breaks, and numbers records by their first line', () => {
    const records = splitCsvRecords('\ufeffa,b\r\n"x, y","say ""hi"""\r\n\r\n"multi\nline",z\nlast,row');
    expect(records).toEqual([
      { line: 1, raw: 'a,b', fields: ['a', 'b'] },
      { line: 2, raw: '"x, y","say ""hi"""', fields: ['x, y', 'say "hi"'] },
      { line: 4, raw: '"multi\nline",z', fields: ['multi\nline', 'z'] },
      { line: 6, raw: 'last,row', fields: ['last', 'row'] },
    ]);
  });

  it('reports a quote that is never closed instead of losing the record', () => {
    const records = splitCsvRecords('a,b\n"open,1\n2,3\n');
    expect(records).toHaveLength(2);
    expect(records[1]).toMatchObject({ line: 2, problem: 'has a quoted field that is never closed' });
  });
});

describe('parseQuoteCsv: Yahoo Finance historical layout', () => {
  it('reads every row of a real download, Close as the price and Adj Close ignored', () => {
    const parsed = parseQuoteCsv(fixture('yahoo-AAPL-2020-09.csv'), { symbol: 'aapl' });
    expect(parsed.layout).toBe('yahoo-historical');
    expect(parsed.rejections).toEqual([]);
    expect(parsed.rows).toHaveLength(5);
    expect(parsed.rows[0]).toEqual({
      line: 2,
      tick: {
        symbol: 'AAPL',
        timestamp: '2020-08-31T21:00:00.000Z',
        price: 129.039993,
        open: 127.580002,
        high: 131,
        low: 126,
        // First row, no previous_close column: its own open.
        previous_close: 127.580002,
        volume: 225702700,
        source: 'replay',
      },
    });
    expect(parsed.rows.map((r) => r.tick.previous_close)).toEqual([127.580002, 129.039993, 134.179993, 131.399994, 120.879997]);
    expect(parsed.rows.map((r) => r.line)).toEqual([2, 3, 4, 5, 6]);
  });

  it('needs the symbol, since the file has no symbol column', () => {
    expect(() => parseQuoteCsv(fixture('yahoo-AAPL-2020-09.csv'), { name: 'aapl.csv' })).toThrow(
      new CsvFormatError(
        'aapl.csv has no symbol column (a Yahoo Finance historical download?); give the symbol its prices belong to',
      ),
    );
  });

  it('refuses a symbol that cannot be a ticker before reading any row', () => {
    expect(() => parseQuoteCsv(fixture('yahoo-AAPL-2020-09.csv'), { symbol: 'NOT A SYMBOL' })).toThrow(CsvFormatError);
  });

  it('turns the null rows Yahoo writes for missing days into rejections with their line numbers', () => {
    const text =
      'Date,Open,High,Low,Close,Adj Close,Volume\n2020-08-31,1,2,0.5,1.5,1.4,10\n2020-09-01,null,null,null,null,null,null\n2020-09-02,1.5,2,1,1.8,1.7,20\n';
    const parsed = parseQuoteCsv(text, { symbol: 'AAPL' });
    expect(parsed.rows.map((r) => r.line)).toEqual([2, 4]);
    // The refused row does not count as the previous day: line 4 follows line 2.
    expect(parsed.rows[1]!.tick.previous_close).toBe(1.5);
    expect(parsed.rejections).toEqual([
      {
        line: 3,
        raw: '2020-09-01,null,null,null,null,null,null',
        rejection: { field: 'Close', value: '"null"', reason: 'must be a number' },
      },
    ]);
  });
});

describe('parseQuoteCsv: long layout', () => {
  it('reads data/stocks.csv whole: 560 rows of 5 symbols, no rejection', () => {
    const parsed = parseQuoteCsv(readFileSync(join(__dirname, '..', '..', '..', 'data', 'stocks.csv'), 'utf8'));
    expect(parsed.layout).toBe('long');
    expect(parsed.rejections).toHaveLength(0);
    expect(parsed.rows).toHaveLength(560);
    expect(new Set(parsed.rows.map((r) => r.tick.symbol))).toEqual(new Set(['MSFT', 'AMZN', 'IBM', 'GOOG', 'AAPL']));
  });

  it('orders rows by time, derives previous_close in time order and defaults open/high/low/volume', () => {
    const parsed = parseQuoteCsv(fixture('long-2004-reversed.csv'), { source: 'csv' });
    expect(parsed.rows.map((r) => [r.line, r.tick.symbol, r.tick.timestamp, r.tick.previous_close])).toEqual([
      [4, 'MSFT', '2004-08-01T21:00:00.000Z', 22.47],
      [7, 'GOOG', '2004-08-01T21:00:00.000Z', 102.37],
      [3, 'MSFT', '2004-09-01T21:00:00.000Z', 22.47],
      [6, 'GOOG', '2004-09-01T21:00:00.000Z', 102.37],
      [2, 'MSFT', '2004-10-01T21:00:00.000Z', 22.76],
      [5, 'GOOG', '2004-10-01T21:00:00.000Z', 129.6],
    ]);
    expect(parsed.rows[5]!.tick).toEqual({
      symbol: 'GOOG',
      timestamp: '2004-10-01T21:00:00.000Z',
      price: 190.64,
      open: 190.64,
      high: 190.64,
      low: 190.64,
      previous_close: 129.6,
      volume: 0,
      source: 'csv',
    });
  });

  it('keeps a given previous_close and derives the empty ones; ISO timestamps with offsets become UTC', () => {
    const parsed = parseQuoteCsv(fixture('long-AAPL-2020-09-full.csv'));
    expect(parsed.rejections).toEqual([]);
    expect(parsed.rows.map((r) => [r.tick.timestamp, r.tick.previous_close, r.tick.volume])).toEqual([
      ['2020-08-31T20:00:00.000Z', 124.808, 225702700],
      ['2020-09-01T20:00:00.000Z', 129.039993, 151948100],
      ['2020-09-02T20:00:00.000Z', 134.179993, 200119000],
    ]);
  });

  it('widens a missing high and low to a given open', () => {
    const parsed = parseQuoteCsv('symbol,date,close,open\nIBM,2000-01-03,100,104\n');
    expect(parsed.rows[0]!.tick).toMatchObject({ price: 100, open: 104, high: 104, low: 100, previous_close: 104 });
  });

  it('rejects each bad row with its line, raw text, field, value and reason, and keeps the good ones', () => {
    const text = [
      'symbol,date,price,open,high,low,volume', // 1
      'MSFT,Jan 1 2000,39.81,39,40,38,1000', // 2 good
      'MSFT,Feb 1 2000,36.35', // 3 too few fields
      ',Feb 1 2000,36.35,36,37,35,1000', // 4 empty symbol
      'MS FT,Feb 1 2000,36.35,36,37,35,1000', // 5 bad symbol
      'MSFT,2000-13-01,36.35,36,37,35,1000', // 6 impossible date
      'MSFT,yesterday,36.35,36,37,35,1000', // 7 not a date
      'MSFT,2000-02-01T10:00:00,36.35,36,37,35,1000', // 8 no zone
      'MSFT,Mar 1 2000,abc,36,37,35,1000', // 9 price not a number
      'MSFT,Mar 1 2000,,36,37,35,1000', // 10 price empty
      'MSFT,Mar 1 2000,0,36,37,35,1000', // 11 price zero
      'MSFT,Mar 1 2000,-5,36,37,35,1000', // 12 price negative
      'MSFT,Mar 1 2000,36.35,36,37,35,1.5', // 13 fractional volume
      'MSFT,Mar 1 2000,36.35,36,37,35,-100', // 14 negative volume
      'MSFT,Mar 1 2000,36.35,36,35,37,1000', // 15 high below low
      'MSFT,Jan 1 2000,39.81,39,40,38,1000', // 16 duplicate of line 2
      'MSFT,Apr 1 2000,1e400,36,37,35,1000', // 17 not finite
      'AAPL,Apr 1 2000,28.37,28,29,27,1000', // 18 good
      '"AAPL,May 1 2000,20,20,21,19,1000', // 19 quote never closed
    ].join('\n');
    const parsed = parseQuoteCsv(text);
    expect(parsed.rows.map((r) => r.line)).toEqual([2, 18]);
    expect(parsed.rejections.map((r) => [r.line, r.rejection.field, r.rejection.value, r.rejection.reason])).toEqual([
      [3, '(row)', '3 fields', 'expected 7 fields, as in the header'],
      [
        4,
        'symbol',
        '""',
        'must be 1-15 characters of A-Z, 0-9, ".", "-" or "=", starting with a letter or digit, or with "^" before one (an index such as ^GSPC)',
      ],
      [
        5,
        'symbol',
        '"MS FT"',
        'must be 1-15 characters of A-Z, 0-9, ".", "-" or "=", starting with a letter or digit, or with "^" before one (an index such as ^GSPC)',
      ],
      [6, 'date', '"2000-13-01"', 'is not a day of the calendar'],
      [7, 'date', '"yesterday"', expect.stringContaining('is not a date; expected a date like 2000-01-03')],
      [8, 'date', '"2000-02-01T10:00:00"', expect.stringContaining('has no time zone')],
      [9, 'price', '"abc"', 'must be a number'],
      [10, 'price', '""', 'is required'],
      [11, 'price', '0', 'must be greater than 0'],
      [12, 'price', '-5', 'must be greater than 0'],
      [13, 'volume', '1.5', 'must be a whole number of shares'],
      [14, 'volume', '-100', 'must not be negative'],
      [15, 'high', '35', 'must be greater than or equal to low'],
      [16, 'date', '"2000-01-01T21:00:00.000Z"', 'repeats line 2 for MSFT'],
      [17, 'price', 'Infinity', 'must be a finite number'],
      [19, '(row)', '"\\"AAPL,May 1 2000,20,20,21,19,1000"', 'has a quoted field that is never closed'],
    ]);
    expect(parsed.rejections[1]!.raw).toBe(',Feb 1 2000,36.35,36,37,35,1000');
  });

  it.each([
    ['', 'the CSV is empty; expected a header line like symbol,date,price'],
    ['symbol,date,price,volumne\n', 'the CSV has an unknown column "volumne"'],
    ['symbol,date,timestamp,price\n', 'the CSV has both "date" and "timestamp" columns, which mean the same; keep one'],
    ['symbol,price\n', 'the CSV has no timestamp or date column'],
    ['symbol,date\n', 'the CSV has no price or close column'],
  ])('refuses a file whose header cannot be read: %j', (text, message) => {
    expect(() => parseQuoteCsv(text)).toThrow(CsvFormatError);
    expect(() => parseQuoteCsv(text)).toThrow(message);
  });

  it('refuses a symbol given for a file that has its own symbol column', () => {
    expect(() => parseQuoteCsv('symbol,date,price\n', { symbol: 'AAPL' })).toThrow(
      'has a symbol column, so no symbol may be given for it (got AAPL)',
    );
  });

  it('reads a header only as no rows and no rejections', () => {
    expect(parseQuoteCsv('SYMBOL,TIMESTAMP,CLOSE\n')).toEqual({ layout: 'long', rows: [], rejections: [] });
  });
});
