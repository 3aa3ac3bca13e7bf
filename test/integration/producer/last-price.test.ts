/**
 * Where a synthetic walk picks up in a new Lambda container: the last-price reader against the price
 * table in dynalite, and the deployed producer handler loaded twice (two containers) against
 * kinesalite and dynalite.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLastPriceReader } from '../../../src/adapters/aws/dynamodb-last-price-reader';
import { LastPriceReadError } from '../../../src/core/ports-quotes';
import type { Tick } from '../../../src/core/tick';
import type { handler as producerHandler } from '../../../src/producer/handler';
import { createClients } from '../../../src/shared/clients';
import { ENV } from '../../../src/shared/names';
import { readShardBatches } from '../../support/aws-reads';
import { useLocalAws } from '../../support/local-aws';

const aws = useLocalAws({ shardCount: 1 });

const put = (item: Record<string, unknown>) =>
  aws.clients.documents.send(new PutCommand({ TableName: aws.resources.priceTable, Item: item }));

describe('DynamoDbLastPriceReader against the price table (dynalite)', () => {
  it("gives each symbol's newest price, whatever order its items were written in; a symbol never stored is absent", async () => {
    for (const [timestamp, price] of [
      ['2024-01-02T14:31:00.000Z', 101.5],
      ['2024-01-02T14:33:00.000Z', 103.25],
      ['2024-01-02T14:32:00.000Z', 102],
    ] as const) {
      await put({ symbol: 'LPA', timestamp, price, volume: 10 });
    }
    await put({ symbol: 'LPB', timestamp: '2024-01-02T14:30:00.000Z', price: 0.0042 });
    const reader = new DynamoDbLastPriceReader(aws.clients.documents, aws.resources.priceTable);
    const prices = await reader.lastPrices(['LPB', 'NEVER', 'LPA', 'LPB']);
    expect([...prices]).toEqual([
      ['LPB', 0.0042],
      ['LPA', 103.25],
    ]);
  });

  it('reads 40 symbols with 3 queries at a time, each its own newest price', async () => {
    const symbols = Array.from({ length: 40 }, (_, k) => `LPM${String(k).padStart(2, '0')}`);
    for (const [k, symbol] of symbols.entries()) {
      await put({ symbol, timestamp: '2024-01-02T14:30:00.000Z', price: 1 });
      await put({ symbol, timestamp: '2024-01-02T14:30:30.000Z', price: 10 + k });
    }
    // A client of its own, counting the Queries in flight.
    const clients = createClients({ endpoints: aws.emulators.endpoints, region: aws.resources.region });
    let inFlight = 0;
    let most = 0;
    let queries = 0;
    clients.documents.middlewareStack.add(
      (next) => async (args) => {
        queries += 1;
        most = Math.max(most, (inFlight += 1));
        try {
          return await next(args);
        } finally {
          inFlight -= 1;
        }
      },
      { step: 'initialize', name: 'countQueriesInFlight' },
    );
    try {
      const prices = await new DynamoDbLastPriceReader(clients.documents, aws.resources.priceTable, 3).lastPrices(symbols);
      expect([...prices]).toEqual(symbols.map((s, k) => [s, 10 + k]));
      expect({ queries, most }).toEqual({ queries: 40, most: 3 });
    } finally {
      clients.destroy();
    }
  });

  it('names the symbol and the table when the table cannot be read', async () => {
    const reader = new DynamoDbLastPriceReader(aws.clients.documents, 'no-such-table');
    const failure = reader.lastPrices(['LPA']);
    await expect(failure).rejects.toBeInstanceOf(LastPriceReadError);
    await expect(failure).rejects.toThrow(
      /^could not read the last price of LPA from table no-such-table: .+; check the table and dynamodb:Query on it$/,
    );
  });

  it('refuses a newest item whose price is not a positive number', async () => {
    await put({ symbol: 'LPC', timestamp: '2024-01-02T14:30:00.000Z', price: 12.5 });
    await put({ symbol: 'LPC', timestamp: '2024-01-02T14:31:00.000Z', price: '12.75' });
    const reader = new DynamoDbLastPriceReader(aws.clients.documents, aws.resources.priceTable);
    await expect(reader.lastPrices(['LPC'])).rejects.toThrow(
      new LastPriceReadError('LPC', aws.resources.priceTable, `the newest item's price is "12.75", not a positive number`),
    );
  });
});

describe('the deployed synthetic producer in a new container', () => {
  const SYMBOLS = ['SYN000', 'SYN001', 'SYN002'];
  const MINUTE = 60_000;
  // A minute slot well away from the other tests' timestamps.
  const T0 = Date.UTC(2030, 0, 2, 14, 30);

  /** The handler module loaded afresh, as a new container loads it; Date.now is the container's clock. */
  async function container(nowMs: number): Promise<{ invoke: () => Promise<unknown>; restore: () => void }> {
    let handler: typeof producerHandler | undefined;
    await jest.isolateModulesAsync(async () => {
      ({ handler } = await import('../../../src/producer/handler'));
    });
    const clock = jest.spyOn(Date, 'now').mockReturnValue(nowMs);
    const context = { functionName: 'producer', awsRequestId: 'req', getRemainingTimeInMillis: () => 60_000 } as never;
    return { invoke: () => handler!({}, context), restore: () => clock.mockRestore() };
  }

  /** What processing does with a tick, as far as the reader cares: an item keyed by symbol and time. */
  const store = async (ticks: readonly Tick[]) => {
    for (const t of ticks) await put({ ...t });
  };

  const producedTicks = async (): Promise<Tick[]> =>
    (await readShardBatches(aws.clients, aws.resources.streamName, 1000))
      .flatMap((b) => b.records)
      .map((r) => JSON.parse(Buffer.from(r.Data!).toString('utf8')) as Tick);

  const logStep = (t: Tick): number => Math.abs(Math.log(t.price / t.open));

  it('continues each walk from its last stored price: no jump larger than one step of the walk', async () => {
    const env = {
      [ENV.streamName]: aws.resources.streamName,
      [ENV.priceTable]: aws.resources.priceTable,
      [ENV.quoteSource]: 'synthetic',
      [ENV.symbols]: SYMBOLS.join(','),
      // One sample per event, so the test does not wait.
      [ENV.cadenceSeconds]: '60',
      AWS_ENDPOINT_URL_KINESIS: aws.emulators.endpoints.kinesis,
      AWS_ENDPOINT_URL_DYNAMODB: aws.emulators.endpoints.dynamodb,
      AWS_REGION: aws.resources.region,
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      // Each container loads its own Powertools; keep their logs and metrics out of the test output.
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      // The first container: 40 minutes, 40 samples, stored as processing would store them.
      const first = await container(T0);
      for (let k = 0; k < 40; k += 1) await first.invoke();
      first.restore();
      const firstTicks = await producedTicks();
      expect(firstTicks).toHaveLength(40 * SYMBOLS.length);
      await store(firstTicks);

      // The second container, started 40 minutes later.
      const second = await container(T0 + 40 * MINUTE);
      await second.invoke();
      second.restore();
      const secondTicks = (await producedTicks()).slice(firstTicks.length);
      expect(secondTicks.map((t) => [t.symbol, t.timestamp])).toEqual(
        SYMBOLS.map((s) => [s, new Date(T0 + 40 * MINUTE).toISOString()]),
      );

      for (const symbol of SYMBOLS) {
        const walk = firstTicks.filter((t) => t.symbol === symbol);
        const last = walk[walk.length - 1]!;
        const next = secondTicks.find((t) => t.symbol === symbol)!;
        const largestStep = Math.max(...walk.map(logStep));
        // The handover itself moves nothing, and the next price is one ordinary step of the walk.
        expect([next.open, next.previous_close]).toEqual([last.price, last.price]);
        expect(logStep(next)).toBeLessThanOrEqual(largestStep);
        // Without the stored price, the second container would have restarted at the seeded start.
        expect(Math.abs(Math.log(walk[0]!.open / last.price))).toBeGreaterThan(largestStep);
      }
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
