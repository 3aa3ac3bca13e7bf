/**
 * Analysis and alerts: the function on the price table's stream (INSERTs only) that folds prices into
 * SMA-5/SMA-20 state and publishes crossovers, the alert topic with its email subscription, and the
 * function's dead-letter queue.
 */
import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../src/shared/names';
import { acknowledgeKeyGrantWildcards } from '../nag';
import { PipelineFunction } from './function';
import { EncryptedQueue } from './queue';
import { streamSourceProps, type StreamSettings } from './stream-settings';

/**
 * The analysis mapping always reads one batch per shard at a time: DynamoDB Streams orders records
 * per item (symbol + timestamp), not per symbol, so with a parallelization factor above 1 Lambda could
 * fold two ticks of one symbol concurrently and out of order. `parallelizationFactor` is therefore
 * not a setting of this construct (the processing mapping takes it: Kinesis keeps order per partition
 * key, the symbol, at any factor).
 */
export interface AnalysisProps extends Omit<StreamSettings, 'parallelizationFactor'> {
  readonly key: kms.IKey;
  /** The price table; its stream drives the function. */
  readonly prices: dynamodb.ITable;
  readonly signalState: dynamodb.ITable;
  readonly alerts: dynamodb.ITable;
  /** Absolute path of the analysis function's entry file. */
  readonly entry: string;
  /** Subscribed to the alert topic by email. @default - no subscription */
  readonly alertEmail?: string;
  /** @default - PipelineFunction's default */
  readonly logRetention?: logs.RetentionDays;
  /** Applies to the queue and the log group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class Analysis extends Construct {
  readonly function: PipelineFunction;
  readonly alertTopic: sns.Topic;
  /** Failed stream batches (from the event-source mapping) and alerts that could not be published (from the handler). */
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: AnalysisProps) {
    super(scope, id);
    this.alertTopic = new sns.Topic(this, 'AlertTopic', {
      displayName: 'stockpipe BUY/SELL alerts',
      masterKey: props.key,
      enforceSSL: true,
    });
    if (props.alertEmail) {
      this.alertTopic.addSubscription(new subscriptions.EmailSubscription(props.alertEmail));
    } else {
      Annotations.of(this.alertTopic).addWarningV2(
        'stockpipe:noAlertEmail',
        'No alertEmail set: alerts are published but nobody is subscribed. Deploy with -c stockpipe:alertEmail=you@example.com',
      );
    }
    this.deadLetters = new EncryptedQueue(this, 'DeadLetters', {
      key: props.key,
      purpose: 'failed DynamoDB-stream batches and alerts that could not be published',
      removalPolicy: props.removalPolicy,
    }).queue;

    this.function = new PipelineFunction(this, 'Analyser', {
      entry: props.entry,
      description: 'stockpipe analysis: SMA-5/SMA-20 crossovers on new prices, published as alerts',
      environment: {
        [ENV.priceTable]: props.prices.tableName,
        [ENV.signalStateTable]: props.signalState.tableName,
        [ENV.alertTable]: props.alerts.tableName,
        [ENV.alertTopicArn]: this.alertTopic.topicArn,
        [ENV.analysisDlqUrl]: this.deadLetters.queueUrl,
      },
      timeout: Duration.seconds(60),
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const fn = this.function.function;
    // A batch's states in one BatchGetItem; a symbol reloads its own with GetItem after a conflicting save.
    props.signalState.grant(fn, 'dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem');
    // The fold reads the symbol's ticks back from the table, in timestamp order (analyse-batch.ts).
    props.prices.grant(fn, 'dynamodb:Query');
    props.alerts.grant(fn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Scan');
    this.alertTopic.grantPublish(fn);
    this.deadLetters.grantSendMessages(fn);
    fn.addEventSource(
      new DynamoEventSource(props.prices, {
        ...streamSourceProps({ ...props, parallelizationFactor: 1 }, this.deadLetters),
        // New ticks, and rewrites of a tick (a duplicate is counted); TTL deletions never reach the function.
        filters: [lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.or('INSERT', 'MODIFY') })],
      }),
    );
    acknowledgeKeyGrantWildcards(
      this.function.role,
      'publishing to the encrypted alert topic and sending to the dead-letter queue',
    );
  }
}
