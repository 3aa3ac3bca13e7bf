import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { MemoryCheckpointStore } from '../../src/local/mappings/checkpoints';
import { KinesisEventSource, type KinesisEventSourceOptions } from '../../src/local/mappings/kinesis-event-source';
import { sqsOnFailureDestination } from '../../src/local/mappings/on-failure';
import { createQueue, createStream, putRecords, receiveAll, useEmulators } from './helpers';

const aws = useEmulators();
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:test';

type Handler = (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse | void>;

/** Records each invocation's payloads, in order, then lets `behaviour` answer. */
function recorder(behaviour: (payloads: string[], call: number) => KinesisStreamBatchResponse | void) {
  const calls: string[][] = [];
  const events: KinesisStreamEvent[] = [];
  const handler: Handler = async (event) => {
    events.push(event);
    const payloads = event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString('utf8'));
    calls.push(payloads);
    return behaviour(payloads, calls.length);
  };
  return { calls, events, handler };
}

async function mapping(stream: string, handler: Handler, queueUrl: string, options: Partial<KinesisEventSourceOptions> = {}) {
  const source = new KinesisEventSource({
    kinesis: aws.clients.kinesis,
    streamName: stream,
    handler,
    functionArn: FUNCTION_ARN,
    onFailure: sqsOnFailureDestination(aws.clients.sqs, queueUrl),
    pollIntervalMs: 20,
    policy: { maxRetryAttempts: 2, retryDelayMs: () => 0 },
    ...options,
  });
  await source.start();
  return source;
}

const range = (n: number, prefix = 'r') => Array.from({ length: n }, (_, k) => `${prefix}${k}`);

