import { Match } from 'aws-cdk-lib/assertions';
import { RawStorage } from '../../../infra/constructs/raw-storage';
import { LAKE } from '../../../src/shared/names';
import { bareStack, inspectBare } from '../bare';
import { expectPrivateEncryptedRetained } from '../helpers';

const fx = bareStack();
const storage = new RawStorage(fx.stack, 'RawStorage');
const t = inspectBare(fx.stack);

describe('RawStorage', () => {
  test('both buckets block public access, are SSE-encrypted, unversioned, retained and TLS-only', () => {
    const buckets = t.resourcesOf('AWS::S3::Bucket');
    expect(buckets).toHaveLength(2);
    for (const [, bucket] of buckets) {
      expectPrivateEncryptedRetained(bucket);
    }
    const tlsOnly = t
      .resourcesOf('AWS::S3::BucketPolicy')
      .filter(([, p]) => JSON.stringify(p.Properties).includes('"aws:SecureTransport":"false"'));
    expect(tlsOnly).toHaveLength(2);
  });

  test('the lake logs accesses, moves raw JSON to IA after 30 days and expires it after 90', () => {
    t.template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: {
        DestinationBucketName: { Ref: t.id(storage.accessLogs) },
        LogFilePrefix: 'lake/',
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Id: 'raw-json',
            Prefix: LAKE.raw,
            Status: 'Enabled',
            ExpirationInDays: 90,
            Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
          }),
        ]),
      },
    });
  });

  test('raw JSON kept for 20 days expires without an Infrequent Access transition', () => {
    const short = bareStack();
    new RawStorage(short.stack, 'RawStorage', { rawRetentionDays: 20 });
    inspectBare(short.stack).template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Id: 'raw-json', ExpirationInDays: 20, Transitions: Match.absent() })]),
      },
    });
  });
});
