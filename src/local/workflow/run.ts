/**
 * Runs the ASL files of statemachines/ offline with aws-local-stepfunctions: the same definition
 * text, the same `${Placeholder}` map (workflowSubstitutions), every Task mapped to a local
 * implementation, and the execution's history written to the data dir's `runs/`.
 */
import './polyfill';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExecutionAbortedError, ExecutionTimeoutError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { DynamoDbDayAlertReader } from '../../adapters/aws/dynamodb-day-alert-reader';
import { DynamoDbSkippedTickReader } from '../../adapters/aws/dynamodb-skipped-tick-reader';
import { makeReportHandler } from '../../report/report-task';
import { localPageLink } from '../../report/page-link';
import { makeCompactionHandler } from '../../compaction/compact-partition';
import { makeFindPartitionsHandler } from '../../compaction/find-partitions';
import { S3LakeObjects } from '../../adapters/aws/s3-lake-objects';
import { makeRegisterPartitionsHandler } from '../../compaction/register-partitions';
import { openLakeDatabase } from '../../adapters/local/duckdb-athena';
import { LocalGlueCatalog } from '../../adapters/local/glue-catalog';
import type { AwsClients } from '../../shared/clients';
import { LAKE, RESOURCE } from '../../shared/names';
import { packageRoot } from '../../shared/package-root';
import {
  substitutePlaceholders,
  WORKFLOW_FUNCTIONS,
  WORKFLOWS,
  workflowSubstitutions,
  type WorkflowFunction,
  type WorkflowName,
} from '../../shared/workflow-substitutions';
import { dataDirLayout } from '../data-dir';
import { LocalAthena } from './athena-local';
import { recordEvent, runOwner, saveLocalRun, type EngineEvent, type LocalRun } from './history';
import { localTaskHandlers, type LocalFunction, type PublishedMessage } from './local-tasks';

export interface LocalWorkflowResources {
  readonly rawBucket: string;
  readonly alertTable: string;
  /** Where the analysis counts late and duplicate ticks; the report reads the day's. */
  readonly signalStateTable: string;
  readonly alertTopicArn: string;
  readonly region: string;
  readonly accountId: string;
  /** @default the ops topic's ARN in the same region and account */
  readonly opsTopicArn?: string;
}

export interface LocalWorkflowEnv {
  /** The data dir: histories go to `runs/`, the catalog to `catalog/`, SNS messages to `outbox/`. */
  readonly dataDir: string;
  /** The S3 stand-in's folder, where DuckDB reads the lake. */
  readonly s3Dir: string;
  readonly clients: AwsClients;
  /** What provisionLocalResources returned, or the same names. */
  readonly resources: LocalWorkflowResources;
  /** Replaces functions (tests force a failure this way). */
  readonly functions?: Partial<Record<WorkflowFunction, LocalFunction>>;
  /** Told about each SNS message the workflow publishes (the CLI prints them). */
  readonly onPublish?: (message: PublishedMessage) => void;
  /** Milliseconds between retries instead of the definition's backoff (tests). */
  readonly retryDelayMs?: number;
  readonly now?: () => Date;
}

export interface LocalDefinition {
  readonly text: string;
  readonly definition: StateMachineDefinition;
  readonly substitutions: Record<string, string>;
}

export const localFunctionArn = (r: LocalWorkflowResources, fn: WorkflowFunction): string =>
  `arn:aws:lambda:${r.region}:${r.accountId}:function:${WORKFLOW_FUNCTIONS[fn]}`;

export const localSubstitutions = (r: LocalWorkflowResources): Record<string, string> =>
  workflowSubstitutions({
    functionArns: {
      findPartitions: localFunctionArn(r, 'findPartitions'),
      compaction: localFunctionArn(r, 'compaction'),
      registerPartitions: localFunctionArn(r, 'registerPartitions'),
      report: localFunctionArn(r, 'report'),
    },
    lakeBucket: r.rawBucket,
    glueDatabase: RESOURCE.glueDatabase,
    athenaWorkgroup: RESOURCE.athenaWorkgroup,
    alertTopicArn: r.alertTopicArn,
    opsTopicArn: r.opsTopicArn ?? `arn:aws:sns:${r.region}:${r.accountId}:${RESOURCE.opsTopic}`,
  });

/** The ASL file of a workflow with the local values substituted, parsed. */
export function loadLocalDefinition(name: WorkflowName, resources: LocalWorkflowResources): LocalDefinition {
  const file = join(packageRoot(), WORKFLOWS[name].file);
  const substitutions = localSubstitutions(resources);
  const text = substitutePlaceholders(readFileSync(file, 'utf8'), substitutions, WORKFLOWS[name].file);
  return { text, definition: JSON.parse(text) as StateMachineDefinition, substitutions };
}

