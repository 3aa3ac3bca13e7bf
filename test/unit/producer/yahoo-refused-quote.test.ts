import type { DeadLetter } from '../../../src/core/ports';
import type { Tick } from '../../../src/core/tick';
import { runProducer } from '../../../src/producer/produce';
import { makeProducerHandler } from '../../../src/producer/produce-sample';
import { YahooSource, yahooQuoteResult } from '../../../src/producer/yahoo-source';
import { recordedFetch } from './yahoo-fetch';

const REASON = 'yahoo quote for AZN is invalid: regularMarketPreviousClose=0: must be greater than 0';

const newListing = () =>
  new YahooSource({ fetch: recordedFetch('quote-AZN-no-previous-close.json').fetch, log: () => undefined });

describe('a Yahoo quote the schema refuses does not fail its sample', () => {
  it('gives the ticks of the other symbols, and the refused quote with its reason and the quote as received', async () => {
    const source = newListing();
    const ticks = await source.sample(['AAPL', 'MSFT', 'AZN']);
    expect(ticks.map((t) => t.symbol)).toEqual(['AAPL', 'MSFT']);
    const refused = source.takeRefused();
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      source: 'yahoo',
      symbol: 'AZN',
      rejection: { field: 'regularMarketPreviousClose', value: '0', reason: 'must be greater than 0' },
      reason: REASON,
    });
    expect(JSON.parse(refused[0]!.payload)).toMatchObject({
      symbol: 'AZN',
      regularMarketPreviousClose: 0,
      regularMarketPrice: 58,
    });
    expect(source.takeRefused()).toEqual([]);
  });

  it('sends the refused quote alone to the invalid records, after the sample is written', async () => {
    const written: Tick[][] = [];
    const letters: DeadLetter[] = [];
    const events: string[] = [];
    const result = await runProducer({
      source: newListing(),
      sink: { put: async (t) => void (written.push([...t]), events.push('put')) },
      invalidRecords: { send: async (l) => void (letters.push(...l), events.push('dead-letter')) },
      symbols: ['AAPL', 'MSFT', 'AZN'],
      samples: 1,
      cadenceMs: 0,
    });
    expect(result).toEqual({ samples: 1, ticks: 2, exhausted: false });
    expect(written.map((s) => s.map((t) => t.symbol))).toEqual([['AAPL', 'MSFT']]);
    expect(events).toEqual(['put', 'dead-letter']);
    expect(letters).toEqual([
      {
        reason: REASON,
        payload: expect.stringContaining('"symbol":"AZN"'),
        rejection: { field: 'regularMarketPreviousClose', value: '0', reason: 'must be greater than 0' },
        source: { kind: 'yahoo', symbol: 'AZN' },
      },
    ]);
  });

  it('logs and counts the refused quote in the function, and still writes the sample', async () => {
    const errors: unknown[][] = [];
    const metrics: [string, number][] = [];
    const written: Tick[] = [];
    const produce = makeProducerHandler({
      source: newListing(),
      sink: { put: async (t) => void written.push(...t) },
      symbols: ['AAPL', 'MSFT', 'AZN'],
      cadenceSeconds: 60,
      logger: { info: () => undefined, error: (...a: unknown[]) => void errors.push(a) },
      metrics: { addMetric: (name, _unit, value) => void metrics.push([name, value]) },
    });
    await produce();
    expect(written.map((t) => t.symbol)).toEqual(['AAPL', 'MSFT']);
    expect(errors).toEqual([['quote refused', { source: 'yahoo', symbol: 'AZN', reason: REASON }]]);
    expect(metrics).toContainEqual(['QuotesRefused', 1]);
    expect(metrics).toContainEqual(['TicksProduced', 2]);
  });

  it('takes an index quote as Yahoo writes it (^GSPC)', async () => {
    const result = yahooQuoteResult({
      symbol: '^GSPC',
      regularMarketTime: 1_704_209_400,
      regularMarketPrice: 4742.83,
      regularMarketOpen: 4745.2,
      regularMarketDayHigh: 4754.33,
      regularMarketDayLow: 4722.67,
      regularMarketPreviousClose: 4769.83,
      regularMarketVolume: 3_743_050_000,
    });
    expect(result.ok && result.value).toMatchObject({ symbol: '^GSPC', timestamp: '2024-01-02T15:30:00.000Z' });
  });
});
