/**
 * The producer handler against a real Kinesis stand-in (kinesalite): replayed real prices go in
 * through PutRecords and come back out of GetRecords exactly, keyed by symbol.
 */
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-kinesis';
import { KinesisTickSink } from '../../../src/adapters/aws/kinesis-tick-sink';
import type { Tick } from '../../../src/core/tick';
import { startEmulators, type Emulators } from '../../../src/local/emulators/emulators';
import { handler, makeProducerHandler, type ProducerDeps } from '../../../src/producer/handler';
import { QuoteSourceError } from '../../../src/core/ports-quotes';
import { DEFAULT_REPLAY_FILE, ReplaySource } from '../../../src/producer/replay-source';
import { createClients, type AwsClients } from '../../../src/shared/clients';
import { ENV, RESOURCE } from '../../../src/shared/names';
import { logger } from '../../../src/shared/powertools';

const SYMBOLS = ['MSFT', 'AMZN', 'IBM', 'GOOG', 'AAPL'];
const quiet: Pick<ProducerDeps, 'logger' | 'metrics'> = {
  logger: { info: () => undefined, error: () => undefined },
  metrics: { addMetric: () => undefined },
};

let emulators: Emulators;
let clients: AwsClients;

beforeAll(async () => {
  emulators = await startEmulators();
  clients = createClients({ endpoints: emulators.endpoints });
});

afterAll(async () => {
  clients?.destroy();
  await emulators?.stop();
});

async function createStream(name: string): Promise<string> {
  await clients.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  for (let k = 0; k < 50; k += 1) {
    const { StreamDescription } = await clients.kinesis.send(new DescribeStreamCommand({ StreamName: name }));
    if (StreamDescription?.StreamStatus === 'ACTIVE') return StreamDescription.Shards![0]!.ShardId!;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`stream ${name} did not become ACTIVE`);
}

async function readAll(name: string, shardId: string): Promise<_Record[]> {
  const { ShardIterator } = await clients.kinesis.send(
    new GetShardIteratorCommand({ StreamName: name, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
  );
  const { Records } = await clients.kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
  return Records ?? [];
}

const replayTick = (symbol: string, date: string, price: number, previousClose: number): Tick => ({
  symbol,
  timestamp: `${date}T21:00:00.000Z`,
  price,
  open: price,
  high: price,
  low: price,
  previous_close: previousClose,
  volume: 0,
  source: 'replay',
});

describe('producer handler -> Kinesis (kinesalite)', () => {
  it('writes 2 samples x 5 symbols of replayed prices, keyed by symbol, in sample order', async () => {
    const streamName = RESOURCE.stream;
    const shardId = await createStream(streamName);
    let now = 0;
    const sleeps: number[] = [];
    const produce = makeProducerHandler({
      // From Aug 2004 on, when all five symbols (GOOG the last) have prices.
      source: ReplaySource.fromFile(DEFAULT_REPLAY_FILE, { from: '2004-08-01' }),
      sink: new KinesisTickSink(clients.kinesis, { streamName }),
      symbols: SYMBOLS,
      cadenceSeconds: 30,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
      now: () => now,
      ...quiet,
    });

    await expect(produce()).resolves.toEqual({ samples: 2, ticks: 10, exhausted: false });
    expect(sleeps).toEqual([30_000]);

    const records = await readAll(streamName, shardId);
    expect(records).toHaveLength(10);
    expect(records.map((r) => r.PartitionKey)).toEqual([...SYMBOLS, ...SYMBOLS]);
    expect(records.map((r) => JSON.parse(Buffer.from(r.Data!).toString('utf8')) as Tick)).toEqual([
      // previous_close: the July 2004 close (GOOG has none before August: its own price).
      replayTick('MSFT', '2004-08-01', 22.47, 23.38),
      replayTick('AMZN', '2004-08-01', 38.14, 38.92),
      replayTick('IBM', '2004-08-01', 78.17, 80.19),
      replayTick('GOOG', '2004-08-01', 102.37, 102.37),
      replayTick('AAPL', '2004-08-01', 17.25, 16.17),
      replayTick('MSFT', '2004-09-01', 22.76, 22.47),
      replayTick('AMZN', '2004-09-01', 40.86, 38.14),
      replayTick('IBM', '2004-09-01', 79.13, 78.17),
      replayTick('GOOG', '2004-09-01', 129.6, 102.37),
      replayTick('AAPL', '2004-09-01', 19.38, 17.25),
    ]);
  });

  it('writes nothing to the stream when the sample fails', async () => {
    const streamName = `${RESOURCE.stream}-failing`;
    const shardId = await createStream(streamName);
    const produce = makeProducerHandler({
      source: {
        name: 'yahoo',
        sample: async () => Promise.reject(new QuoteSourceError('yahoo', 'rate-limited', 'yahoo is rate-limiting this client')),
      },
      sink: new KinesisTickSink(clients.kinesis, { streamName }),
      symbols: SYMBOLS,
      cadenceSeconds: 30,
      sleep: async () => undefined,
      ...quiet,
    });
    await expect(produce()).rejects.toThrow('yahoo is rate-limiting this client');
    expect(await readAll(streamName, shardId)).toHaveLength(0);
  });

  it('runs as the deployed function: middy handler, environment, client factory, Powertools', async () => {
    const streamName = `${RESOURCE.stream}-deployed`;
    const shardId = await createStream(streamName);
    const env = {
      [ENV.streamName]: streamName,
      [ENV.quoteSource]: 'replay',
      [ENV.symbols]: 'ibm, aapl',
      // One sample per event, so the test does not wait.
      [ENV.cadenceSeconds]: '60',
      AWS_ENDPOINT_URL_KINESIS: emulators.endpoints.kinesis,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
    };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    logger.setLogLevel('SILENT');
    try {
      const context = { functionName: 'producer', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 } as never;
      await expect(handler({}, context)).resolves.toEqual({ samples: 1, ticks: 2, exhausted: false });
      await expect(handler({}, context)).resolves.toEqual({ samples: 1, ticks: 2, exhausted: false });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    const records = await readAll(streamName, shardId);
    expect(records.map((r) => [r.PartitionKey, (JSON.parse(Buffer.from(r.Data!).toString('utf8')) as Tick).timestamp])).toEqual([
      ['IBM', '2000-01-01T21:00:00.000Z'],
      ['AAPL', '2000-01-01T21:00:00.000Z'],
      ['IBM', '2000-02-01T21:00:00.000Z'],
      ['AAPL', '2000-02-01T21:00:00.000Z'],
    ]);
  });
});
