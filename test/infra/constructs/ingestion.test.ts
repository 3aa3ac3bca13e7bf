import { Match } from 'aws-cdk-lib/assertions';
import { Ingestion } from '../../../infra/constructs/ingestion';
import { ENV, RESOURCE } from '../../../src/shared/names';
import { bareStack, FIXTURE_ENTRY, inspectBare, statementsOfRole } from '../bare';

const fx = bareStack();
const ingestion = new Ingestion(fx.stack, 'Ingestion', {
  producerEntry: FIXTURE_ENTRY,
  symbols: ['AAPL'],
  cadenceSeconds: 30,
  quoteSource: 'yahoo',
  prices: fx.table(),
});
const t = inspectBare(fx.stack);

// The same construct with the synthetic source, which reads the last stored prices.
const sx = bareStack();
const synthetic = new Ingestion(sx.stack, 'Ingestion', {
  producerEntry: FIXTURE_ENTRY,
  symbols: ['SYN000', 'SYN001'],
  cadenceSeconds: 30,
  quoteSource: 'synthetic',
  prices: sx.table(),
});
const st = inspectBare(sx.stack);

describe('Ingestion', () => {
  test('the stream is KMS-encrypted, provisioned with one shard, keeps 24 hours and is deleted with the stack', () => {
    t.template.resourceCountIs('AWS::Kinesis::Stream', 1);
    t.template.hasResource('AWS::Kinesis::Stream', {
      DeletionPolicy: 'Delete',
      Properties: {
        StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        ShardCount: 1,
        RetentionPeriodHours: 24,
      },
    });
  });

  test('the schedule rule runs the producer once a minute, enabled, without EventBridge retries', () => {
    t.template.resourcePropertiesCountIs('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' }, 1);
    t.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: t.arn(ingestion.producer.function),
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        }),
      ],
    });
  });

  test('the producer gets stream, symbols, cadence and source from ENV names and is not retried by Lambda', () => {
    t.template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 90,
      Environment: {
        Variables: {
          [ENV.streamName]: { Ref: t.id(ingestion.stream) },
          [ENV.symbols]: 'AAPL',
          [ENV.cadenceSeconds]: '30',
          [ENV.quoteSource]: 'yahoo',
          POWERTOOLS_SERVICE_NAME: RESOURCE.service,
          POWERTOOLS_METRICS_NAMESPACE: RESOURCE.metricsNamespace,
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
    t.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: t.id(ingestion.producer.function) },
      MaximumRetryAttempts: 0,
    });
  });

  test('with yahoo the producer may only write logs, trace and put records: no price table name, no DynamoDB action', () => {
    const variables = JSON.stringify(t.template.findResources('AWS::Lambda::Function'));
    expect(variables).not.toContain(ENV.priceTable);
    const actions = statementsOfRole(t, ingestion.producer.role).flatMap((s) => s.Action);
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
    expect(actions).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'kinesis:ListShards',
      'kinesis:PutRecord',
      'kinesis:PutRecords',
    ]);
  });

  test('with the synthetic source the producer is told the price table and may only Query it, besides its stream', () => {
    st.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.quoteSource]: 'synthetic',
          [ENV.symbols]: 'SYN000,SYN001',
          [ENV.priceTable]: { Ref: st.id(sx.table()) },
        }),
      },
    });
    const statements = statementsOfRole(st, synthetic.producer.role);
    const dynamo = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toEqual([expect.objectContaining({ Action: 'dynamodb:Query', Resource: [st.arn(sx.table())] })]);
    expect(statements.flatMap((s) => s.Action)).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'kinesis:ListShards',
      'kinesis:PutRecord',
      'kinesis:PutRecords',
      'dynamodb:Query',
    ]);
  });
});
