/**
 * The on-disk journal of a persisted local DynamoDB stream, so that what the table committed reaches
 * the analysis even when the process is killed (kill -9, a crash, a full disk) between a write and
 * the delivery of its stream record.
 *
 * Why a journal and not a snapshot at stop: the Kinesis mapping checkpoints after every processed
 * batch, so a record held only in memory is gone for good with the process, while its batch is never
 * redelivered (and a redelivered tick is a no-op by the first-wins rule: it would not produce the
 * record again either).
 *
 * One NDJSON line per event, each written with one synchronous append before the step it describes
 * goes on (kill -9 cannot undo a completed write(2); the page cache outlives the process):
 * - `intent`: before a write goes to the table, the changes it will make if it commits;
 * - `commit`: after it committed, the stream records it made (numbered);
 * - `abort`: the write failed, nothing was committed;
 * - `delivered`: the sequence numbers of a batch the analysis finished (done or dead-lettered).
 * Recovery replays the lines: records not delivered go back on their shards; an intent with neither
 * commit nor abort (the process died in between) is checked against the table: the changes whose item
 * now holds the intended image did commit and are appended as new records. Then the journal is
 * rewritten with just what is still open, and the same happens while running once enough delivered
 * lines pile up, so it stays about as large as the undelivered backlog.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DynamoDBRecord } from 'aws-lambda';
import type { TableChange } from './dynamodb-stream';

type JournalLine =
  | { readonly t: 'intent'; readonly id: string; readonly changes: readonly TableChange[] }
  | { readonly t: 'commit'; readonly id: string; readonly records: readonly DynamoDBRecord[] }
  | { readonly t: 'abort'; readonly id: string }
  | { readonly t: 'delivered'; readonly seqs: readonly string[] };

export interface OpenIntent {
  readonly id: string;
  readonly changes: readonly TableChange[];
}

export interface JournalContents {
  /** Records appended and not delivered, in the order they were appended. */
  readonly records: readonly DynamoDBRecord[];
  /** Writes that began and were neither confirmed nor abandoned. */
  readonly intents: readonly OpenIntent[];
  /** A last line cut short by the process's death (it described a step that did not complete). */
  readonly tornLines: number;
}

const sequenceOf = (r: DynamoDBRecord): string => r.dynamodb?.SequenceNumber ?? '';

export class DynamoDbStreamJournal {
  /** Delivered lines written since the journal was last rewritten. */
  private deliveredSinceCompaction = 0;

  /** @param compactAfter rewrite the journal after this many delivered records. @default 20_000 */
  constructor(
    readonly path: string,
    private readonly compactAfter = 20_000,
  ) {
    mkdirSync(dirname(path), { recursive: true });
  }

  /** Replays the journal left by a previous process (empty when there is none). */
  load(): JournalContents {
    if (!existsSync(this.path)) return { records: [], intents: [], tornLines: 0 };
    const lines = readFileSync(this.path, 'utf8').split('\n');
    const records = new Map<string, DynamoDBRecord>();
    const intents = new Map<string, OpenIntent>();
    let tornLines = 0;
    lines.forEach((text, index) => {
      if (text.trim() === '') return;
      let line: JournalLine;
      try {
        line = JSON.parse(text) as JournalLine;
      } catch (e) {
        // Only the last line can be cut short by a kill; a bad line before it is a corrupt journal.
        if (lines.slice(index + 1).every((rest) => rest.trim() === '')) {
          tornLines++;
          return;
        }
        throw new Error(
          `${this.path} line ${index + 1} is not valid JSON (${(e as Error).message}); ` +
            'the local DynamoDB stream journal is corrupt: move it away to start the stream over',
          { cause: e },
        );
      }
      switch (line.t) {
        case 'intent':
          intents.set(line.id, { id: line.id, changes: line.changes });
          break;
        case 'commit':
          intents.delete(line.id);
          for (const r of line.records) records.set(sequenceOf(r), r);
          break;
        case 'abort':
          intents.delete(line.id);
          break;
        case 'delivered':
          for (const s of line.seqs) records.delete(s);
          break;
        default:
          throw new Error(`${this.path} line ${index + 1}: unknown entry ${JSON.stringify(line)}`);
      }
    });
    return { records: [...records.values()], intents: [...intents.values()], tornLines };
  }

  private write(line: JournalLine): void {
    appendFileSync(this.path, JSON.stringify(line) + '\n');
  }

  intend(id: string, changes: readonly TableChange[]): void {
    this.write({ t: 'intent', id, changes });
  }

  committed(id: string, records: readonly DynamoDBRecord[]): void {
    this.write({ t: 'commit', id, records });
  }

  aborted(id: string): void {
    this.write({ t: 'abort', id });
  }

  /** Returns true when enough delivered lines piled up that the caller should `rewrite`. */
  delivered(records: readonly DynamoDBRecord[]): boolean {
    if (records.length === 0) return false;
    this.write({ t: 'delivered', seqs: records.map(sequenceOf) });
    this.deliveredSinceCompaction += records.length;
    return this.deliveredSinceCompaction >= this.compactAfter;
  }

  /** Replaces the journal with what is still open (through a temporary file and a rename). */
  rewrite(pending: readonly DynamoDBRecord[], intents: readonly OpenIntent[]): void {
    const lines: JournalLine[] = [
      ...intents.map((i): JournalLine => ({ t: 'intent', id: i.id, changes: i.changes })),
      ...(pending.length > 0 ? [{ t: 'commit', id: 'recovered', records: pending } as const] : []),
    ];
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, lines.map((l) => JSON.stringify(l) + '\n').join(''));
    renameSync(tmp, this.path);
    this.deliveredSinceCompaction = 0;
  }
}
