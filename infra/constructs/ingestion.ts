/** Ingestion: the Kinesis stream, the producer function and the once-a-minute schedule that runs it. */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../src/shared/names';
import { PipelineFunction } from './function';

export interface IngestionProps {
  /** Absolute path of the producer's entry file. */
  readonly producerEntry: string;
  readonly symbols: readonly string[];
  /** Seconds between samples within the minute; divides 60. */
  readonly cadenceSeconds: number;
  readonly quoteSource: string;
  /**
   * The price table. With the synthetic source the producer reads each symbol's last price from it
   * (Query only) when a new container starts its walk, so the walk continues instead of jumping;
   * other sources get neither the table's name nor access to it.
   */
  readonly prices: dynamodb.ITable;
  /** @default true */
  readonly scheduleEnabled?: boolean;
  /** @default 'provisioned' */
  readonly streamMode?: 'provisioned' | 'on-demand';
  /** Shards of a provisioned stream. @default 1 */
  readonly shardCount?: number;
  /** @default - PipelineFunction's default */
  readonly logRetention?: logs.RetentionDays;
  /** Applies to the producer's log group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class Ingestion extends Construct {
  readonly stream: kinesis.Stream;
  readonly producer: PipelineFunction;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    const onDemand = props.streamMode === 'on-demand';
    this.stream = new kinesis.Stream(this, 'Stream', {
      // KMS with the AWS managed aws/kinesis key: every producer and consumer call would otherwise
      // add KMS requests on a customer key (AwsSolutions-KDS3), for no access control we need.
      encryption: kinesis.StreamEncryption.MANAGED,
      streamMode: onDemand ? kinesis.StreamMode.ON_DEMAND : kinesis.StreamMode.PROVISIONED,
      shardCount: onDemand ? undefined : (props.shardCount ?? 1),
      retentionPeriod: Duration.hours(24),
      // A 24-hour buffer billed by the hour: keeping it after the stack is gone would keep nothing but cost.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const synthetic = props.quoteSource === 'synthetic';
    this.producer = new PipelineFunction(this, 'Producer', {
      entry: props.producerEntry,
      description: 'stockpipe producer: samples quotes and puts them on the stream',
      environment: {
        [ENV.streamName]: this.stream.streamName,
        [ENV.symbols]: props.symbols.join(','),
        [ENV.cadenceSeconds]: String(props.cadenceSeconds),
        [ENV.quoteSource]: props.quoteSource,
        ...(synthetic ? { [ENV.priceTable]: props.prices.tableName } : {}),
      },
      // One invocation samples for a whole minute (60 / cadence samples), then returns.
      timeout: Duration.seconds(90),
      // A retried run would put minute-old quotes late; the next scheduled run is a minute away.
      asyncRetryAttempts: 0,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.stream.grantWrite(this.producer.function);
    // One Query per symbol (newest item, price only); no other read, and no write.
    if (synthetic) props.prices.grant(this.producer.function, 'dynamodb:Query');

    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'stockpipe ingest schedule: runs the producer once a minute',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      enabled: props.scheduleEnabled ?? true,
      targets: [
        new targets.LambdaFunction(this.producer.function, {
          retryAttempts: 0,
          maxEventAge: Duration.minutes(1),
        }),
      ],
    });
  }
}
