/**
 * The workflows of the functions stage. moto's CloudFormation creates no Glue catalog (the harness
 * creates it through moto's Glue API from the template's properties) and ignores a state machine's
 * DefinitionS3Location (the harness puts the deployed definition, substituted, on each state machine
 * for the CLI stage). moto only imitates executions, so each definition runs on the local ASL runner
 * (aws-local-stepfunctions): Lambda tasks on the bundles, S3 and SNS tasks against moto, Athena tasks
 * on DuckDB over the lake objects copied out of moto (moto's Athena returns no real results).
 */
import '../../src/local/workflow/polyfill';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, UpdateStateMachineCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { openLakeDatabase } from '../../src/adapters/local/duckdb-athena';
import { localObjectPath } from '../../src/adapters/local/lake-files';
import { LocalAthena } from '../../src/local/workflow/athena-local';
import { taskResources } from '../../src/local/workflow/local-tasks';
import { substitutePlaceholders } from '../../src/shared/workflow-substitutions';
import type { BundledFunction, BundleRunner } from './bundles';
import { idOf, idsOfType, resolveValue, type Deployed } from './template-values';

export interface WorkflowArgs {
  readonly endpoint: string;
  readonly region: string;
  readonly account: string;
  readonly deployed: Deployed;
  readonly runner: BundleRunner;
  readonly fns: ReadonlyMap<string, BundledFunction>;
}

const log = (message: string) => console.error(`rehearsal: ${message}`);

const clientConfig = (a: WorkflowArgs) => ({
  region: a.region,
  endpoint: a.endpoint,
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const s3Of = (a: WorkflowArgs) => new S3Client({ ...clientConfig(a), forcePathStyle: true });

/** The Glue database and tables of the template, created through moto's Glue API. */
export async function createGlueCatalog(a: WorkflowArgs): Promise<void> {
  const glue = new GlueClient(clientConfig(a));
  const { template } = a.deployed;
  const databases = idsOfType(template, 'AWS::Glue::Database');
  const tables = idsOfType(template, 'AWS::Glue::Table');
  for (const id of databases) {
    const props = resolveValue(template.Resources[id]!.Properties, a.deployed) as { DatabaseInput: never };
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: props.DatabaseInput }));
  }
  for (const id of tables) {
    const props = resolveValue(template.Resources[id]!.Properties, a.deployed) as { DatabaseName: string; TableInput: never };
    await glue.send(new CreateTableCommand({ DatabaseName: props.DatabaseName, TableInput: props.TableInput }));
  }
  log(
    `moto's CloudFormation does not model AWS::Glue::Database/Table: created ${databases.length} database(s) and ` +
      `${tables.length} table(s) through moto's Glue API with the template's names and properties`,
  );
}

interface Deployment {
  readonly stateMachineArn: string;
  readonly definition: StateMachineDefinition;
  readonly name: string;
}

/** The deployed definition (the S3 asset with its substitutions), also put on moto's state machine. */
async function deployedDefinition(a: WorkflowArgs, prefix: string): Promise<Deployment> {
  const id = idOf(a.deployed.template, 'AWS::StepFunctions::StateMachine', prefix);
  const props = resolveValue(a.deployed.template.Resources[id]!.Properties, a.deployed) as {
    DefinitionS3Location: { Bucket: string; Key: string };
    DefinitionSubstitutions: Record<string, string>;
  };
  const got = await s3Of(a).send(
    new GetObjectCommand({ Bucket: props.DefinitionS3Location.Bucket, Key: props.DefinitionS3Location.Key }),
  );
  const text = substitutePlaceholders(await got.Body!.transformToString(), props.DefinitionSubstitutions, id);
  const stateMachineArn = a.deployed.physical.get(id)!;
  await new SFNClient(clientConfig(a)).send(new UpdateStateMachineCommand({ stateMachineArn, definition: text }));
  return { stateMachineArn, definition: JSON.parse(text) as StateMachineDefinition, name: stateMachineArn.split(':').pop()! };
}

/** Copies the lake bucket out of moto into s3rver's on-disk layout, where the DuckDB Athena reads it. */
async function mirrorLake(a: WorkflowArgs, bucket: string, dir: string): Promise<number> {
  const s3 = s3Of(a);
  let n = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }))).Body!.transformToByteArray();
      const file = localObjectPath(dir, bucket, o.Key!);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, body);
      n++;
    }
    token = page.NextContinuationToken;
  } while (token);
  return n;
}

type Handler = (input: unknown) => Promise<unknown>;

/** A function's error as Step Functions reports a Lambda error: Error = its type, Cause = Lambda's JSON. */
function lambdaError(e: unknown): Error {
  const original = e instanceof Error ? e : new Error(String(e));
  const error = new Error(JSON.stringify({ errorType: original.name, errorMessage: original.message }));
  error.name = original.name;
  return error;
}

interface TaskContext {
  readonly a: WorkflowArgs;
  readonly athena?: LocalAthena;
  /** Per function label, why one of its invocations failed. */
  readonly failed: Map<string, string>;
}

