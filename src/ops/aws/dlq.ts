/** `stockpipe dlq list|show|replay|purge` on AWS: the invalid-record queue and the two on-failure queues. */
import { decodeDlqMessage } from '../dead-letters';
import { OpsError, UsageError } from '../errors';
import type { DlqListOptions, ReplayOptions } from '../operations';
import type { ReplayChannels } from '../replay';
import { replayQueue, type ReplayQueue } from '../replay-queue';
import { overviewOfQueues } from '../queue-overview';
import { QUEUE_NAMES, type DlqMessage, type PurgeResult, type QueueName, type QueueOverview, type ReplayResult } from '../types';
import { invokeAnalysisFunction } from './analysis-invoke';
import type { AwsContext } from './context';
import { deleteMessages, purgeQueue, queueDepth, receiveAll, release, type ReceivedMessage } from './queue';
import { stackOutput } from './stack';
import { putEntries, rereadKinesisBatch } from '../stream-reread';
import { rereadDynamoBatch } from './dynamodb-stream-reread';

const QUEUE_OUTPUTS: Readonly<Record<QueueName, 'invalidQueue' | 'processingDlq' | 'analysisDlq'>> = {
  invalid: 'invalidQueue',
  processing: 'processingDlq',
  analysis: 'analysisDlq',
};

export const parseQueueName = (value: string): QueueName => {
  if ((QUEUE_NAMES as readonly string[]).includes(value)) return value as QueueName;
  throw new UsageError(`--queue ${JSON.stringify(value)} is unknown; use one of ${QUEUE_NAMES.join(', ')}`);
};

export const queueUrlOf = (ctx: AwsContext, queue: QueueName): string =>
  stackOutput(ctx.stack, QUEUE_OUTPUTS[queue], `find the ${queue} queue`);

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
  if (!found)
    throw new OpsError(
      'not-found',
      `no message ${messageId} in the ${queue} queue; list them with stockpipe dlq list --queue ${queue}`,
    );
  return found;
}

/** Where the AWS target sends replayed records: the stack's Kinesis stream and analysis function. */
export function awsReplayChannels(ctx: AwsContext): ReplayChannels {
  const streamName = () => stackOutput(ctx.stack, 'stream', 'replay dead letters');
  return {
    now: ctx.now,
    rereadKinesis: (batch) => rereadKinesisBatch(ctx, batch, streamName()),
    rereadDynamo: (batch) => rereadDynamoBatch(ctx, batch),
    putRecords: (entries) => putEntries(ctx, streamName(), entries),
    invokeAnalysis: (event) => invokeAnalysisFunction(ctx, event),
  };
}

/**
 * Replays the queue's messages (src/ops/replay.ts says where each kind goes) and deletes from the
 * queue exactly the messages whose records were all delivered. Everything else is made visible again,
 * with the reason it stayed.
 */
export async function replayDlq(ctx: AwsContext, queue: QueueName, options: ReplayOptions = {}): Promise<ReplayResult> {
  const url = queueUrlOf(ctx, queue);
  const access: ReplayQueue<ReceivedMessage> = {
    receive: () => receiveAll(ctx, url, { visibilityTimeout: options.visibilityTimeout ?? 300, max: options.max ?? 1000 }),
    giveBack: (messages) => release(ctx, url, messages),
    remove: (messages) => deleteMessages(ctx, url, messages),
  };
  return replayQueue(queue, access, options.fixes ?? new Map<string, string>(), awsReplayChannels(ctx));
}

/** Empties a queue. The caller must have the operator's confirmation (`--yes`). */
export async function purgeDlq(ctx: AwsContext, queue: QueueName, confirmed: boolean): Promise<PurgeResult> {
  if (!confirmed) throw new UsageError(`purging the ${queue} queue deletes its messages for good; pass --yes to confirm`);
  const url = queueUrlOf(ctx, queue);
  const depth = await queueDepth(ctx, url);
  await purgeQueue(ctx, url);
  return { queue, url, purged: depth.visible + depth.inFlight };
}

/** Every queue of the stack with its depth, each read on its own (src/ops/queue-overview.ts). */
export function dlqOverview(ctx: AwsContext): Promise<QueueOverview[]> {
  return overviewOfQueues(
    async (queue) => {
      const url = queueUrlOf(ctx, queue);
      return { url, ...(await queueDepth(ctx, url)) };
    },
    (queue) => queueUrlOf(ctx, queue),
  );
}
