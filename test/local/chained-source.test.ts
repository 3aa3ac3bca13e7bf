import { ChainedSource } from '../../src/producer/chained-source';
import { ReplaySource } from '../../src/producer/replay-source';
import { SyntheticSource } from '../../src/producer/synthetic-source';

const CSV = `symbol,date,price
AAPL,2024-01-02,190
MSFT,2024-01-02,370
AAPL,2024-01-03,185
MSFT,2024-01-03,371
`;

describe('ChainedSource', () => {
  it('switches when the replay is exhausted, after its last market time and from its last prices', async () => {
    const handovers: unknown[] = [];
    const source = new ChainedSource(ReplaySource.fromCsv(CSV), (last, prices) => {
      handovers.push({ last, prices });
      return new SyntheticSource({
        start: new Date(Date.parse(last!) + 30_000),
        startPrices: prices,
        volatility: 0,
        jumpProbability: 0,
      });
    });
    const symbols = ['AAPL', 'MSFT'];
    expect((await source.sample(symbols)).map((t) => t.price)).toEqual([190, 370]);
    expect((await source.sample(symbols)).map((t) => t.price)).toEqual([185, 371]);
    const next = await source.sample(symbols);
    expect(handovers).toEqual([{ last: '2024-01-03T21:00:00.000Z', prices: { AAPL: 185, MSFT: 371 } }]);
    expect(next.map((t) => [t.symbol, t.source, t.open, t.timestamp])).toEqual([
      ['AAPL', 'synthetic', 185, '2024-01-03T21:00:30.000Z'],
      ['MSFT', 'synthetic', 371, '2024-01-03T21:00:30.000Z'],
    ]);
  });
});
