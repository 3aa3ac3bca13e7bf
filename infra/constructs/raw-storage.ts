/** Raw storage: the lake bucket (raw/, curated/, reports/) and the bucket its access logs go to. */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import type { Construct as IScope } from 'constructs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LAKE } from '../../src/shared/names';
import { acknowledge } from '../nag';

/** Raw JSON moves to Infrequent Access after this many days (IA bills at least 30 days anyway). */
export const RAW_INFREQUENT_ACCESS_DAYS = 30;

export interface RawStorageProps {
  /** Days after which raw JSON objects expire; compaction has copied them to Parquet by then. @default 90 */
  readonly rawRetentionDays?: number;
  /** Days server access logs are kept. @default 90 */
  readonly accessLogRetentionDays?: number;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** The settings every stockpipe bucket shares: private, TLS only, encrypted, not versioned. */
export const secureBucketProps = (removalPolicy: RemovalPolicy): s3.BucketProps => ({
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  encryption: s3.BucketEncryption.S3_MANAGED,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  versioned: false,
  removalPolicy,
  // Only with DESTROY: CloudFormation cannot delete a bucket that still holds objects.
  autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
});

/**
 * Access logs are delivered under a bucket policy, not the legacy LogDeliveryWrite ACL, which an
 * ACL-free (BUCKET_OWNER_ENFORCED) bucket cannot have. Set on the construct, before its buckets,
 * so it holds whatever the app's cdk.json says.
 */
export const useBucketPolicyForAccessLogs = (scope: IScope): void =>
  scope.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

export class RawStorage extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: RawStorageProps = {}) {
    super(scope, id);
    useBucketPolicyForAccessLogs(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const rawRetentionDays = props.rawRetentionDays ?? 90;

    // SSE-S3 (not KMS) on purpose: S3 server access logging cannot deliver to an SSE-KMS bucket.
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      ...secureBucketProps(removalPolicy),
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(props.accessLogRetentionDays ?? 90) }],
    });
    acknowledge(
      this.accessLogs,
      'AwsSolutions-S1',
      'This is the access-log bucket itself; logging its own accesses into itself would loop.',
    );

    this.bucket = new s3.Bucket(this, 'Lake', {
      ...secureBucketProps(removalPolicy),
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'lake/',
      lifecycleRules: [
        {
          id: 'raw-json',
          prefix: LAKE.raw,
          transitions:
            rawRetentionDays > RAW_INFREQUENT_ACCESS_DAYS
              ? [
                  {
                    storageClass: s3.StorageClass.INFREQUENT_ACCESS,
                    transitionAfter: Duration.days(RAW_INFREQUENT_ACCESS_DAYS),
                  },
                ]
              : [],
          expiration: Duration.days(rawRetentionDays),
        },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
  }
}
