import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AlertLedger } from '../../core/ports';
import type { Alert } from '../../core/signals';
import { ATTR } from '../../shared/names';

export const alertKey = (alert: Pick<Alert, 'timestamp' | 'side'>): string => `${alert.timestamp}#${alert.side}`;

export type AlertStatus = 'PENDING' | 'PUBLISHED';

/** The alert item: the alert itself plus its publishing status. Also the store `stockpipe alerts` reads. */
export interface AlertItem extends Alert {
  readonly alert_key: string;
  readonly status: AlertStatus;
  readonly claimed_at: string;
  readonly published_at?: string;
}

/**
 * Claim, publish, mark: an alert is claimed (PENDING) with a conditional put before it is published and
 * marked PUBLISHED after. A redelivered batch finds it PUBLISHED and publishes nothing; an alert whose
 * publish failed stays PENDING and is published by the retry.
 */
export class DynamoDbAlertLedger implements AlertLedger {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async claim(alert: Alert): Promise<boolean> {
    const item: AlertItem = { ...alert, alert_key: alertKey(alert), status: 'PENDING', claimed_at: this.now().toISOString() };
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#key) OR #status = :pending',
          ExpressionAttributeNames: { '#key': ATTR.alertKey, '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'PENDING' },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  async markPublished(alert: Alert): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [ATTR.symbol]: alert.symbol, [ATTR.alertKey]: alertKey(alert) },
        UpdateExpression: 'SET #status = :published, published_at = :at',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':published': 'PUBLISHED', ':at': this.now().toISOString() },
      }),
    );
  }
}
