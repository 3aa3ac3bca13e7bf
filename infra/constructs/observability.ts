/**
 * Observability: the ops topic the alarms notify, the alarms (dead letters, stream lag, function
 * errors and throttles, failed workflow runs) and one dashboard of the pipeline's health.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RESOURCE } from '../../src/shared/names';

export interface ObservabilityProps {
  /** Encrypts the ops topic; CloudWatch gets use of it in the key policy. */
  readonly key: kms.IKey;
  /** Subscribed to the ops topic by email. @default - no subscription */
  readonly opsEmail?: string;
  readonly stream: kinesis.IStream;
  /** Functions by label; each gets an errors and a throttles alarm. */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /** Functions fed by a stream, by label; their iterator age goes on the dashboard. */
  readonly streamFunctions: Readonly<Record<string, lambda.IFunction>>;
  /** Queues by label that should always be empty; each gets a depth alarm. */
  readonly deadLetterQueues: Readonly<Record<string, sqs.IQueue>>;
  readonly alertTopic: sns.ITopic;
  /** Alarm when the stream's oldest unread record is older than this. @default 300 */
  readonly iteratorAgeAlarmSeconds?: number;
  /** Labels of functions whose single failures recover on their own (the scheduled producer). @default - none */
  readonly sporadicErrorFunctions?: readonly string[];
}

const PERIOD = Duration.minutes(1);

export class Observability extends Construct {
  readonly opsTopic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly action: actions.SnsAction;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.opsTopic = new sns.Topic(this, 'OpsTopic', {
      displayName: 'stockpipe operations alarms',
      masterKey: props.key,
      enforceSSL: true,
    });
    if (props.opsEmail) this.opsTopic.addSubscription(new subscriptions.EmailSubscription(props.opsEmail));
    // CloudWatch publishes alarm notifications itself, so it must be able to use the topic's key.
    // In a key policy, Resource "*" means this key.
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToEncryptedOpsTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    // enforceSSL leaves the topic policy with a Deny only: without this Allow no alarm reaches the topic.
    const stack = Stack.of(this);
    this.opsTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.opsTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    this.action = new actions.SnsAction(this.opsTopic);

