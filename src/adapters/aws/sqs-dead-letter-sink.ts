import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterSink } from '../../core/ports';
import { chunk, retryPending, type BackoffOptions } from '../../shared/retry';

/** SQS allows 256 KiB per message; the payload is cut to stay well under it (the reason is kept whole). */
const MAX_PAYLOAD_CHARS = 200_000;

export const encodeDeadLetter = (letter: DeadLetter): string =>
  JSON.stringify({
    ...letter,
    payload: letter.payload.length > MAX_PAYLOAD_CHARS ? letter.payload.slice(0, MAX_PAYLOAD_CHARS) : letter.payload,
    payloadTruncated: letter.payload.length > MAX_PAYLOAD_CHARS,
    deadLetteredAt: new Date().toISOString(),
  });

export class SqsDeadLetterSink implements DeadLetterSink {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly backoff: BackoffOptions = {},
  ) {}

  async send(letters: readonly DeadLetter[]): Promise<void> {
    // SendMessageBatch takes 10 messages and 256 KiB: one letter per entry, ten per call.
    const entries = letters.map((letter, i) => ({ Id: String(i), MessageBody: encodeDeadLetter(letter), reason: letter.reason }));
    for (const group of chunk(entries, 10)) {
      const left = await retryPending(
        group,
        async (pending) => {
          const out = await this.sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: this.queueUrl,
              Entries: pending.map((e) => ({
                Id: e.Id,
                MessageBody: e.MessageBody,
                MessageAttributes: { reason: { DataType: 'String', StringValue: e.reason.slice(0, 1024) } },
              })),
            }),
          );
          const failed = new Set((out.Failed ?? []).map((f) => f.Id));
          return pending.filter((e) => failed.has(e.Id));
        },
        this.backoff,
      );
      if (left.length > 0) {
        throw new Error(`could not dead-letter ${left.length} record(s) to ${this.queueUrl} after retries`);
      }
    }
  }
}
