import { mapAwsError, OpsError } from '../../src/ops/errors';
import { nextTrigger } from '../../src/ops/schedule-expression';
import { formatDuration, parseDay, parseSince } from '../../src/ops/time';
import { decodeDlqMessage, tickOfDeadLetter } from '../../src/ops/dead-letters';
import { parseFixes } from '../../src/ops/fixes';

const NOW = new Date('2026-03-02T12:00:00Z'); // a Monday

describe('time options', () => {
  test.each([
    ['30m', '2026-03-02T11:30:00.000Z'],
    ['24h', '2026-03-01T12:00:00.000Z'],
    ['1d', '2026-03-01T12:00:00.000Z'],
    ['2w', '2026-02-16T12:00:00.000Z'],
    ['2026-02-27', '2026-02-27T00:00:00.000Z'],
    ['2026-02-27T15:30:00Z', '2026-02-27T15:30:00.000Z'],
  ])('--since %s is %s', (value, expected) => {
    expect(parseSince(value, NOW).toISOString()).toBe(expected);
  });

  test('a bad --since or --date is a usage error naming the option and the value', () => {
    expect(() => parseSince('yesterday', NOW)).toThrow(
      '--since "yesterday" is not a duration or a date; use e.g. 30m, 24h, 1d, 2w, or 2024-01-02 / 2024-01-02T15:00:00Z',
    );
    expect(() => parseDay('2026-02-30')).toThrow('--date "2026-02-30" is not a day; use YYYY-MM-DD, e.g. 2024-01-02');
    try {
      parseDay('x');
    } catch (e) {
      expect((e as OpsError).exitCode).toBe(2);
    }
    expect(parseDay('2026-02-28')).toBe('2026-02-28');
  });

  test('durations read short', () => {
    expect([450, 2500, 65_000, 3_725_000, 3 * 86_400_000].map(formatDuration)).toEqual([
      '450ms',
      '2.5s',
      '1m 05s',
      '1h 02m',
      '3d 00h',
    ]);
  });
});

describe('next trigger of a schedule expression', () => {
  test('cron is exact in UTC with AWS weekday numbering and ?', () => {
    expect(nextTrigger('cron(30 21 ? * MON-FRI *)', NOW)).toEqual({ at: new Date('2026-03-02T21:30:00Z'), approximate: false });
    expect(nextTrigger('cron(0 1 ? * 7 *)', NOW)).toEqual({ at: new Date('2026-03-07T01:00:00Z'), approximate: false }); // 7 = Saturday
    expect(nextTrigger('cron(0 9 1 * ? *)', NOW)).toEqual({ at: new Date('2026-04-01T09:00:00Z'), approximate: false });
  });

  test('rate is a bound (AWS counts from when the rule was enabled); nonsense has no answer', () => {
    expect(nextTrigger('rate(5 minutes)', NOW)).toEqual({ at: new Date('2026-03-02T12:05:00Z'), approximate: true });
    expect(nextTrigger('rate(1 day)', NOW)).toEqual({ at: new Date('2026-03-03T12:00:00Z'), approximate: true });
    expect(nextTrigger('every tuesday', NOW)).toEqual({ at: null, approximate: false });
    expect(nextTrigger(undefined, NOW)).toEqual({ at: null, approximate: false });
  });
});

describe('AWS error mapping', () => {
  const err = (name: string, message = 'x', status = 400) =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

  test.each([
    ['AccessDenied', 'access-denied', err('AccessDenied', 'denied', 403)],
    ['ResourceNotFoundException', 'not-found', err('ResourceNotFoundException', 'Stream x not found')],
    ['ProvisionedThroughputExceededException', 'throttled', err('ProvisionedThroughputExceededException')],
    ['RequestExpired', 'credentials', err('RequestExpired')],
    ['UnrecognizedClientException', 'credentials', err('UnrecognizedClientException', 'The security token is invalid', 400)],
    ['CredentialsProviderError', 'credentials', err('CredentialsProviderError', 'Could not load credentials from any providers')],
    ['Region is missing', 'region', new Error('Region is missing')],
    ['InternalFailure', 'failed', err('InternalFailure', 'boom', 500)],
  ])('%s maps to the %s kind with exit code 1', (_name, kind, error) => {
    const mapped = mapAwsError(error, { action: 'do it', region: 'eu-west-1' });
    expect(mapped.kind).toBe(kind);
    expect(mapped.exitCode).toBe(1);
  });

  test('missing credentials say how to get them, naming the profile', () => {
    const mapped = mapAwsError(err('CredentialsProviderError', 'Could not load credentials from any providers'), {
      action: 'list runs',
      profile: 'prod',
    });
    expect(mapped.message).toBe(
      'no AWS credentials found to list runs; refresh the credentials of profile prod (for SSO: aws sso login --profile prod)',
    );
  });
});

