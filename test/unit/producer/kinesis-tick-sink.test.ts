/**
 * kinesalite cannot be made to fail some records of a PutRecords call, so partial failures are
 * tested against aws-sdk-client-mock, asserting the exact requests.
 */
import { PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import {
  chunkEntries,
  KINESIS_MAX_RECORD_BYTES,
  KinesisPutError,
  KinesisRecordTooLargeError,
  KinesisTickSink,
  PUT_RECORDS_MAX_BYTES,
} from '../../../src/adapters/aws/kinesis-tick-sink';
import type { Tick } from '../../../src/core/tick';
import { createClients } from '../../../src/shared/clients';

const STREAM = 'ticks-under-test';

const tick = (symbol: string, price: number): Tick => ({
  symbol,
  timestamp: '2024-01-02T14:30:00.000Z',
  price,
  open: price,
  high: price,
  low: price,
  previous_close: price,
  volume: 100,
  source: 'synthetic',
});

const entry = (t: Tick): PutRecordsRequestEntry => ({ PartitionKey: t.symbol, Data: Buffer.from(JSON.stringify(t), 'utf8') });

const ok = (n: number) => ({
  FailedRecordCount: 0,
  Records: Array.from({ length: n }, (_, k) => ({ SequenceNumber: String(k), ShardId: 'shardId-000000000000' })),
});

describe('KinesisTickSink', () => {
  const clients = createClients({ region: 'us-east-1' });
  const kinesis = mockClient(clients.kinesis);
  afterEach(() => kinesis.reset());
  afterAll(() => clients.destroy());

  const sinkWithSleeps = (maxAttempts?: number) => {
    const sleeps: number[] = [];
    const sink = new KinesisTickSink(clients.kinesis, {
      streamName: STREAM,
      sleep: async (ms) => void sleeps.push(ms),
      ...(maxAttempts ? { maxAttempts } : {}),
    });
    return { sink, sleeps };
  };

  it('writes each tick as JSON with its symbol as partition key, in one PutRecords call', async () => {
    kinesis.on(PutRecordsCommand).resolves(ok(2));
    const ticks = [tick('AAPL', 1), tick('MSFT', 2)];
    await sinkWithSleeps().sink.put(ticks);
    const calls = kinesis.commandCalls(PutRecordsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({ StreamName: STREAM, Records: ticks.map(entry) });
    expect(JSON.parse(Buffer.from(calls[0]!.args[0].input.Records![1]!.Data!).toString('utf8'))).toEqual(ticks[1]);
  });

  it('re-sends only the records PutRecords reports as failed, after a backoff', async () => {
    const ticks = [tick('AAPL', 1), tick('MSFT', 2), tick('IBM', 3), tick('GOOG', 4)];
    kinesis
      .on(PutRecordsCommand)
      .resolvesOnce({
        FailedRecordCount: 2,
        Records: [
          { SequenceNumber: '1', ShardId: 'shardId-000000000000' },
          { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard shardId-000000000000' },
          { SequenceNumber: '2', ShardId: 'shardId-000000000000' },
          { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' },
        ],
      })
      .resolvesOnce(ok(2));
    const { sink, sleeps } = sinkWithSleeps();
    await sink.put(ticks);
    const inputs = kinesis.commandCalls(PutRecordsCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { StreamName: STREAM, Records: ticks.map(entry) },
      { StreamName: STREAM, Records: [entry(ticks[1]!), entry(ticks[3]!)] },
    ]);
    expect(sleeps).toEqual([100]);
  });

  it('gives up after the last attempt with the count of unwritten records and the last error codes', async () => {
    const ticks = [tick('AAPL', 1), tick('MSFT', 2), tick('IBM', 3)];
    kinesis
      .on(PutRecordsCommand)
      .resolvesOnce({
        FailedRecordCount: 2,
        Records: [
          { SequenceNumber: '1', ShardId: 's' },
          { ErrorCode: 'InternalFailure' },
          { ErrorCode: 'ProvisionedThroughputExceededException' },
        ],
      })
      .resolves({
        FailedRecordCount: 2,
        Records: [
          { ErrorCode: 'ProvisionedThroughputExceededException' },
          { ErrorCode: 'ProvisionedThroughputExceededException' },
        ],
      });
    const { sink, sleeps } = sinkWithSleeps();
    const error = await sink.put(ticks).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KinesisPutError);
    expect((error as KinesisPutError).message).toBe(
      `could not write 2 of 3 ticks of a PutRecords request to Kinesis stream ${STREAM} after 5 attempts; last error codes: ProvisionedThroughputExceededException x2`,
    );
    expect((error as KinesisPutError).failedCount).toBe(2);
    expect(kinesis.commandCalls(PutRecordsCommand)).toHaveLength(5);
    expect(
      kinesis
        .commandCalls(PutRecordsCommand)
        .slice(1)
        .every((c) => c.args[0].input.Records!.length === 2),
    ).toBe(true);
    expect(sleeps).toEqual([100, 200, 400, 800]);
  });

  it('caps the backoff', async () => {
    kinesis.on(PutRecordsCommand).resolves({ FailedRecordCount: 1, Records: [{ ErrorCode: 'InternalFailure' }] });
    const { sink, sleeps } = sinkWithSleeps(8);
    await expect(sink.put([tick('AAPL', 1)])).rejects.toThrow(KinesisPutError);
    expect(sleeps).toEqual([100, 200, 400, 800, 1600, 2000, 2000]);
  });

  it('splits more than 500 ticks into calls of at most 500, in order', async () => {
    kinesis.on(PutRecordsCommand).callsFake((input: { Records: unknown[] }) => ok(input.Records.length));
    const ticks = Array.from({ length: 1201 }, (_, k) => tick(`S${k}`, k + 1));
    await sinkWithSleeps().sink.put(ticks);
    const calls = kinesis.commandCalls(PutRecordsCommand);
    expect(calls.map((c) => c.args[0].input.Records!.length)).toEqual([500, 500, 201]);
    expect(calls.flatMap((c) => c.args[0].input.Records!.map((r) => r.PartitionKey))).toEqual(ticks.map((t) => t.symbol));
  });

  it('refuses an answer that does not account for every record', async () => {
    kinesis.on(PutRecordsCommand).resolves(ok(1));
    await expect(sinkWithSleeps().sink.put([tick('AAPL', 1), tick('MSFT', 2)])).rejects.toThrow(
      `Kinesis PutRecords answered 1 results for 2 records on stream ${STREAM}; cannot tell which were written`,
    );
  });

  it('writes nothing for no ticks', async () => {
    await sinkWithSleeps().sink.put([]);
    expect(kinesis.commandCalls(PutRecordsCommand)).toHaveLength(0);
  });
});

describe('KinesisTickSink and the 1 MiB record limit', () => {
  const clients = createClients({ region: 'us-east-1' });
  const kinesis = mockClient(clients.kinesis);
  afterEach(() => kinesis.reset());
  afterAll(() => clients.destroy());

  /** A tick whose record (JSON data plus partition key) takes exactly `bytes` bytes. */
  const tickOf = (bytes: number): Tick => {
    const base = tick('AAPL', 1);
    const empty = Buffer.byteLength(JSON.stringify({ ...base, source: '' })) + Buffer.byteLength(base.symbol);
    return { ...base, source: 'y'.repeat(bytes - empty) };
  };

  it('writes a record of exactly 1 MiB', async () => {
    kinesis.on(PutRecordsCommand).resolves(ok(1));
    await new KinesisTickSink(clients.kinesis, { streamName: STREAM }).put([tickOf(KINESIS_MAX_RECORD_BYTES)]);
    expect(kinesis.commandCalls(PutRecordsCommand)).toHaveLength(1);
  });

  it('refuses a batch with a record one byte over, naming the tick, before sending any of it', async () => {
    kinesis.on(PutRecordsCommand).resolves(ok(2));
    const put = new KinesisTickSink(clients.kinesis, { streamName: STREAM }).put([
      tick('MSFT', 2),
      tickOf(KINESIS_MAX_RECORD_BYTES + 1),
    ]);
    await expect(put).rejects.toThrow(KinesisRecordTooLargeError);
    await expect(put).rejects.toThrow(
      `the tick of AAPL at 2024-01-02T14:30:00.000Z takes ${KINESIS_MAX_RECORD_BYTES + 1} bytes (data plus partition key), over the 1048576-byte limit`,
    );
    expect(kinesis.commandCalls(PutRecordsCommand)).toHaveLength(0);
  });
});

describe('chunkEntries', () => {
  it('keeps each request within 5 MiB of data and partition keys', () => {
    const mib = (key: string): PutRecordsRequestEntry => ({ PartitionKey: key, Data: new Uint8Array(1024 * 1024) });
    const chunks = chunkEntries(['A', 'B', 'C', 'D', 'E', 'F'].map(mib));
    // Five 1 MiB records plus their keys exceed 5 MiB by 5 bytes.
    expect(chunks.map((c) => c.map((e) => e.PartitionKey))).toEqual([
      ['A', 'B', 'C', 'D'],
      ['E', 'F'],
    ]);
    expect(PUT_RECORDS_MAX_BYTES).toBe(5 * 1024 * 1024);
  });
});
