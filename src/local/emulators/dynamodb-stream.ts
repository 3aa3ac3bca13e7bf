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
import { randomBytes } from 'node:crypto';
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBRecord, StreamRecord } from 'aws-lambda';

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

  /** Appends committed changes, in the order they were committed. */
  append(changes: readonly TableChange[]): void {
    if (changes.length === 0) return;
    const created = Math.floor(this.now().getTime() / 1000);
    for (const change of changes) {
      this.sequence++;
      const partition = JSON.stringify(change.keys[this.keySchema.hash] ?? null);
      const shard = this.shards[hashOf(partition) % this.shards.length]!;
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
      shard.records.push({
        eventID: randomBytes(16).toString('hex'),
        eventName: change.eventName,
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: this.options.region,
        dynamodb,
        eventSourceARN: this.streamArn,
      });
      this.appended++;
    }
    for (const listener of this.listeners) listener();
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
      const partition = JSON.stringify(record.dynamodb?.Keys?.[this.keySchema.hash] ?? null);
      this.shards[hashOf(partition) % this.shards.length]!.records.push(record);
      const sequence = BigInt(record.dynamodb?.SequenceNumber ?? '0');
      if (sequence > this.sequence) this.sequence = sequence;
    }
    for (const shard of this.shards) {
      shard.records.sort((a, b) => (BigInt(a.dynamodb!.SequenceNumber!) < BigInt(b.dynamodb!.SequenceNumber!) ? -1 : 1));
    }
    if (records.length > 0) for (const listener of this.listeners) listener();
  }
}
