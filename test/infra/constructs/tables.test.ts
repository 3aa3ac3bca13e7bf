import { Tables } from '../../../infra/constructs/tables';
import { ATTR } from '../../../src/shared/names';
import { bareStack, inspectBare } from '../bare';

const fx = bareStack();
new Tables(fx.stack, 'Tables');
const { template } = inspectBare(fx.stack);

describe('Tables', () => {
  test('the price table is keyed symbol + timestamp, on demand, with PITR, TTL, NEW_AND_OLD_IMAGES stream and deletion protection', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 3);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: ATTR.symbol, KeyType: 'HASH' },
          { AttributeName: ATTR.timestamp, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: ATTR.ttl, Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        DeletionProtectionEnabled: true,
      },
    });
  });

  test('the signal-state table is keyed by symbol and the alert ledger by symbol + alert_key', () => {
    const pitr = {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    };
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      ...pitr,
      KeySchema: [{ AttributeName: ATTR.symbol, KeyType: 'HASH' }],
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      ...pitr,
      KeySchema: [
        { AttributeName: ATTR.symbol, KeyType: 'HASH' },
        { AttributeName: ATTR.alertKey, KeyType: 'RANGE' },
      ],
    });
  });
});
