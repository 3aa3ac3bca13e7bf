import { actionOfRequest } from '../rehearse/bundles';
import { fixedPayload } from '../rehearse/cli';
import { batches, byKeys, dynamodbInsertRecords, kinesisEventRecord, passesFilters } from '../rehearse/events';
import { resolveValue, type Deployed } from '../rehearse/template-values';

const deployed: Deployed = {
  template: {
    Resources: {
      Fn: { Type: 'AWS::Lambda::Function' },
      Lake: { Type: 'AWS::S3::Bucket' },
      Queue: { Type: 'AWS::SQS::Queue' },
      Logs: { Type: 'AWS::Logs::LogGroup' },
    },
  },
  physical: new Map([
    ['Fn', 'Stockpipe-Fn-ABC'],
    ['Lake', 'stockpipe-lake-xyz'],
    ['Queue', 'https://sqs.us-east-1.amazonaws.com/123456789012/q1'],
    ['Logs', '/aws/vendedlogs/states/x'],
  ]),
  region: 'us-east-1',
  account: '123456789012',
};

describe('rehearsal: events as event source mappings deliver them', () => {
  test('a Kinesis record carries base64 data, its sequence number, partition key, shard and stream ARN', () => {
    const r = kinesisEventRecord(
      {
        PartitionKey: 'AAPL',
        SequenceNumber: '495',
        Data: Buffer.from('{"a":1}'),
        ApproximateArrivalTimestamp: new Date(1_500),
      },
      'shardId-000000000000',
      'arn:aws:kinesis:us-east-1:123456789012:stream/s',
      'us-east-1',
    );
    expect(r).toMatchObject({
      kinesis: { partitionKey: 'AAPL', sequenceNumber: '495', data: 'eyJhIjoxfQ==', approximateArrivalTimestamp: 1.5 },
      eventSource: 'aws:kinesis',
      eventID: 'shardId-000000000000:495',
      eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/s',
    });
  });

  test('items become INSERT records with their keys, new image and increasing sequence numbers, in write order', () => {
    const items = [
      { symbol: { S: 'B' }, timestamp: { S: '2026-01-01T00:01:00Z' } },
      { symbol: { S: 'A' }, timestamp: { S: '2026-01-01T00:01:00Z' } },
      { symbol: { S: 'A' }, timestamp: { S: '2026-01-01T00:00:00Z' } },
    ];
    const ordered = byKeys(items, ['timestamp', 'symbol']);
    expect(ordered.map((i) => `${i.symbol!.S}@${i.timestamp!.S}`)).toEqual([
      'A@2026-01-01T00:00:00Z',
      'A@2026-01-01T00:01:00Z',
      'B@2026-01-01T00:01:00Z',
    ]);
    const records = dynamodbInsertRecords(ordered, ['symbol', 'timestamp'], 'arn:stream', 'us-east-1', 'NEW_AND_OLD_IMAGES', 1);
    expect(records[0]).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: 'arn:stream',
      dynamodb: { Keys: { symbol: { S: 'A' }, timestamp: { S: '2026-01-01T00:00:00Z' } }, NewImage: ordered[0] },
    });
    expect(records[0]!.dynamodb).not.toHaveProperty('OldImage');
    const seq = records.map((r) => BigInt(r.dynamodb.SequenceNumber));
    expect(seq[0]! < seq[1]! && seq[1]! < seq[2]!).toBe(true);
  });

  test("the mapping's filter patterns and batch size apply", () => {
    const filters = ['{"eventName":["INSERT","MODIFY"]}'];
    expect(passesFilters({ eventName: 'INSERT' }, filters)).toBe(true);
    expect(passesFilters({ eventName: 'REMOVE' }, filters)).toBe(false);
    expect(passesFilters({ eventName: 'REMOVE' }, [])).toBe(true);
    expect(batches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});

describe('rehearsal: template values resolved from physical ids', () => {
  test('Ref, Fn::GetAtt Arn, Fn::Join and Fn::Sub resolve as CloudFormation would', () => {
    expect(resolveValue({ 'Fn::GetAtt': ['Fn', 'Arn'] }, deployed)).toBe(
      'arn:aws:lambda:us-east-1:123456789012:function:Stockpipe-Fn-ABC',
    );
    expect(resolveValue({ 'Fn::Join': ['', ['s3://', { Ref: 'Lake' }, '/raw/']] }, deployed)).toBe(
      's3://stockpipe-lake-xyz/raw/',
    );
    expect(resolveValue({ 'Fn::GetAtt': ['Queue', 'Arn'] }, deployed)).toBe('arn:aws:sqs:us-east-1:123456789012:q1');
    expect(resolveValue({ 'Fn::Sub': 'arn:aws:s3:::${Lake}/${AWS::Region}' }, deployed)).toBe(
      'arn:aws:s3:::stockpipe-lake-xyz/us-east-1',
    );
    expect(resolveValue({ 'Fn::GetAtt': ['Logs', 'Arn'] }, deployed)).toBe(
      'arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/x:*',
    );
    expect(() => resolveValue({ Ref: 'Missing' }, deployed)).toThrow('Ref Missing: not deployed');
  });
});

describe('rehearsal: recorded requests', () => {
  const auth = (service: string) => ({
    authorization: `AWS4-HMAC-SHA256 Credential=x/20261204/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
  });
  test('JSON, query and S3 requests name their IAM action; an unsigned request is not an AWS call', () => {
    expect(actionOfRequest('POST', '/', { ...auth('dynamodb'), 'x-amz-target': 'DynamoDB_20120810.PutItem' }, '')).toBe(
      'dynamodb:PutItem',
    );
    expect(actionOfRequest('POST', '/', auth('sns'), 'Action=Publish&Version=2010-03-31')).toBe('sns:Publish');
    expect(actionOfRequest('GET', '/lake?list-type=2', auth('s3'), '')).toBe('s3:ListBucket');
    expect(actionOfRequest('PUT', '/lake/raw/a.json', auth('s3'), '')).toBe('s3:PutObject');
    expect(actionOfRequest('POST', '/lake?delete', auth('s3'), '')).toBe('s3:DeleteObject');
    expect(actionOfRequest('GET', '/moto-api/', {}, '')).toBeUndefined();
  });

  test("a refused tick's fix makes its price valid and keeps the rest", () => {
    expect(JSON.parse(fixedPayload('{"symbol":"AAPL","price":-1.5,"volume":3}'))).toEqual({
      symbol: 'AAPL',
      price: 1.5,
      volume: 3,
    });
  });
});
