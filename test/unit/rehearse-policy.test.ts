import {
  allows,
  dropGrant,
  iamAction,
  missingActions,
  parseDropGrant,
  policyFailures,
  statementsOfRole,
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
