import type { Tick } from '../../../src/core/tick';
import { runProducer } from '../../../src/producer/produce';
import { QuoteSourceError } from '../../../src/core/ports-quotes';
import { YahooSource } from '../../../src/producer/yahoo-source';
import { recordedFetch } from './yahoo-fetch';

const QUOTE_URL = 'https://query2.finance.yahoo.com/v7/finance/quote?symbols=AAPL%2CMSFT%2CAZN&crumb=Mm.oQGSe2By';

const sourceFor = (quote: string | Error) => {
  const recorded = recordedFetch(quote);
  const warnings: string[] = [];
  return { source: new YahooSource({ fetch: recorded.fetch, log: (m) => warnings.push(m) }), urls: recorded.urls, warnings };
};

/** Runs one sample through the producer loop and reports what reached the sink. */
const produceOnce = async (source: YahooSource, symbols: string[]) => {
  const written: Tick[][] = [];
  const sink = { put: async (ticks: readonly Tick[]) => void written.push([...ticks]) };
  let error: unknown;
  await runProducer({ source, sink, symbols, samples: 1, cadenceMs: 0 }).catch((e: unknown) => {
    error = e;
  });
  return { written, error };
};

const oneLine = (error: unknown): string => {
  expect(error).toBeInstanceOf(QuoteSourceError);
  const { message } = error as QuoteSourceError;
  expect(message).not.toContain('\n');
  return message;
};

