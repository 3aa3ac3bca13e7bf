/**
 * Reading what lands in the three dead-letter queues, on either target:
 * - dead letters the handlers send themselves (src/core/ports.ts DeadLetter, encoded by
 *   encodeDeadLetter): the record is in `payload`; a Kinesis record's payload is the tick text, a
 *   DynamoDB-stream record's (the analysis function's) is the stream record with its NewImage;
 * - on-failure records of the event-source mappings (KinesisBatchInfo / DDBStreamBatchInfo): no data,
 *   only the shard and the sequence range, which must be read again from the stream.
 */
import { z } from 'zod';
import { err, ok, type Result } from '../core/result';
import { describeRejection, validateTick, type Tick } from '../core/tick';
import type { DlqMessage, QueueName, StreamBatch } from './types';

const DeadLetterBody = z.object({
  reason: z.string(),
  payload: z.string(),
  source: z.record(z.string(), z.string()).optional(),
  rejection: z.object({ field: z.string(), value: z.string(), reason: z.string() }).optional(),
  payloadTruncated: z.boolean().optional(),
});

const BatchInfo = z.object({
  shardId: z.string(),
  startSequenceNumber: z.string(),
  endSequenceNumber: z.string(),
  approximateArrivalOfFirstRecord: z.string().optional(),
  batchSize: z.number().optional(),
  streamArn: z.string(),
});

const OnFailureBody = z.object({
  KinesisBatchInfo: BatchInfo.optional(),
  DDBStreamBatchInfo: BatchInfo.optional(),
  reason: z.string().optional(),
  requestContext: z
    .object({ condition: z.string().optional(), approximateInvokeCount: z.number().optional() })
    .partial()
    .optional(),
  responseContext: z.object({ functionError: z.string().optional() }).partial().optional(),
});

export interface RawQueueMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: Date | null;
  readonly receiveCount: number | null;
  /** The `reason` message attribute the senders set. */
  readonly reasonAttribute?: string;
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const isoOrNull = (text: string | undefined): string | null => {
  if (!text) return null;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
};

/** Reads one queue message as a DlqMessage: what it is, why it is there, what it carries. */
export function decodeDlqMessage(queue: QueueName, message: RawQueueMessage, now: Date): DlqMessage {
  const base = {
    queue,
    messageId: message.messageId,
    sentAt: message.sentAt?.toISOString() ?? null,
    ageSeconds: message.sentAt ? Math.max(0, Math.round((now.getTime() - message.sentAt.getTime()) / 1000)) : null,
    receiveCount: message.receiveCount,
    body: message.body,
  };
  const json = parseJson(message.body);
  const letter = DeadLetterBody.safeParse(json);
  if (letter.success) {
    return {
      ...base,
      kind: 'dead-letter',
      reason: letter.data.reason,
      payload: letter.data.payload,
      rejection: letter.data.rejection ?? null,
      source: letter.data.source ?? null,
      batch: null,
    };
  }
  const failure = OnFailureBody.safeParse(json);
  const info = failure.success ? (failure.data.KinesisBatchInfo ?? failure.data.DDBStreamBatchInfo) : undefined;
  if (failure.success && info) {
    const batch: StreamBatch = {
      source: failure.data.KinesisBatchInfo ? 'kinesis' : 'dynamodb',
      streamArn: info.streamArn,
      shardId: info.shardId,
      startSequenceNumber: info.startSequenceNumber,
      endSequenceNumber: info.endSequenceNumber,
      batchSize: info.batchSize ?? 0,
      firstArrival: isoOrNull(info.approximateArrivalOfFirstRecord),
    };
    const condition = failure.data.requestContext?.condition;
    const attempts = failure.data.requestContext?.approximateInvokeCount;
    const reason =
      failure.data.reason ??
      message.reasonAttribute ??
      `${condition ?? 'batch failed'}${attempts ? ` after ${attempts} invocation(s)` : ''}${failure.data.responseContext?.functionError ? ` (function error: ${failure.data.responseContext.functionError})` : ''}`;
    return { ...base, kind: 'stream-batch', reason, payload: null, rejection: null, source: null, batch };
  }
  return {
    ...base,
    kind: 'unknown',
    reason: message.reasonAttribute ?? 'not a stockpipe dead letter nor an on-failure record',
    payload: null,
    rejection: null,
    source: null,
    batch: null,
  };
}

/** A validated tick as the text the stream carries. */
export const tickText = (tick: Tick): string => JSON.stringify(tick);

/**
 * The tick a dead letter of a Kinesis record stands for, to send again: the fix if the operator gave
 * one, else the record's own payload. Validated with the same schema processing uses, so what would
 * fail again is not sent. (The analysis function's dead letters go back to it: src/ops/replay.ts.)
 */
export function tickOfDeadLetter(message: DlqMessage, fix?: string): Result<Tick, string> {
  let candidate: unknown;
  if (fix !== undefined) {
    candidate = parseJson(fix);
    if (candidate === undefined) return err(`the fix for ${message.messageId} is not valid JSON`);
  } else {
    candidate = parseJson(message.payload ?? '');
    if (candidate === undefined) return err(`payload is not valid JSON: ${JSON.stringify((message.payload ?? '').slice(0, 60))}`);
  }
  const tick = validateTick(candidate);
  return tick.ok ? ok(tick.value) : err(describeRejection(tick.error[0]!));
}
