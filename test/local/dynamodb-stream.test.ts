import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoDbPriceStore } from '../../src/adapters/aws/dynamodb-price-store';
import { enrich } from '../../src/core/enrich';
import { DynamoDbEventSource } from '../../src/local/mappings/dynamodb-event-source';
import { LocalDynamoDbStream, type StreamViewType } from '../../src/local/emulators/dynamodb-stream';
import { captureTableWrites } from '../../src/local/emulators/dynamodb-stream-capture';
import { sqsOnFailureDestination } from '../../src/local/mappings/on-failure';
import { createQueue, receiveAll, uniqueName, useEmulators } from './helpers';

const aws = useEmulators();

async function createTable(client: DynamoDBClient): Promise<string> {
  const name = uniqueName('test-prices');
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'symbol', KeyType: 'HASH' },
        { AttributeName: 'timestamp', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'symbol', AttributeType: 'S' },
        { AttributeName: 'timestamp', AttributeType: 'S' },
      ],
    }),
  );
  return name;
}

/** A client of its own with the capture installed, as the processing function gets in the runtime. */
async function capturedTable(viewType: StreamViewType = 'NEW_IMAGE') {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: aws.emulators.endpoints.dynamodb,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const table = await createTable(client);
  const stream = new LocalDynamoDbStream({
    tableName: table,
    keySchema: { hash: 'symbol', range: 'timestamp' },
    region: 'us-east-1',
    accountId: '000000000000',
    viewType,
    shardCount: 2,
  });
  captureTableWrites(client, stream);
  return { client, documents: DynamoDBDocumentClient.from(client), table, stream };
}

const all = (stream: LocalDynamoDbStream): DynamoDBRecord[] =>
  stream.shards.flatMap((s) => s.records).sort((a, b) => (a.dynamodb!.SequenceNumber! < b.dynamodb!.SequenceNumber! ? -1 : 1));

const tick = (symbol: string, minute: number, price: number) =>
  enrich({
    symbol,
    timestamp: `2024-01-02T14:${String(minute).padStart(2, '0')}:00.000Z`,
    price,
    open: price,
    high: price,
    low: price,
    previous_close: 100,
    volume: 10,
    source: 'test',
  });

