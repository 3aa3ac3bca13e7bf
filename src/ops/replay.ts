/**
 * Replaying dead letters, the same on both targets: what each message stands for, where it goes back
 * to, and which messages may leave the queue. The targets differ only in how they read and delete
 * queue messages and in the `ReplayChannels` they pass.
 *
 * - A dead letter of a Kinesis record (invalid queue): the tick (the operator's fix, else the stored
 *   payload), validated as processing validates it, is put into the Kinesis stream again.
 * - An on-failure record of the Kinesis mapping (processing queue): its sequence range is read again
 *   from the stream and put back into it.
 * - A dead letter of the analysis function, or an on-failure record of the DynamoDB-stream mapping
 *   (analysis queue): the stream records go straight to the analysis function (Lambda Invoke,
 *   RequestResponse). Not through the Kinesis stream: processing would rewrite the price item, which
 *   the table's stream emits as MODIFY, and the analysis mapping's filter passes INSERT only, so the
 *   tick would never be analysed again. Only INSERT records are sent, as that filter does; the
 *   function's batchItemFailures say which failed again.
 *
 * A message may leave the queue only when everything it stands for was delivered.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent, StreamRecord } from 'aws-lambda';
import { parsePriceItem } from '../core/price-item';
import { describeRejection } from '../core/tick';
import { chunk } from '../shared/retry';
import { decodeDlqMessage, tickOfDeadLetter, tickText, type RawQueueMessage } from './dead-letters';
import type { Reread, StreamRecordsReread } from './stream-reread';
import type { DlqMessage, QueueName, ReplayOutcome, StreamBatch } from './types';

/** What the analysis function answered for one invocation. */
export interface AnalysisInvocation {
  /** itemIdentifiers (sequence numbers) of the records it reported failed; every record when it threw. */
  readonly failed: readonly string[];
  /** The function's error when the invocation failed as a whole. */
  readonly error?: string;
}

/** Where replayed records go, per target. */
export interface ReplayChannels {
  readonly now: () => Date;
  rereadKinesis(batch: StreamBatch): Promise<Reread>;
  rereadDynamo(batch: StreamBatch): Promise<StreamRecordsReread>;
  /** Puts records into the Kinesis stream; per entry, whether it was written. */
  putRecords(entries: readonly PutRecordsRequestEntry[]): Promise<boolean[]>;
  invokeAnalysis(event: DynamoDBStreamEvent): Promise<AnalysisInvocation>;
}

/** Records per analysis invocation: the stack's batch size, well under Lambda's 6 MB payload. */
export const ANALYSIS_RECORDS_PER_INVOKE = 100;

/** One message's replay before the queue is touched: `delivered` messages may be deleted. */
export interface ReplayAttempt {
  readonly messageId: string;
  readonly delivered: boolean;
  /** Set when it was not delivered: why it stays. */
  readonly outcome?: Exclude<ReplayOutcome, 'replayed'>;
  readonly recordsSent: number;
  readonly detail: string;
}

type Plan =
  | { readonly kind: 'stream'; readonly entries: PutRecordsRequestEntry[]; readonly partial: boolean; readonly detail: string }
  | { readonly kind: 'analysis'; readonly records: DynamoDBRecord[]; readonly partial: boolean; readonly detail: string }
  | { readonly kind: 'kept'; readonly outcome: Exclude<ReplayOutcome, 'replayed'>; readonly detail: string };

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const regionOfArn = (arn: string): string | undefined => arn.split(':')[3] || undefined;

/**
 * The stream record an analysis dead letter holds, as an INSERT again; with a fix, the fix's fields
 * replace the stored item's. Validated as the analysis function validates, so what would be refused
 * again is not sent.
 */