function localFunctions(env: LocalWorkflowEnv, catalogDir: string): Map<string, LocalFunction> {
  const r = env.resources;
  const lake = new S3LakeObjects(env.clients.s3, r.rawBucket);
  const catalog = new LocalGlueCatalog({
    dir: catalogDir,
    database: RESOURCE.glueDatabase,
    tables: {
      [RESOURCE.rawTable]: `s3://${r.rawBucket}/${LAKE.raw}`,
      [RESOURCE.curatedTable]: `s3://${r.rawBucket}/${LAKE.curated}`,
    },
    ...(env.now ? { now: env.now } : {}),
  });
  const defaults: Record<WorkflowFunction, LocalFunction> = {
    findPartitions: makeFindPartitionsHandler({ lake, catalog }),
    compaction: makeCompactionHandler({ lake }),
    registerPartitions: makeRegisterPartitionsHandler({ catalog, lake }),
    report: makeReportHandler({
      alerts: new DynamoDbDayAlertReader(env.clients.documents, r.alertTable),
      skipped: new DynamoDbSkippedTickReader(env.clients.documents, r.signalStateTable),
      pageLink: localPageLink(env.s3Dir),
      ...(env.now ? { now: env.now } : {}),
    }),
  };
  const all = { ...defaults, ...env.functions };
  return new Map((Object.keys(WORKFLOW_FUNCTIONS) as WorkflowFunction[]).map((fn) => [localFunctionArn(r, fn), all[fn]]));
}

const executionName = (at: Date): string =>
  `${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;

function retryOverrides(
  states: StateMachineDefinition['States'],
  ms: number,
  into: Record<string, number> = {},
): Record<string, number> {
  for (const [name, state] of Object.entries(states)) {
    if ('Retry' in state && state.Retry) into[name] = ms;
    const s = state as {
      ItemProcessor?: { States: StateMachineDefinition['States'] };
      Iterator?: { States: StateMachineDefinition['States'] };
      Branches?: { States: StateMachineDefinition['States'] }[];
    };
    for (const nested of [s.ItemProcessor ?? s.Iterator, ...(s.Branches ?? [])])
      if (nested) retryOverrides(nested.States, ms, into);
  }
  return into;
}

/**
 * Runs one execution to its end and records it. Resolves with the run whatever its status; rejects
 * only when the run cannot start (a definition or setup problem).
 */
export async function runWorkflowLocally(name: WorkflowName, input: unknown, env: LocalWorkflowEnv): Promise<LocalRun> {
  const now = env.now ?? (() => new Date());
  const layout = dataDirLayout(env.dataDir);
  const { definition } = loadLocalDefinition(name, env.resources);
  const started = now();
  const execName = executionName(started);
  const stateMachineName = WORKFLOWS[name].stateMachineName;
  const executionArn = `arn:aws:states:${env.resources.region}:${env.resources.accountId}:execution:${stateMachineName}:${execName}`;
  const run: LocalRun = {
    executionId: `${name}-${execName}`,
    executionArn,
    workflow: name,
    stateMachineName,
    status: 'RUNNING',
    owner: runOwner(),
    input,
    startedAt: started.toISOString(),
    states: [],
    events: [],
  };

  const db = await openLakeDatabase({ s3Dir: env.s3Dir, bucket: env.resources.rawBucket });
  try {
    const handlers = localTaskHandlers(definition.States, {
      functions: localFunctions(env, layout.catalog),
      athena: new LocalAthena(db),
      s3: env.clients.s3,
      outboxDir: layout.outbox,
      executionId: run.executionId,
      now,
      ...(env.onPublish ? { onPublish: env.onPublish } : {}),
    });
    const machine = new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
    saveLocalRun(env.dataDir, run);
    const execution = machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        ...(env.retryDelayMs !== undefined
          ? { retryIntervalOverrides: retryOverrides(definition.States, env.retryDelayMs) }
          : {}),
      },
      context: {
        Execution: {
          Id: executionArn,
          Name: execName,
          StartTime: run.startedAt,
          Input: input as never,
          RoleArn: `arn:aws:iam::${env.resources.accountId}:role/local`,
        },
        StateMachine: {
          Id: executionArn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, ''),
          Name: stateMachineName,
        },
      },
    });
    const collecting = (async () => {
      for await (const event of execution.eventLogs) recordEvent(run, event as unknown as EngineEvent);
    })();
    try {
      run.output = await execution.result;
      run.status = 'SUCCEEDED';
    } catch (e) {
      run.status = e instanceof ExecutionTimeoutError ? 'TIMED_OUT' : e instanceof ExecutionAbortedError ? 'ABORTED' : 'FAILED';
      const failed = [...run.events].reverse().find((ev) => ev.type === 'ExecutionFailed' && ev.error);
      run.error = failed?.error ?? { error: (e as Error).name, cause: (e as Error).message };
    }
    await collecting;
    const failed = [...run.events].reverse().find((ev) => ev.type === 'ExecutionFailed' && ev.error);
    if (run.status === 'FAILED' && failed?.error) run.error = failed.error;
    const stopped = now();
    run.stoppedAt = stopped.toISOString();
    run.durationMs = stopped.getTime() - started.getTime();
    saveLocalRun(env.dataDir, run);
    return run;
  } finally {
    db.close();
  }
}
