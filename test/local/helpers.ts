/** Emulators for a test file, plus fresh streams and queues per test so tests never share state. */
import { CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { startEmulators, type Emulators } from '../../src/local/emulators/emulators';
import { createClients, type AwsClients } from '../../src/shared/clients';

export interface TestAws {
  emulators: Emulators;
  clients: AwsClients;
}

export function useEmulators(): TestAws {
  const env = {} as TestAws;
  beforeAll(async () => {
    env.emulators = await startEmulators();
    env.clients = createClients({ endpoints: env.emulators.endpoints, sqsQueryProtocol: true });
  });
  afterAll(async () => {
    env.clients?.destroy();
    await env.emulators?.stop();
  });
  return env;
}

let counter = 0;
export const uniqueName = (prefix: string): string => `${prefix}-${process.pid}-${++counter}`;

export async function createStream(clients: AwsClients, shards = 1): Promise<{ name: string; arn: string }> {
  const name = uniqueName('test-stream');
  await clients.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  for (;;) {
    const out = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return { name, arn: out.StreamDescriptionSummary.StreamARN! };
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function createQueue(clients: AwsClients): Promise<string> {
  return (await clients.sqs.send(new CreateQueueCommand({ QueueName: uniqueName('test-queue') }))).QueueUrl!;
}

/** Puts records one by one so their order in the shard is the order given; returns their sequence numbers. */
export async function putRecords(
  clients: AwsClients,
  stream: string,
  payloads: readonly string[],
  partitionKey = 'KEY',
): Promise<string[]> {
  const sequences: string[] = [];
  for (const payload of payloads) {
    const out = await clients.kinesis.send(
      new PutRecordCommand({ StreamName: stream, PartitionKey: partitionKey, Data: Buffer.from(payload) }),
    );
    sequences.push(out.SequenceNumber!);
  }
  return sequences;
}

/** Receives (and deletes) every message in a queue, parsed as JSON. */
export { drainQueue as receiveAll } from '../support/aws-reads';
