import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, paginateScan, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AlertClaimHeld, type AlertLedger, type ClaimResult, type PendingAlert } from '../../core/ports';
import type { Alert } from '../../core/signals';
import { ATTR } from '../../shared/names';

export const alertKey = (alert: Pick<Alert, 'timestamp' | 'side'>): string => `${alert.timestamp}#${alert.side}`;

export type AlertStatus = 'PENDING' | 'PUBLISHED';

/** The alert item: the alert itself plus its publishing status. Also the store `stockpipe alerts` reads. */
export interface AlertItem extends Alert {
  readonly alert_key: string;
  readonly status: AlertStatus;
  readonly claimed_at: string;
  /** Epoch ms until which the claim is held; 0 once given back. */
  readonly lease_until?: number;
  readonly published_at?: string;
}

/**
 * Longer than the analysis function's timeout (60 s), so a claim outlives the invocation holding it;
 * after it, an invocation that died between claim and mark no longer blocks the alert.
 */
export const DEFAULT_CLAIM_LEASE_MS = 5 * 60_000;

/**
 * Claim, publish, mark. An alert is claimed (PENDING, with a lease) by a conditional put before it is
 * published, and marked PUBLISHED after. The guarantee: every alert is published at least once, and
 * never by two invocations at the same time; a redelivered batch finds it PUBLISHED and sends nothing.
 * It is sent twice only when an invocation dies after SNS accepted the message and before the mark:
 * the claim then runs out and the retry sends it again (same subject, same alert key).
 */
export class DynamoDbAlertLedger implements AlertLedger {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
    private readonly leaseMs: number = DEFAULT_CLAIM_LEASE_MS,
  ) {}

  private key(alert: Alert) {
    return { [ATTR.symbol]: alert.symbol, [ATTR.alertKey]: alertKey(alert) };
  }

  async claim(alert: Alert): Promise<ClaimResult> {
    const now = this.now();
    const item: AlertItem = {
      ...alert,
      alert_key: alertKey(alert),
      status: 'PENDING',
      claimed_at: now.toISOString(),
      lease_until: now.getTime() + this.leaseMs,
    };
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression:
            'attribute_not_exists(#key) OR (#status = :pending AND (attribute_not_exists(#lease) OR #lease < :now))',
          ExpressionAttributeNames: { '#key': ATTR.alertKey, '#status': 'status', '#lease': 'lease_until' },
          ExpressionAttributeValues: { ':pending': 'PENDING', ':now': now.getTime() },
        }),
      );
      return 'claimed';
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
    const stored = (
      await this.documents.send(new GetCommand({ TableName: this.tableName, Key: this.key(alert), ConsistentRead: true }))
    ).Item as AlertItem | undefined;
    if (stored?.status === 'PUBLISHED') return 'already-published';
    throw new AlertClaimHeld(
      `alert ${alert.side} ${alert.symbol} at ${alert.timestamp} is being published by another invocation ` +
        `(claimed at ${stored?.claimed_at ?? 'an unknown time'}); the batch is retried after its claim ends`,
    );
  }

  async markPublished(alert: Alert): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(alert),
        UpdateExpression: 'SET #status = :published, published_at = :at REMOVE lease_until',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':published': 'PUBLISHED', ':at': this.now().toISOString() },
      }),
    );
  }

  /** Every PENDING alert with its claim (a consistent scan: the alert table is small). */
  async pending(): Promise<PendingAlert[]> {
    const found: PendingAlert[] = [];
    for await (const page of paginateScan(
      { client: this.documents },
      {
        TableName: this.tableName,
        FilterExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'PENDING' },
        ConsistentRead: true,
      },
    )) {
      for (const item of (page.Items ?? []) as AlertItem[]) {
        const { alert_key: _key, status: _status, claimed_at, lease_until, published_at: _at, ...alert } = item;
        found.push({ ...alert, claimedAt: claimed_at, ...(lease_until !== undefined ? { leaseUntil: lease_until } : {}) });
      }
    }
    return found;
  }

  async release(alert: Alert): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(alert),
          UpdateExpression: 'SET lease_until = :zero',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':zero': 0, ':pending': 'PENDING' },
        }),
      );
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }
}
