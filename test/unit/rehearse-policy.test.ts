import {
  allows,
  callOfRequest,
  deniedCalls,
  dropGrant,
  iamAction,
  missingActions,
  parseDropGrant,
  policyFailures,
  statementsOfRole,
  type ResolvedStatement,
  type TemplateLike,
} from '../rehearse/policy';

const template: TemplateLike = {
  Resources: {
    ProcessingRole: { Type: 'AWS::IAM::Role', Properties: {} },
    ProcessingPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'ProcessingRole' }],
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: ['kinesis:GetRecords', 'kinesis:GetShardIterator'],
              Resource: { 'Fn::GetAtt': ['S', 'Arn'] },
            },
            { Effect: 'Allow', Action: 'dynamodb:BatchWriteItem', Resource: '*' },
            { Effect: 'Allow', Action: 's3:PutObject*', Resource: '*' },
          ],
        },
      },
    },
    OtherPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'OtherRole' }],
        PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: '*' }] },
      },
    },
  },
};

describe('rehearsal policy check', () => {
  test('SDK commands map to IAM actions, including the S3 and SQS ones named differently', () => {
    expect(iamAction('DynamoDBClient', 'BatchWriteItemCommand')).toBe('dynamodb:BatchWriteItem');
    expect(iamAction('S3Client', 'ListObjectsV2Command')).toBe('s3:ListBucket');
    expect(iamAction('SQSClient', 'SendMessageBatchCommand')).toBe('sqs:SendMessage');
    expect(iamAction('SFNClient', 'StartExecutionCommand')).toBe('states:StartExecution');
  });

  test("a role's statements come only from the policies that name it; wildcards in actions match", () => {
    const statements = statementsOfRole(template, 'ProcessingRole');
    expect(statements).toHaveLength(3);
    expect(allows(statements, 's3:PutObjectTagging')).toBe(true);
    expect(allows(statements, 'sns:Publish')).toBe(false);
  });

  test('with one grant dropped the check fails naming the function and the action', () => {
    const sent = ['kinesis:GetRecords', 'dynamodb:BatchWriteItem'];
    expect(policyFailures([{ fn: 'processing', statements: statementsOfRole(template, 'ProcessingRole'), sent }])).toEqual([]);
    const { roleId, action } = parseDropGrant('ProcessingRole:dynamodb:BatchWriteItem');
    const dropped = dropGrant(template, roleId, action);
    expect(policyFailures([{ fn: 'processing', statements: statementsOfRole(dropped, 'ProcessingRole'), sent }])).toEqual([
      'processing: role does not allow dynamodb:BatchWriteItem',
    ]);
    expect(statementsOfRole(template, 'ProcessingRole')).toHaveLength(3);
  });

  test('a recorded call is checked as the IAM action that authorizes it', () => {
    const statements = [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }];
    expect(missingActions(statements, ['sqs:SendMessageBatch', 'sqs:SendMessage'])).toEqual([]);
    expect(missingActions(statements, ['sqs:DeleteMessageBatch'])).toEqual(['sqs:DeleteMessage']);
  });

  test('dropping a grant the role never had is an error, not a silent pass', () => {
    expect(() => dropGrant(template, 'ProcessingRole', 'sns:Publish')).toThrow(
      'ProcessingRole has no statement naming sns:Publish',
    );
    expect(() => parseDropGrant('kinesis')).toThrow('expected <role logical id>:<service>:<Action>');
  });
});

describe('rehearsal policy check with resources', () => {
  const at = { region: 'us-east-1', account: '123456789012' };
  const table = (name: string) => `arn:aws:dynamodb:us-east-1:123456789012:table/${name}`;
  const statements: ResolvedStatement[] = [
    { Effect: 'Allow', Action: ['dynamodb:Query'], Resource: [table('prices')] },
    {
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: ['arn:aws:s3:::lake'],
      Condition: { StringLike: { 's3:prefix': ['raw/*'] } },
    },
    { Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::lake/curated/*'] },
    {
      Effect: 'Allow',
      Action: ['glue:GetTable'],
      Resource: [
        'arn:aws:glue:us-east-1:123456789012:catalog',
        'arn:aws:glue:us-east-1:123456789012:database/db',
        'arn:aws:glue:us-east-1:123456789012:table/db/raw',
      ],
    },
  ];

  test('a call is allowed only on the resources its grant names', () => {
    const query = (name: string) => callOfRequest('dynamodb:Query', '/', JSON.stringify({ TableName: name }), at);
    expect(query('prices')).toEqual({ action: 'dynamodb:Query', resources: [table('prices')] });
    expect(deniedCalls(statements, [query('prices')])).toEqual([]);
    expect(deniedCalls(statements, [query('alerts')])).toEqual([`dynamodb:Query on ${table('alerts')}`]);
  });

  test('S3 object keys and list prefixes are checked against the grant and its s3:prefix condition', () => {
    const put = callOfRequest('s3:PutObject', '/lake/curated/symbol%3DA/x.parquet', '', at);
    expect(put.resources).toEqual(['arn:aws:s3:::lake/curated/symbol=A/x.parquet']);
    expect(deniedCalls(statements, [put])).toEqual([]);
    expect(deniedCalls(statements, [callOfRequest('s3:PutObject', '/lake/raw/x.json', '', at)])).toEqual([
      's3:PutObject on arn:aws:s3:::lake/raw/x.json',
    ]);
    const list = (prefix: string) => callOfRequest('s3:ListBucket', `/lake?prefix=${encodeURIComponent(prefix)}`, '', at);
    expect(deniedCalls(statements, [list('raw/symbol=A/')])).toEqual([]);
    expect(deniedCalls(statements, [list('curated/')])).toEqual(['s3:ListBucket on arn:aws:s3:::lake (prefix "curated/")']);
  });

  test('a Glue call needs the catalog, the database and the table', () => {
    const get = (t: string) => callOfRequest('glue:GetTable', '/', JSON.stringify({ DatabaseName: 'db', Name: t }), at);
    expect(deniedCalls(statements, [get('raw')])).toEqual([]);
    expect(deniedCalls(statements, [get('curated')])).toEqual([
      'glue:GetTable on arn:aws:glue:us-east-1:123456789012:table/db/curated',
    ]);
  });
});
