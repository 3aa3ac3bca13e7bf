/** The customer-managed KMS key of the pipeline's queues and topics. */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface EncryptionProps {
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class Encryption extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: EncryptionProps = {}) {
    super(scope, id);
    // One key rather than one per service: $1 a month each, and every grant names this key's ARN anyway.
    this.key = new kms.Key(this, 'Key', {
      description: 'stockpipe: SQS queues and SNS topics',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(7),
    });
  }
}
