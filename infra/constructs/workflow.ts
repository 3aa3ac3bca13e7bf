/**
 * The Step Functions workflows: lake maintenance (compaction to Parquet and Glue partitions, hourly
 * and on demand) and the daily report (Athena queries over one day of Parquet, report in S3, summary
 * by email, after the market close and on demand). The definitions are the ASL files of
 * statemachines/, loaded with DefinitionBody.fromFile and filled in by workflowSubstitutions(), the
 * same function the local runner uses. Each state machine has its own role with only what its tasks
 * call, logs ALL events without execution data, and traces with X-Ray.
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, type CfnResource } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENV, LAKE, RESOURCE } from '../../src/shared/names';
import {
  MAINTENANCE_PREFIX,
  WORKFLOWS,
  workflowSubstitutions,
  type WorkflowFunction,
  type WorkflowName,
} from '../../src/shared/workflow-substitutions';
import { acknowledgeKeyGrantWildcards, acknowledgeWildcards, arnReference } from '../nag';
import { PipelineFunction, REPO_ROOT } from './function';

/** Entry files of the workflow's functions, relative to the repository root. */
export const WORKFLOW_HANDLER_ENTRY: Readonly<Record<WorkflowFunction, string>> = {
  findPartitions: 'src/compaction/find-handler.ts',
  compaction: 'src/compaction/handler.ts',
  registerPartitions: 'src/compaction/register-handler.ts',
  report: 'src/report/handler.ts',
};

const FUNCTION_SETTINGS: Readonly<Record<WorkflowFunction, { description: string; timeout: Duration; memorySize: number }>> = {
  findPartitions: {
    description: 'stockpipe: finds raw partitions to compact or register',
    timeout: Duration.minutes(4),
    memorySize: 512,
  },
  // Below the task's 300 s TimeoutSeconds, so that Lambda's own timeout error is the one reported.
  compaction: { description: 'stockpipe: compacts one raw partition to Parquet', timeout: Duration.minutes(4), memorySize: 1024 },
  registerPartitions: {
    description: 'stockpipe: registers partitions in the Glue catalog',
    timeout: Duration.minutes(4),
    memorySize: 256,
  },
  report: { description: 'stockpipe: plans and builds the daily report', timeout: Duration.seconds(90), memorySize: 512 },
};

export interface WorkflowsProps {
  /** The pipeline key: the topics are encrypted with it. */
  readonly key: kms.IKey;
  /** The lake bucket: raw/, curated/, reports/ and maintenance/ prefixes. */
  readonly lake: s3.IBucket;
  /** Where the Athena workgroup writes query results (its enforced location). */
  readonly athenaResults: s3.IBucket;
  readonly alerts: dynamodb.ITable;
  readonly alertTopic: sns.ITopic;
  readonly opsTopic: sns.ITopic;
  /** @default RESOURCE.glueDatabase */
  readonly glueDatabase?: string;
  /** @default RESOURCE.athenaWorkgroup */
  readonly athenaWorkgroup?: string;
  /** Entry files by function, absolute paths (tests use fixtures). @default the handlers under src/ */
  readonly entries?: Partial<Record<WorkflowFunction, string>>;
  /** Minutes between scheduled maintenance runs. @default 60 */
  readonly maintenanceEveryMinutes?: number;
  /** UTC time of the weekday report, `HH:MM`, after the US market close. @default '21:30' */
  readonly reportTimeUtc?: string;
  /** Whether both schedules start enabled. @default true */
  readonly schedulesEnabled?: boolean;
  /** Log execution input and output (may contain market data). @default false */
  readonly includeExecutionData?: boolean;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Applies to the log groups. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

const parseTime = (value: string): { hour: string; minute: string } => {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (!m) throw new Error(`reportTimeUtc=${JSON.stringify(value)}: must be a UTC time written HH:MM`);
  return { hour: String(Number(m[1])), minute: String(Number(m[2])) };
};

export class Workflows extends Construct {
  readonly functions: Readonly<Record<WorkflowFunction, PipelineFunction>>;
  readonly maintenance: sfn.StateMachine;
  readonly report: sfn.StateMachine;
  readonly maintenanceSchedule: events.Rule;
  readonly reportSchedule: events.Rule;

