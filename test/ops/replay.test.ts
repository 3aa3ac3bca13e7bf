/**
 * The replay engine alone (src/ops/replay.ts), with recording channels instead of a target: where each
 * kind of message goes, and which messages may leave the queue.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { encodeDeadLetter } from '../../src/adapters/aws/sqs-dead-letter-sink';
import { buildOnFailureRecord } from '../../src/local/mappings/on-failure';
import type { RawQueueMessage } from '../../src/ops/dead-letters';
import { replayMessages, type AnalysisInvocation, type ReplayChannels } from '../../src/ops/replay';
import { replayResult, unknownFix } from '../../src/ops/replay-queue';

const NOW = new Date('2026-03-02T12:00:00Z');
const tick = {
  symbol: 'AAPL',
  timestamp: '2026-03-02T11:00:00.000Z',
  price: 10,
  open: 10,
  high: 11,
  low: 9,
  previous_close: 9.5,
  volume: 5,
  source: 'y',
};
const item = { ...tick, change: 0.5, change_percent: 5.26, anomaly: true, expires_at: 1 };

const raw = (messageId: string, body: string): RawQueueMessage => ({ messageId, body, sentAt: NOW, receiveCount: 1 });
const invalid = (id: string, payload: string) => raw(id, encodeDeadLetter({ reason: 'r', payload, source: { kind: 'kinesis' } }));
const analysisLetter = (id: string, stored: Record<string, unknown>) =>
  raw(
    id,
    encodeDeadLetter({
      reason: 'r',
      payload: JSON.stringify({ NewImage: marshall(stored), SequenceNumber: id }),
      source: {
        kind: 'dynamodb-stream',
        eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/p/stream/x',
        eventName: 'INSERT',
        sequenceNumber: id,
      },
    }),
  );
const ddbBatch = (id: string, start: string, end: string) =>
  raw(
    id,
    JSON.stringify(
      buildOnFailureRecord(
        'dynamodb',
        'arn:aws:lambda:x:1:function:a',
        {
          shardId: 's1',
          startSequenceNumber: start,
          endSequenceNumber: end,
          approximateArrivalOfFirstRecord: NOW.toISOString(),
          approximateArrivalOfLastRecord: NOW.toISOString(),
          batchSize: 3,
          streamArn: 'arn:s',
        },
        { attempts: 3, cause: 'function-error', reason: 'boom' },
      ),
    ),
  );

const streamRecord = (sequence: string, eventName: 'INSERT' | 'MODIFY'): DynamoDBRecord => ({
  eventName,
  dynamodb: { SequenceNumber: sequence, NewImage: marshall(item) as never },
});

function recording(answers: AnalysisInvocation[] = [], reread: DynamoDBRecord[] = []) {
  const put: string[] = [];
  const invoked: DynamoDBStreamEvent[] = [];
  const channels: ReplayChannels = {
    now: () => NOW,
    rereadKinesis: async () => ({ entries: [], problems: ['gone'], expired: true }),
    rereadDynamo: async () => ({ records: reread, problems: [], expired: false }),
    putRecords: async (entries) => {
      put.push(...entries.map((e) => Buffer.from(e.Data!).toString('utf8')));
      return entries.map(() => true);
    },
    invokeAnalysis: async (event) => {
      invoked.push(event);
      return answers.shift() ?? { failed: [] };
    },
  };
  return { channels, put, invoked };
}

describe('replay engine', () => {
  test("invalid records go to the stream, the function's own dead letters to the function; an unchanged fix is no fix", async () => {
    const r = recording();
    const messages = [
      invalid('bad', JSON.stringify({ ...tick, price: -1 })),
      invalid('ok', JSON.stringify(tick)),
      analysisLetter('7', item),
    ];
    const fixes = new Map([
      ['bad', JSON.stringify({ ...tick, price: 12 })],
      ['ok', JSON.stringify(tick)],
    ]);
    const attempts = await replayMessages('invalid', messages, fixes, r.channels);
    expect(attempts.map((a) => [a.messageId, a.delivered, a.detail])).toEqual([
      ['bad', true, 'fixed tick AAPL 2026-03-02T11:00:00.000Z'],
      ['ok', true, 'tick AAPL 2026-03-02T11:00:00.000Z'],
      ['7', true, 'price item to the analysis function'],
    ]);
    expect(r.put.map((t) => (JSON.parse(t) as { price: number }).price)).toEqual([12, 10]);
    expect(r.invoked).toHaveLength(1);
    expect(r.invoked[0]!.Records[0]).toMatchObject({
      eventName: 'INSERT',
      awsRegion: 'eu-west-1',
      eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/p/stream/x',
    });
  });

  test('a stream batch goes to the function without its MODIFY records; a failure keeps the message and stops later chunks', async () => {
    const reread = Array.from({ length: 150 }, (_, i) => streamRecord(String(1000 + i), i === 0 ? 'MODIFY' : 'INSERT'));
    const r = recording([{ failed: ['1005'] }], reread);
    const [attempt] = await replayMessages('analysis', [ddbBatch('b', '1000', '1149')], new Map(), r.channels);
    // 149 INSERTs: the first chunk of 100 reports one failure, so the remaining 49 are not sent.
    expect(r.invoked.map((e) => e.Records.length)).toEqual([100]);
    expect(attempt).toEqual({
      messageId: 'b',
      delivered: false,
      outcome: 'failed-again',
      recordsSent: 99,
      detail: '1 of 149 record(s) failed again in the analysis function (reported in batchItemFailures)',
    });
  });

  test('an identifier the batch does not hold fails the whole chunk, as for the mapping', async () => {
    const r = recording([{ failed: ['nope'] }], [streamRecord('1', 'INSERT'), streamRecord('2', 'INSERT')]);
    const [attempt] = await replayMessages('analysis', [ddbBatch('b', '1', '2')], new Map(), r.channels);
    expect(attempt).toMatchObject({
      delivered: false,
      recordsSent: 0,
      detail: '2 of 2 record(s) failed again in the analysis function (reported in batchItemFailures)',
    });
  });

  test('the result deletes only what was delivered and the queue deleted, and counts the rest as kept', () => {
    const result = replayResult(
      'invalid',
      [
        { messageId: 'a', delivered: true, recordsSent: 1, detail: 'tick' },
        { messageId: 'b', delivered: true, recordsSent: 1, detail: 'tick' },
        { messageId: 'c', delivered: false, outcome: 'expired', recordsSent: 0, detail: 'gone' },
      ],
      new Set(['a']),
    );
    expect(result).toMatchObject({ received: 3, replayed: 1, failedAgain: 1, expired: 1, recordsSent: 2, kept: 2 });
    expect(result.items[1]).toMatchObject({ messageId: 'b', outcome: 'failed-again', deleted: false });
    expect(
      unknownFix(
        [raw('a', '{}')],
        new Map([
          ['a', '{}'],
          ['z', '{}'],
        ]),
      ),
    ).toBe('z');
  });
});