describe('dead letters', () => {
  test('a dead letter of a Kinesis record is sent again as its payload (or the fix), re-validated', () => {
    const payload = JSON.stringify({
      symbol: 'AAPL',
      timestamp: '2026-03-02T11:00:00Z',
      price: 10,
      open: 10,
      high: 11,
      low: 9,
      previous_close: 9.5,
      volume: 5,
      source: 'y',
    });
    const body = JSON.stringify({ reason: 'r', payload, source: { kind: 'kinesis' } });
    const message = decodeDlqMessage('invalid', { messageId: 'a', body, sentAt: null, receiveCount: null }, NOW);
    const tick = tickOfDeadLetter(message);
    expect(tick).toEqual({
      ok: true,
      value: {
        symbol: 'AAPL',
        timestamp: '2026-03-02T11:00:00.000Z',
        price: 10,
        open: 10,
        high: 11,
        low: 9,
        previous_close: 9.5,
        volume: 5,
        source: 'y',
      },
    });
    expect(tickOfDeadLetter(message, '{"symbol":"AAPL"}')).toEqual({ ok: false, error: 'timestamp=<missing>: is required' });
    expect(tickOfDeadLetter(message, 'not json')).toEqual({ ok: false, error: 'the fix for a is not valid JSON' });
  });

  test('an on-failure record without the local reason reads its condition and invoke count', () => {
    const body = JSON.stringify({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 4 },
      responseContext: { functionError: 'Unhandled' },
      KinesisBatchInfo: {
        shardId: 's',
        startSequenceNumber: '1',
        endSequenceNumber: '2',
        batchSize: 2,
        streamArn: 'arn:aws:kinesis:r:1:stream/x',
        approximateArrivalOfFirstRecord: '2026-03-02T11:00:00Z',
      },
    });
    const m = decodeDlqMessage('processing', { messageId: 'p', body, sentAt: null, receiveCount: 1 }, NOW);
    expect([m.kind, m.reason, m.batch?.source, m.batch?.firstArrival]).toEqual([
      'stream-batch',
      'RetryAttemptsExhausted after 4 invocation(s) (function error: Unhandled)',
      'kinesis',
      '2026-03-02T11:00:00.000Z',
    ]);
  });
});

describe('fixes file', () => {
  test('the edited output of dlq list --json: only changed payloads are fixes; objects are taken as JSON', () => {
    const listed = [
      { messageId: 'a', payload: '{"price":-1}' },
      { messageId: 'b', payload: { symbol: 'AAPL', price: 5 } },
    ];
    const fixes = parseFixes(
      JSON.stringify(listed),
      'fixes.json',
      new Map([
        ['a', '{"price":-1}'],
        ['b', '{"price":-2}'],
      ]),
    );
    expect([...fixes]).toEqual([['b', '{"symbol":"AAPL","price":5}']]);
  });

  test('JSON lines work too, and a bad line is named with its number and reason', () => {
    expect([...parseFixes('{"messageId":"x","payload":"{}"}\n\n{"messageId":"y","payload":{"a":1}}\n')]).toEqual([
      ['x', '{}'],
      ['y', '{"a":1}'],
    ]);
    expect(() => parseFixes('{"messageId":"x","payload":"{}"}\n{"messageId":"y"}', 'f.jsonl')).toThrow(
      'f.jsonl line 2: payload of y is missing',
    );
    expect(() => parseFixes('{"messageId":"x","payload":"{}"}\nnope', 'f.jsonl')).toThrow(/^f\.jsonl line 2 is not valid JSON/);
    expect(() => parseFixes('[{"messageId":"x","payload":"1"},{"messageId":"x","payload":"2"}]', 'f.json')).toThrow(
      'f.json entry 2: message x is fixed twice',
    );
  });
});
