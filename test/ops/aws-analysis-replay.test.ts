/**
 * Replaying the analysis queue on AWS: the stream records go to the analysis function (Lambda Invoke,
 * RequestResponse), not back through the Kinesis stream (a rewritten price item reaches the table's
 * stream as MODIFY, which the analysis mapping's INSERT filter drops). DynamoDB Streams and Lambda
 * are mocked (no emulator); the Kinesis stream is kinesalite's, to show nothing is put there.
 */
import {
  GetRecordsCommand as GetStreamRecordsCommand,
  GetShardIteratorCommand as GetStreamShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { encodeDeadLetter } from '../../src/adapters/aws/sqs-dead-letter-sink';
import { buildOnFailureRecord } from '../../src/local/mappings/on-failure';
import { ReplayResultSchema } from '../../src/ops/types';
import { message, tick, useDataTarget, type DataTarget } from './data-target';
import { OUTPUTS, REGION, awsError, type MockedTarget } from './helpers';

const data = useDataTarget();
const { streamRecords, queueHolds, handlesOf } = data;
let t: MockedTarget;
let sqs: DataTarget['sqs'];
beforeEach(() => {
  t = data.t;
  sqs = data.sqs;
});

describe('replay of the analysis queue', () => {
  test('replay of a failed analysis batch re-reads its DynamoDB stream range and invokes the analysis function with the INSERT records', async () => {
    const streams = mockClient(t.clients.dynamodbStreams);
    const lambda = mockClient(t.clients.lambda);
    const streamArn = `arn:aws:dynamodb:${REGION}:1:table/prices/stream/2026-01-01T00:00:00.000`;
    const item = (minute: number) => ({ ...tick('TSLA', minute), change: 1, change_percent: 1, anomaly: false, expires_at: 1 });
    const created = new Date('2026-03-02T11:45:00Z');
    const record = (sequence: string, eventName: 'INSERT' | 'MODIFY', minute: number) => ({
      eventID: `e${sequence}`,
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: REGION,
      dynamodb: {
        ApproximateCreationDateTime: created,
        Keys: marshall({ symbol: 'TSLA', timestamp: item(minute).timestamp }) as never,
        NewImage: marshall(item(minute)) as never,
        SequenceNumber: sequence,
        SizeBytes: 100,
        StreamViewType: 'NEW_IMAGE' as const,
      },
    });
    streams.on(GetStreamShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    streams.on(GetStreamRecordsCommand).resolves({
      Records: [
        record('100', 'INSERT', 40),
        record('101', 'MODIFY', 40),
        record('102', 'INSERT', 41),
        record('103', 'INSERT', 42),
      ],
      NextShardIterator: 'it-2',
    });
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: Buffer.from('{"batchItemFailures":[]}') as never });
    const batch = (start: string, end: string, arrival: string) =>
      JSON.stringify(
        buildOnFailureRecord(
          'dynamodb',
          'arn:aws:lambda:x:1:function:analysis',
          {
            shardId: 'shardId-1',
            startSequenceNumber: start,
            endSequenceNumber: end,
            approximateArrivalOfFirstRecord: arrival,
            approximateArrivalOfLastRecord: arrival,
            batchSize: 3,
            streamArn,
          },
          { attempts: 3, cause: 'function-error', reason: 'Error: boom' },
        ),
      );
    queueHolds([message('ddb', batch('100', '102', '2026-03-02T11:45:00Z'))]);
    const before = (await streamRecords()).length;
    const result = await t.ops.replayDlq('analysis');

    expect(streams.commandCalls(GetStreamShardIteratorCommand).map((c) => c.args[0].input)).toEqual([
      { StreamArn: streamArn, ShardId: 'shardId-1', ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: '100' },
    ]);
    const invocations = lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input);
    expect(invocations).toHaveLength(1);
    expect({ ...invocations[0], Payload: undefined }).toEqual({
      FunctionName: OUTPUTS.analysisFunction,
      InvocationType: 'RequestResponse',
      Payload: undefined,
    });
    const event = JSON.parse(Buffer.from(invocations[0]!.Payload as Uint8Array).toString('utf8')) as DynamoDBStreamEvent;
    const lambdaRecord = (sequence: string, minute: number) => ({
      eventID: `e${sequence}`,
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: REGION,
      eventSourceARN: streamArn,
      dynamodb: {
        ApproximateCreationDateTime: created.getTime() / 1000,
        Keys: marshall({ symbol: 'TSLA', timestamp: item(minute).timestamp }),
        NewImage: marshall(item(minute)),
        SequenceNumber: sequence,
        SizeBytes: 100,
        StreamViewType: 'NEW_IMAGE',
      },
    });
    // The MODIFY in the range is left out, as the mapping's INSERT filter leaves it out; 103 is past the range.
    expect(event).toEqual({ Records: [lambdaRecord('100', 40), lambdaRecord('102', 41)] });
    expect(ReplayResultSchema.parse(result)).toEqual(result);
    expect(result).toMatchObject({ received: 1, replayed: 1, recordsSent: 2, kept: 0 });
    expect(handlesOf(DeleteMessageBatchCommand)).toEqual(['rh-ddb']);
    // Nothing goes through the Kinesis stream any more: processing's rewrite would be a MODIFY, filtered out.
    expect(await streamRecords()).toHaveLength(before);

    sqs.reset();
    lambda.reset();
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, Payload: Buffer.from('{"batchItemFailures":[{"itemIdentifier":"102"}]}') as never });
    queueHolds([message('ddb-again', batch('100', '102', '2026-03-02T11:45:00Z'))]);
    const partly = await t.ops.replayDlq('analysis');
    expect(partly).toMatchObject({ received: 1, replayed: 0, failedAgain: 1, recordsSent: 1, kept: 1 });
    expect(partly.items[0]!.detail).toBe(
      '1 of 2 record(s) failed again in the analysis function (reported in batchItemFailures)',
    );
    expect(sqs.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
    expect(handlesOf(ChangeMessageVisibilityBatchCommand)).toEqual(['rh-ddb-again']);

    streams.on(GetStreamShardIteratorCommand).rejects(awsError('TrimmedDataAccessException', 'trimmed'));
    sqs.reset();
    lambda.reset();
    queueHolds([message('ddb2', batch('5', '6', '2026-03-02T11:45:00Z'))]);
    const trimmed = await t.ops.replayDlq('analysis');
    expect(trimmed).toMatchObject({ received: 1, replayed: 0, expired: 1, kept: 1 });
    expect(trimmed.items[0]!.detail).toMatch(
      /^TrimmedDataAccessException: the records arrived at 2026-03-02T11:45:00.000Z and a DynamoDB stream keeps records 24 h/,
    );
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    streams.restore();
    lambda.restore();
  });

  test("replay of the analysis function's own dead letters invokes it with the fixed item; an unusable one and a function error stay", async () => {
    const lambda = mockClient(t.clients.lambda);
    const streamArn = `arn:aws:dynamodb:${REGION}:1:table/prices/stream/2026-01-01T00:00:00.000`;
    const item = { ...tick('AMZN', 10), change: 1, change_percent: 1, anomaly: false, expires_at: 1 };
    const letter = (sequence: string, stored: Record<string, unknown>) =>
      encodeDeadLetter({
        reason: 'anomaly=<missing>: must be a boolean',
        payload: JSON.stringify({
          Keys: marshall({ symbol: 'AMZN', timestamp: stored.timestamp }),
          NewImage: marshall(stored),
          SequenceNumber: sequence,
          StreamViewType: 'NEW_IMAGE',
        }),
        source: { kind: 'dynamodb-stream', eventSourceARN: streamArn, eventName: 'INSERT', sequenceNumber: sequence },
      });
    const { anomaly: _dropped, ...broken } = item;
    queueHolds([
      message('fixable', letter('7', broken)),
      message('unusable', letter('8', { ...broken, timestamp: '2026-03-02T11:11:00.000Z' })),
    ]);
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: Buffer.from('null') as never });
    const result = await t.ops.replayDlq('analysis', { fixes: new Map([['fixable', '{"anomaly":false}']]) });

    const invocations = lambda
      .commandCalls(InvokeCommand)
      .map((c) => JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString('utf8')) as DynamoDBStreamEvent);
    expect(invocations).toHaveLength(1);
    expect(invocations[0]!.Records).toHaveLength(1);
    expect(invocations[0]!.Records[0]).toMatchObject({
      eventName: 'INSERT',
      eventSourceARN: streamArn,
      awsRegion: REGION,
      dynamodb: { SequenceNumber: '7', NewImage: marshall(item) },
    });
    expect(result).toMatchObject({ received: 2, replayed: 1, failedAgain: 1, recordsSent: 1, kept: 1 });
    expect(result.items.find((i) => i.messageId === 'unusable')!.detail).toBe(
      'still unusable: anomaly=<missing>: must be a boolean',
    );
    expect(handlesOf(DeleteMessageBatchCommand)).toEqual(['rh-fixable']);

    sqs.reset();
    lambda.reset();
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: Buffer.from('{"errorType":"Error","errorMessage":"table throttled"}') as never,
    });
    queueHolds([message('again', letter('9', item))]);
    const failed = await t.ops.replayDlq('analysis');
    expect(failed).toMatchObject({ received: 1, replayed: 0, failedAgain: 1, recordsSent: 0, kept: 1 });
    expect(failed.items[0]!.detail).toBe(
      `1 of 1 record(s) failed again in the analysis function (function ${OUTPUTS.analysisFunction} failed (Unhandled): Error: table throttled)`,
    );
    expect(sqs.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
    lambda.restore();
  });
});
