/**
 * The local DynamoDB stream of one table. dynalite has no streams (it accepts StreamSpecification and
 * ignores it), so the stream is built from the writes the pipeline commits: the capture middleware
 * (dynamodb-stream-capture.ts) hands every committed change of the table to `append`, which turns it
 * into a Lambda-shaped DynamoDB stream record and puts it on a shard chosen by the partition key,
 * so the records of one key stay in order on one shard, as in DynamoDB Streams.
 *
 * SequenceNumbers are one increasing counter (21 digits, like AWS's), so they also increase per
 * shard and per key. Records stay on their shard until the event source (dynamodb-event-source.ts)
 * has delivered them; there is one consumer, no 24-hour retention and no iterator API.
 */
import { randomUUID } from 'node:crypto';
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBRecord, StreamRecord } from 'aws-lambda';
import type { DynamoDbStreamJournal, OpenIntent } from './dynamodb-stream-journal';

export type StreamViewType = 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY';
export type Item = Record<string, SdkAttributeValue>;

export interface KeySchema {
  readonly hash: string;
  readonly range?: string;
}

export interface TableChange {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly keys: Item;
  readonly newImage?: Item;
  readonly oldImage?: Item;
}

export interface LocalDynamoDbStreamOptions {
  readonly tableName: string;
  readonly keySchema: KeySchema;
  readonly region: string;
  readonly accountId: string;
  /** @default 'NEW_IMAGE', as the stack's price table */
  readonly viewType?: StreamViewType;
  /** @default 2 */
  readonly shardCount?: number;
  readonly now?: () => Date;
  /** Keeps every record on disk until delivered (a persisted runtime): see dynamodb-stream-journal.ts. */
  readonly journal?: DynamoDbStreamJournal;
}

/** What `recover` found in the journal of a previous process. */
export interface StreamRecovery {
  /** Records that were appended and not delivered: back on their shards. */
  readonly restored: number;
  /** Changes of writes interrupted between the table and the stream, found committed: appended now. */
  readonly recovered: number;
  /** Changes of interrupted writes that the table does not hold: they did not commit. */
  readonly notCommitted: number;
  readonly tornLines: number;
}

export interface StreamShard {
  readonly shardId: string;
  readonly records: DynamoDBRecord[];
}

const SEQUENCE_DIGITS = 21;

const hashOf = (text: string): number => {
  let h = 2166136261;
  for (let k = 0; k < text.length; k++) h = Math.imul(h ^ text.charCodeAt(k), 16777619);
  return h >>> 0;
};

export class LocalDynamoDbStream {
  readonly tableName: string;
  readonly keySchema: KeySchema;
  readonly viewType: StreamViewType;
  readonly streamArn: string;
  readonly shards: readonly StreamShard[];
  /** Records ever appended. */
  appended = 0;
  private sequence = 0n;
  private readonly listeners = new Set<() => void>();
  private readonly now: () => Date;

  constructor(private readonly options: LocalDynamoDbStreamOptions) {
    this.tableName = options.tableName;
    this.keySchema = options.keySchema;
    this.viewType = options.viewType ?? 'NEW_IMAGE';
    this.now = options.now ?? (() => new Date());
    const label = this.now().toISOString().replace(/Z$/, '');
    this.streamArn = `arn:aws:dynamodb:${options.region}:${options.accountId}:table/${options.tableName}/stream/${label}`;
    const count = options.shardCount ?? 2;
    this.shards = Array.from({ length: count }, (_, k) => ({
      shardId: `shardId-${String(k + 1).padStart(20, '0')}-local`,
      records: [],
    }));
  }

  keysOf(item: Item): Item {
    const keys: Item = {};
    for (const name of [this.keySchema.hash, this.keySchema.range]) {
      if (name === undefined) continue;
      const value = item[name];
      if (value === undefined) throw new Error(`item of table ${this.tableName} has no key attribute ${name}`);
      keys[name] = value;
    }
    return keys;
  }

  private readonly openIntents = new Map<string, OpenIntent>();
  private intents = 0;

  /**
   * Before a write goes to the table: journals the changes it will make if it commits (a persisted
   * stream only), so that a process killed between the table and `append` loses nothing. Returns the
   * id to pass to `append` or `abandon`.
   */
  begin(changes: readonly TableChange[]): string | undefined {
    const journal = this.options.journal;
    if (!journal) return undefined;
    const id = `${process.pid}-${Date.now().toString(36)}-${++this.intents}`;
    journal.intend(id, changes);
    this.openIntents.set(id, { id, changes });
    return id;
  }

  /** The write begun as `id` failed: nothing of it was committed. */
  abandon(id: string | undefined): void {
    if (id === undefined) return;
    this.openIntents.delete(id);
    this.options.journal?.aborted(id);
  }

