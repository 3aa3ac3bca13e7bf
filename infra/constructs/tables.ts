/**
 * The DynamoDB tables: prices (the stream of which feeds the analysis), the per-symbol indicator
 * state and the alert ledger that de-duplicates alerts. Key names come from ATTR, shared with src/.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { ATTR, PRICE_STREAM_VIEW_TYPE } from '../../src/shared/names';

export interface TablesProps {
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** @default true */
  readonly deletionProtection?: boolean;
}

export class Tables extends Construct {
  /** Prices by `symbol` + `timestamp`, expiring through TTL, streaming NEW_IMAGE. */
  readonly prices: dynamodb.Table;
  /** Indicator state by `symbol`. */
  readonly signalState: dynamodb.Table;
  /** Alerts by `symbol` + `alert_key` (`<timestamp>#<side>`). */
  readonly alerts: dynamodb.Table;

  constructor(scope: Construct, id: string, props: TablesProps = {}) {
    super(scope, id);
    const common = {
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    };
    const key = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });

    this.prices = new dynamodb.Table(this, 'Prices', {
      ...common,
      partitionKey: key(ATTR.symbol),
      sortKey: key(ATTR.timestamp),
      timeToLiveAttribute: ATTR.ttl,
      stream: dynamodb.StreamViewType[PRICE_STREAM_VIEW_TYPE],
    });
    this.signalState = new dynamodb.Table(this, 'SignalState', { ...common, partitionKey: key(ATTR.symbol) });
    this.alerts = new dynamodb.Table(this, 'Alerts', {
      ...common,
      partitionKey: key(ATTR.symbol),
      sortKey: key(ATTR.alertKey),
    });
  }
}
