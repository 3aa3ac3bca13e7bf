/**
 * Every client of createClients keeps its connection to a stand-in open between requests: a TCP
 * proxy in front of each emulator counts the connections that 30 sequential requests open.
 */
import { createConnection, createServer, type Server } from 'node:net';
import { CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { EmulatedService } from '../../src/local/emulators/emulators';
import { createClients, type AwsClients } from '../../src/shared/clients';
import { createQueue, createStream, useEmulators } from './helpers';

interface CountingProxy {
  readonly endpoint: string;
  connections: number;
  close(): Promise<void>;
}

async function countingProxy(target: string): Promise<CountingProxy> {
  const url = new URL(target);
  const proxy = { connections: 0 } as CountingProxy & { connections: number };
  const server: Server = createServer((socket) => {
    proxy.connections++;
    const upstream = createConnection(Number(url.port), url.hostname);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return Object.assign(proxy, {
    // SQS keeps the `localhost` host name: sqslite matches queue URLs by it.
    endpoint: `${url.protocol}//${url.hostname === 'localhost' ? 'localhost' : '127.0.0.1'}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

const REQUESTS = 30;

describe('HTTP keep-alive towards the stand-ins', () => {
  const aws = useEmulators();
  let proxies: Record<EmulatedService, CountingProxy>;
  let clients: AwsClients;

  beforeAll(async () => {
    const e = aws.emulators.endpoints;
    proxies = {
      kinesis: await countingProxy(e.kinesis),
      dynamodb: await countingProxy(e.dynamodb),
      s3: await countingProxy(e.s3),
      sqs: await countingProxy(e.sqs),
    };
    clients = createClients({
      endpoints: Object.fromEntries(Object.entries(proxies).map(([s, p]) => [s, p.endpoint])),
      sqsQueryProtocol: true,
    });
  });
  afterAll(async () => {
    clients?.destroy();
    for (const p of Object.values(proxies ?? {})) await p.close();
  });

  it('opens one connection per client for sequential requests of every service', async () => {
    const stream = await createStream(aws.clients);
    const queueUrl = await createQueue(aws.clients);
    await aws.clients.s3.send(new CreateBucketCommand({ Bucket: 'keep-alive' }));
    await aws.clients.dynamodb.send(
      new CreateTableCommand({
        TableName: 'keep-alive',
        AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    // A raw object's size: a batch of 100 ticks of NDJSON.
    const body = `${JSON.stringify({ symbol: 'AAPL', price: 1, timestamp: new Date(0).toISOString() })}\n`.repeat(100);
    for (let i = 0; i < REQUESTS; i++) {
      await clients.kinesis.send(
        new PutRecordsCommand({ StreamName: stream.name, Records: [{ PartitionKey: 'AAPL', Data: Buffer.from(`${i}`) }] }),
      );
      await clients.dynamodb.send(new PutItemCommand({ TableName: 'keep-alive', Item: { k: { S: `${i}` } } }));
      await clients.s3.send(new PutObjectCommand({ Bucket: 'keep-alive', Key: `raw/${i}.ndjson`, Body: body }));
      await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `${i}` }));
    }
    expect(Object.fromEntries(Object.entries(proxies).map(([s, p]) => [s, p.connections]))).toEqual({
      kinesis: 1,
      dynamodb: 1,
      s3: 1,
      sqs: 1,
    });
  });
});
