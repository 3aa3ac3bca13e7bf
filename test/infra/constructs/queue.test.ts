import { EncryptedQueue } from '../../../infra/constructs/queue';
import { bareStack, inspectBare } from '../bare';

const fx = bareStack();
new EncryptedQueue(fx.stack, 'Queue', { key: fx.key(), purpose: 'a test queue' });
const t = inspectBare(fx.stack);

describe('EncryptedQueue', () => {
  test('is KMS-encrypted with the given key, keeps 14 days, is retained and refuses plain HTTP', () => {
    t.template.hasResource('AWS::SQS::Queue', {
      DeletionPolicy: 'Retain',
      Properties: { KmsMasterKeyId: t.arn(fx.key()), MessageRetentionPeriod: 1_209_600, KmsDataKeyReusePeriodSeconds: 900 },
    });
    const denials = t
      .resourcesOf('AWS::SQS::QueuePolicy')
      .filter(([, p]) => JSON.stringify(p.Properties).includes('"aws:SecureTransport":"false"'));
    expect(denials).toHaveLength(1);
  });
});
