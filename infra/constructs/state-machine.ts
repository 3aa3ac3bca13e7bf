/**
 * What the two workflow constructs share: their functions (a PipelineFunction each, invoked
 * synchronously by Step Functions, which retries by itself), the Glue ARNs they are scoped to, and the
 * state machine itself. Each state machine is defined by its ASL file of statemachines/, loaded with
 * DefinitionBody.fromFile and filled in by workflowSubstitutions(), the same function the local runner
 * uses; it has its own role, logs ALL events without execution data, and traces with X-Ray. The
 * helpers create their resources directly in the calling construct, so its ids are theirs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Aws, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import {
  placeholdersIn,
  WORKFLOWS,
  workflowSubstitutions,
  type WorkflowFunction,
  type WorkflowName,
  type WorkflowResources,
} from '../../src/shared/workflow-substitutions';
import { acknowledgeKeyGrantWildcards, acknowledgeWildcards } from '../nag';
import { PipelineFunction, REPO_ROOT } from './function';

/** Entry files of the workflows' functions, relative to the repository root. */
export const WORKFLOW_HANDLER_ENTRY: Readonly<Record<WorkflowFunction, string>> = {
  findPartitions: 'src/compaction/find-handler.ts',
  compaction: 'src/compaction/handler.ts',
  registerPartitions: 'src/compaction/register-handler.ts',
  report: 'src/report/handler.ts',
};

/** Settings both workflow constructs take. */
export interface WorkflowCommonProps {
  /** The ops topic: each workflow publishes its failures there. */
  readonly opsTopic: sns.ITopic;
  /** @default RESOURCE.glueDatabase */
  readonly glueDatabase?: string;
  /** Whether the schedule starts enabled. @default true */
  readonly scheduleEnabled?: boolean;
  /** Log execution input and output (may contain market data). @default false */
  readonly includeExecutionData?: boolean;
  /** Applies to the functions' and the state machine's log groups. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Applies to the log groups and the state machine. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export interface WorkflowFunctionSettings {
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
}

/** One workflow function, with the id `FindPartitions`, `Compaction`, ... in the calling construct. */
export function workflowFunction(
  scope: Construct,
  fn: WorkflowFunction,
  settings: WorkflowFunctionSettings,
  environment: Record<string, string>,
  props: WorkflowCommonProps & { readonly entry?: string },
): PipelineFunction {
  return new PipelineFunction(scope, `${fn[0]!.toUpperCase()}${fn.slice(1)}`, {
    entry: props.entry ?? path.join(REPO_ROOT, WORKFLOW_HANDLER_ENTRY[fn]),
    ...settings,
    environment,
    ...(props.logRetention ? { logRetention: props.logRetention } : {}),
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    // Step Functions invokes synchronously and retries by itself.
  });
}

/** ARNs of the Glue catalog, of one database and of its tables. */
export function glueArns(scope: Construct, database: string): { readonly catalog: string[]; table(name: string): string } {
  const stack = Stack.of(scope);
  const arn = (resource: string, resourceName?: string) =>
    stack.formatArn({ service: 'glue', resource, ...(resourceName ? { resourceName } : {}) });
  return { catalog: [arn('catalog'), arn('database', database)], table: (name) => arn('table', `${database}/${name}`) };
}

/** What a workflow knows of the resources its definition names; the rest of the map is not its concern. */
export type KnownResources = Partial<Omit<WorkflowResources, 'functionArns'>> & {
  readonly functionArns: Partial<WorkflowResources['functionArns']>;
};

/**
 * The substitutions of one definition: the placeholders its ASL file uses, valued by
 * workflowSubstitutions(). A placeholder the workflow cannot value fails synthesis, naming it.
 */
export function definitionSubstitutions(workflow: WorkflowName, known: KnownResources): Record<string, string> {
  const none = { lakeBucket: '', glueDatabase: '', athenaWorkgroup: '', alertTopicArn: '', opsTopicArn: '' };
  const noFunctions = { findPartitions: '', compaction: '', registerPartitions: '', report: '' };
  const all = workflowSubstitutions({ ...none, ...known, functionArns: { ...noFunctions, ...known.functionArns } });
  const used = placeholdersIn(fs.readFileSync(path.join(REPO_ROOT, WORKFLOWS[workflow].file), 'utf8'));
  const missing = used.filter((name) => !all[name]);
  if (missing.length > 0) {
    throw new Error(`${WORKFLOWS[workflow].file} uses ${missing.join(', ')}, which the ${workflow} workflow does not provide`);
  }
  return Object.fromEntries(used.map((name) => [name, all[name]!]));
}

export interface WorkflowStateMachineProps extends WorkflowCommonProps {
  readonly workflow: WorkflowName;
  readonly substitutions: Record<string, string>;
  readonly timeout: Duration;
}

/** The state machine `<id>` and its log group `<id>Logs`, in the calling construct. */
export function workflowStateMachine(scope: Construct, id: string, props: WorkflowStateMachineProps): sfn.StateMachine {
  const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
  const { file } = WORKFLOWS[props.workflow];
  // Under /aws/vendedlogs/ CloudWatch Logs needs no resource-policy entry per log group (that policy is
  // limited to 5,120 characters). The stack's id segment keeps a retained group from blocking a redeploy.
  const stackUuid = Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))));
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    logGroupName: Fn.join('', ['/aws/vendedlogs/states/', Aws.STACK_NAME, `-${id}-`, stackUuid]),
    retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    removalPolicy,
  });
  const sm = new sfn.StateMachine(scope, id, {
    comment: `stockpipe ${props.workflow} workflow (${file})`,
    definitionBody: sfn.DefinitionBody.fromFile(path.join(REPO_ROOT, file)),
    definitionSubstitutions: props.substitutions,
    stateMachineType: sfn.StateMachineType.STANDARD,
    timeout: props.timeout,
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
}

export interface WorkflowScheduleProps {
  readonly description: string;
  readonly schedule: events.Schedule;
  readonly stateMachine: sfn.IStateMachine;
  /** @default true */
  readonly enabled?: boolean;
}

/** The rule that starts a workflow on its schedule, with an empty input. */
export const workflowSchedule = (scope: Construct, id: string, props: WorkflowScheduleProps): events.Rule =>
  new events.Rule(scope, id, {
    description: props.description,
    schedule: props.schedule,
    enabled: props.enabled ?? true,
    targets: [new targets.SfnStateMachine(props.stateMachine, { input: events.RuleTargetInput.fromObject({}) })],
  });
