/**
 * The AWS target on the emulators for the data-plane tests: stream, table and bucket are the
 * emulators' (kinesalite, dynalite, s3rver); SQS is mocked on its own client, because sqslite hands one
 * receipt handle to every message of a receive, keeps only the listed messages on DeleteMessageBatch,
 * never makes a received message visible again and fails ChangeMessageVisibilityBatch, so the
 * receive/release/delete protocol a DLQ replay depends on cannot be exercised on it.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { OpsError } from '../../src/ops/errors';
import { readShardBatches } from '../support/aws-reads';
import { useLocalAws, type LocalAws } from '../support/local-aws';
import { OUTPUTS, REGION, openTarget, type MockedTarget } from './helpers';

export const NOW = new Date('2026-03-02T12:00:00Z');

const mockSqs = (client: SQSClient) => mockClient(client);
type SqsMock = ReturnType<typeof mockSqs>;

export interface DataTarget {
  readonly env: LocalAws;
  readonly t: MockedTarget;
  readonly sqs: SqsMock;
  /** Every record of the (one-shard) stream, oldest first. */
  streamRecords(): Promise<{ shardId: string; sequenceNumber: string; text: string }[]>;
  /** The queue answers these messages once, then nothing; deletes and releases succeed. */
  queueHolds(messages: Message[]): void;
  handlesOf(command: typeof DeleteMessageBatchCommand | typeof ChangeMessageVisibilityBatchCommand): string[];
}

export function useDataTarget(): DataTarget {
  const env = useLocalAws({ shardCount: 1 });
  let t: MockedTarget;
  let sqs: SqsMock;
  beforeAll(async () => {
    const outputs = {
      ...OUTPUTS,
      stream: env.resources.streamName,
      alertTable: env.resources.alertTable,
      signalStateTable: env.resources.signalStateTable,
      rawBucket: env.resources.rawBucket,
    };
    t = await openTarget({ ...env.clients, sqs: new SQSClient({ region: REGION }) }, { outputs, now: () => NOW });
  });
  beforeEach(() => {
    sqs = mockSqs(t.clients.sqs);
  });
  afterEach(() => sqs.restore());
  return {
    env,
    get t() {
      return t;
    },
    get sqs() {
      return sqs;
    },
    streamRecords: async () =>
      (await readShardBatches(env.clients, env.resources.streamName, 1000)).flatMap((b) =>
        b.records.map((r) => ({
          shardId: b.shardId,
          sequenceNumber: r.SequenceNumber!,
          text: Buffer.from(r.Data!).toString('utf8'),
        })),
      ),
    queueHolds(messages) {
      sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: messages }).resolves({ Messages: [] });
      sqs.on(DeleteMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
        Successful: input.Entries.map((e) => ({ Id: e.Id })),
        Failed: [],
      }));
      sqs.on(ChangeMessageVisibilityBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
        Successful: input.Entries.map((e) => ({ Id: e.Id })),
        Failed: [],
      }));
    },
    handlesOf: (command) =>
      sqs
        .commandCalls(command)
        .flatMap((c) => (c.args[0].input as { Entries: { ReceiptHandle: string }[] }).Entries.map((e) => e.ReceiptHandle)),
  };
}

export const rejection = async (p: Promise<unknown>): Promise<OpsError> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof OpsError) return e;
    throw e;
  }
  throw new Error('expected the promise to reject');
};

export const tick = (symbol: string, minute: number, price = 100 + minute) => ({
  symbol,
  timestamp: `2026-03-02T11:${String(minute).padStart(2, '0')}:00.000Z`,
  price,
  open: 100,
  high: 200,
  low: 50,
  previous_close: 99,
  volume: 1000,
  source: 'test',
});

export const message = (id: string, body: string, sentAt = new Date('2026-03-02T11:00:00Z')): Message => ({
  MessageId: id,
  ReceiptHandle: `rh-${id}`,
  Body: body,
  Attributes: { SentTimestamp: String(sentAt.getTime()), ApproximateReceiveCount: '1' },
});
