/** Lambda-shaped Kinesis events from GetRecords output, as the Lambda event-source mapping builds them. */
import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

export interface KinesisEventSource {
  readonly streamArn: string;
  readonly shardId: string;
  readonly region: string;
}

export const toKinesisStreamRecord = (source: KinesisEventSource, record: KinesisRecord): KinesisStreamRecord => ({
  eventSource: 'aws:kinesis',
  eventVersion: '1.0',
  eventID: `${source.shardId}:${record.SequenceNumber}`,
  eventName: 'aws:kinesis:record',
  invokeIdentityArn: 'arn:aws:iam::000000000000:role/stockpipe-local',
  awsRegion: source.region,
  eventSourceARN: source.streamArn,
  kinesis: {
    kinesisSchemaVersion: '1.0',
    partitionKey: record.PartitionKey ?? '',
    sequenceNumber: record.SequenceNumber ?? '',
    data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
    approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp ?? new Date()).getTime() / 1000,
  },
});

export const toKinesisStreamEvent = (source: KinesisEventSource, records: readonly KinesisRecord[]): KinesisStreamEvent => ({
  Records: records.map((r) => toKinesisStreamRecord(source, r)),
});
