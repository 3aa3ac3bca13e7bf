import { Match } from 'aws-cdk-lib/assertions';
import { Processing } from '../../../infra/constructs/processing';
import { ENV, LAKE } from '../../../src/shared/names';
import { bareStack, FIXTURE_ENTRY, inspectBare, statementsOfRole } from '../bare';

const fx = bareStack();
const processing = new Processing(fx.stack, 'Processing', {
  key: fx.key(),
  stream: fx.stream(),
  lake: fx.lake(),
  prices: fx.table(),
  entry: FIXTURE_ENTRY,
  ttlDays: 30,
});
const t = inspectBare(fx.stack);

describe('Processing', () => {
  test('the Kinesis event-source mapping has bounded retries, bisect, partial failures and an on-failure queue', () => {
    t.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: t.id(processing.function.function) },
      EventSourceArn: t.arn(fx.stream()),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 5,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: 3600,
      ParallelizationFactor: 1,
      DestinationConfig: { OnFailure: { Destination: t.arn(processing.deadLetters) } },
    });
  });

  test('the stream settings it is given reach the mapping', () => {
    const custom = bareStack();
    new Processing(custom.stack, 'Processing', {
      key: custom.key(),
      stream: custom.stream(),
      lake: custom.lake(),
      prices: custom.table(),
      entry: FIXTURE_ENTRY,
      ttlDays: 30,
      batchSize: 50,
      batchingWindowSeconds: 0,
      retryAttempts: 5,
      maxRecordAgeSeconds: 120,
      parallelizationFactor: 2,
    });
    inspectBare(custom.stack).template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 0,
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 120,
      ParallelizationFactor: 2,
    });
  });

  test('the processor is told the lake, the price table, the invalid-records queue and the TTL', () => {
    t.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.rawBucket]: { Ref: t.id(fx.lake()) },
          [ENV.priceTable]: { Ref: t.id(fx.table()) },
          [ENV.invalidQueueUrl]: { Ref: t.id(processing.invalidRecords) },
          [ENV.ttlDays]: '30',
        }),
      },
    });
  });

  test('both queues are encrypted with the key; the function may put raw/ objects, read the stored prices of its batch and write prices only', () => {
    t.template.resourceCountIs('AWS::SQS::Queue', 2);
    t.template.allResourcesProperties('AWS::SQS::Queue', { KmsMasterKeyId: t.arn(fx.key()) });
    const statements = statementsOfRole(t, processing.function.role);
    expect(statements).toContainEqual(
      expect.objectContaining({ Resource: { 'Fn::Join': ['', [t.arn(fx.lake()), `/${LAKE.raw}*`]] } }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:PutItem'],
        Resource: [t.arn(fx.table())],
      }),
    );
  });
});
