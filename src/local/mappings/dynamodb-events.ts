/** Lambda-shaped DynamoDB stream records, as the price table's stream (NEW_AND_OLD_IMAGES) delivers them. */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, AttributeValue as LambdaAttributeValue } from 'aws-lambda';

export interface StreamRecordInput {
  readonly tableArn: string;
  readonly region: string;
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly keyNames: readonly string[];
  readonly item: Record<string, unknown>;
  /** The item before a MODIFY; without it the record carries the new image only (NEW_IMAGE). */
  readonly oldItem?: Record<string, unknown>;
  readonly sequenceNumber: string;
  readonly approximateCreationSeconds?: number;
}

export function toDynamoDbStreamRecord(input: StreamRecordInput): DynamoDBRecord {
  const image = marshall(input.item, { removeUndefinedValues: true }) as Record<string, AttributeValue>;
  const keys = Object.fromEntries(input.keyNames.map((k) => [k, image[k]]));
  return {
    eventID: input.sequenceNumber,
    eventName: input.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: input.region,
    eventSourceARN: `${input.tableArn}/stream/local`,
    dynamodb: {
      ApproximateCreationDateTime: input.approximateCreationSeconds ?? Math.floor(Date.now() / 1000),
      Keys: keys as Record<string, LambdaAttributeValue>,
      ...(input.eventName === 'REMOVE' ? {} : { NewImage: image as Record<string, LambdaAttributeValue> }),
      ...(input.oldItem
        ? { OldImage: marshall(input.oldItem, { removeUndefinedValues: true }) as Record<string, LambdaAttributeValue> }
        : {}),
      SequenceNumber: input.sequenceNumber,
      SizeBytes: Buffer.byteLength(JSON.stringify(image)),
      StreamViewType: input.oldItem ? 'NEW_AND_OLD_IMAGES' : 'NEW_IMAGE',
    },
  };
}
