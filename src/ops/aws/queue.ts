/**
 * A dead-letter queue read for inspection and replay. SQS has no "peek": a message is received (and
 * so hidden for a visibility timeout), and listing gives the messages back at once by setting their
 * visibility to 0. Replay deletes by receipt handle only what it re-sent.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { chunk } from '../../shared/retry';
import type { RawQueueMessage } from '../dead-letters';
import { OpsError } from '../errors';
import { call, type AwsContext } from './context';

export interface ReceivedMessage extends RawQueueMessage {
  readonly receiptHandle: string;
}

export interface ReceiveOptions {
  /** Seconds the received messages stay hidden from other consumers. */
  readonly visibilityTimeout: number;
  /** Stop after this many messages. */
  readonly max: number;
}

/** Receives until the queue answers nothing (a 1-second long poll asks every SQS server, unlike a short poll). */
export async function receiveAll(ctx: AwsContext, queueUrl: string, options: ReceiveOptions): Promise<ReceivedMessage[]> {
  const byId = new Map<string, ReceivedMessage>();
  while (byId.size < options.max) {
    const out = await call(ctx, `receive messages from ${queueUrl}`, () =>
      ctx.clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, options.max - byId.size),
          VisibilityTimeout: options.visibilityTimeout,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
          MessageAttributeNames: ['All'],
        }),
      ),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) break;
    let fresh = 0;
    for (const m of messages) {
      if (!m.MessageId || !m.ReceiptHandle || byId.has(m.MessageId)) continue;
      fresh += 1;
      const sent = Number(m.Attributes?.SentTimestamp);
      const count = Number(m.Attributes?.ApproximateReceiveCount);
      const reason = m.MessageAttributes?.reason?.StringValue;
      byId.set(m.MessageId, {
        messageId: m.MessageId,
        receiptHandle: m.ReceiptHandle,
        body: m.Body ?? '',
        sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent) : null,
        receiveCount: Number.isFinite(count) ? count : null,
        ...(reason ? { reasonAttribute: reason } : {}),
      });
    }
    // A message seen twice came back after its visibility timeout: everything was read once.
    if (fresh === 0) break;
  }
  return [...byId.values()];
}

/** Makes messages visible again at once. Returns the ids SQS refused (they reappear after the timeout anyway). */
export async function release(ctx: AwsContext, queueUrl: string, messages: readonly ReceivedMessage[]): Promise<string[]> {
  const refused: string[] = [];
  for (const group of chunk(messages, 10)) {
    const out = await call(ctx, `release messages of ${queueUrl}`, () =>
      ctx.clients.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: group.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle, VisibilityTimeout: 0 })),
        }),
      ),
    );
    for (const f of out.Failed ?? []) refused.push(group[Number(f.Id)]?.messageId ?? f.Id ?? '?');
  }
  return refused;
}

/** Deletes messages; returns the ids actually deleted. */
export async function deleteMessages(
  ctx: AwsContext,
  queueUrl: string,
  messages: readonly ReceivedMessage[],
): Promise<Set<string>> {
  const deleted = new Set<string>();
  for (const group of chunk(messages, 10)) {
    const out = await call(ctx, `delete replayed messages from ${queueUrl}`, () =>
      ctx.clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: group.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle })),
        }),
      ),
    );
    for (const s of out.Successful ?? []) {
      const m = group[Number(s.Id)];
      if (m) deleted.add(m.messageId);
    }
  }
  return deleted;
}

export async function queueDepth(ctx: AwsContext, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const out = await call(ctx, `read the depth of ${queueUrl}`, () =>
    ctx.clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    ),
  );
  const n = (v: string | undefined) => (v === undefined || !Number.isFinite(Number(v)) ? 0 : Number(v));
  return {
    visible: n(out.Attributes?.ApproximateNumberOfMessages),
    inFlight: n(out.Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

export async function purgeQueue(ctx: AwsContext, queueUrl: string): Promise<void> {
  try {
    await ctx.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (/PurgeQueueInProgress/.test(name)) {
      throw new OpsError(
        'conflict',
        `${queueUrl} was purged less than 60 seconds ago (SQS allows one purge a minute); wait a minute and run the command again`,
        {
          cause: error,
        },
      );
    }
    await call(ctx, `purge ${queueUrl}`, () => Promise.reject(error));
  }
}
