/**
 * The events Lambda's event source mappings deliver, built from what moto holds. Pure: no moto, no SDK.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export interface KinesisRecordLike {
  readonly PartitionKey?: string;
  readonly SequenceNumber?: string;
  readonly Data?: Uint8Array;
  readonly ApproximateArrivalTimestamp?: Date;
}

/** One Kinesis record as Lambda delivers it: base64 data, the shard in the event id, the stream's ARN. */
export function kinesisEventRecord(r: KinesisRecordLike, shardId: string, streamArn: string, region: string) {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: r.PartitionKey ?? '',
      sequenceNumber: r.SequenceNumber ?? '',
      data: Buffer.from(r.Data ?? new Uint8Array()).toString('base64'),
      approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${r.SequenceNumber ?? ''}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/rehearsal',
    eventSourceARN: streamArn,
    awsRegion: region,
  };
}

export type Image = Record<string, AttributeValue>;

/**
 * DynamoDB stream records of items as inserts (NEW_IMAGE only: an INSERT has no old image), in the
 * order given, with increasing sequence numbers, as a stream of `viewType` would carry them.
 */
export function dynamodbInsertRecords(
  items: readonly Image[],
  keyNames: readonly string[],
  streamArn: string,
  region: string,
  viewType: string,
  createdAt: number,
) {
  return items.map((item, k) => ({
    eventID: `rehearsal-${k}`,
    eventName: 'INSERT' as const,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      ApproximateCreationDateTime: createdAt,
      Keys: Object.fromEntries(keyNames.map((name) => [name, item[name]!])),
      NewImage: item,
      SequenceNumber: String(100_000_000_000 + k).padStart(21, '0'),
      SizeBytes: JSON.stringify(item).length,
      StreamViewType: viewType,
    },
    eventSourceARN: streamArn,
  }));
}

/**
 * Whether a record passes an event source mapping's filter patterns. Supports what the stack uses:
 * top-level fields matched against lists of allowed values; no patterns lets everything through.
 */
export function passesFilters(record: Record<string, unknown>, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((text) => {
    const pattern = JSON.parse(text) as Record<string, unknown>;
    return Object.entries(pattern).every(
      ([field, allowed]) => Array.isArray(allowed) && allowed.some((v) => JSON.stringify(v) === JSON.stringify(record[field])),
    );
  });
}

/** Records in batches of at most `size`, in order. */
export function batches<T>(records: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError(`batch size ${size} must be at least 1`);
  const out: T[][] = [];
  for (let k = 0; k < records.length; k += size) out.push(records.slice(k, k + size));
  return out;
}

/** Items of a table ordered as one writer's stream would carry them: by key attributes, in order. */
export function byKeys(items: readonly Image[], keyNames: readonly string[]): Image[] {
  const text = (v: AttributeValue | undefined) => (v && 'S' in v ? v.S : v && 'N' in v ? v.N : JSON.stringify(v)) ?? '';
  return [...items].sort((a, b) => {
    for (const name of keyNames) {
      const d = text(a[name]).localeCompare(text(b[name]));
      if (d !== 0) return d;
    }
    return 0;
  });
}
