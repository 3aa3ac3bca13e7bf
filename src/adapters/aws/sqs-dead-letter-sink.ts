/**
 * Sends dead letters to an SQS queue with SendMessageBatch, sized by bytes after encoding: SQS takes
 * at most 10 messages and 1 MiB (message bodies plus attributes) per request, and 256 KiB per
 * message. A letter whose payload would not fit keeps a bounded prefix of it, with the whole
 * payload's length in bytes and its SHA-256, so every refused record keeps its own message and reason.
 */
import { createHash } from 'node:crypto';
import { SendMessageBatchCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import { StockpipeError } from '../../core/errors';
import type { DeadLetter, DeadLetterSink } from '../../core/ports';
import { retryPending, type BackoffOptions } from '../../shared/retry';

/** SQS limits: one message (body plus attributes), one SendMessageBatch request, its entries. */
export const SQS_MAX_MESSAGE_BYTES = 256 * 1024;
export const SQS_MAX_BATCH_BYTES = 1024 * 1024;
export const SQS_MAX_BATCH_ENTRIES = 10;
/** What an oversize payload keeps: its first bytes, as UTF-8, cut on a character boundary. */
export const PAYLOAD_PREFIX_BYTES = 64 * 1024;
/** The reason attribute is cut to this many characters (the body keeps the reason whole). */
const REASON_ATTRIBUTE_CHARS = 1024;

/** A letter that cannot fit one SQS message even with an empty payload: its reason or rejection alone is too long. */
export class DeadLetterTooLargeError extends StockpipeError {
  override readonly name = 'DeadLetterTooLargeError';

  constructor(
    readonly bytes: number,
    reason: string,
  ) {
    super(
      `a dead letter takes ${bytes} bytes without its payload, over the ${SQS_MAX_MESSAGE_BYTES}-byte limit of an SQS message; its reason begins: ${reason.slice(0, 200)}`,
    );
  }
}

/** Some letters were still refused by the queue after every retry. */
export class DeadLetterSendError extends StockpipeError {
  override readonly name = 'DeadLetterSendError';

  constructor(
    readonly failedCount: number,
    queueUrl: string,
  ) {
    super(`could not dead-letter ${failedCount} record(s) to ${queueUrl} after retries`);
  }
}

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** The longest prefix of `text` of at most `maxBytes` bytes as UTF-8, never splitting a character. */
export function utf8Prefix(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + n > maxBytes) break;
    bytes += n;
    end += ch.length;
  }
  return text.slice(0, end);
}

const reasonAttribute = (reason: string): Record<string, MessageAttributeValue> => ({
  reason: { DataType: 'String', StringValue: reason.slice(0, REASON_ATTRIBUTE_CHARS) },
});

/** Bytes SQS counts for message attributes: each name, data type and value. */
const attributeBytes = (attributes: Record<string, MessageAttributeValue>): number =>
  Object.entries(attributes).reduce(
    (n, [name, value]) => n + utf8Bytes(name) + utf8Bytes(value.DataType ?? '') + utf8Bytes(value.StringValue ?? ''),
    0,
  );

/**
 * The message body of a letter. The payload is kept whole if the message fits SQS's limit; otherwise
 * it keeps a prefix of at most PAYLOAD_PREFIX_BYTES (less if JSON escaping makes it longer than the
 * message allows), with `payloadBytes` and `payloadSha256` of the whole payload. The reason and the
 * rejection are always kept whole.
 */
export function encodeDeadLetter(letter: DeadLetter, now: Date = new Date()): string {
  const deadLetteredAt = now.toISOString();
  const budget = SQS_MAX_MESSAGE_BYTES - attributeBytes(reasonAttribute(letter.reason));
  const whole = JSON.stringify({ ...letter, payloadTruncated: false, deadLetteredAt });
  if (utf8Bytes(whole) <= budget) return whole;

  const payloadBytes = utf8Bytes(letter.payload);
  const payloadSha256 = createHash('sha256').update(letter.payload, 'utf8').digest('hex');
  const encode = (prefix: string): string =>
    JSON.stringify({
      ...letter,
      payload: prefix,
      payloadTruncated: true,
      payloadBytes,
      payloadSha256,
      payloadNote: `payload cut to its first ${utf8Bytes(prefix)} of ${payloadBytes} bytes (UTF-8); payloadSha256 is the hash of the whole payload`,
      deadLetteredAt,
    });
  const empty = utf8Bytes(encode(''));
  if (empty > budget) throw new DeadLetterTooLargeError(empty, letter.reason);
  // JSON escapes a control character as six bytes: shrink the prefix until the message fits.
  for (let maxBytes = PAYLOAD_PREFIX_BYTES; maxBytes > 0; maxBytes = Math.floor(maxBytes / 2)) {
    const body = encode(utf8Prefix(letter.payload, maxBytes));
    if (utf8Bytes(body) <= budget) return body;
  }
  return encode('');
}

interface Entry {
  readonly Id: string;
  readonly MessageBody: string;
  readonly MessageAttributes: Record<string, MessageAttributeValue>;
  /** Body plus attributes, as SQS counts them. */
  readonly bytes: number;
}

/** Splits entries into SendMessageBatch requests of at most 10 entries and 1 MiB, keeping their order. */
export function chunkMessages<E extends { readonly bytes: number }>(entries: readonly E[]): E[][] {
  const chunks: E[][] = [];
  let current: E[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (current.length > 0 && (current.length === SQS_MAX_BATCH_ENTRIES || bytes + entry.bytes > SQS_MAX_BATCH_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export class SqsDeadLetterSink implements DeadLetterSink {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly backoff: BackoffOptions = {},
  ) {}

  async send(letters: readonly DeadLetter[]): Promise<void> {
    // One letter per message; requests sized by the bytes SQS counts, not by characters.
    const entries = letters.map((letter, i): Entry => {
      const MessageBody = encodeDeadLetter(letter);
      const MessageAttributes = reasonAttribute(letter.reason);
      return { Id: String(i), MessageBody, MessageAttributes, bytes: utf8Bytes(MessageBody) + attributeBytes(MessageAttributes) };
    });
    for (const group of chunkMessages(entries)) {
      const left = await retryPending(
        group,
        async (pending) => {
          const out = await this.sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: this.queueUrl,
              Entries: pending.map((e) => ({ Id: e.Id, MessageBody: e.MessageBody, MessageAttributes: e.MessageAttributes })),
            }),
          );
          const failed = new Set((out.Failed ?? []).map((f) => f.Id));
          return pending.filter((e) => failed.has(e.Id));
        },
        this.backoff,
      );
      if (left.length > 0) throw new DeadLetterSendError(left.length, this.queueUrl);
    }
  }
}
