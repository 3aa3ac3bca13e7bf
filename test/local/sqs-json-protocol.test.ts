/**
 * The local SQS answers the JSON protocol (boto3, the AWS CLI, SDK v3's default SQS client) as well as
 * the query protocol the pipeline's own clients speak to sqslite, on one port and one set of queues.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createClients } from '../../src/shared/clients';
import { startEmulators, type Emulators } from '../../src/local/emulators/emulators';

describe('the local SQS front door', () => {
  let emulators: Emulators;
  let json: SQSClient;
  let query: ReturnType<typeof createClients>;

  beforeAll(async () => {
    emulators = await startEmulators();
    // What boto3 or the AWS CLI do: the JSON protocol, to the address the user was given.
    json = new SQSClient({
      region: 'us-east-1',
      endpoint: emulators.endpoints.sqs.replace('localhost', '127.0.0.1'),
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    query = createClients({ endpoints: { sqs: emulators.endpoints.sqs }, sqsQueryProtocol: true });
  });

  afterAll(async () => {
    json.destroy();
    query.destroy();
    await emulators.stop();
  });

  it('creates, sends and receives over JSON, attributes and binary values included', async () => {
    const { QueueUrl } = await json.send(new CreateQueueCommand({ QueueName: 'json-one' }));
    expect(QueueUrl).toBe(`${emulators.endpoints.sqs}/queues/json-one`);
    expect((await json.send(new GetQueueUrlCommand({ QueueName: 'json-one' }))).QueueUrl).toBe(QueueUrl);

    await json.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: '{"tick":1}',
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: 'price: must be positive' },
          raw: { DataType: 'Binary', BinaryValue: Buffer.from([0, 255, 7]) },
        },
      }),
    );
    const batch = await json.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'two' },
          { Id: 'b', MessageBody: 'three' },
        ],
      }),
    );
    expect(batch.Successful).toHaveLength(2);
    expect(batch.Failed ?? []).toEqual([]);

    const attributes = await json.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(attributes.Attributes?.ApproximateNumberOfMessages).toBe('3');

    const received = await json.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
    );
    const first = received.Messages?.find((m) => m.Body === '{"tick":1}');
    expect(received.Messages?.map((m) => m.Body).sort()).toEqual(['three', 'two', '{"tick":1}'].sort());
    expect(first?.MessageAttributes?.reason?.StringValue).toBe('price: must be positive');
    expect([...(first?.MessageAttributes?.raw?.BinaryValue ?? [])]).toEqual([0, 255, 7]);
  });

  it('shares its queues with the query protocol the pipeline speaks', async () => {
    const { QueueUrl: fromQuery } = await query.sqs.send(new CreateQueueCommand({ QueueName: 'shared' }));
    const { QueueUrl: fromJson } = await json.send(new GetQueueUrlCommand({ QueueName: 'shared' }));
    expect(fromJson).toBe(fromQuery);
    await json.send(new SendMessageCommand({ QueueUrl: fromJson, MessageBody: 'over json' }));
    const got = await query.sqs.send(new ReceiveMessageCommand({ QueueUrl: fromQuery }));
    expect(got.Messages?.map((m) => m.Body)).toEqual(['over json']);
  });

  it('answers errors as the JSON protocol does: the SQS error name, a 400', async () => {
    const failure = await json.send(new GetQueueUrlCommand({ QueueName: 'no-such-queue' })).catch((e: unknown) => e);
    expect(failure).toMatchObject({ name: 'QueueDoesNotExist', $metadata: { httpStatusCode: 400 } });
  });

  it('refuses an action it does not know, by name', async () => {
    const answer = await fetch(emulators.endpoints.sqs, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.FlyToTheMoon' },
      body: '{}',
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({
      __type: 'com.amazonaws.sqs#InvalidAction',
      message: 'FlyToTheMoon is not an SQS action the local stand-in knows',
    });
  });
});
