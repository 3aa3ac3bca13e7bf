/**
 * The local dead-letter queues, read around what sqslite 2.1.1 gets wrong (measured):
 * - every message of a multi-message receive shares one receipt handle, and DeleteMessageBatch
 *   deletes the wrong messages;
 * - a received message never becomes visible again: the visibility timeout never returns it, and
 *   ChangeMessageVisibility answers OK without effect;
 * - ApproximateNumberOfMessages counts received messages too; NotVisible is not reported.
 * So messages are received one at a time and deleted one by one, and a message is "put back" by
 * sending a copy and deleting the received one. The copy carries the original id, send time and
 * receive count as message attributes, so `dlq list` shows the same ids before and after (a fixes
 * file keyed by message id still applies) and the age does not restart.
 */
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { RawQueueMessage } from '../dead-letters';

const ID = 'stockpipe-message-id';
const SENT = 'stockpipe-sent-at';
const RECEIVES = 'stockpipe-receive-count';

export interface LocalQueueMessage extends RawQueueMessage {
  readonly receiptHandle: string;
  /** The message attributes of the copy that puts it back. */
  readonly attributes: Record<string, MessageAttributeValue>;
}

/** Receives every message (up to `max`), one receive call per message. */
export async function receiveEach(sqs: SQSClient, queueUrl: string, max: number): Promise<LocalQueueMessage[]> {
  const messages: LocalQueueMessage[] = [];
  while (messages.length < max) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 1,
        MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
        MessageAttributeNames: ['All'],
      }),
    );
    const m = out.Messages?.[0];
    if (!m?.ReceiptHandle || !m.MessageId) break;
    const attributes = { ...(m.MessageAttributes ?? {}) };
    const sent = Number(attributes[SENT]?.StringValue ?? m.Attributes?.SentTimestamp);
    const receives = (Number(attributes[RECEIVES]?.StringValue ?? 0) || 0) + 1;
    const reason = attributes.reason?.StringValue;
    messages.push({
      messageId: attributes[ID]?.StringValue ?? m.MessageId,
      receiptHandle: m.ReceiptHandle,
      body: m.Body ?? '',
      sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent) : null,
      receiveCount: receives,
      ...(reason ? { reasonAttribute: reason } : {}),
      attributes,
    });
  }
  return messages;
}

/** Deletes messages one by one; returns the ids deleted. */
export async function deleteEach(sqs: SQSClient, queueUrl: string, messages: readonly LocalQueueMessage[]): Promise<Set<string>> {
  const deleted = new Set<string>();
  for (const m of messages) {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.receiptHandle }));
    deleted.add(m.messageId);
  }
  return deleted;
}

/** Puts messages back: a copy that keeps their identity first, then the received one is deleted. */
export async function putBack(sqs: SQSClient, queueUrl: string, messages: readonly LocalQueueMessage[]): Promise<void> {
  for (const m of messages) {
    const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: m.body,
        MessageAttributes: {
          ...m.attributes,
          [ID]: text(m.messageId),
          [SENT]: text(String(m.sentAt?.getTime() ?? Date.now())),
          [RECEIVES]: text(String(m.receiveCount ?? 1)),
        },
      }),
    );
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.receiptHandle }));
  }
}

/** Messages in the queue (sqslite reports no in-flight count: nothing consumes the DLQs locally). */
export async function localQueueDepth(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  const visible = Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
  return { visible: Number.isFinite(visible) ? visible : 0, inFlight: 0 };
}

export async function purgeLocalQueue(sqs: SQSClient, queueUrl: string): Promise<void> {
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
}
