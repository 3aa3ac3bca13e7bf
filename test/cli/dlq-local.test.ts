/**
 * `stockpipe dlq` on the local target, through the CLI, against a pipeline running in this process
 * (the local queues live in the running pipeline; the CLI attaches to it through the data dir's
 * lock file, as a second terminal would).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { encodeDeadLetter } from '../../src/adapters/aws/sqs-dead-letter-sink';
import { startLocalPipeline, type LocalPipeline } from '../../src/local/runtime';
import {
  DlqMessageSchema,
  PurgeResultSchema,
  QueueOverviewSchema,
  ReplayResultSchema,
  StatusReportSchema,
  type DlqMessage,
} from '../../src/ops/types';
import { cli, tempDataDir } from './helpers';

const tick = (symbol: string, price: number) => ({
  symbol,
  timestamp: '2024-05-06T14:30:00.000Z',
  price,
  open: 100,
  high: 110,
  low: 90,
  previous_close: 100,
  volume: 1000,
  source: 'test',
});

describe('local dead-letter queues through the CLI', () => {
  const dataDir = tempDataDir();
  let pipeline: LocalPipeline;
  const dlq = (...args: string[]) => cli(['dlq', ...args, '--data-dir', dataDir]);
  const list = async (queue: string): Promise<DlqMessage[]> => {
    const run = await dlq('list', '--queue', queue, '--json');
    expect(run.code).toBe(0);
    return DlqMessageSchema.array().parse(JSON.parse(run.stdout));
  };

  beforeAll(async () => {
    pipeline = await startLocalPipeline({ dataDir, command: 'test' });
    const put = (data: string, key: string) =>
      pipeline.clients.kinesis.send(
        new PutRecordCommand({ StreamName: pipeline.resources.streamName, PartitionKey: key, Data: Buffer.from(data) }),
      );
    await put(JSON.stringify(tick('FIXD', -1)), 'FIXD');
    await put(JSON.stringify(tick('BADD', -2)), 'BADD');
    await put('not a tick at all', 'JUNK');
    await pipeline.drain(30_000);
  }, 60_000);
  afterAll(async () => {
    await pipeline.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the invalid records with their reasons, and lists the same ids again (the queue keeps them)', async () => {
    const first = await list('invalid');
    expect(first.map((m) => [m.kind, m.reason]).sort()).toEqual([
      [
        'dead-letter',
        '(record)="not a tick at all": is not valid JSON (Unexpected token \'o\', "not a tick at all" is not valid JSON)',
      ],
      ['dead-letter', 'price=-1: must be greater than 0'],
      ['dead-letter', 'price=-2: must be greater than 0'],
    ]);
    const again = await list('invalid');
    expect(again.map((m) => m.messageId).sort()).toEqual(first.map((m) => m.messageId).sort());
    expect(again.every((m) => m.receiveCount === 2)).toBe(true);

    const status = await cli(['status', '--json', '--data-dir', dataDir]);
    expect(StatusReportSchema.parse(JSON.parse(status.stdout)).dlq.map((q) => [q.queue, q.visible])).toEqual([
      ['invalid', 3],
      ['processing', 0],
      ['analysis', 0],
    ]);

    const overview = await dlq('list', '--json');
    expect(overview.code).toBe(0);
    expect(
      QueueOverviewSchema.array()
        .parse(JSON.parse(overview.stdout))
        .map((q) => [q.queue, q.visible, q.error]),
    ).toEqual([
      ['invalid', 3, null],
      ['processing', 0, null],
      ['analysis', 0, null],
    ]);
    const table = await dlq('list');
    expect(
      table.stdout
        .split('\n')
        .slice(0, 4)
        .map((line) => line.split(/ +/).slice(0, 3)),
    ).toEqual([
      ['QUEUE', 'VISIBLE', 'IN'],
      ['invalid', '3', '0'],
      ['processing', '0', '0'],
      ['analysis', '0', '0'],
    ]);
  });

  it('replay moves the fixed record through the pipeline into the table and keeps the ones that fail again', async () => {
    const messages = await list('invalid');
    const fixed = messages.find((m) => m.reason.startsWith('price=-1'))!;
    const fixes = join(dataDir, 'fixes.json');
    // The whole listing, one payload edited: unchanged entries are no fixes.
    writeFileSync(
      fixes,
      JSON.stringify(messages.map((m) => (m === fixed ? { ...m, payload: JSON.stringify(tick('FIXD', 101.5)) } : m))),
    );
    const before = pipeline.counters().processed;

    const run = await dlq('replay', '--queue', 'invalid', '--fixes', fixes, '--json');
    expect(run.code).toBe(0);
    const result = ReplayResultSchema.parse(JSON.parse(run.stdout));
    expect(result).toMatchObject({
      queue: 'invalid',
      received: 3,
      replayed: 1,
      failedAgain: 2,
      expired: 0,
      unreadable: 0,
      recordsSent: 1,
      kept: 2,
    });
    expect(result.items.find((i) => i.messageId === fixed.messageId)).toEqual({
      messageId: fixed.messageId,
      outcome: 'replayed',
      recordsSent: 1,
      detail: 'fixed tick FIXD 2024-05-06T14:30:00.000Z',
      deleted: true,
    });

    await pipeline.drain(30_000);
    expect(pipeline.counters().processed).toBe(before + 1);
    const item = await pipeline.clients.documents.send(
      new GetCommand({
        TableName: pipeline.resources.priceTable,
        Key: { symbol: 'FIXD', timestamp: '2024-05-06T14:30:00.000Z' },
      }),
    );
    expect(item.Item).toMatchObject({ symbol: 'FIXD', price: 101.5, change: 1.5 });

    const left = await list('invalid');
    expect(left.map((m) => m.messageId).sort()).toEqual(
      messages
        .filter((m) => m !== fixed)
        .map((m) => m.messageId)
        .sort(),
    );
    const text = await dlq('show', '--queue', 'invalid', left[0]!.messageId);
    expect(text.stdout).toContain(`message    ${left[0]!.messageId} (invalid queue, dead-letter)`);
    const shown = DlqMessageSchema.parse(
      JSON.parse((await dlq('show', '--queue', 'invalid', left[1]!.messageId, '--json')).stdout),
    );
    expect({ ...shown, ageSeconds: 0, receiveCount: 0 }).toEqual({ ...left[1]!, ageSeconds: 0, receiveCount: 0 });
  });

  it("replays the analysis function's dead letter to the function itself, here, on the pipeline's tables", async () => {
    const item = { ...tick('ANLZ', 50), change: 0, change_percent: 0, expires_at: 1 };
    const letter = encodeDeadLetter({
      reason: 'anomaly=<missing>: must be a boolean',
      payload: JSON.stringify({
        Keys: marshall({ symbol: 'ANLZ', timestamp: item.timestamp }),
        NewImage: marshall(item),
        SequenceNumber: '42',
        StreamViewType: 'NEW_IMAGE',
      }),
      source: {
        kind: 'dynamodb-stream',
        eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/stockpipe-prices/stream/local',
        eventName: 'INSERT',
        sequenceNumber: '42',
      },
    });
    await pipeline.clients.sqs.send(new SendMessageCommand({ QueueUrl: pipeline.resources.analysisDlqUrl, MessageBody: letter }));
    const [message] = await list('analysis');
    const fixes = join(dataDir, 'analysis-fixes.jsonl');
    writeFileSync(fixes, JSON.stringify({ messageId: message!.messageId, payload: { anomaly: false } }) + '\n');

    const result = ReplayResultSchema.parse(
      JSON.parse((await dlq('replay', '--queue', 'analysis', '--fixes', fixes, '--json')).stdout),
    );
    expect(result).toMatchObject({ received: 1, replayed: 1, kept: 0, recordsSent: 1 });
    const state = await pipeline.clients.documents.send(
      new GetCommand({ TableName: pipeline.resources.signalStateTable, Key: { symbol: 'ANLZ' } }),
    );
    expect(state.Item).toMatchObject({ symbol: 'ANLZ', last_timestamp: item.timestamp, prices: [50] });
    expect(await list('analysis')).toEqual([]);
  });

  it('purge wants --yes, then empties the queue', async () => {
    const refused = await dlq('purge', '--queue', 'invalid');
    expect(refused).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: purging the invalid queue deletes its messages for good; pass --yes to confirm\n',
    });
    expect(await list('invalid')).toHaveLength(2);
    const purged = await dlq('purge', '--queue', 'invalid', '--yes', '--json');
    expect(PurgeResultSchema.parse(JSON.parse(purged.stdout))).toEqual({
      queue: 'invalid',
      url: pipeline.resources.invalidQueueUrl,
      purged: 2,
    });
    expect(await list('invalid')).toEqual([]);
  });
});