  constructor(scope: Construct, id: string, props: WorkflowsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const database = props.glueDatabase ?? RESOURCE.glueDatabase;
    const workgroup = props.athenaWorkgroup ?? RESOURCE.athenaWorkgroup;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const lakeRef = arnReference(props.lake.node.defaultChild as CfnResource);
    const glueArn = (resource: string, resourceName?: string) =>
      stack.formatArn({ service: 'glue', resource, ...(resourceName ? { resourceName } : {}) });
    const glueTables = [RESOURCE.rawTable, RESOURCE.curatedTable].map((t) => glueArn('table', `${database}/${t}`));
    const glueCatalog = [glueArn('catalog'), glueArn('database', database)];

    const make = (fn: WorkflowFunction, environment: Record<string, string>) =>
      new PipelineFunction(this, `${fn[0]!.toUpperCase()}${fn.slice(1)}`, {
        entry: props.entries?.[fn] ?? path.join(REPO_ROOT, WORKFLOW_HANDLER_ENTRY[fn]),
        ...FUNCTION_SETTINGS[fn],
        environment,
        ...(props.logRetention ? { logRetention: props.logRetention } : {}),
        removalPolicy,
        // Step Functions invokes synchronously and retries by itself.
      });
    this.functions = {
      findPartitions: make('findPartitions', { [ENV.rawBucket]: props.lake.bucketName, [ENV.glueDatabase]: database }),
      compaction: make('compaction', { [ENV.rawBucket]: props.lake.bucketName }),
      registerPartitions: make('registerPartitions', { [ENV.glueDatabase]: database }),
      report: make('report', { [ENV.alertTable]: props.alerts.tableName }),
    };
    const { findPartitions, compaction, registerPartitions, report } = this.functions;

    // The finder lists raw/ and curated/ and reads curated objects' metadata; it lists partitions.
    findPartitions.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.lake.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${LAKE.raw}*`, `${LAKE.curated}*`] } },
      }),
    );
    findPartitions.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.lake.arnForObjects(`${LAKE.curated}*`)] }),
    );
    findPartitions.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['glue:GetTable', 'glue:GetPartitions'], resources: [...glueCatalog, ...glueTables] }),
    );
    // Compaction reads raw/, writes curated/ and the rejected-lines reports under maintenance/.
    compaction.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.lake.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${LAKE.raw}*`] } },
      }),
    );
    compaction.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.lake.arnForObjects(`${LAKE.raw}*`)] }),
    );
    compaction.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [props.lake.arnForObjects(`${LAKE.curated}*`), props.lake.arnForObjects(`${MAINTENANCE_PREFIX}rejected/*`)],
      }),
    );
    registerPartitions.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['glue:GetTable', 'glue:BatchCreatePartition'],
        resources: [...glueCatalog, ...glueTables],
      }),
    );
    report.role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [props.alerts.tableArn] }));

    const wildcardReason =
      'Scoped to one prefix of the lake bucket: the objects under it are named by partition and batch, so they cannot be listed one by one.';
    acknowledgeWildcards(findPartitions.role, [`Resource::${lakeRef}/${LAKE.curated}*`], wildcardReason);
    acknowledgeWildcards(
      compaction.role,
      [
        `Resource::${lakeRef}/${LAKE.raw}*`,
        `Resource::${lakeRef}/${LAKE.curated}*`,
        `Resource::${lakeRef}/${MAINTENANCE_PREFIX}rejected/*`,
      ],
      wildcardReason,
    );

    const functionArns = Object.fromEntries(
      Object.entries(this.functions).map(([k, f]) => [k, f.function.functionArn]),
    ) as Record<WorkflowFunction, string>;
    const substitutions = workflowSubstitutions({
      functionArns,
      lakeBucket: props.lake.bucketName,
      glueDatabase: database,
      athenaWorkgroup: workgroup,
      alertTopicArn: props.alertTopic.topicArn,
      opsTopicArn: props.opsTopic.topicArn,
    });

    const machine = (name: WorkflowName, idPrefix: string, timeout: Duration) => {
      const logGroup = new logs.LogGroup(this, `${idPrefix}Logs`, {
        retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
        removalPolicy,
      });
      const sm = new sfn.StateMachine(this, idPrefix, {
        comment: `stockpipe ${name} workflow (${WORKFLOWS[name].file})`,
        definitionBody: sfn.DefinitionBody.fromFile(path.join(REPO_ROOT, WORKFLOWS[name].file)),
        definitionSubstitutions: substitutions,
        stateMachineType: sfn.StateMachineType.STANDARD,
        timeout,
        tracingEnabled: true,
        logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: props.includeExecutionData ?? false },
        removalPolicy,
      });
      props.opsTopic.grantPublish(sm);
      // CDK's log-delivery and X-Ray statements: neither service supports resource-level permissions.
      acknowledgeWildcards(
        sm.role,
        ['Resource::*'],
        'CloudWatch Logs delivery (logs:*LogDelivery, logs:Describe*) and X-Ray (PutTraceSegments, GetSampling*) need Resource "*": they have no resource-level permissions.',
      );
      acknowledgeKeyGrantWildcards(sm.role, 'publishing to the KMS-encrypted topics');
      return sm;
    };

    this.maintenance = machine('maintenance', 'MaintenanceWorkflow', Duration.hours(1));
    for (const fn of [findPartitions, compaction, registerPartitions]) fn.function.grantInvoke(this.maintenance);
    this.maintenance.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [props.lake.arnForObjects(`${MAINTENANCE_PREFIX}runs/*`)],
      }),
    );
    acknowledgeWildcards(
      this.maintenance.role,
      [
        ...[findPartitions, compaction, registerPartitions].map(
          (f) => `Resource::<${stack.getLogicalId(f.function.node.defaultChild as CfnResource)}.Arn>:*`,
        ),
        `Resource::${lakeRef}/${MAINTENANCE_PREFIX}runs/*`,
      ],
      "Invocations of the workflow's own functions (any version, as CDK's grantInvoke writes it) and run records under one lake prefix.",
    );

    this.report = machine('report', 'ReportWorkflow', Duration.minutes(30));
    report.function.grantInvoke(this.report);
    props.alertTopic.grantPublish(this.report);
    const workgroupArn = stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: workgroup });
    this.report.addToRolePolicy(
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
    // Athena runs the query with the caller's permissions: the catalog and the compacted data.
    this.report.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
        resources: [...glueCatalog, glueArn('table', `${database}/${RESOURCE.curatedTable}`)],
      }),
    );
    this.report.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [props.lake.bucketArn] }),
    );
    this.report.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.lake.arnForObjects(`${LAKE.curated}*`)] }),
    );
    this.report.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [props.lake.arnForObjects(`${LAKE.reports}*`)] }),
    );
    props.athenaResults.grantReadWrite(this.report);
    const resultsRef = arnReference(props.athenaResults.node.defaultChild as CfnResource);
    acknowledgeWildcards(
      this.report.role,
      [
        `Resource::<${stack.getLogicalId(report.function.node.defaultChild as CfnResource)}.Arn>:*`,
        `Resource::${lakeRef}/${LAKE.curated}*`,
        `Resource::${lakeRef}/${LAKE.reports}*`,
        `Resource::${resultsRef}/*`,
        'Action::s3:GetObject*',
        'Action::s3:GetBucket*',
        'Action::s3:List*',
        'Action::s3:DeleteObject*',
        'Action::s3:Abort*',
      ],
      "Athena reads the day partitions of the compacted table and writes its results with the caller's permissions: CDK's read-write grant on the workgroup's result bucket, reads of curated/ and the report objects under reports/.",
    );

    const { hour, minute } = parseTime(props.reportTimeUtc ?? '21:30');
    const enabled = props.schedulesEnabled ?? true;
    this.maintenanceSchedule = new events.Rule(this, 'MaintenanceSchedule', {
      description: 'stockpipe: compacts and registers new lake partitions',
      schedule: events.Schedule.rate(Duration.minutes(props.maintenanceEveryMinutes ?? 60)),
      enabled,
      targets: [new targets.SfnStateMachine(this.maintenance, { input: events.RuleTargetInput.fromObject({}) })],
    });
    this.reportSchedule = new events.Rule(this, 'ReportSchedule', {
      description: 'stockpipe: the daily report, after the US market close (UTC)',
      schedule: events.Schedule.cron({ minute, hour, weekDay: 'MON-FRI' }),
      enabled,
      targets: [new targets.SfnStateMachine(this.report, { input: events.RuleTargetInput.fromObject({}) })],
    });
  }
}