describe('local Kinesis event-source mapping', () => {
  it('delivers every record once as a Lambda-shaped event, in shard order, at most batchSize per batch', async () => {
    const stream = await createStream(aws.clients, 2);
    const queue = await createQueue(aws.clients);
    const seqA = await putRecords(aws.clients, stream.name, range(13, 'a'), 'A');
    const seqB = await putRecords(aws.clients, stream.name, range(12, 'b'), 'B');
    const { calls, events, handler } = recorder(() => undefined);
    const source = await mapping(stream.name, handler, queue, { batchSize: 5 });
    await source.drain(10_000);
    await source.stop();

    const records = events.flatMap((e) => e.Records);
    expect(records).toHaveLength(25);
    expect(Math.max(...calls.map((c) => c.length))).toBe(5);
    expect(calls.flat().filter((p) => p.startsWith('a'))).toEqual(range(13, 'a'));
    expect(calls.flat().filter((p) => p.startsWith('b'))).toEqual(range(12, 'b'));
    const first = records.find((r) => r.kinesis.sequenceNumber === seqA[0])!;
    const shardId = first.eventID.split(':')[0]!;
    expect(shardId).toMatch(/^shardId-\d{12}$/);
    expect(first).toEqual({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'A',
        sequenceNumber: seqA[0],
        data: Buffer.from('a0').toString('base64'),
        approximateArrivalTimestamp: expect.any(Number),
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shardId}:${seqA[0]}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/stockpipe-local',
      awsRegion: 'us-east-1',
      eventSourceARN: stream.arn,
    });
    expect(Math.abs(first.kinesis.approximateArrivalTimestamp - Date.now() / 1000)).toBeLessThan(60);
    expect(new Set(records.map((r) => r.kinesis.sequenceNumber))).toEqual(new Set([...seqA, ...seqB]));
    expect(source.stats).toEqual({ read: 25, succeeded: 25, failed: 0, invocations: calls.length });
    expect(await receiveAll(aws.clients, queue)).toHaveLength(0);
  });

  it('waits up to the batching window to fill a batch', async () => {
    const stream = await createStream(aws.clients);
    const queue = await createQueue(aws.clients);
    const { calls, handler } = recorder(() => undefined);
    const source = await mapping(stream.name, handler, queue, { batchSize: 10, batchingWindowMs: 700 });
    await putRecords(aws.clients, stream.name, range(3, 'x'));
    await new Promise((r) => setTimeout(r, 150));
    await putRecords(aws.clients, stream.name, range(3, 'y'));
    await source.drain(10_000);
    await source.stop();
    expect(calls).toEqual([[...range(3, 'x'), ...range(3, 'y')]]);
  });

  it('retries a partially failed batch from the first reported record, not from the start', async () => {
    const stream = await createStream(aws.clients);
    const queue = await createQueue(aws.clients);
    const seqs = await putRecords(aws.clients, stream.name, range(10));
    const { calls, handler } = recorder((_payloads, call) =>
      call === 1 ? { batchItemFailures: [{ itemIdentifier: seqs[7]! }, { itemIdentifier: seqs[4]! }] } : undefined,
    );
    const source = await mapping(stream.name, handler, queue, { batchSize: 10 });
    await source.drain(10_000);
    await source.stop();
    expect(calls).toEqual([range(10), range(10).slice(4)]);
    expect(source.stats).toEqual({ read: 10, succeeded: 10, failed: 0, invocations: 2 });
    expect(await receiveAll(aws.clients, queue)).toHaveLength(0);
  });

  it('bisects a batch whose function throws until the poison record is alone, retries it, then dead-letters only it', async () => {
    const stream = await createStream(aws.clients);
    const queue = await createQueue(aws.clients);
    const seqs = await putRecords(aws.clients, stream.name, range(8));
    const { calls, handler } = recorder((payloads) => {
      if (payloads.includes('r5')) throw new TypeError('cannot read r5');
    });
    const source = await mapping(stream.name, handler, queue, { batchSize: 8 });
    await source.drain(10_000);
    await source.stop();

    expect(calls).toEqual([
      range(8),
      ['r0', 'r1', 'r2', 'r3'],
      ['r4', 'r5', 'r6', 'r7'],
      ['r4', 'r5'],
      ['r4'],
      ['r5'],
      ['r5'],
      ['r5'],
      ['r6', 'r7'],
    ]);
    expect(source.stats).toEqual({ read: 8, succeeded: 7, failed: 1, invocations: 9 });
    const letters = await receiveAll(aws.clients, queue);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toEqual({
      requestContext: {
        requestId: expect.any(String),
        functionArn: FUNCTION_ARN,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: expect.any(String),
      KinesisBatchInfo: {
        shardId: 'shardId-000000000000',
        startSequenceNumber: seqs[5],
        endSequenceNumber: seqs[5],
        approximateArrivalOfFirstRecord: expect.any(String),
        approximateArrivalOfLastRecord: expect.any(String),
        batchSize: 1,
        streamArn: stream.arn,
      },
      reason: 'the function threw TypeError: cannot read r5',
    });
  });

  it('after maxRetryAttempts of partial failures sends one on-failure record for the rest of the batch and moves on', async () => {
    const stream = await createStream(aws.clients);
    const queue = await createQueue(aws.clients);
    const seqs = await putRecords(aws.clients, stream.name, range(5));
    const { calls, handler } = recorder((payloads) => {
      const at = payloads.indexOf('r2');
      return at >= 0 ? { batchItemFailures: [{ itemIdentifier: seqs[2]! }] } : undefined;
    });
    const source = await mapping(stream.name, handler, queue, { batchSize: 5 });
    await source.drain(10_000);
    const later = await putRecords(aws.clients, stream.name, ['after']);
    await source.drain(10_000);
    await source.stop();

    expect(calls).toEqual([range(5), ['r2', 'r3', 'r4'], ['r2', 'r3', 'r4'], ['after']]);
    expect(source.stats).toEqual({ read: 6, succeeded: 3, failed: 3, invocations: 4 });
    const letters = await receiveAll(aws.clients, queue);
    expect(letters).toHaveLength(1);
    const letter = letters[0] as {
      KinesisBatchInfo: Record<string, unknown>;
      requestContext: Record<string, unknown>;
      responseContext: Record<string, unknown>;
      reason: string;
    };
    expect(letter.KinesisBatchInfo).toMatchObject({ startSequenceNumber: seqs[2], endSequenceNumber: seqs[4], batchSize: 3 });
    expect(letter.requestContext.approximateInvokeCount).toBe(3);
    expect(letter.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST' });
    expect(letter.reason).toBe(
      `the function reported 1 failed record(s) in batchItemFailures, the first at sequence number ${seqs[2]}`,
    );
    expect(later).toHaveLength(1);
  });

  it('treats a batch item failure that names no record of the batch as a failure of the whole batch', async () => {
    const stream = await createStream(aws.clients);
    const queue = await createQueue(aws.clients);
    await putRecords(aws.clients, stream.name, range(3));
    const { calls, handler } = recorder((_p, call) => (call === 1 ? { batchItemFailures: [{ itemIdentifier: '' }] } : undefined));
    const source = await mapping(stream.name, handler, queue, { batchSize: 3 });
    await source.drain(10_000);
    await source.stop();
    expect(calls).toEqual([range(3), range(3)]);
    expect(source.stats.succeeded).toBe(3);
  });

  it('resumes after the checkpoint: a new mapping gets only the records put after the last one delivered', async () => {
    const stream = await createStream(aws.clients);
    const queue = await createQueue(aws.clients);
    const checkpoints = new MemoryCheckpointStore();
    await putRecords(aws.clients, stream.name, range(4));
    const first = recorder(() => undefined);
    const one = await mapping(stream.name, first.handler, queue, { checkpoints });
    await one.drain(10_000);
    await one.stop();
    await putRecords(aws.clients, stream.name, ['n0', 'n1']);
    const second = recorder(() => undefined);
    const two = await mapping(stream.name, second.handler, queue, { checkpoints });
    await two.drain(10_000);
    await two.stop();
    expect(first.calls.flat()).toEqual(range(4));
    expect(second.calls.flat()).toEqual(['n0', 'n1']);
  });

  it('delivers what it has read before stop() returns, even inside the batching window', async () => {
    const stream = await createStream(aws.clients);
    const queue = await createQueue(aws.clients);
    const { calls, handler } = recorder(() => undefined);
    const source = await mapping(stream.name, handler, queue, { batchSize: 100, batchingWindowMs: 60_000 });
    await putRecords(aws.clients, stream.name, range(3));
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toHaveLength(0);
    await source.stop();
    expect(calls).toEqual([range(3)]);
  });
});
