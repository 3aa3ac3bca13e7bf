import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDynamoDbStream, type TableChange } from '../../src/local/emulators/dynamodb-stream';
import { DynamoDbStreamJournal } from '../../src/local/emulators/dynamodb-stream-journal';

const insert = (symbol: string, n: number): TableChange => ({
  eventName: 'INSERT',
  keys: { symbol: { S: symbol }, timestamp: { S: `t${n}` } },
  newImage: { symbol: { S: symbol }, timestamp: { S: `t${n}` }, price: { N: String(n) } },
});

const labels = (stream: LocalDynamoDbStream): string[] =>
  stream.shards
    .flatMap((s) => s.records)
    .map((r) => `${r.dynamodb!.Keys!.symbol!.S}/${r.dynamodb!.Keys!.timestamp!.S}`)
    .sort();

describe('the journal of a persisted local DynamoDB stream (a process killed between two steps)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'stream-journal-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const open = (compactAfter?: number) =>
    new LocalDynamoDbStream({
      tableName: 'prices',
      keySchema: { hash: 'symbol', range: 'timestamp' },
      region: 'us-east-1',
      accountId: '000000000000',
      journal: new DynamoDbStreamJournal(join(dir, 'journal.ndjson'), compactAfter),
    });
  const none = async () => false;

  it('gives the next process every record appended and not delivered, numbered after them', async () => {
    const first = open();
    first.append([insert('A', 1), insert('B', 1)], first.begin([insert('A', 1), insert('B', 1)]));
    first.append([insert('A', 2)], first.begin([insert('A', 2)]));
    const shardOfA = first.shards.find((s) => s.records.some((r) => r.dynamodb!.Keys!.symbol!.S === 'A'))!;
    const delivered = shardOfA.records.splice(0, 1);
    first.delivered(delivered);
    // No stop, no snapshot: the process dies here.
    const second = open();
    expect(await second.recover(none)).toEqual({ restored: 2, recovered: 0, notCommitted: 0, tornLines: 0 });
    expect(labels(second)).toEqual(['A/t2', 'B/t1']);
    second.append([insert('A', 3)]);
    const sequences = second.shards.flatMap((s) => s.records).map((r) => Number(r.dynamodb!.SequenceNumber));
    expect(Math.max(...sequences)).toBe(4);
  });

  it('appends the changes of an interrupted write that the table holds, and only those', async () => {
    const first = open();
    first.begin([insert('A', 1), insert('B', 1)]); // the write went out; the process died before `append`
    first.abandon(first.begin([insert('C', 1)])); // a write that failed: nothing to look for
    const second = open();
    const looked: string[] = [];
    const inTable = async (change: TableChange) => {
      looked.push(change.keys.symbol!.S!);
      return change.keys.symbol!.S === 'A';
    };
    expect(await second.recover(inTable)).toEqual({ restored: 0, recovered: 1, notCommitted: 1, tornLines: 0 });
    expect(looked).toEqual(['A', 'B']);
    expect(labels(second)).toEqual(['A/t1']);
    // Recovered once: a third start does not look again, and still has the record.
    const third = open();
    expect(await third.recover(inTable)).toEqual({ restored: 1, recovered: 0, notCommitted: 0, tornLines: 0 });
    expect(labels(third)).toEqual(['A/t1']);
  });

  it('ignores a last line cut short by the kill, and refuses a corrupt line before the end', async () => {
    const first = open();
    first.append([insert('A', 1)], first.begin([insert('A', 1)]));
    const path = join(dir, 'journal.ndjson');
    appendFileSync(path, '{"t":"commit","id":"x","rec');
    expect(await open().recover(none)).toEqual({ restored: 1, recovered: 0, notCommitted: 0, tornLines: 1 });
    appendFileSync(path, 'not json\n{"t":"abort","id":"y"}\n');
    await expect(open().recover(none)).rejects.toThrow(/journal\.ndjson line 2 is not valid JSON .*corrupt: move it away/);
  });

  it('stays about as large as the backlog: delivered records are rewritten away', async () => {
    const stream = open(10);
    for (let n = 1; n <= 50; n++) {
      stream.append([insert('A', n)], stream.begin([insert('A', n)]));
      const shard = stream.shards.find((s) => s.records.length > 0)!;
      stream.delivered(shard.records.splice(0, shard.records.length));
    }
    stream.append([insert('A', 51)], stream.begin([insert('A', 51)]));
    const lines = readFileSync(join(dir, 'journal.ndjson'), 'utf8').trim().split('\n');
    // The last rewrite (after 50 delivered), then A/t51's intent and commit.
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(await open().recover(none)).toMatchObject({ restored: 1 });
  });

  it('keeps a stream without a journal in memory only', async () => {
    const stream = new LocalDynamoDbStream({ tableName: 'prices', keySchema: { hash: 'symbol' }, region: 'r', accountId: '1' });
    expect(stream.begin([insert('A', 1)])).toBeUndefined();
    expect(await stream.recover(none)).toEqual({ restored: 0, recovered: 0, notCommitted: 0, tornLines: 0 });
  });
});