function analysisRecordOf(message: DlqMessage, fix: string | undefined): { record: DynamoDBRecord } | { problem: string } {
  const stored = parseJson(message.payload ?? '') as StreamRecord | undefined;
  if (!stored?.NewImage) return { problem: 'the stream record has no NewImage to analyse' };
  let image = stored.NewImage as Record<string, AttributeValue>;
  let item;
  try {
    if (fix !== undefined) {
      const fields = parseJson(fix) as Record<string, unknown> | undefined;
      if (fields === null || typeof fields !== 'object' || Array.isArray(fields))
        return { problem: `the fix for ${message.messageId} is not a JSON object` };
      // The listed payload edited (a stream record with its NewImage), or plain fields replacing the item's.
      const edited = fields.NewImage;
      image =
        edited !== null && typeof edited === 'object'
          ? (edited as Record<string, AttributeValue>)
          : marshall({ ...unmarshall(image), ...fields }, { removeUndefinedValues: true });
    }
    item = parsePriceItem(unmarshall(image));
  } catch (e) {
    return {
      problem: `${fix !== undefined ? 'the fix' : 'the stored NewImage'} is not a DynamoDB item (${(e as Error).message})`,
    };
  }
  if (!item.ok) return { problem: `${fix !== undefined ? 'the fix is ' : ''}still unusable: ${describeRejection(item.error)}` };
  const arn = message.source?.eventSourceARN ?? '';
  const region = regionOfArn(arn);
  return {
    record: {
      eventID: message.messageId,
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      ...(region ? { awsRegion: region } : {}),
      ...(arn ? { eventSourceARN: arn } : {}),
      dynamodb: { ...stored, NewImage: image as NonNullable<StreamRecord['NewImage']> },
    },
  };
}