describe('YahooSource', () => {
  it("maps a multi-symbol quote response to ticks at each quote's market time, in one quote request", async () => {
    const { source, urls } = sourceFor('quote-AAPL-MSFT-AZN.json');
    const ticks = await source.sample(['AAPL', 'msft', 'AZN']);
    expect(ticks).toEqual([
      {
        symbol: 'AAPL',
        timestamp: '2026-10-02T20:00:01.000Z',
        price: 333.69,
        open: 333.205,
        high: 334.54,
        low: 330.61,
        previous_close: 330.32,
        volume: 31878433,
        source: 'yahoo',
      },
      {
        symbol: 'MSFT',
        timestamp: '2020-07-08T19:04:18.000Z',
        price: 212.445,
        open: 210.07,
        high: 212.67,
        low: 208.69,
        previous_close: 208.25,
        volume: 23759221,
        source: 'yahoo',
      },
      {
        symbol: 'AZN',
        timestamp: '2020-07-15T20:00:01.000Z',
        price: 58,
        open: 56.32,
        high: 58.84,
        low: 55.8699,
        previous_close: 53.98,
        volume: 19106298,
        source: 'yahoo',
      },
    ]);
    expect(urls.filter((u) => u.includes('/v7/finance/quote'))).toEqual([QUOTE_URL]);
  });

  it('on HTTP 401 fails the sample with a one-line error, writes nothing, and fetches a new crumb next time', async () => {
    const { source, urls } = sourceFor('quote-401-invalid-crumb.json');
    const { written, error } = await produceOnce(source, ['AAPL', 'MSFT']);
    expect(written).toHaveLength(0);
    expect((error as QuoteSourceError).kind).toBe('unauthorized');
    expect(oneLine(error)).toBe(
      'yahoo refused the quote request (HTTP 401: its cookie/crumb was not accepted); the next sample fetches a new one, retry later or use --source replay or synthetic offline',
    );
    await expect(source.sample(['AAPL', 'MSFT'])).rejects.toThrow(QuoteSourceError);
    expect(urls.filter((u) => u === 'https://query1.finance.yahoo.com/v1/test/getcrumb')).toHaveLength(2);
  });

  it('on HTTP 429 fails the sample with a one-line error that says to sample less often, and writes nothing', async () => {
    const { source } = sourceFor('quote-429-too-many-requests.json');
    const { written, error } = await produceOnce(source, ['AAPL', 'MSFT']);
    expect(written).toHaveLength(0);
    expect((error as QuoteSourceError).kind).toBe('rate-limited');
    expect(oneLine(error)).toBe(
      'yahoo is rate-limiting this client (HTTP 429 Too Many Requests); sample less often (raise STOCKPIPE_CADENCE_SECONDS), ask for fewer symbols, or use --source replay or synthetic offline',
    );
  });

  it("on a response that fails yahoo-finance2's schema names the symbol and the problem, and writes nothing", async () => {
    const { source } = sourceFor('quote-schema-mismatch.json');
    const { written, error } = await produceOnce(source, ['AAPL']);
    expect(written).toHaveLength(0);
    expect((error as QuoteSourceError).kind).toBe('schema');
    expect(oneLine(error)).toBe(
      "yahoo's quote response did not match the schema yahoo-finance2 expects (AAPL: missing exchange); Yahoo may have changed its API: upgrade yahoo-finance2, or use --source replay or synthetic offline",
    );
  });

  it('offline (ENOTFOUND, ECONNREFUSED, fetch failed) says the source needs the network and what to use instead', async () => {
    const causes = [
      Object.assign(new Error('getaddrinfo ENOTFOUND finance.yahoo.com'), { code: 'ENOTFOUND' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' }),
      new Error('other side closed'),
    ];
    const messages = [];
    for (const cause of causes) {
      const { source } = sourceFor(new TypeError('fetch failed', { cause }));
      const { written, error } = await produceOnce(source, ['AAPL']);
      expect(written).toHaveLength(0);
      expect((error as QuoteSourceError).kind).toBe('network');
      messages.push(oneLine(error));
    }
    expect(messages).toEqual([
      'the yahoo source needs network access to query.finance.yahoo.com (ENOTFOUND); check the connection, or use --source replay or synthetic offline',
      'the yahoo source needs network access to query.finance.yahoo.com (ECONNREFUSED); check the connection, or use --source replay or synthetic offline',
      'the yahoo source needs network access to query.finance.yahoo.com (fetch failed); check the connection, or use --source replay or synthetic offline',
    ]);
  });

  it('refuses alone a quote that lacks a price, naming the symbol and Yahoo field, and writes the others', async () => {
    const { source } = sourceFor('quote-without-price.json');
    const ticks = await source.sample(['AAPL', 'MSFT']);
    expect(ticks.map((t) => t.symbol)).toEqual(['AAPL']);
    expect(source.takeRefused().map((r) => r.reason)).toEqual([
      'yahoo quote for MSFT is invalid: regularMarketPrice=<missing>: is required',
    ]);
  });

  it('fails the whole sample when Yahoo leaves a symbol out', async () => {
    const { source } = sourceFor('quote-AAPL-only.json');
    const { written, error } = await produceOnce(source, ['AAPL', 'NOSUCH']);
    expect(written).toHaveLength(0);
    expect(oneLine(error)).toBe(
      'yahoo returned no quote for NOSUCH (unknown or delisted symbol); check the symbols (STOCKPIPE_SYMBOLS)',
    );
  });

  it('accepts a client of its own, with epoch-second market times', async () => {
    const quote = jest.fn(async () => [
      {
        symbol: 'IBM',
        regularMarketTime: 1594843201,
        regularMarketPrice: 120,
        regularMarketOpen: 119,
        regularMarketDayHigh: 121,
        regularMarketDayLow: 118,
        regularMarketPreviousClose: 118.5,
        regularMarketVolume: 10,
      },
    ]);
    const ticks = await new YahooSource({ client: { quote } }).sample(['IBM']);
    expect(quote).toHaveBeenCalledTimes(1);
    expect(quote).toHaveBeenCalledWith(['IBM'], { return: 'array' });
    expect(ticks).toEqual([
      {
        symbol: 'IBM',
        timestamp: '2020-07-15T20:00:01.000Z',
        price: 120,
        open: 119,
        high: 121,
        low: 118,
        previous_close: 118.5,
        volume: 10,
        source: 'yahoo',
      },
    ]);
  });
});
