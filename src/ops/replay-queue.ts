/**
 * The queue side of a dead-letter replay, the same on both targets: receive, check the fixes name
 * received messages, replay, delete exactly what was delivered, give the rest back. Only how messages
 * are received, deleted and given back differs (SQS in AWS; one at a time against sqslite locally).
 */
import type { RawQueueMessage } from './dead-letters';
import { UsageError } from './errors';
import { replayMessages, replayResult, unknownFix, type ReplayChannels } from './replay';
import type { QueueName, ReplayResult } from './types';

export interface ReplayQueue<M extends RawQueueMessage> {
  receive(): Promise<M[]>;
  /** Makes the messages available again. */
  giveBack(messages: readonly M[]): Promise<unknown>;
  /** Deletes the messages; resolves to the ids actually deleted. */
  remove(messages: readonly M[]): Promise<ReadonlySet<string>>;
}

export async function replayQueue<M extends RawQueueMessage>(
  queue: QueueName,
  access: ReplayQueue<M>,
  fixes: ReadonlyMap<string, string>,
  channels: ReplayChannels,
): Promise<ReplayResult> {
  const received = await access.receive();
  const unknown = unknownFix(received, fixes);
  if (unknown) {
    await access.giveBack(received);
    throw new UsageError(
      `a fix names message ${unknown}, which is not in the ${queue} queue; take the ids from stockpipe dlq list --queue ${queue} --json`,
    );
  }
  let attempts;
  try {
    attempts = await replayMessages(queue, received, fixes, channels);
  } catch (error) {
    // Nothing was deleted: give every message back before reporting the failure.
    await access.giveBack(received).catch(() => undefined);
    throw error;
  }
  const delivered = new Set(attempts.filter((a) => a.delivered).map((a) => a.messageId));
  const toDelete = received.filter((m) => delivered.has(m.messageId));
  const deleted = toDelete.length > 0 ? await access.remove(toDelete) : new Set<string>();
  const kept = received.filter((m) => !deleted.has(m.messageId));
  if (kept.length > 0) await access.giveBack(kept);
  return replayResult(queue, attempts, deleted);
}
