/**
 * The report's figures are the market's: the real report SQL on DuckDB over ticks made by the real
 * producers' parsers (the CSV fixtures, data/stocks.csv, Yahoo quote records, the synthetic walk).
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLakeDatabase, type LakeDatabase } from '../../src/adapters/local/duckdb-athena';
import { changeHundredths, enrich, isAnomaly } from '../../src/core/enrich';
import type { ReportAlert, SymbolReport } from '../../src/core/report';
import type { Tick } from '../../src/core/tick';
import { volumeMeaning } from '../../src/core/volume';
import { parseQuoteCsv } from '../../src/producer/csv';
import { SyntheticSource } from '../../src/producer/synthetic-source';
import { tickFromYahooQuote, type YahooQuote } from '../../src/producer/yahoo-source';
import { anomalySql } from '../../src/report/queries';
import { FIXTURE_TABLE, loadTicks, reportOf } from './report-sql';

const root = join(__dirname, '..', '..');
const csvTicks = (file: string, options: { symbol?: string; source?: string } = {}): Tick[] =>
  parseQuoteCsv(readFileSync(join(root, file), 'utf8'), options).rows.map((r) => r.tick);
const yahooQuotes = (): YahooQuote[] =>
  (
    JSON.parse(readFileSync(join(root, 'test/fixtures/yahoo/quote-AAPL-MSFT-AZN.json'), 'utf8')) as {
      response: { bodyJson: { quoteResponse: { result: YahooQuote[] } } };
    }
  ).response.bodyJson.quoteResponse.result;

let db: LakeDatabase;
beforeAll(async () => {
  db = await openLakeDatabase({ s3Dir: tmpdir(), bucket: 'no-such-bucket' });
});
afterAll(() => db.close());

const figures = (s: SymbolReport | undefined) =>
  s && {
    open: s.open,
    high: s.high,
    low: s.low,
    close: s.close,
    previousClose: s.previousClose,
    changePercent: s.changePercent,
    volume: s.volume,
    ticks: s.ticks,
    anomalies: s.anomalies,
  };

describe('volume means what the source says it means', () => {
  it('yahoo is cumulative for the day; the CSV, replay and synthetic sources are per bar; other sources per bar', () => {
    expect(['yahoo', 'csv', 'replay', 'synthetic', 'cli'].map(volumeMeaning)).toEqual([
      'day-cumulative',
      'per-bar',
      'per-bar',
      'per-bar',
      'per-bar',
    ]);
  });
});

describe("a day of real daily data shows the CSV's own open, high, low, close and volume", () => {
  // test/fixtures/csv/yahoo-AAPL-2020-09.csv: Date, Open, High, Low, Close, Adj Close, Volume.
  const days = [
    ['2020-09-01', 132.759995, 134.800003, 130.529999, 134.179993, 151948100, 129.039993, 3.98],
    ['2020-09-02', 137.589996, 137.979996, 127.0, 131.399994, 200119000, 134.179993, -2.07],
    ['2020-09-03', 126.910004, 128.839996, 120.5, 120.879997, 257599600, 131.399994, -8.01],
    ['2020-09-04', 120.07, 123.699997, 110.889999, 120.959999, 332607200, 120.879997, 0.07],
  ] as const;

  // The long file has the same rows up to 2020-09-02.
  for (const [file, symbol, last] of [
    ['test/fixtures/csv/yahoo-AAPL-2020-09.csv', 'AAPL', 4],
    ['test/fixtures/csv/long-AAPL-2020-09-full.csv', undefined, 2],
  ] as const) {
    it(`${file}: every day as the file writes it, change against the day before's close`, async () => {
      await loadTicks(db, csvTicks(file, { ...(symbol ? { symbol } : {}), source: 'csv' }));
      for (const [date, open, high, low, close, volume, previousClose, change] of days.slice(0, last)) {
        const { report } = await reportOf(db, date);
        expect([date, figures(report.symbols[0])]).toEqual([
          date,
          {
            open,
            high,
            low,
            close,
            previousClose,
            changePercent: change,
            volume,
            ticks: 1,
            anomalies: date === '2020-09-03' ? 1 : 0,
          },
        ]);
      }
    });
  }

  it('data/stocks.csv (closes only): open = high = low = close = the close, change against the month before, volume 0', async () => {
    await loadTicks(db, csvTicks('data/stocks.csv'));
    const { report } = await reportOf(db, '2000-03-01');
    // MSFT,Feb 1 2000,36.35 then MSFT,Mar 1 2000,43.22: +18.90%.
    expect(figures(report.symbols.find((s) => s.symbol === 'MSFT'))).toEqual({
      open: 43.22,
      high: 43.22,
      low: 43.22,
      close: 43.22,
      previousClose: 36.35,
      changePercent: 18.9,
      volume: 0,
      ticks: 1,
      anomalies: 1,
    });
    expect(report.symbols.map((s) => s.symbol)).toEqual(['AAPL', 'AMZN', 'IBM', 'MSFT']);
  });
});

describe('Yahoo polls: the day from cumulative volume and the quote fields', () => {
  const quotes = yahooQuotes();
  const msft = quotes.find((q) => q.symbol === 'MSFT')!;
  const azn = quotes.find((q) => q.symbol === 'AZN')!;
  const at = (q: YahooQuote, minutes: number): number => (q.regularMarketTime as number) + minutes * 60;

  it('three polls of 1.0M, 1.2M and 1.3M shares report 1.3M; open, high, low, previous close from the quote fields', async () => {
    const polls = [
      { ...msft, regularMarketVolume: 1_000_000, regularMarketPrice: 212.445, regularMarketTime: at(msft, 0) },
      { ...msft, regularMarketVolume: 1_200_000, regularMarketPrice: 212.6, regularMarketTime: at(msft, 1) },
      { ...msft, regularMarketVolume: 1_300_000, regularMarketPrice: 212.5, regularMarketTime: at(msft, 2) },
    ].map(tickFromYahooQuote);
    await loadTicks(db, polls);
    const { report } = await reportOf(db, polls[0]!.timestamp.slice(0, 10));
    // MSFT's record: open 210.07, day high 212.67, low 208.69, previous close 208.25.
    expect(figures(report.symbols[0])).toEqual({
      open: 210.07,
      high: 212.67,
      low: 208.69,
      close: 212.5,
      previousClose: 208.25,
      changePercent: 2.04,
      volume: 1_300_000,
      ticks: 3,
      anomalies: 0,
    });
  });

  it('four polls of an unchanged quote 7.45% above its previous close are one anomaly, listed once', async () => {
    const polls = [0, 1, 2, 3].map((m) =>
      tickFromYahooQuote({ ...azn, regularMarketTime: at(azn, m), regularMarketVolume: 19_106_298 + m * 1000 }),
    );
    // A second move (a new price) later in the day is a second anomaly.
    polls.push(
      tickFromYahooQuote({ ...azn, regularMarketPrice: 58.1, regularMarketTime: at(azn, 5), regularMarketVolume: 19_200_000 }),
    );
    expect(polls.filter((t) => enrich(t).anomaly)).toHaveLength(5);
    await loadTicks(db, polls);
    const { report } = await reportOf(db, polls[0]!.timestamp.slice(0, 10));
    expect(figures(report.symbols[0])).toMatchObject({
      ticks: 5,
      anomalies: 2,
      volume: 19_200_000,
      close: 58.1,
      changePercent: 7.63,
    });
    expect(report.anomalies.map((a) => [a.timestamp, a.price, a.change_percent])).toEqual([
      [polls[4]!.timestamp, 58.1, 7.63],
      [polls[0]!.timestamp, 58, 7.45],
    ]);
    expect(report.totals.anomalies).toBe(2);
  });

  it('a symbol fed by a per-bar source (the synthetic walk) sums its bars', async () => {
    const source = new SyntheticSource({ seed: 7, start: '2024-01-02T14:30:00Z', cadenceSeconds: 60 });
    const ticks: Tick[] = [];
    for (let i = 0; i < 5; i++) ticks.push(...(await source.sample(['IBM'])));
    await loadTicks(db, ticks);
    const { report } = await reportOf(db, '2024-01-02');
    expect(figures(report.symbols[0])).toEqual({
      open: ticks[0]!.open,
      high: Math.max(...ticks.map((t) => t.high)),
      low: Math.min(...ticks.map((t) => t.low)),
      close: ticks[4]!.price,
      previousClose: ticks[0]!.previous_close,
      changePercent: changeHundredths(ticks[4]!.price, ticks[0]!.previous_close) / 100,
      volume: ticks.reduce((n, t) => n + t.volume, 0),
      ticks: 5,
      anomalies: report.symbols[0]!.anomalies,
    });
    expect(report.symbols[0]!.volume).toBeGreaterThan(ticks[4]!.volume);
  });
});

describe('a move of exactly 5.00% is not an anomaly at any price level; 5.01% is', () => {
  // Prices in cents, as decimal text, so each pair is exactly the stated move in decimal terms.
  const levels = [1, 5, 20, 100, 340, 1000, 2000, 12345 * 20, 100000, 2 ** 20 * 20, 123456780];
  const cases = levels.flatMap((level) => {
    const prev = level * 20; // divisible by 20, so 5% of it is a whole number of cents
    return [
      { prev, price: (prev * 21) / 20, expected: false, shown: 5 },
      { prev, price: (prev * 19) / 20, expected: false, shown: -5 },
      { prev: prev * 500, price: (prev * 10501) / 20, expected: true, shown: 5.01 },
    ].map((c) => ({ ...c, prevText: (c.prev / 100).toFixed(2), priceText: (c.price / 100).toFixed(2) }));
  });
  const ticks: Tick[] = cases.map((c, i) => ({
    symbol: `L${i}`,
    timestamp: '2024-01-02T15:00:00.000Z',
    price: Number(c.priceText),
    open: Number(c.prevText),
    high: Math.max(Number(c.priceText), Number(c.prevText)),
    low: Math.min(Number(c.priceText), Number(c.prevText)),
    previous_close: Number(c.prevText),
    volume: 1,
    source: 'cli',
  }));

  it('the stored flag, the shown percentage and the report agree on every level', async () => {
    // Without the rounded rule the float percentage flags some of these 5.00% moves and not others.
    const floatFlags = cases.filter((c) => c.shown === 5).map((c) => (Number(c.priceText) / Number(c.prevText) - 1) * 100 > 5);
    expect(new Set(floatFlags)).toEqual(new Set([true, false]));

    await loadTicks(db, ticks);
    const { report } = await reportOf(db, '2024-01-02');
    expect(report.symbols).toHaveLength(cases.length);
    const seen = cases.map((c, i) => {
      const s = report.symbols.find((r) => r.symbol === `L${i}`)!;
      return {
        move: `${c.prevText} -> ${c.priceText}`,
        stored: enrich(ticks[i]!).anomaly,
        rule: isAnomaly(ticks[i]!.price, ticks[i]!.previous_close),
        report: s.anomalies === 1,
        shown: s.changePercent,
        largest: s.largestMove.changePercent,
      };
    });
    expect(seen).toEqual(
      cases.map((c) => ({
        move: `${c.prevText} -> ${c.priceText}`,
        stored: c.expected,
        rule: c.expected,
        report: c.expected,
        shown: c.shown,
        largest: c.shown,
      })),
    );
    expect(report.anomalies.map((a) => a.symbol).sort()).toEqual(cases.flatMap((c, i) => (c.expected ? [`L${i}`] : [])).sort());
  });
  it('the SQL rule and the processing rule give the same hundredths on 3,000 seeded moves near 5% at scales 1e-4 to 1e6', async () => {
    let seed = 11;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const moves: Tick[] = [];
    for (let i = 0; i < 3000; i++) {
      const prev = Number((10 ** (random() * 10 - 4)).toPrecision(6));
      const move = (random() < 0.5 ? -1 : 1) * (0.0499 + random() * 0.0002);
      const price = Number((prev * (1 + move)).toPrecision(7));
      moves.push({
        ...ticks[0]!,
        symbol: `R${i}`,
        price,
        previous_close: prev,
        high: Math.max(price, prev),
        low: Math.min(price, prev),
      });
    }
    await loadTicks(db, moves);
    const { rows } = await db.query(
      `SELECT symbol, ROUND(ABS(((price - previous_close) / previous_close) * 100) * 100) AS h, ${anomalySql('((price - previous_close) / previous_close) * 100')} AS flagged FROM ${FIXTURE_TABLE} ORDER BY symbol`,
    );
    const bySymbol = new Map(rows.map((r) => [r.symbol as string, r]));
    const differ = moves.filter((t) => {
      const row = bySymbol.get(t.symbol)!;
      return (
        row.h !== Math.abs(changeHundredths(t.price, t.previous_close)) || row.flagged !== isAnomaly(t.price, t.previous_close)
      );
    });
    expect(differ).toEqual([]);
    expect(moves.filter((t) => isAnomaly(t.price, t.previous_close))).toHaveLength(705);
  });
});

describe('alerts: every symbol keeps its alerts, and only PUBLISHED ones count as sent', () => {
  const alert = (symbol: string, side: 'BUY' | 'SELL', time: string, status: string): ReportAlert => ({
    symbol,
    side,
    timestamp: `2020-09-03T${time}.000Z`,
    price: 120,
    sma5: side === 'BUY' ? 2 : 1,
    sma20: side === 'BUY' ? 1 : 2,
    status,
  });

  it('a symbol without compacted rows is listed with its alerts and empty figures; PENDING is shown apart', async () => {
    await loadTicks(db, csvTicks('test/fixtures/csv/yahoo-AAPL-2020-09.csv', { symbol: 'AAPL', source: 'csv' }));
    const { report, built } = await reportOf(db, '2020-09-03', [
      alert('AAPL', 'SELL', '20:00:00', 'PUBLISHED'),
      alert('TSLA', 'BUY', '15:00:00', 'PUBLISHED'),
      alert('TSLA', 'SELL', '18:00:00', 'PENDING'),
    ]);
    expect(report.symbols.map((s) => [s.symbol, s.ticks, s.alerts.map((a) => `${a.side} ${a.status}`)])).toEqual([
      ['AAPL', 1, ['SELL PUBLISHED']],
      ['TSLA', 0, ['BUY PUBLISHED', 'SELL PENDING']],
    ]);
    expect(figures(report.symbols[1])).toEqual({
      open: null,
      high: null,
      low: null,
      close: null,
      previousClose: null,
      changePercent: null,
      volume: null,
      ticks: 0,
      anomalies: 0,
    });
    expect(report.totals).toEqual({
      symbols: 2,
      ticks: 1,
      alerts: 2,
      buy: 1,
      sell: 1,
      pending: 1,
      anomalies: 1,
      lateTicks: 0,
      duplicateTicks: 0,
    });
    expect(built.subject).toBe('stockpipe daily report 2020-09-03: 2 symbols, 2 alerts, 1 pending');
    expect(built.message).toContain('1 BUY and 1 SELL alerts sent, 1 pending (never sent), 1 anomalies');
    expect(built.message).toContain(
      'TSLA: 0 ticks, open - high - low - close - (-% vs previous close -), volume -, anomalies 0; alerts: BUY 120.00 at 15:00, SELL 120.00 at 18:00 (PENDING, not sent)',
    );
    expect(built.message).toContain(
      'AAPL: 1 ticks, open 126.91 high 128.84 low 120.50 close 120.88 (-8.01% vs previous close 131.40), volume 257,599,600, anomalies 1',
    );
    expect(built.html).toContain('<span class="pending">SELL 120.00 at 18:00:00 (PENDING, not sent)</span>');
    expect(built.html).toContain('1<small>alerts pending (never sent)</small>');
  });
});

it('the fixture table has the compacted table columns', async () => {
  const { columns } = await db.query(`SELECT * FROM ${FIXTURE_TABLE} LIMIT 0`);
  const { columns: curated } = await db.query('SELECT * FROM stock_data_curated LIMIT 0');
  expect(columns).toEqual(curated);
});