    for (const [label, queue] of Object.entries(props.deadLetterQueues)) {
      this.alarm(`${label}Depth`, queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }), {
        threshold: 0,
        description: `${label} holds messages: records or batches the pipeline could not handle. Inspect and redrive.`,
      });
    }
    const iteratorAge = props.stream.metricGetRecordsIteratorAgeMilliseconds({
      period: PERIOD,
      statistic: 'Maximum',
    });
    this.alarm('StreamIteratorAge', iteratorAge, {
      threshold: (props.iteratorAgeAlarmSeconds ?? 300) * 1000,
      evaluationPeriods: 5,
      description: 'Processing lags behind the Kinesis stream; records near the retention limit will be lost.',
    });
    for (const [label, fn] of Object.entries(props.functions)) {
      // The producer's source (Yahoo) answers 429 at times and the next minute's run recovers: only
      // errors in 3 of 5 consecutive minutes need an operator. Any other function's error loses or delays data.
      const sporadic = props.sporadicErrorFunctions?.includes(label) ?? false;
      this.alarm(`${label}Errors`, fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), {
        threshold: 0,
        description: sporadic
          ? `The ${label} function failed in 3 of 5 consecutive minutes (a single failure, e.g. a 429 from the source, is retried by the next run).`
          : `The ${label} function failed invocations.`,
        ...(sporadic ? { evaluationPeriods: 5, datapointsToAlarm: 3 } : {}),
      });
      this.alarm(`${label}Throttles`, fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }), {
        threshold: 0,
        description: `The ${label} function was throttled.`,
      });
    }

    // Ticks the analysis could not fold in order: its alerts may differ from what the data says until
    // the cause (a DLQ replayed late, a source sending old quotes) is looked at. `stockpipe status` lists them.
    const custom = (metricName: string, label?: string) =>
      new cloudwatch.Metric({
        namespace: RESOURCE.metricsNamespace,
        metricName,
        dimensionsMap: { service: RESOURCE.service },
        period: PERIOD,
        statistic: 'Sum',
        ...(label ? { label } : {}),
      });
    this.alarm('LateTicks', custom('LateTicks'), {
      threshold: 0,
      description: 'The analysis received ticks older than ones it had folded (late ticks); see stockpipe status.',
    });

    const fns = Object.entries(props.functions);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Ingest rate (records/min)',
        left: [props.stream.metricIncomingRecords({ period: PERIOD, statistic: 'Sum', label: 'into Kinesis' })],
      }),
      new cloudwatch.GraphWidget({
        title: 'Processing latency (ms)',
        left: fns.flatMap(([label, fn]) => [
          fn.metricDuration({ period: PERIOD, statistic: 'p50', label: `${label} p50` }),
          fn.metricDuration({ period: PERIOD, statistic: 'p99', label: `${label} p99` }),
        ]),
      }),
      new cloudwatch.GraphWidget({
        title: 'Iterator age (ms)',
        left: [
          iteratorAge.with({ label: 'Kinesis stream' }),
          ...Object.entries(props.streamFunctions).map(([label, fn]) =>
            fn.metric('IteratorAge', { period: PERIOD, statistic: 'Maximum', label }),
          ),
        ],
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Alerts sent',
        left: [
          props.alertTopic.metricNumberOfMessagesPublished({
            period: PERIOD,
            statistic: 'Sum',
            label: 'alerts published',
          }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead-letter depth',
        left: Object.entries(props.deadLetterQueues).map(([label, q]) =>
          q.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label }),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'Ticks not folded, report differences',
        left: [
          custom('LateTicks', 'late ticks'),
          custom('DuplicateTicks', 'duplicate ticks'),
          custom('ReconciliationDifferences', 'alerts vs recomputed crossovers'),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Function errors and throttles',
        left: fns.map(([label, fn]) => fn.metricErrors({ period: PERIOD, statistic: 'Sum', label: `${label} errors` })),
        right: fns.map(([label, fn]) => fn.metricThrottles({ period: PERIOD, statistic: 'Sum', label: `${label} throttles` })),
      }),
    );
  }

  /**
   * Watches a workflow: an alarm on failed executions and a dashboard row of its runs.
   * The maintenance workflow calls this when it plugs into the stack.
   */
  monitorStateMachine(label: string, stateMachine: sfn.IStateMachine): cloudwatch.Alarm {
    const failed = stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' });
    const alarm = this.alarm(`${label}FailedExecutions`, failed, {
      threshold: 0,
      description: `The ${label} workflow had failed executions.`,
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `Workflow runs: ${label}`,
        width: 24,
        left: [
          stateMachine.metricStarted({ period: Duration.minutes(5), statistic: 'Sum', label: 'started' }),
          stateMachine.metricSucceeded({ period: Duration.minutes(5), statistic: 'Sum', label: 'succeeded' }),
          failed.with({ label: 'failed' }),
          stateMachine.metricTimedOut({ period: Duration.minutes(5), statistic: 'Sum', label: 'timed out' }),
        ],
      }),
    );
    return alarm;
  }

  private alarm(
    id: string,
    metric: cloudwatch.IMetric,
    opts: {
      readonly threshold: number;
      readonly description: string;
      readonly evaluationPeriods?: number;
      readonly datapointsToAlarm?: number;
    },
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold: opts.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: opts.evaluationPeriods ?? 1,
      ...(opts.datapointsToAlarm ? { datapointsToAlarm: opts.datapointsToAlarm } : {}),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: opts.description,
    });
    // No OK action: every alarm starts INSUFFICIENT_DATA and goes OK after deploy, which would mail one
    // message per alarm; the operator acts on ALARM, and the console shows the recovery.
    alarm.addAlarmAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }
}
