/**
 * The lake-maintenance workflow: finds the raw partitions to compact, compacts each to Parquet under
 * curated/ and registers the partitions in the Glue catalog, hourly and on demand. Its three functions
 * each get only what they call; the state machine invokes them and records its runs under maintenance/.
 */
import { Duration, Stack, type CfnResource } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENV, LAKE, RESOURCE } from '../../src/shared/names';
import { MAINTENANCE_PREFIX } from '../../src/shared/workflow-substitutions';
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

export type MaintenanceFunction = 'findPartitions' | 'compaction' | 'registerPartitions';

export interface MaintenanceWorkflowProps extends WorkflowCommonProps {
  /** The lake bucket: raw/ is read, curated/ and maintenance/ are written. */
  readonly lake: s3.IBucket;
  /** Entry files by function, absolute paths (tests use fixtures). @default the handlers under src/ */
  readonly entries?: Partial<Record<MaintenanceFunction, string>>;
  /** Minutes between scheduled runs. @default 60 */
  readonly everyMinutes?: number;
}

export class MaintenanceWorkflow extends Construct {
  readonly functions: Readonly<Record<MaintenanceFunction, PipelineFunction>>;
  readonly stateMachine: sfn.StateMachine;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: MaintenanceWorkflowProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const database = props.glueDatabase ?? RESOURCE.glueDatabase;
    const { lake } = props;
    const lakeRef = arnReference(lake.node.defaultChild as CfnResource);
    const glue = glueArns(this, database);
    const glueTables = [RESOURCE.rawTable, RESOURCE.curatedTable].map((t) => glue.table(t));
    const fn = (name: MaintenanceFunction, description: string, memorySize: number, environment: Record<string, string>) =>
      workflowFunction(this, name, { description, timeout: Duration.minutes(4), memorySize }, environment, {
        ...props,
        entry: props.entries?.[name],
      });

    // Four minutes, below the tasks' 300 s TimeoutSeconds: Lambda's own timeout error is the one reported.
    this.functions = {
      findPartitions: fn('findPartitions', 'stockpipe: finds raw partitions to compact or register', 512, {
        [ENV.rawBucket]: lake.bucketName,
        [ENV.glueDatabase]: database,
      }),
      compaction: fn('compaction', 'stockpipe: compacts one raw day to Parquet, per symbol', 1024, {
        [ENV.rawBucket]: lake.bucketName,
      }),
      registerPartitions: fn('registerPartitions', 'stockpipe: registers partitions in the Glue catalog', 256, {
        [ENV.rawBucket]: lake.bucketName,
        [ENV.glueDatabase]: database,
      }),
    };
    const { findPartitions, compaction, registerPartitions } = this.functions;

    // The finder lists raw/ and curated/ and reads curated objects' metadata; it lists partitions.
    findPartitions.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [lake.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${LAKE.raw}*`, `${LAKE.curated}*`] } },
      }),
    );
    findPartitions.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [lake.arnForObjects(`${LAKE.curated}*`)] }),
    );
    findPartitions.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['glue:GetTable', 'glue:GetPartitions'], resources: [...glue.catalog, ...glueTables] }),
    );
    // Compaction reads raw/, writes curated/ and the rejected-lines reports under maintenance/.
    compaction.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [lake.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${LAKE.raw}*`] } },
      }),
    );
    compaction.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [lake.arnForObjects(`${LAKE.raw}*`)] }),
    );
    compaction.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [lake.arnForObjects(`${LAKE.curated}*`), lake.arnForObjects(`${MAINTENANCE_PREFIX}rejected/*`)],
      }),
    );
    // The registrar reads the days' manifests (the symbols of each day) that compaction wrote.
    registerPartitions.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [lake.arnForObjects(`${LAKE.curatedManifests}*`)] }),
    );
    registerPartitions.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['glue:GetTable', 'glue:BatchCreatePartition'],
        resources: [...glue.catalog, ...glueTables],
      }),
    );

    const wildcardReason =
      'Scoped to one prefix of the lake bucket: the objects under it are named by partition and batch, so they cannot be listed one by one.';
    acknowledgeWildcards(findPartitions.role, [`Resource::${lakeRef}/${LAKE.curated}*`], wildcardReason);
    acknowledgeWildcards(registerPartitions.role, [`Resource::${lakeRef}/${LAKE.curatedManifests}*`], wildcardReason);
    acknowledgeWildcards(
      compaction.role,
      [
        `Resource::${lakeRef}/${LAKE.raw}*`,
        `Resource::${lakeRef}/${LAKE.curated}*`,
        `Resource::${lakeRef}/${MAINTENANCE_PREFIX}rejected/*`,
      ],
      wildcardReason,
    );

    this.stateMachine = workflowStateMachine(this, 'MaintenanceWorkflow', {
      ...props,
      workflow: 'maintenance',
      timeout: Duration.hours(1),
      substitutions: definitionSubstitutions('maintenance', {
        functionArns: {
          findPartitions: findPartitions.function.functionArn,
          compaction: compaction.function.functionArn,
          registerPartitions: registerPartitions.function.functionArn,
        },
        lakeBucket: lake.bucketName,
        opsTopicArn: props.opsTopic.topicArn,
      }),
    });
    const functions = [findPartitions, compaction, registerPartitions];
    for (const f of functions) f.function.grantInvoke(this.stateMachine);
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [lake.arnForObjects(`${MAINTENANCE_PREFIX}runs/*`)] }),
    );
    acknowledgeWildcards(
      this.stateMachine.role,
      [
        ...functions.map((f) => `Resource::<${stack.getLogicalId(f.function.node.defaultChild as CfnResource)}.Arn>:*`),
        `Resource::${lakeRef}/${MAINTENANCE_PREFIX}runs/*`,
      ],
      "Invocations of the workflow's own functions (any version, as CDK's grantInvoke writes it) and run records under one lake prefix.",
    );

    this.schedule = workflowSchedule(this, 'MaintenanceSchedule', {
      description: 'stockpipe: compacts and registers new lake partitions',
      schedule: events.Schedule.rate(Duration.minutes(props.everyMinutes ?? 60)),
      enabled: props.scheduleEnabled,
      stateMachine: this.stateMachine,
    });
  }
}