describe('local DynamoDB stream capture', () => {
  it('emits INSERT for a new key, nothing for an identical rewrite, MODIFY for a changed item (document client)', async () => {
    const { documents, table, stream } = await capturedTable('NEW_AND_OLD_IMAGES');
    const item = { symbol: 'AAPL', timestamp: '2024-01-02T14:30:00.000Z', price: 101.5, tags: ['a'] };
    await documents.send(new PutCommand({ TableName: table, Item: item }));
    await documents.send(new PutCommand({ TableName: table, Item: { ...item } }));
    await documents.send(new PutCommand({ TableName: table, Item: { ...item, price: 102 } }));

    const records = all(stream);
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY']);
    expect(records[0]).toEqual({
      eventID: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: expect.stringMatching(new RegExp(`^arn:aws:dynamodb:us-east-1:000000000000:table/${table}/stream/`)),
      dynamodb: {
        ApproximateCreationDateTime: expect.any(Number),
        Keys: { symbol: { S: 'AAPL' }, timestamp: { S: '2024-01-02T14:30:00.000Z' } },
        NewImage: {
          symbol: { S: 'AAPL' },
          timestamp: { S: '2024-01-02T14:30:00.000Z' },
          price: { N: '101.5' },
          tags: { L: [{ S: 'a' }] },
        },
        SequenceNumber: '000000000000000000001',
        SizeBytes: expect.any(Number),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(records[1]!.dynamodb!.OldImage!.price).toEqual({ N: '101.5' });
    expect(records[1]!.dynamodb!.NewImage!.price).toEqual({ N: '102' });
    expect(records[1]!.dynamodb!.SequenceNumber).toBe('000000000000000000002');
  });

  it('emits one INSERT per item a BatchWriteItem of the price store commits, with increasing sequence numbers per key', async () => {
    const { documents, table, stream } = await capturedTable();
    const store = new DynamoDbPriceStore(documents, table, 30);
    const ticks = Array.from({ length: 30 }, (_, k) => tick(k % 3 === 0 ? 'MSFT' : 'AAPL', k, 100 + k));
    await store.putTicks(ticks);
    // A batch redelivered later: expires_at and written_at have moved on, so these items change (MODIFY).
    const later = Date.now() + 5000;
    await new DynamoDbPriceStore(documents, table, 30, () => later).putTicks(ticks.slice(0, 5));
    // The same items once more (same clock): identical, so no record at all.
    await new DynamoDbPriceStore(documents, table, 30, () => later).putTicks(ticks.slice(0, 5));

    const records = all(stream);
    expect(records).toHaveLength(35);
    expect(records.filter((r) => r.eventName === 'INSERT')).toHaveLength(30);
    expect(records.filter((r) => r.eventName === 'MODIFY')).toHaveLength(5);
    expect(records.every((r) => r.dynamodb!.NewImage && !r.dynamodb!.OldImage)).toBe(true);
    for (const shard of stream.shards) {
      const sequences = shard.records.map((r) => BigInt(r.dynamodb!.SequenceNumber!));
      expect(sequences).toEqual([...sequences].sort((a, b) => (a < b ? -1 : 1)));
    }
    for (const symbol of ['AAPL', 'MSFT']) {
      const holding = stream.shards.filter((s) => s.records.some((r) => r.dynamodb!.Keys!.symbol!.S === symbol));
      expect(holding).toHaveLength(1);
    }
    const inserted = records.filter((r) => r.eventName === 'INSERT').map((r) => r.dynamodb!.NewImage!.timestamp!.S);
    expect(inserted.sort()).toEqual(ticks.map((t) => t.timestamp).sort());
  });

  it('emits REMOVE for a delete of an existing item, nothing for a failed conditional put or another table', async () => {
    const { client, table, stream } = await capturedTable();
    const other = await createTable(client);
    const key = { symbol: { S: 'IBM' }, timestamp: { S: '2024-01-02T14:30:00.000Z' } };
    await client.send(new PutItemCommand({ TableName: table, Item: { ...key, price: { N: '5' } } }));
    await expect(
      client.send(
        new PutItemCommand({
          TableName: table,
          Item: { ...key, price: { N: '6' } },
          ConditionExpression: 'attribute_not_exists(symbol)',
        }),
      ),
    ).rejects.toThrow('The conditional request failed');
    await client.send(new PutItemCommand({ TableName: other, Item: { ...key, price: { N: '7' } } }));
    await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'SET price = :p',
        ExpressionAttributeValues: { ':p': { N: '8' } },
      }),
    );
    await client.send(new DeleteItemCommand({ TableName: table, Key: key }));
    await client.send(new DeleteItemCommand({ TableName: table, Key: key }));

    const records = all(stream);
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    expect(records[1]!.dynamodb!.NewImage!.price).toEqual({ N: '8' });
    expect(records[2]!.dynamodb).toMatchObject({ Keys: key });
    expect(records[2]!.dynamodb!.NewImage).toBeUndefined();
  });

  it('feeds a handler in batches, retries its reported failures and sends an exhausted batch to the DLQ as DDBStreamBatchInfo', async () => {
    const { documents, table, stream } = await capturedTable();
    const queue = await createQueue(aws.clients);
    const calls: string[][] = [];
    const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
      calls.push(event.Records.map((r) => r.dynamodb!.NewImage!.timestamp!.S!.slice(14, 16)));
      const poison = event.Records.find((r) => r.dynamodb!.NewImage!.price!.N === '13');
      return { batchItemFailures: poison ? [{ itemIdentifier: poison.dynamodb!.SequenceNumber! }] : [] };
    };
    const source = new DynamoDbEventSource({
      stream,
      handler,
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:analysis',
      onFailure: sqsOnFailureDestination(aws.clients.sqs, queue),
      batchSize: 10,
      policy: { maxRetryAttempts: 1, retryDelayMs: () => 0 },
    });
    await new DynamoDbPriceStore(documents, table, 30).putTicks(
      Array.from({ length: 6 }, (_, k) => tick('AMZN', 10 + k, 10 + k)),
    );
    source.start();
    await source.drain(10_000);
    await source.stop();

    expect(calls).toEqual([
      ['10', '11', '12', '13', '14', '15'],
      ['13', '14', '15'],
    ]);
    expect(source.stats).toEqual({ read: 6, succeeded: 3, failed: 3, invocations: 2 });
    const letters = await receiveAll(aws.clients, queue);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 2 },
      DDBStreamBatchInfo: { shardId: expect.stringMatching(/^shardId-/), batchSize: 3, streamArn: stream.streamArn },
    });
    const info = (letters[0] as { DDBStreamBatchInfo: { startSequenceNumber: string; endSequenceNumber: string } })
      .DDBStreamBatchInfo;
    expect(BigInt(info.endSequenceNumber) - BigInt(info.startSequenceNumber)).toBe(2n);
  });

  it('emits nothing for an item a BatchWriteItem left unprocessed (it was not written)', async () => {
    const { client, documents, table, stream } = await capturedTable();
    // Plays a throttled partition: the first item of each BatchWriteItem is taken out of the request
    // before it is sent and reported back in UnprocessedItems, as DynamoDB does.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'BatchWriteItemCommand') return next(args);
        const request = args.request as { body: Uint8Array | string; headers: Record<string, string> };
        const body = JSON.parse(new TextDecoder().decode(request.body as Uint8Array)) as {
          RequestItems: Record<string, { PutRequest: { Item: Record<string, { S?: string }> } }[]>;
        };
        const [dropped, ...rest] = body.RequestItems[table]!;
        body.RequestItems[table] = rest;
        request.body = JSON.stringify(body);
        request.headers['content-length'] = String(Buffer.byteLength(request.body));
        const result = await next(args);
        const item = dropped!.PutRequest.Item;
        (result.output as { UnprocessedItems?: unknown }).UnprocessedItems = {
          [table]: [{ PutRequest: { Item: { symbol: item.symbol!.S, timestamp: item.timestamp!.S } } }],
        };
        return result;
      },
      { step: 'finalizeRequest', name: 'throttleFirstItem' },
    );
    const store = new DynamoDbPriceStore(documents, table, 30, Date.now, { attempts: 1 });
    const ticks = ['GOOG', 'AAPL', 'MSFT', 'IBM'].map((symbol, k) => tick(symbol, 1, 50 + k));
    await expect(store.putTicks(ticks)).rejects.toThrow('1 price item(s) of 1 symbol(s) not written');
    expect(
      all(stream)
        .map((r) => r.dynamodb!.Keys!.symbol!.S)
        .sort(),
    ).toEqual(['AAPL', 'IBM', 'MSFT']);
  });

  it('appends the records of one BatchWriteItem in a random order, as DynamoDB may commit them', async () => {
    const { documents, table, stream } = await capturedTable();
    const symbols = Array.from({ length: 20 }, (_, k) => `S${k}`);
    await new DynamoDbPriceStore(documents, table, 30).putTicks(symbols.map((symbol) => tick(symbol, 1, 10)));
    const order = all(stream).map((r) => r.dynamodb!.Keys!.symbol!.S);
    expect([...order].sort()).toEqual([...symbols].sort());
    // 20 items staying in request order by chance: 1 in 20!.
    expect(order).not.toEqual(symbols);
  });

  it('keeps undelivered records across a snapshot and restore, numbering new records after them', () => {
    const options = { tableName: 'prices', keySchema: { hash: 'symbol' }, region: 'us-east-1', accountId: '000000000000' };
    const first = new LocalDynamoDbStream(options);
    first.append([{ eventName: 'INSERT', keys: { symbol: { S: 'A' } }, newImage: { symbol: { S: 'A' } } }]);
    const second = new LocalDynamoDbStream(options);
    second.restore(first.snapshot());
    second.append([{ eventName: 'INSERT', keys: { symbol: { S: 'A' } }, newImage: { symbol: { S: 'A' } } }]);
    expect(all(second).map((r) => r.dynamodb!.SequenceNumber)).toEqual(['000000000000000000001', '000000000000000000002']);
  });
});
