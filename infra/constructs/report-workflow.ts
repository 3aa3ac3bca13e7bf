/**
 * The daily-report workflow: Athena queries over one day of compacted Parquet, the report in S3 under
 * reports/, and a summary by email on the alert topic, on weekdays after the US market close and on
 * demand. Its function plans and builds the report from the alert ledger; the state machine runs the
 * queries with the caller's permissions, so its role holds what Athena reads and writes.
 */
import { Duration, Stack, type CfnResource } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENV, LAKE, RESOURCE } from '../../src/shared/names';
import { acknowledgeWildcards, arnReference } from '../nag';
import type { PipelineFunction } from './function';
import {
  definitionSubstitutions,
  glueArns,
  workflowFunction,
  workflowSchedule,
  workflowStateMachine,
  type WorkflowCommonProps,
} from './state-machine';

export interface ReportWorkflowProps extends WorkflowCommonProps {
  /** The lake bucket: curated/ is read, reports/ written. */
  readonly lake: s3.IBucket;
  /** Where the Athena workgroup writes query results (its enforced location). */
  readonly athenaResults: s3.IBucket;
  /** The alert ledger the report function reads (a Scan of the day). */
  readonly alerts: dynamodb.ITable;
  /** The signal-state table: the report reads the day's late and duplicate ticks per symbol (a Scan). */
  readonly signalState: dynamodb.ITable;
  /** The report summary is published there. */
  readonly alertTopic: sns.ITopic;
  /** @default RESOURCE.athenaWorkgroup */
  readonly athenaWorkgroup?: string;
  /** Entry file of the report function, absolute path (tests use a fixture). @default the handler under src/ */
  readonly entry?: string;
  /** UTC time of the weekday report, `HH:MM`, after the US market close. @default '21:30' */
  readonly timeUtc?: string;
}

const parseTime = (value: string): { hour: string; minute: string } => {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (!m) throw new Error(`reportTimeUtc=${JSON.stringify(value)}: must be a UTC time written HH:MM`);
  return { hour: String(Number(m[1])), minute: String(Number(m[2])) };
};

export class ReportWorkflow extends Construct {
  readonly function: PipelineFunction;
  readonly stateMachine: sfn.StateMachine;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: ReportWorkflowProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const database = props.glueDatabase ?? RESOURCE.glueDatabase;
    const workgroup = props.athenaWorkgroup ?? RESOURCE.athenaWorkgroup;
    const { lake } = props;
    const lakeRef = arnReference(lake.node.defaultChild as CfnResource);
    const glue = glueArns(this, database);
    const { hour, minute } = parseTime(props.timeUtc ?? '21:30');

    const report = (this.function = workflowFunction(
      this,
      'report',
      { description: 'stockpipe: plans and builds the daily report', timeout: Duration.seconds(90), memorySize: 512 },
      { [ENV.alertTable]: props.alerts.tableName, [ENV.signalStateTable]: props.signalState.tableName },
      props,
    ));
    // A day's alerts of every symbol, also of one whose day is not compacted yet: a Scan filtered on
    // the day (the table holds alerts only), so the function cannot ask symbol by symbol.
    report.role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Scan'], resources: [props.alerts.tableArn] }));
    // One item per symbol: the day's late/duplicate counts of every symbol are one Scan.
    report.role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Scan'], resources: [props.signalState.tableArn] }));
    // The mail links to the stored page with a URL presigned by this role: S3 honours it only while the
    // signer itself may read the page.
    report.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [lake.arnForObjects(`${LAKE.reports}*`)] }),
    );
    acknowledgeWildcards(
      report.role,
      [`Resource::${lakeRef}/${LAKE.reports}*`],
      'The report pages are objects under reports/, one per day: the presigned link of the mail is signed by this role, which may read that prefix only.',
    );

    const sm = (this.stateMachine = workflowStateMachine(this, 'ReportWorkflow', {
      ...props,
      workflow: 'report',
      timeout: Duration.minutes(30),
      substitutions: definitionSubstitutions('report', {
        functionArns: { report: report.function.functionArn },
        lakeBucket: lake.bucketName,
        glueDatabase: database,
        athenaWorkgroup: workgroup,
        alertTopicArn: props.alertTopic.topicArn,
        opsTopicArn: props.opsTopic.topicArn,
      }),
    }));
    report.function.grantInvoke(sm);
    props.alertTopic.grantPublish(sm);
    const workgroupArn = stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: workgroup });
    sm.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'athena:StartQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:StopQueryExecution',
        ],
        resources: [workgroupArn],
      }),
    );
    // AWS's policy for startQueryExecution.sync includes it: Athena resolves the catalog as the caller.
    sm.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['athena:GetDataCatalog'],
        resources: [stack.formatArn({ service: 'athena', resource: 'datacatalog', resourceName: 'AwsDataCatalog' })],
      }),
    );
    // Athena runs the query with the caller's permissions: the catalog, the compacted data, and the raw
    // data the reconciliation reads the day from (signals-query.ts).
    sm.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
        resources: [...glue.catalog, glue.table(RESOURCE.curatedTable), glue.table(RESOURCE.rawTable)],
      }),
    );
    sm.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [lake.bucketArn] }),
    );
    sm.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [lake.arnForObjects(`${LAKE.curated}*`), lake.arnForObjects(`${LAKE.raw}*`)],
      }),
    );
    sm.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [lake.arnForObjects(`${LAKE.reports}*`)] }),
    );
    props.athenaResults.grantReadWrite(sm);
    const resultsRef = arnReference(props.athenaResults.node.defaultChild as CfnResource);
    acknowledgeWildcards(
      sm.role,
      [
        `Resource::<${stack.getLogicalId(report.function.node.defaultChild as CfnResource)}.Arn>:*`,
        `Resource::${lakeRef}/${LAKE.curated}*`,
        `Resource::${lakeRef}/${LAKE.raw}*`,
        `Resource::${lakeRef}/${LAKE.reports}*`,
        `Resource::${resultsRef}/*`,
        'Action::s3:GetObject*',
        'Action::s3:GetBucket*',
        'Action::s3:List*',
        'Action::s3:DeleteObject*',
        'Action::s3:Abort*',
      ],
      "Athena reads the day partitions of the compacted table and writes its results with the caller's permissions: CDK's read-write grant on the workgroup's result bucket, reads of curated/ (and raw/ for the day the reconciliation recomputes) and the report objects under reports/.",
    );

    this.schedule = workflowSchedule(this, 'ReportSchedule', {
      description: 'stockpipe: the daily report, after the US market close (UTC)',
      schedule: events.Schedule.cron({ minute, hour, weekDay: 'MON-FRI' }),
      enabled: props.scheduleEnabled,
      stateMachine: sm,
    });
  }
}
