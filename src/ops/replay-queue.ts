/**
 * The queue side of a dead-letter replay, the same on both targets: receive, check the fixes name
 * received messages, replay, delete exactly what was delivered, give the rest back. Only how messages
 * are received, deleted and given back differs (SQS in AWS; one at a time against sqslite locally).
 */
import type { RawQueueMessage } from './dead-letters';
import { UsageError } from './errors';
import { replayMessages, type ReplayAttempt, type ReplayChannels } from './replay';
import type { QueueName, ReplayItem, ReplayOutcome, ReplayResult } from './types';

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

/** A fix naming a message that was not received (a usage mistake: nothing must be sent then). */
export const unknownFix = (messages: readonly RawQueueMessage[], fixes: ReadonlyMap<string, string>): string | undefined => {
  const known = new Set(messages.map((m) => m.messageId));
  return [...fixes.keys()].find((id) => !known.has(id));
};

/** The result once the queue deleted what it could: a delivered message it did not delete stays, saying so. */
export function replayResult(queue: QueueName, attempts: readonly ReplayAttempt[], deleted: ReadonlySet<string>): ReplayResult {
  const items: ReplayItem[] = attempts.map((a) => {
    if (!a.delivered)
      return {
        messageId: a.messageId,
        outcome: a.outcome ?? 'failed-again',
        recordsSent: a.recordsSent,
        detail: a.detail,
        deleted: false,
      };
    if (!deleted.has(a.messageId)) {
      return {
        messageId: a.messageId,
        outcome: 'failed-again',
        recordsSent: a.recordsSent,
        detail:
          'delivered, but the queue did not delete the message (it may be replayed twice; processing and analysis are idempotent)',
        deleted: false,
      };
    }
    return { messageId: a.messageId, outcome: 'replayed', recordsSent: a.recordsSent, detail: a.detail, deleted: true };
  });
  const count = (o: ReplayOutcome) => items.filter((i) => i.outcome === o).length;
  return {
    queue,
    received: attempts.length,
    replayed: count('replayed'),
    failedAgain: count('failed-again'),
    expired: count('expired'),
    unreadable: count('unreadable'),
    recordsSent: items.reduce((n, i) => n + i.recordsSent, 0),
    kept: items.filter((i) => !i.deleted).length,
    items,
  };
}
