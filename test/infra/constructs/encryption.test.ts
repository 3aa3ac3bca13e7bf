import { RemovalPolicy } from 'aws-cdk-lib';
import { Encryption } from '../../../infra/constructs/encryption';
import { bareStack, inspectBare } from '../bare';

describe('Encryption', () => {
  test('the key rotates and is retained by default', () => {
    const fx = bareStack();
    new Encryption(fx.stack, 'Encryption');
    inspectBare(fx.stack).template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: { EnableKeyRotation: true, PendingWindowInDays: 7 },
    });
  });

  test('the key follows the removal policy it is given', () => {
    const fx = bareStack();
    new Encryption(fx.stack, 'Encryption', { removalPolicy: RemovalPolicy.DESTROY });
    inspectBare(fx.stack).template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });
});