function taskHandler(resource: string, state: string, c: TaskContext): Handler {
  const byArn = new Map([...c.a.fns.values()].map((f) => [f.arn, f]));
  const params = (input: unknown) => input as Record<string, unknown>;
  switch (resource) {
    case 'arn:aws:states:::lambda:invoke':
      return async (input) => {
        const p = params(input);
        const f = byArn.get(String(p.FunctionName));
        if (!f)
          throw Object.assign(new Error(`Function not found: ${String(p.FunctionName)}`), {
            name: 'Lambda.ResourceNotFoundException',
          });
        try {
          const payload = await c.a.runner.invoke(f, p.Payload ?? {});
          return { ExecutedVersion: '$LATEST', Payload: payload ?? null, StatusCode: 200 };
        } catch (error) {
          c.failed.set(f.label, `state ${state}: ${(error as Error).message}`);
          throw lambdaError(error);
        }
      };
    case 'arn:aws:states:::aws-sdk:s3:putObject':
      return async (input) => {
        const p = params(input);
        const body = typeof p.Body === 'string' ? p.Body : JSON.stringify(p.Body);
        const out = await s3Of(c.a).send(
          new PutObjectCommand({
            Bucket: String(p.Bucket),
            Key: String(p.Key),
            Body: body,
            ContentType: p.ContentType as string,
          }),
        );
        return { ETag: out.ETag ?? '' };
      };
    case 'arn:aws:states:::sns:publish':
      return async (input) => {
        const p = params(input);
        const out = await new SNSClient(clientConfig(c.a)).send(
          new PublishCommand({ TopicArn: String(p.TopicArn), Message: String(p.Message), Subject: p.Subject as string }),
        );
        return { MessageId: out.MessageId };
      };
    case 'arn:aws:states:::athena:startQueryExecution.sync':
      return (input) => c.athena!.startQueryExecutionSync(params(input));
    case 'arn:aws:states:::athena:getQueryResults':
      return async (input) => c.athena!.getQueryResults(params(input));
    default:
      throw new Error(`state ${state}: the rehearsal has no implementation of ${resource}`);
  }
}

async function runDefinition(d: Deployment, input: unknown, c: TaskContext): Promise<unknown> {
  const handlers = Object.fromEntries(
    [...taskResources(d.definition.States as never)].map(([state, resource]) => [state, taskHandler(resource, state, c)]),
  );
  const name = `rehearsal-${Date.now()}`;
  const executionArn = `${d.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  const machine = new StateMachine(d.definition, { validationOptions: { checkArn: true, checkPaths: true } });
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never },
    context: {
      Execution: { Id: executionArn, Name: name, StartTime: new Date().toISOString(), Input: input as never },
      StateMachine: { Id: d.stateMachineArn, Name: d.name },
    },
  });
  return execution.result;
}

/** Runs both workflows; per function label the workflows invoke, undefined when it passed, else why not. */
export async function rehearseWorkflows(a: WorkflowArgs): Promise<Map<string, string | undefined>> {
  const outcome = new Map<string, string | undefined>();
  await createGlueCatalog(a);
  const maintenance = await deployedDefinition(a, 'WorkflowMaintenanceWorkflow');
  const report = await deployedDefinition(a, 'WorkflowReportWorkflow');
  log("moto ignores DefinitionS3Location: put each deployed definition, substituted, on moto's state machine");
  log('moto only imitates Step Functions executions: the definitions run on the local ASL runner, tasks on the bundles');

  const failed = new Map<string, string>();
  const record = (labels: string[], why: string | undefined) => {
    for (const label of labels) outcome.set(label, failed.get(label) ?? why);
  };
  const maintenanceFns = ['WorkflowFindPartitionsFunction', 'WorkflowCompactionFunction', 'WorkflowRegisterPartitionsFunction'];
  try {
    // The maintenance rule's target input.
    const summary = (await runDefinition(maintenance, {}, { a, failed })) as {
      partitions: number;
      compacted: { rows: number }[];
      registered: { raw: number; curated: number };
    };
    const rows = summary.compacted.reduce((n, c) => n + c.rows, 0);
    log(
      `maintenance workflow: ${summary.partitions} partition(s) found, ${rows} rows compacted to Parquet, ` +
        `registered ${JSON.stringify(summary.registered)}`,
    );
    record(maintenanceFns, summary.partitions > 0 && rows > 0 ? undefined : 'the maintenance run found or compacted nothing');
  } catch (error) {
    record(maintenanceFns, `maintenance workflow failed: ${(error as Error).message}`);
  }

  const bucket = a.deployed.physical.get(idOf(a.deployed.template, 'AWS::S3::Bucket', 'RawStorageLake'))!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-lake-'));
  try {
    const copied = await mirrorLake(a, bucket, dir);
    log(
      `report workflow: Athena tasks on DuckDB over the ${copied} lake objects copied out of moto (moto's Athena returns no results)`,
    );
    const db = await openLakeDatabase({ s3Dir: dir, bucket });
    try {
      const out = (await runDefinition(report, {}, { a, failed, athena: new LocalAthena(db) })) as {
        date: string;
        keys: { json: string; html: string };
        totals: unknown;
      };
      const stored = await s3Of(a).send(new GetObjectCommand({ Bucket: bucket, Key: out.keys.json }));
      const json = JSON.parse(await stored.Body!.transformToString()) as { totals?: unknown };
      log(
        `report workflow: report of ${out.date} stored at s3://${bucket}/${out.keys.json}, totals ${JSON.stringify(json.totals)}`,
      );
      record(['WorkflowReportFunction'], undefined);
    } finally {
      db.close();
    }
  } catch (error) {
    record(['WorkflowReportFunction'], `report workflow failed: ${(error as Error).message}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return outcome;
}
