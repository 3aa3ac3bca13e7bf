/**
 * Processing: the function that reads the Kinesis stream and writes the raw lake and the price table,
 * its event-source mapping, its on-failure queue and the queue for records that are not ticks.
 */
import { Duration, RemovalPolicy, type CfnResource } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { KinesisEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV, LAKE } from '../../src/shared/names';
import { acknowledgeKeyGrantWildcards, acknowledgeWildcards, arnReference } from '../nag';
import { PipelineFunction } from './function';
import { EncryptedQueue } from './queue';
import { streamSourceProps, type StreamSettings } from './stream-settings';

export interface ProcessingProps extends StreamSettings {
  readonly key: kms.IKey;
  readonly stream: kinesis.IStream;
  readonly lake: s3.IBucket;
  readonly prices: dynamodb.ITable;
  /** Absolute path of the processing function's entry file. */
  readonly entry: string;
  /** Days a price item lives before TTL removes it. */
  readonly ttlDays: number;
  /** @default - PipelineFunction's default */
  readonly logRetention?: logs.RetentionDays;
  /** Applies to the queues and the log group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class Processing extends Construct {
  readonly function: PipelineFunction;
  /** Records that failed validation, with the rejection, written by the handler. */
  readonly invalidRecords: sqs.Queue;
  /** Coordinates of batches that still failed after all retries, written by the event-source mapping. */
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: ProcessingProps) {
    super(scope, id);
    this.invalidRecords = new EncryptedQueue(this, 'InvalidRecords', {
      key: props.key,
      purpose: 'stream records that are not valid ticks, each with its rejection',
      removalPolicy: props.removalPolicy,
    }).queue;
    this.deadLetters = new EncryptedQueue(this, 'DeadLetters', {
      key: props.key,
      purpose: 'on-failure destination of the Kinesis event-source mapping',
      removalPolicy: props.removalPolicy,
    }).queue;

    this.function = new PipelineFunction(this, 'Processor', {
      entry: props.entry,
      description: 'stockpipe processing: validates ticks, writes the raw lake and the price table',
      environment: {
        [ENV.rawBucket]: props.lake.bucketName,
        [ENV.priceTable]: props.prices.tableName,
        [ENV.invalidQueueUrl]: this.invalidRecords.queueUrl,
        [ENV.ttlDays]: String(props.ttlDays),
      },
      timeout: Duration.seconds(60),
      memorySize: 512,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const fn = this.function.function;
    props.lake.grantPut(fn, `${LAKE.raw}*`);
    // BatchGetItem: the stored ticks of the batch (first wins); PutItem: a write round of one tick (dynamodb-price-store.ts).
    props.prices.grant(fn, 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:PutItem');
    this.invalidRecords.grantSendMessages(fn);
    fn.addEventSource(new KinesisEventSource(props.stream, streamSourceProps(props, this.deadLetters)));

    const role = this.function.role;
    acknowledgeKeyGrantWildcards(role, 'sending to the encrypted invalid-records and dead-letter queues');
    acknowledgeWildcards(
      role,
      ['Action::s3:Abort*', `Resource::${arnReference(props.lake.node.defaultChild as CfnResource)}/${LAKE.raw}*`],
      `The function writes one object per batch and day under ${LAKE.raw} (names are not known in advance); grantPut limits it to that prefix, with multipart-abort for failed uploads.`,
    );
  }
}
