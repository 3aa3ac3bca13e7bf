/**
 * `stockpipe dlq` on the local target: the queues of the pipeline running on the data dir (sqslite
 * keeps its queues in the running process's memory only, so a stopped pipeline's dead letters are
 * gone). Replay goes where it goes on AWS (src/ops/replay.ts): ticks into the local stream, which the
 * running pipeline processes; analysis records to the analysis function, here the same handler made in
 * this process on the pipeline's tables, queue and outbox, as Lambda would run a second instance.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { OutboxNotifier } from '../../adapters/local/outbox-notifier';
import { makeAnalysisHandler } from '../../analysis/analyse-batch';
import { analysisDependencies } from '../../analysis/dependencies';
import type { LocalResources } from '../../local';
import { rereadKinesisBatch, putEntries, type KinesisContext } from '../stream-reread';
import { decodeDlqMessage } from '../dead-letters';
import { OpsError, UsageError } from '../errors';
import type { DlqListOptions, ReplayOptions } from '../operations';
import type { ReplayChannels } from '../replay';
import { replayQueue, type ReplayQueue } from '../replay-queue';
import { overviewOfQueues } from '../queue-overview';
import type { DlqMessage, PurgeResult, QueueName, QueueOverview, ReplayResult } from '../types';
import { deleteEach, localQueueDepth, purgeLocalQueue, putBack, receiveEach, type LocalQueueMessage } from './local-queue';
import type { LocalSession } from './session';

export const LOCAL_QUEUES: readonly { queue: QueueName; url: (r: LocalResources) => string }[] = [
  { queue: 'invalid', url: (r) => r.invalidQueueUrl },
  { queue: 'processing', url: (r) => r.processingDlqUrl },
  { queue: 'analysis', url: (r) => r.analysisDlqUrl },
];

const urlOf = (session: LocalSession, queue: QueueName): string =>
  LOCAL_QUEUES.find((q) => q.queue === queue)!.url(session.resources);

/** The DynamoDB stream of the local runtime is the running process's memory, with no retention to read back. */
const LOCAL_STREAM_GONE =
  'the local DynamoDB stream hands each record to the analysis function once and keeps none (AWS keeps them 24 h), so the range cannot be read again; the price table holds the items';

function channels(session: LocalSession): ReplayChannels {
  const ctx: KinesisContext = {
    clients: session.clients,
    stack: { region: session.resources.region },
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
  const r = session.resources;
  let analysis: ((event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>) | undefined;
  return {
    now: ctx.now,
    rereadKinesis: (batch) => rereadKinesisBatch(ctx, batch, r.streamName),
    rereadDynamo: async () => ({ records: [], problems: [LOCAL_STREAM_GONE], expired: true }),
    putRecords: (entries) => putEntries(ctx, r.streamName, entries),
    async invokeAnalysis(event) {
      analysis ??= makeAnalysisHandler(
        analysisDependencies(session.clients, r, { notifier: new OutboxNotifier(session.layout.outbox) }),
      );
      const all = event.Records.map((rec) => rec.dynamodb?.SequenceNumber ?? '');
      try {
        const answer = await analysis(event);
        return { failed: answer.batchItemFailures.map((f) => f.itemIdentifier) };
      } catch (error) {
        return { failed: all, error: `the analysis function failed: ${(error as Error).message}` };
      }
    },
  };
}

/** Every queue of the running pipeline with its depth, each read on its own. */
export function localDlqOverview(session: LocalSession): Promise<QueueOverview[]> {
  return overviewOfQueues(
    async (queue) => {
      const url = urlOf(session, queue);
      return { url, ...(await localQueueDepth(session.clients.sqs, url)) };
    },
    (queue) => urlOf(session, queue),
  );
}

/** Every message, read and put back (sqslite cannot make a message visible again: see local-queue.ts). */
export async function listLocalDlq(session: LocalSession, queue: QueueName, options: DlqListOptions = {}): Promise<DlqMessage[]> {
  const url = urlOf(session, queue);
  const messages = await receiveEach(session.clients.sqs, url, options.max ?? 100);
  await putBack(session.clients.sqs, url, messages);
  const now = new Date();
  return messages.map((m) => decodeDlqMessage(queue, m, now)).sort((a, b) => (a.sentAt ?? '').localeCompare(b.sentAt ?? ''));
}

export async function showLocalDlq(session: LocalSession, queue: QueueName, messageId: string): Promise<DlqMessage> {
  const found = (await listLocalDlq(session, queue, { max: 1000 })).find((m) => m.messageId === messageId);
  if (!found)
    throw new OpsError(
      'not-found',
      `no message ${messageId} in the local ${queue} queue; list them with stockpipe dlq list --queue ${queue}`,
    );
  return found;
}

export async function replayLocalDlq(
  session: LocalSession,
  queue: QueueName,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const url = urlOf(session, queue);
  const sqs = session.clients.sqs;
  const access: ReplayQueue<LocalQueueMessage> = {
    receive: () => receiveEach(sqs, url, options.max ?? 1000),
    giveBack: (messages) => putBack(sqs, url, messages),
    remove: (messages) => deleteEach(sqs, url, messages),
  };
  return replayQueue(queue, access, options.fixes ?? new Map<string, string>(), channels(session));
}

export async function purgeLocalDlq(session: LocalSession, queue: QueueName, confirmed: boolean): Promise<PurgeResult> {
  if (!confirmed) throw new UsageError(`purging the ${queue} queue deletes its messages for good; pass --yes to confirm`);
  const url = urlOf(session, queue);
  const depth = await localQueueDepth(session.clients.sqs, url);
  await purgeLocalQueue(session.clients.sqs, url);
  return { queue, url, purged: depth.visible + depth.inFlight };
}
