import { Match } from 'aws-cdk-lib/assertions';
import { Ingestion } from '../../../infra/constructs/ingestion';
import { ENV, RESOURCE } from '../../../src/shared/names';
import { bareStack, FIXTURE_ENTRY, inspectBare } from '../bare';

const fx = bareStack();
const ingestion = new Ingestion(fx.stack, 'Ingestion', {
  producerEntry: FIXTURE_ENTRY,
  symbols: ['AAPL'],
  cadenceSeconds: 30,
  quoteSource: 'yahoo',
});
const t = inspectBare(fx.stack);

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
});
