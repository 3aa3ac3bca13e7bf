/**
 * The client factory's settings for the stand-ins, each proven against the stand-in itself. If an SDK
 * upgrade breaks one (the SQS protocol override relies on SDK internals), this file fails first.
 */
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { useLocalAws } from '../support/local-aws';

describe('createClients against the local stand-ins', () => {
  const aws = useLocalAws({ shardCount: 1 });

  it('SQS speaks query/XML to sqslite: send, attributes and receive round-trip', async () => {
    const { sqs } = aws.clients;
    const url = aws.resources.invalidQueueUrl;
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: '{"a":1}',
        MessageAttributes: { reason: { DataType: 'String', StringValue: 'why' } },
      }),
    );
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(attrs.Attributes?.ApproximateNumberOfMessages).toBe('1');
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'] }));
    expect(out.Messages?.map((m) => [m.Body, m.MessageAttributes?.reason?.StringValue])).toEqual([['{"a":1}', 'why']]);
  });

  it('S3 stores objects byte for byte (no aws-chunked framing in s3rver)', async () => {
    const body = Buffer.from('{"symbol":"AAPL"}\n'.repeat(2000) + 'ünïcode ✓\n');
    await aws.clients.s3.send(new PutObjectCommand({ Bucket: aws.resources.rawBucket, Key: 'raw/check.ndjson', Body: body }));
    const out = await aws.clients.s3.send(new GetObjectCommand({ Bucket: aws.resources.rawBucket, Key: 'raw/check.ndjson' }));
    expect(Buffer.from(await out.Body!.transformToByteArray()).equals(body)).toBe(true);
  });

  it('Kinesis works over HTTP/1.1 with kinesalite', async () => {
    const out = await aws.clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: aws.resources.streamName }));
    expect(out.StreamDescriptionSummary?.StreamStatus).toBe('ACTIVE');
  });
});