  /**
   * Appends committed changes, in the order they were committed; `intent` closes the write begun
   * with `begin`. The records are on their shards even when the journal cannot take them (a full
   * disk): this process still delivers them, the error is thrown after, and the intent left open is
   * checked against the table at the next start.
   */
  append(changes: readonly TableChange[], intent?: string): void {
    const records = this.toRecords(changes);
    try {
      if (this.options.journal && (records.length > 0 || intent !== undefined)) {
        this.options.journal.committed(intent ?? 'direct', records);
        if (intent !== undefined) this.openIntents.delete(intent);
      }
    } finally {
      for (const record of records) this.shardOf(record).records.push(record);
      this.appended += records.length;
      if (records.length > 0) for (const listener of this.listeners) listener();
    }
  }

  /** The event source finished these records (done or dead-lettered): they leave the journal. */
  delivered(records: readonly DynamoDBRecord[]): void {
    const journal = this.options.journal;
    if (journal?.delivered(records)) journal.rewrite(this.snapshot(), [...this.openIntents.values()]);
  }

  /** Rewrites the journal with only what is still open (at a clean stop). */
  compactJournal(): void {
    this.options.journal?.rewrite(this.snapshot(), [...this.openIntents.values()]);
  }

  /**
   * At start: puts back what the journal of a previous process holds undelivered, and appends the
   * changes of interrupted writes that `committed` finds in the table (the item holds the intended image).
   */
  async recover(committed: (change: TableChange) => Promise<boolean>): Promise<StreamRecovery> {
    const journal = this.options.journal;
    if (!journal) return { restored: 0, recovered: 0, notCommitted: 0, tornLines: 0 };
    const contents = journal.load();
    this.restore(contents.records);
    let recovered = 0;
    let notCommitted = 0;
    for (const intent of contents.intents) {
      const found: TableChange[] = [];
      for (const change of intent.changes) {
        if (await committed(change)) found.push(change);
        else notCommitted++;
      }
      recovered += found.length;
      for (const record of this.toRecords(found)) {
        this.shardOf(record).records.push(record);
        this.appended++;
      }
    }
    journal.rewrite(this.snapshot(), []);
    if (recovered > 0) for (const listener of this.listeners) listener();
    return { restored: contents.records.length, recovered, notCommitted, tornLines: contents.tornLines };
  }

  private shardOf(record: DynamoDBRecord): StreamShard {
    const partition = JSON.stringify(record.dynamodb?.Keys?.[this.keySchema.hash] ?? null);
    return this.shards[hashOf(partition) % this.shards.length]!;
  }

  private toRecords(changes: readonly TableChange[]): DynamoDBRecord[] {
    const created = Math.floor(this.now().getTime() / 1000);
    const records: DynamoDBRecord[] = [];
    for (const change of changes) {
      this.sequence++;
      const dynamodb: StreamRecord = {
        ApproximateCreationDateTime: created,
        Keys: change.keys as Record<string, AttributeValue>,
        SequenceNumber: this.sequence.toString().padStart(SEQUENCE_DIGITS, '0'),
        StreamViewType: this.viewType,
      };
      if (change.newImage && (this.viewType === 'NEW_IMAGE' || this.viewType === 'NEW_AND_OLD_IMAGES')) {
        dynamodb.NewImage = change.newImage as Record<string, AttributeValue>;
      }
      if (change.oldImage && (this.viewType === 'OLD_IMAGE' || this.viewType === 'NEW_AND_OLD_IMAGES')) {
        dynamodb.OldImage = change.oldImage as Record<string, AttributeValue>;
      }
      dynamodb.SizeBytes = Buffer.byteLength(
        JSON.stringify([dynamodb.Keys, dynamodb.NewImage ?? null, dynamodb.OldImage ?? null]),
      );
      records.push({
        // 32 hex digits as AWS's; randomUUID draws from a buffered pool, randomBytes calls into OpenSSL per record.
        eventID: randomUUID().replaceAll('-', ''),
        eventName: change.eventName,
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: this.options.region,
        dynamodb,
        eventSourceARN: this.streamArn,
      });
    }
    return records;
  }

  /** Records not yet delivered, across shards. */
  pending(): number {
    return this.shards.reduce((n, s) => n + s.records.length, 0);
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Undelivered records, to keep them across a restart of a persisted runtime. */
  snapshot(): DynamoDBRecord[] {
    return this.shards.flatMap((s) => s.records);
  }

  /** Puts back records of a snapshot on their shards; new records are numbered after them. */
  restore(records: readonly DynamoDBRecord[]): void {
    for (const record of records) {
      this.shardOf(record).records.push(record);
      const sequence = BigInt(record.dynamodb?.SequenceNumber ?? '0');
      if (sequence > this.sequence) this.sequence = sequence;
    }
    for (const shard of this.shards) {
      shard.records.sort((a, b) => (BigInt(a.dynamodb!.SequenceNumber!) < BigInt(b.dynamodb!.SequenceNumber!) ? -1 : 1));
    }
    if (records.length > 0) for (const listener of this.listeners) listener();
  }
}
