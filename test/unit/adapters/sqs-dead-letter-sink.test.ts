/**
 * The dead-letter sink's requests, asserted exactly against aws-sdk-client-mock: sqslite neither
 * enforces SQS's size limits nor can be made to refuse some entries of a batch.
 */
import { createHash } from 'node:crypto';
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DeadLetterSendError,
  DeadLetterTooLargeError,
  encodeDeadLetter,
  PAYLOAD_PREFIX_BYTES,
  SQS_MAX_BATCH_BYTES,
  SQS_MAX_BATCH_ENTRIES,
  SQS_MAX_MESSAGE_BYTES,
  SqsDeadLetterSink,
  utf8Prefix,
} from '../../../src/adapters/aws/sqs-dead-letter-sink';
import type { DeadLetter } from '../../../src/core/ports';
import { createClients } from '../../../src/shared/clients';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/000000000000/invalid';
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** What SQS counts for one entry: the body plus each attribute's name, type and value. */
const entryBytes = (e: SendMessageBatchRequestEntry) =>
  bytes(e.MessageBody!) +
  Object.entries(e.MessageAttributes ?? {}).reduce(
    (n, [k, v]) => n + bytes(k) + bytes(v.DataType ?? '') + bytes(v.StringValue ?? ''),
    0,
  );

const letter = (i: number, payload: string): DeadLetter => ({
  reason: `(record)=${bytes(payload)} bytes: exceeds the 2048-byte limit of a tick (#${i})`,
  payload,
  source: { kind: 'kinesis', sequenceNumber: String(i) },
  rejection: { field: '(record)', value: `${bytes(payload)} bytes`, reason: 'exceeds the 2048-byte limit of a tick' },
});

describe('encodeDeadLetter', () => {
  it('keeps a payload that fits whole, untouched, with no hash', () => {
    const body = JSON.parse(encodeDeadLetter(letter(1, 'x'.repeat(200_000)))) as Record<string, unknown>;
    expect(body).toMatchObject({ payload: 'x'.repeat(200_000), payloadTruncated: false });
    expect(body).not.toHaveProperty('payloadSha256');
  });

  it.each([
    ['ASCII', 'a'.repeat(1_000_000)],
    ['three-byte characters', '€'.repeat(400_000)],
    ['four-byte characters', '😀'.repeat(300_000)],
    ['control characters (six bytes each in JSON)', '\u0001'.repeat(1_000_000)],
    ['replacement characters of invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0xc3]).toString('utf8').repeat(200_000)],
  ])('cuts an oversize payload of %s to a prefix on a character boundary, with its length and hash', (_, payload) => {
    const original = letter(7, payload);
    const encoded = encodeDeadLetter(original);
    expect(bytes(encoded)).toBeLessThanOrEqual(SQS_MAX_MESSAGE_BYTES);
    const body = JSON.parse(encoded) as Record<string, unknown> & { payload: string };
    expect(body).toMatchObject({
      reason: original.reason,
      rejection: original.rejection,
      source: original.source,
      payloadTruncated: true,
      payloadBytes: bytes(payload),
      payloadSha256: createHash('sha256').update(Buffer.from(payload, 'utf8')).digest('hex'),
      payloadNote: expect.stringContaining(`of ${bytes(payload)} bytes`),
    });
    expect(payload.startsWith(body.payload)).toBe(true);
    expect(body.payload.length).toBeGreaterThan(1000);
    expect(bytes(body.payload)).toBeLessThanOrEqual(PAYLOAD_PREFIX_BYTES);
    // A character boundary: the prefix has no broken character at its end.
    expect(Buffer.from(body.payload, 'utf8').toString('utf8')).toBe(body.payload);
  });

  it('utf8Prefix never splits a character, surrogate pairs included', () => {
    expect(utf8Prefix('a€b', 3)).toBe('a');
    expect(utf8Prefix('a€b', 4)).toBe('a€');
    expect(utf8Prefix('😀😀', 7)).toBe('😀');
    expect(utf8Prefix('😀😀', 8)).toBe('😀😀');
  });

  it('refuses, by name, a letter whose reason alone is over the message limit', () => {
    expect(() => encodeDeadLetter({ reason: 'r'.repeat(SQS_MAX_MESSAGE_BYTES), payload: 'p', source: {} })).toThrow(
      DeadLetterTooLargeError,
    );
  });
});

describe('SqsDeadLetterSink', () => {
  const clients = createClients({ region: 'us-east-1' });
  const sqs = mockClient(clients.sqs);
  afterEach(() => sqs.reset());
  afterAll(() => clients.destroy());
  const sink = new SqsDeadLetterSink(clients.sqs, QUEUE, { sleep: async () => undefined });

  const requests = () => sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);

  it('sizes requests by encoded bytes: 23 oversize and 5 small letters, each in its own entry', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const letters = [
      ...Array.from({ length: 8 }, (_, i) => letter(i, 'a'.repeat(1_000_000))),
      ...Array.from({ length: 5 }, (_, i) => letter(8 + i, '\u0002'.repeat(1_000_000))),
      ...Array.from({ length: 10 }, (_, i) => letter(13 + i, 'é'.repeat(120_000))), // 240,000 bytes: kept whole
      ...Array.from({ length: 5 }, (_, i) => letter(23 + i, `{"bad":${i}}`)),
    ];
    await sink.send(letters);
    const sent = requests();
    const entries = sent.flatMap((r) => r.Entries!);
    expect(entries).toHaveLength(28);
    expect(new Set(entries.map((e) => (JSON.parse(e.MessageBody!) as DeadLetter).reason)).size).toBe(28);
    for (const request of sent) {
      expect(request.QueueUrl).toBe(QUEUE);
      expect(request.Entries!.length).toBeLessThanOrEqual(SQS_MAX_BATCH_ENTRIES);
      expect(request.Entries!.reduce((n, e) => n + entryBytes(e), 0)).toBeLessThanOrEqual(SQS_MAX_BATCH_BYTES);
      for (const e of request.Entries!) expect(entryBytes(e)).toBeLessThanOrEqual(SQS_MAX_MESSAGE_BYTES);
    }
    // ASCII prefixes take ~66 KB; control characters, escaped to six bytes, keep a 32 KiB prefix (~197 KB);
    // 8 + 2 of them fill the first request under 1 MiB, then 3 + 1, then the 240 KB letters four at a time.
    expect(sent.map((r) => r.Entries!.length)).toEqual([10, 4, 4, 4, 6]);
    const whole = entries.map((e) => JSON.parse(e.MessageBody!) as { payload: string; payloadTruncated: boolean });
    expect(whole.filter((b) => b.payloadTruncated)).toHaveLength(13);
    expect(whole.slice(8, 13).map((b) => b.payload.length)).toEqual(Array(5).fill(PAYLOAD_PREFIX_BYTES / 2));
    expect(whole.slice(13, 23).every((b) => b.payload === 'é'.repeat(120_000))).toBe(true);
  });

  it('sends again only the entries SQS refused, then reports those still refused', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [], Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] })
      .resolves({ Successful: [], Failed: [] });
    await sink.send([letter(0, 'a'), letter(1, 'b'), letter(2, 'c')]);
    expect(requests().map((r) => r.Entries!.map((e) => e.Id))).toEqual([['0', '1', '2'], ['1']]);

    sqs.reset();
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [], Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] });
    await expect(sink.send([letter(0, 'a')])).rejects.toThrow(DeadLetterSendError);
    expect(requests()).toHaveLength(5);
  });
});