async function plan(
  queue: QueueName,
  raw: RawQueueMessage,
  fixes: ReadonlyMap<string, string>,
  channels: ReplayChannels,
): Promise<Plan> {
  const message = decodeDlqMessage(queue, raw, channels.now());
  // A payload handed back unchanged (the whole `dlq list --json` output, partly edited) is no fix.
  const given = fixes.get(message.messageId);
  const fix = given === message.payload ? undefined : given;
  if (message.kind === 'dead-letter') {
    if (message.source?.kind === 'dynamodb-stream') {
      const made = analysisRecordOf(message, fix);
      if ('problem' in made) return { kind: 'kept', outcome: 'failed-again', detail: made.problem };
      return {
        kind: 'analysis',
        records: [made.record],
        partial: false,
        detail: `${fix !== undefined ? 'fixed ' : ''}price item to the analysis function`,
      };
    }
    const tick = tickOfDeadLetter(message, fix);
    if (!tick.ok)
      return {
        kind: 'kept',
        outcome: 'failed-again',
        detail: `${fix !== undefined ? 'the fix ' : ''}still invalid: ${tick.error}`,
      };
    return {
      kind: 'stream',
      entries: [{ PartitionKey: tick.value.symbol, Data: Buffer.from(tickText(tick.value), 'utf8') }],
      partial: false,
      detail: `${fix !== undefined ? 'fixed ' : ''}tick ${tick.value.symbol} ${tick.value.timestamp}`,
    };
  }
  if (message.kind === 'stream-batch' && message.batch) {
    const batch = message.batch;
    const reread = batch.source === 'kinesis' ? await channels.rereadKinesis(batch) : await channels.rereadDynamo(batch);
    const problems = reread.problems.join('; ');
    if (reread.expired) return { kind: 'kept', outcome: 'expired', detail: problems };
    // Part of the range gone: deliver what is left, but keep the message so the loss stays visible.
    const partial = reread.problems.length > 0;
    if ('entries' in reread) {
      return {
        kind: 'stream',
        entries: reread.entries,
        partial,
        detail: partial ? `re-sent what is left; ${problems}` : `${reread.entries.length} record(s) of shard ${batch.shardId}`,
      };
    }
    const inserts = reread.records.filter((r) => r.eventName === 'INSERT');
    const skipped = reread.records.length - inserts.length;
    const what = `${inserts.length} INSERT record(s) of shard ${batch.shardId} to the analysis function${skipped > 0 ? ` (${skipped} MODIFY/REMOVE record(s) skipped, as the mapping's filter does)` : ''}`;
    return { kind: 'analysis', records: inserts, partial, detail: partial ? `${what}; ${problems}` : what };
  }
  return { kind: 'kept', outcome: 'unreadable', detail: message.reason };
}

/** Invokes the analysis function on the records, chunk by chunk, stopping at the first chunk that fails. */
async function analyse(
  records: readonly DynamoDBRecord[],
  channels: ReplayChannels,
): Promise<{ delivered: number; failure?: string }> {
  let delivered = 0;
  for (const group of chunk(records, ANALYSIS_RECORDS_PER_INVOKE)) {
    const answer = await channels.invokeAnalysis({ Records: group });
    const failed = new Set(answer.failed);
    const ids = new Set(group.map((r) => r.dynamodb?.SequenceNumber ?? ''));
    // As for the mapping: an identifier that is not in the batch fails the whole batch.
    const whole = answer.error !== undefined || answer.failed.some((id) => !ids.has(id));
    const ok = whole ? 0 : group.filter((r) => !failed.has(r.dynamodb?.SequenceNumber ?? '')).length;
    delivered += ok;
    if (answer.error || failed.size > 0) {
      // Later records of the same symbols must not be folded before the failed ones (the fold ignores older ticks).
      const why = answer.error ?? 'reported in batchItemFailures';
      return {
        delivered,
        failure: `${group.length - ok} of ${records.length} record(s) failed again in the analysis function (${why})`,
      };
    }
  }
  return { delivered };
}

/**
 * Replays received messages: plans each, puts all Kinesis records in one go, invokes the analysis
 * function per message. Returns, per message, whether it may be deleted.
 */
export async function replayMessages(
  queue: QueueName,
  messages: readonly RawQueueMessage[],
  fixes: ReadonlyMap<string, string>,
  channels: ReplayChannels,
): Promise<ReplayAttempt[]> {
  const plans: Plan[] = [];
  for (const message of messages) plans.push(await plan(queue, message, fixes, channels));

  const entries = plans.flatMap((p) => (p.kind === 'stream' ? p.entries : []));
  const written = entries.length > 0 ? await channels.putRecords(entries) : [];
  let cursor = 0;

  const attempts: ReplayAttempt[] = [];
  for (const [i, p] of plans.entries()) {
    const messageId = messages[i]!.messageId;
    if (p.kind === 'kept') {
      attempts.push({ messageId, delivered: false, outcome: p.outcome, recordsSent: 0, detail: p.detail });
    } else if (p.kind === 'stream') {
      const sent = written.slice(cursor, cursor + p.entries.length).filter(Boolean).length;
      cursor += p.entries.length;
      if (p.entries.length === 0)
        attempts.push({ messageId, delivered: false, outcome: 'failed-again', recordsSent: 0, detail: 'no record to send' });
      else if (sent < p.entries.length)
        attempts.push({
          messageId,
          delivered: false,
          outcome: 'failed-again',
          recordsSent: sent,
          detail: `${p.entries.length - sent} of ${p.entries.length} record(s) could not be put into the stream`,
        });
      else
        attempts.push({
          messageId,
          delivered: !p.partial,
          ...(p.partial ? { outcome: 'expired' as const } : {}),
          recordsSent: sent,
          detail: p.detail,
        });
    } else {
      const result = await analyse(p.records, channels);
      if (result.failure)
        attempts.push({
          messageId,
          delivered: false,
          outcome: 'failed-again',
          recordsSent: result.delivered,
          detail: result.failure,
        });
      else
        attempts.push({
          messageId,
          delivered: !p.partial,
          ...(p.partial ? { outcome: 'expired' as const } : {}),
          recordsSent: result.delivered,
          detail: p.detail,
        });
    }
  }
  return attempts;
}
