/** An SQS queue as the pipeline uses them: KMS-encrypted, TLS-only, 14 days to look at a message. */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';

export interface EncryptedQueueProps {
  readonly key: kms.IKey;
  /** What lands in the queue, for the acknowledgement of AwsSolutions-SQS3. */
  readonly purpose: string;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class EncryptedQueue extends Construct {
  readonly queue: sqs.Queue;

  constructor(scope: Construct, id: string, props: EncryptedQueueProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      // Reuse the data key for 15 minutes: fewer KMS requests when failures come in bursts.
      dataKeyReuse: Duration.minutes(15),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.queue,
      'AwsSolutions-SQS3',
      `This queue is itself the end of the line (${props.purpose}); an operator inspects and redrives it, so it has no DLQ of its own.`,
    );
  }
}
