/** `stockpipe subscribe --email`: an SNS email subscription to the alerts (or ops) topic. */
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { UsageError } from '../errors';
import type { SubscribeResult } from '../types';
import { call, type AwsContext } from './context';
import { stackOutput } from './stack';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const parseEmail = (value: string): string => {
  const email = value.trim();
  if (!EMAIL.test(email)) throw new UsageError(`--email ${JSON.stringify(value)} is not an email address`);
  return email;
};

export async function subscribeEmail(
  ctx: AwsContext,
  email: string,
  topic: 'alerts' | 'ops' = 'alerts',
): Promise<SubscribeResult> {
  const endpoint = parseEmail(email);
  const topicArn = stackOutput(ctx.stack, topic === 'alerts' ? 'alertTopic' : 'opsTopic', `subscribe to the ${topic} topic`);
  const out = await call(ctx, `subscribe ${endpoint} to topic ${topicArn}`, () =>
    ctx.clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: endpoint })),
  );
  // SNS answers "pending confirmation" for a new email subscription and the ARN for an address that
  // is already subscribed and confirmed (no new mail is sent then).
  const arn = out.SubscriptionArn ?? null;
  const pending = arn === null || arn === 'pending confirmation';
  return {
    topic,
    topicArn,
    protocol: 'email',
    endpoint,
    subscriptionArn: pending ? null : arn,
    pendingConfirmation: pending,
    message: pending
      ? `AWS sent a confirmation mail to ${endpoint}: the recipient must click its "Confirm subscription" link before any ${topic} mail arrives (the link expires after 3 days)`
      : `${endpoint} is already subscribed to the ${topic} topic and has confirmed; nothing to do`,
  };
}
