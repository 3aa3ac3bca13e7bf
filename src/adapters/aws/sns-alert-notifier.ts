import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertNotifier } from '../../core/ports';
import { formatAlert, type Alert } from '../../core/signals';

export class SnsAlertNotifier implements AlertNotifier {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(alert: Alert): Promise<void> {
    const { subject, message } = formatAlert(alert);
    await this.sns.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: subject.slice(0, 100), // SNS email subjects are capped at 100 characters
        Message: message,
        MessageAttributes: {
          symbol: { DataType: 'String', StringValue: alert.symbol },
          side: { DataType: 'String', StringValue: alert.side },
        },
      }),
    );
  }
}
