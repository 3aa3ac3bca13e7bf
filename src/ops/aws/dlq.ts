/** `stockpipe dlq list|show|replay|purge` on AWS: the invalid-record queue and the two on-failure queues. */
import type { PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { decodeDlqMessage, tickOfDeadLetter, tickText } from '../dead-letters';
import { OpsError, UsageError } from '../errors';
import type { DlqListOptions, ReplayOptions } from '../operations';
import { QUEUE_NAMES, type DlqMessage, type PurgeResult, type QueueName, type ReplayItem, type ReplayResult } from '../types';
import type { AwsContext } from './context';
import { deleteMessages, purgeQueue, queueDepth, receiveAll, release, type ReceivedMessage } from './queue';
import { stackOutput } from './stack';
import { putEntries, rereadDynamoBatch, rereadKinesisBatch, type Reread } from './stream-reread';

const QUEUE_OUTPUTS: Readonly<Record<QueueName, 'invalidQueue' | 'processingDlq' | 'analysisDlq'>> = {
  invalid: 'invalidQueue',
  processing: 'processingDlq',
  analysis: 'analysisDlq',
};

export const parseQueueName = (value: string): QueueName => {
  if ((QUEUE_NAMES as readonly string[]).includes(value)) return value as QueueName;
  throw new UsageError(`--queue ${JSON.stringify(value)} is unknown; use one of ${QUEUE_NAMES.join(', ')}`);
};

export const queueUrlOf = (ctx: AwsContext, queue: QueueName): string => stackOutput(ctx.stack, QUEUE_OUTPUTS[queue], `find the ${queue} queue`);

/** Lists messages without consuming them: received, read, and made visible again at once. */
export async function listDlq(ctx: AwsContext, queue: QueueName, options: DlqListOptions = {}): Promise<DlqMessage[]> {
  const url = queueUrlOf(ctx, queue);
  const messages = await receiveAll(ctx, url, { visibilityTimeout: 30, max: options.max ?? 100 });
  await release(ctx, url, messages);
  const now = ctx.now();
  return messages.map((m) => decodeDlqMessage(queue, m, now)).sort((a, b) => (a.sentAt ?? '').localeCompare(b.sentAt ?? ''));
}

export async function showDlqMessage(ctx: AwsContext, queue: QueueName, messageId: string): Promise<DlqMessage> {
  const found = (await listDlq(ctx, queue, { max: 1000 })).find((m) => m.messageId === messageId);
  if (!found) throw new OpsError('not-found', `no message ${messageId} in the ${queue} queue; list them with stockpipe dlq list --queue ${queue}`);
  return found;
}

interface Planned {
  readonly message: ReceivedMessage;
  readonly entries: PutRecordsRequestEntry[];
  readonly outcome?: ReplayItem['outcome'];
  readonly detail: string;
}

async function plan(ctx: AwsContext, queue: QueueName, message: ReceivedMessage, fixes: ReadonlyMap<string, string>): Promise<Planned> {
  const dlq = decodeDlqMessage(queue, message, ctx.now());
  if (dlq.kind === 'dead-letter') {
    const fix = fixes.get(dlq.messageId);
    const tick = tickOfDeadLetter(dlq, fix);
    if (!tick.ok) return { message, entries: [], outcome: 'failed-again', detail: `${fix !== undefined ? 'the fix ' : ''}still invalid: ${tick.error}` };
    return {
      message,
      entries: [{ PartitionKey: tick.value.symbol, Data: Buffer.from(tickText(tick.value), 'utf8') }],
      detail: `${fix !== undefined ? 'fixed ' : ''}tick ${tick.value.symbol} ${tick.value.timestamp}`,
    };
  }
  if (dlq.kind === 'stream-batch' && dlq.batch) {
    const reread: Reread =
      dlq.batch.source === 'kinesis' ? await rereadKinesisBatch(ctx, dlq.batch, stackOutput(ctx.stack, 'stream', 'replay')) : await rereadDynamoBatch(ctx, dlq.batch);
    const detail = reread.problems.join('; ');
    if (reread.expired) return { message, entries: [], outcome: 'expired', detail };
    // Part of the range gone: send what is left, but keep the letter so the loss stays visible.
    const partial = reread.problems.length > 0;
    return {
      message,
      entries: reread.entries,
      ...(partial ? { outcome: 'expired' as const } : {}),
      detail: partial ? `re-sent what is left; ${detail}` : `${reread.entries.length} record(s) of shard ${dlq.batch.shardId}`,
    };
  }
  return { message, entries: [], outcome: 'unreadable', detail: dlq.reason };
}

/**
 * Sends the records of each message back into the Kinesis stream (processing takes it from there) and
 * deletes from the queue exactly the messages all of whose records were written. Everything else is
 * made visible again, with the reason it stayed.
 */
export async function replayDlq(ctx: AwsContext, queue: QueueName, options: ReplayOptions = {}): Promise<ReplayResult> {
  const url = queueUrlOf(ctx, queue);
  const streamName = stackOutput(ctx.stack, 'stream', 'replay dead letters');
  const fixes = options.fixes ?? new Map<string, string>();
  const received = await receiveAll(ctx, url, { visibilityTimeout: options.visibilityTimeout ?? 300, max: options.max ?? 1000 });
  const known = new Set(received.map((m) => m.messageId));
  const unknownFix = [...fixes.keys()].find((id) => !known.has(id));
  if (unknownFix) {
    await release(ctx, url, received);
    throw new UsageError(`a fix names message ${unknownFix}, which is not in the ${queue} queue; take the ids from stockpipe dlq list --queue ${queue} --json`);
  }

  const planned: Planned[] = [];
  for (const message of received) planned.push(await plan(ctx, queue, message, fixes));
  const all = planned.flatMap((p) => p.entries);
  const written = all.length > 0 ? await putEntries(ctx, streamName, all) : [];
  let cursor = 0;
  const sentCounts = planned.map((p) => {
    const ok = written.slice(cursor, cursor + p.entries.length).filter(Boolean).length;
    cursor += p.entries.length;
    return ok;
  });
  const toDelete = planned.filter((p, i) => !p.outcome && p.entries.length > 0 && sentCounts[i] === p.entries.length).map((p) => p.message);
  const deleted = toDelete.length > 0 ? await deleteMessages(ctx, url, toDelete) : new Set<string>();
  const kept = received.filter((m) => !deleted.has(m.messageId));
  if (kept.length > 0) await release(ctx, url, kept);

  const items: ReplayItem[] = planned.map((p, i) => {
    const sent = sentCounts[i]!;
    const isDeleted = deleted.has(p.message.messageId);
    if (p.outcome) return { messageId: p.message.messageId, outcome: p.outcome, recordsSent: sent, detail: p.detail, deleted: false };
    if (!isDeleted) {
      const why = sent < p.entries.length ? `${p.entries.length - sent} of ${p.entries.length} record(s) could not be put into the stream` : 'sent, but SQS did not delete the message (it may be replayed twice; processing is idempotent)';
      return { messageId: p.message.messageId, outcome: 'failed-again', recordsSent: sent, detail: why, deleted: false };
    }
    return { messageId: p.message.messageId, outcome: 'replayed', recordsSent: sent, detail: p.detail, deleted: true };
  });
  const count = (o: ReplayItem['outcome']) => items.filter((i) => i.outcome === o).length;
  return {
    queue,
    received: received.length,
    replayed: count('replayed'),
    failedAgain: count('failed-again'),
    expired: count('expired'),
    unreadable: count('unreadable'),
    recordsSent: items.reduce((n, i) => n + i.recordsSent, 0),
    kept: kept.length,
    items,
  };
}

/** Empties a queue. The caller must have the operator's confirmation (`--yes`). */
export async function purgeDlq(ctx: AwsContext, queue: QueueName, confirmed: boolean): Promise<PurgeResult> {
  if (!confirmed) throw new UsageError(`purging the ${queue} queue deletes its messages for good; pass --yes to confirm`);
  const url = queueUrlOf(ctx, queue);
  const depth = await queueDepth(ctx, url);
  await purgeQueue(ctx, url);
  return { queue, url, purged: depth.visible + depth.inFlight };
}

export async function dlqDepths(ctx: AwsContext): Promise<{ queue: QueueName; url: string; visible: number; inFlight: number }[]> {
  return Promise.all(
    QUEUE_NAMES.map(async (queue) => {
      const url = queueUrlOf(ctx, queue);
      return { queue, url, ...(await queueDepth(ctx, url)) };
    }),
  );
}
