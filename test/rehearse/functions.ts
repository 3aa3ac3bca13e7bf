/**
 * The functions stage: the bundles from cdk.out (moto's Lambda Invoke needs Docker) run in-process
 * with the environment moto resolved for each, in the order the pipeline runs them, each on the event
 * its trigger would deliver: the schedule runs the producer, the Kinesis records moto holds go to
 * processing, the price table's stream records to analysis (whose alerts must reach the alert topic),
 * and the two workflows' definitions run on the local ASL runner with their Lambda tasks on the
 * bundles. Every function's role is then checked against the IAM actions its bundle sent.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LambdaClient, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, DescribeTableCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBStreamsClient,
  DescribeStreamCommand,
  GetRecordsCommand as GetStreamRecordsCommand,
  GetShardIteratorCommand as GetStreamShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { BundleRunner, type BundledFunction } from './bundles';
import { batches, byKeys, dynamodbInsertRecords, kinesisEventRecord, passesFilters, type Image } from './events';
import { deniedCalls, statementsOfRole, type TemplateLike } from './policy';
import { idOf, idsOfType, labelOf, resolvedStatements, resolveValue, type Deployed } from './template-values';
import { readWholeStream } from './kinesis-read';
import { rehearseWorkflows } from './workflows';

export interface FunctionsArgs {
  readonly endpoint: string;
  readonly outdir: string;
  readonly template: TemplateLike;
  readonly stack: string;
  readonly region: string;
  readonly account: string;
  /** Scheduled producer runs, one a minute back from now: enough ticks per symbol for SMA-20. */
  readonly producerRuns: number;
}

export interface StageResult {
  readonly failures: string[];
  readonly lines: string[];
}

export const motoClientConfig = (endpoint: string, region: string) => ({
  region,
  endpoint,
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  requestHandler: new NodeHttpHandler(),
});

const log = (message: string) => console.error(`rehearsal: ${message}`);

async function deployedStack(args: FunctionsArgs): Promise<Deployed> {
  const cfn = new CloudFormationClient(motoClientConfig(args.endpoint, args.region));
  const physical = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await cfn.send(new ListStackResourcesCommand({ StackName: args.stack, NextToken: token }));
    for (const r of page.StackResourceSummaries ?? []) physical.set(r.LogicalResourceId ?? '', r.PhysicalResourceId ?? '');
    token = page.NextToken;
  } while (token);
  // The tables' stream ARNs (a GetAtt the analysis role's grants name) exist only once created.
  const attributes = new Map<string, string>();
  const dynamodb = new DynamoDBClient(motoClientConfig(args.endpoint, args.region));
  for (const id of idsOfType(args.template, 'AWS::DynamoDB::Table')) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: physical.get(id) }));
    if (Table?.LatestStreamArn) attributes.set(`${id}.StreamArn`, Table.LatestStreamArn);
  }
  return { template: args.template, physical, region: args.region, account: args.account, attributes };
}

async function bundledFunctions(args: FunctionsArgs, d: Deployed): Promise<Map<string, BundledFunction>> {
  const lambda = new LambdaClient(motoClientConfig(args.endpoint, args.region));
  const out = new Map<string, BundledFunction>();
  for (const id of idsOfType(args.template, 'AWS::Lambda::Function')) {
    const props = args.template.Resources[id]!.Properties ?? {};
    const name = d.physical.get(id) ?? id;
    const conf = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    const roleId = JSON.stringify(props.Role).match(/"Fn::GetAtt":\["([^"]+)","Arn"\]/)?.[1];
    if (!roleId) throw new Error(`${id}: no role in the template`);
    const key = String((props.Code as { S3Key?: unknown } | undefined)?.S3Key);
    out.set(labelOf(id), {
      label: labelOf(id),
      logicalId: id,
      physicalName: name,
      arn: conf.FunctionArn ?? String(resolveValue({ 'Fn::GetAtt': [id, 'Arn'] }, d)),
      roleId,
      bundle: path.join(args.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.js'),
      environment: conf.Environment?.Variables ?? {},
      sent: new Set(),
      calls: new Map(),
      invocations: 0,
    });
  }
  return out;
}

/** Records of the event source mapping whose function is `fnId`: its batch size and filter patterns. */
function mappingOf(template: TemplateLike, fnId: string): { batchSize: number; filters: string[] } {
  const id = idsOfType(template, 'AWS::Lambda::EventSourceMapping').find(
    (m) => JSON.stringify(template.Resources[m]!.Properties?.FunctionName) === JSON.stringify({ Ref: fnId }),
  );
  if (!id) throw new Error(`no event source mapping for ${fnId}`);
  const p = template.Resources[id]!.Properties ?? {};
  const filters = ((p.FilterCriteria as { Filters?: { Pattern: string }[] } | undefined)?.Filters ?? []).map((f) => f.Pattern);
  return { batchSize: Number(p.BatchSize ?? 100), filters };
}

const failuresOf = (response: unknown): number =>
  ((response as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures ?? []).length;

interface Pipeline {
  readonly args: FunctionsArgs;
  readonly deployed: Deployed;
  readonly runner: BundleRunner;
  readonly fns: Map<string, BundledFunction>;
  /** Per function label: undefined when its stage passed, else why not. */
  readonly outcome: Map<string, string | undefined>;
}

function fn(p: Pipeline, label: string): BundledFunction {
  const f = p.fns.get(label);
  if (!f) throw new Error(`no function ${label} in the template`);
  return f;
}

const fail = (p: Pipeline, label: string, why: string) => {
  if (!p.outcome.get(label)) p.outcome.set(label, why);
};
const pass = (p: Pipeline, label: string) => {
  if (!p.outcome.has(label)) p.outcome.set(label, undefined);
};

/**
 * Invokes the function on the records in batches of the mapping's size, as Lambda delivers them; the
 * first batch that throws or reports a failed record fails the function's stage. True when all passed.
 */
async function invokeInBatches(
  p: Pipeline,
  f: BundledFunction,
  records: readonly unknown[],
  batchSize: number,
): Promise<boolean> {
  for (const batch of batches(records, batchSize)) {
    try {
      const failed = failuresOf(await p.runner.invoke(f, { Records: batch }));
      if (failed) {
        fail(p, f.label, `reported ${failed} of ${batch.length} records as failed`);
        return false;
      }
    } catch (error) {
      fail(p, f.label, (error as Error).message);
      return false;
    }
  }
  return true;
}

async function runProducer(p: Pipeline): Promise<void> {
  const producer = fn(p, 'IngestionProducerFunction');
  const rule = idOf(p.args.template, 'AWS::Events::Rule', 'IngestionSchedule');
  const ruleArn = `arn:aws:events:${p.args.region}:${p.args.account}:rule/${p.deployed.physical.get(rule)}`;
  const first = Date.now() - p.args.producerRuns * 60_000;
  let ticks = 0;
  for (let k = 0; k < p.args.producerRuns; k++) {
    const at = first + k * 60_000;
    const event = {
      version: '0',
      id: `rehearsal-${k}`,
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: p.args.account,
      time: new Date(at).toISOString(),
      region: p.args.region,
      resources: [ruleArn],
      detail: {},
    };
    try {
      const result = (await p.runner.invoke(producer, event, { clockMs: at })) as { ticks?: number };
      ticks += result.ticks ?? 0;
    } catch (error) {
      return fail(p, producer.label, `run ${k + 1}: ${(error as Error).message}`);
    }
  }
  log(
    `producer: ${p.args.producerRuns} scheduled runs, a minute apart over the last ${p.args.producerRuns} minutes: ${ticks} ticks`,
  );
  if (ticks === 0) fail(p, producer.label, 'put no ticks');
  else pass(p, producer.label);
}

/** A tick as the producer writes it, but with a price processing refuses. */
const INVALID_TICK = {
  symbol: 'AAPL',
  price: -1,
  open: 1,
  high: 1,
  low: 1,
  previous_close: 1,
  volume: 1,
  source: 'synthetic',
};

async function runProcessing(p: Pipeline): Promise<void> {
  const processing = fn(p, 'ProcessingProcessorFunction');
  const streamId = idOf(p.args.template, 'AWS::Kinesis::Stream', 'IngestionStream');
  const name = p.deployed.physical.get(streamId)!;
  const streamArn = String(resolveValue({ 'Fn::GetAtt': [streamId, 'Arn'] }, p.deployed));
  const kinesis = new KinesisClient(motoClientConfig(p.args.endpoint, p.args.region));
  // One record the tick schema refuses (a negative price), so processing dead-letters it to the
  // invalid-records queue, where the CLI stage lists it and replays it fixed.
  const refused = { ...INVALID_TICK, timestamp: new Date(Math.floor(Date.now() / 60_000) * 60_000 - 30_000).toISOString() };
  await kinesis.send(
    new PutRecordCommand({ StreamName: name, PartitionKey: refused.symbol, Data: Buffer.from(JSON.stringify(refused)) }),
  );
  const records = (await readWholeStream(kinesis, name)).map(({ shardId, record }) =>
    kinesisEventRecord(record, shardId, streamArn, p.args.region),
  );
  log(`Kinesis stream ${name} holds ${records.length} records (GetShardIterator TRIM_HORIZON + GetRecords on moto)`);
  if (records.length === 0) return fail(p, processing.label, 'no Kinesis records to process (the producer put none)');
  const { batchSize } = mappingOf(p.args.template, processing.logicalId);
  if (!(await invokeInBatches(p, processing, records, batchSize))) return;
  const sqs = new SQSClient({ ...motoClientConfig(p.args.endpoint, p.args.region), useQueueUrlAsEndpoint: false });
  const invalidQueue = processing.environment.STOCKPIPE_INVALID_QUEUE_URL;
  const depth = invalidQueue
    ? (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: invalidQueue, AttributeNames: ['ApproximateNumberOfMessages'] })))
        .Attributes?.ApproximateNumberOfMessages
    : undefined;
  log(`processing: the invalid-records queue holds ${depth ?? 'no'} dead letter(s) (1 record with a negative price was put)`);
  if (depth !== '1')
    return fail(p, processing.label, `the refused record did not reach the invalid-records queue (${depth ?? 'no queue'})`);
  pass(p, processing.label);
}

/** An SQS queue subscribed to the alert topic, as a mail subscriber would be. */
async function subscribeAlertQueue(p: Pipeline): Promise<string> {
  const cfg = motoClientConfig(p.args.endpoint, p.args.region);
  const sqs = new SQSClient({ ...cfg, useQueueUrlAsEndpoint: false });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'rehearsal-alert-subscriber' }));
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const topicArn = p.deployed.physical.get(idOf(p.args.template, 'AWS::SNS::Topic', 'AnalysisAlertTopic'))!;
  await new SNSClient(cfg).send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: attrs.Attributes?.QueueArn }),
  );
  return QueueUrl!;
}

async function receiveAll(p: Pipeline, queueUrl: string): Promise<Message[]> {
  const sqs = new SQSClient({ ...motoClientConfig(p.args.endpoint, p.args.region), useQueueUrlAsEndpoint: false });
  const out: Message[] = [];
  for (;;) {
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    if (!got.Messages?.length) return out;
    out.push(...got.Messages);
  }
}

/** The price table's stream records: moto's DynamoDB Streams first, else built from the table's items. */
async function priceStreamRecords(p: Pipeline): Promise<Record<string, unknown>[]> {
  const cfg = motoClientConfig(p.args.endpoint, p.args.region);
  const table = p.deployed.physical.get(idOf(p.args.template, 'AWS::DynamoDB::Table', 'TablesPrices'))!;
  const described = (await new DynamoDBClient(cfg).send(new DescribeTableCommand({ TableName: table }))).Table;
  const streamArn = described?.LatestStreamArn;
  if (!streamArn) throw new Error(`price table ${table} has no stream in moto`);
  const streams = new DynamoDBStreamsClient(cfg);
  const fromStream: Record<string, unknown>[] = [];
  for (const shard of (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? []) {
    let iterator = (
      await streams.send(
        new GetStreamShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      )
    ).ShardIterator;
    while (iterator) {
      const got = await streams.send(new GetStreamRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      for (const r of got.Records ?? []) fromStream.push({ ...r, eventSourceARN: streamArn });
      if (!got.Records?.length) break;
      iterator = got.NextShardIterator;
    }
  }
  if (fromStream.length > 0) {
    log(`analysis: ${fromStream.length} records from moto's DynamoDB Streams (${streamArn})`);
    return fromStream;
  }
  const items: Image[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await new DynamoDBClient(cfg).send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  log(
    `analysis: moto's DynamoDB Streams gave 0 records for ${streamArn}: moto hands each stream record to the ` +
      `stack's event source mapping, whose Lambda invoke fails without Docker, and then drops it; the event is ` +
      `built from the ${items.length} items written instead (INSERT, NEW_IMAGE, in write order)`,
  );
  const keys = (described.KeySchema ?? []).map((k) => k.AttributeName!);
  const viewType = described.StreamSpecification?.StreamViewType ?? 'NEW_AND_OLD_IMAGES';
  return dynamodbInsertRecords(
    byKeys(items, ['timestamp', ...keys]),
    keys,
    streamArn,
    p.args.region,
    viewType,
    Date.now() / 1000,
  );
}

async function runAnalysis(p: Pipeline): Promise<void> {
  const analysis = fn(p, 'AnalysisAnalyserFunction');
  const queueUrl = await subscribeAlertQueue(p);
  const all = await priceStreamRecords(p);
  const { batchSize, filters } = mappingOf(p.args.template, analysis.logicalId);
  const records = all.filter((r) => passesFilters(r, filters));
  if (records.length === 0) return fail(p, analysis.label, 'no price-table stream records to analyse');
  if (!(await invokeInBatches(p, analysis, records, batchSize))) return;
  const alerts = await receiveAll(p, queueUrl);
  log(`analysis: ${alerts.length} alert(s) reached the alert topic (received by its SQS subscriber)`);
  if (alerts.length === 0) return fail(p, analysis.label, 'no crossover alert reached the alert topic');
  pass(p, analysis.label);
}

export interface FunctionsStage extends StageResult {
  readonly deployed: Deployed;
}

export async function rehearseFunctions(args: FunctionsArgs): Promise<FunctionsStage> {
  const deployed = await deployedStack(args);
  const fns = await bundledFunctions(args, deployed);
  const runner = new BundleRunner(
    args.account,
    {
      AWS_ENDPOINT_URL: args.endpoint,
      AWS_REGION: args.region,
      AWS_DEFAULT_REGION: args.region,
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
    },
    path.join(args.outdir, 'functions.log'),
  );
  fs.rmSync(path.join(args.outdir, 'functions.log'), { force: true });
  const p: Pipeline = { args, deployed, runner, fns, outcome: new Map() };
  const stages: [string, () => Promise<void>][] = [
    ['producer', () => runProducer(p)],
    ['processing', () => runProcessing(p)],
    ['analysis', () => runAnalysis(p)],
    [
      'workflows',
      async () => {
        for (const [label, why] of await rehearseWorkflows({ ...args, deployed, runner, fns })) {
          if (why) fail(p, label, why);
          else pass(p, label);
        }
      },
    ],
  ];
  for (const [name, stage] of stages) {
    try {
      await stage();
    } catch (error) {
      fail(p, `stage ${name}`, (error as Error).message);
    }
  }
  log(
    'least privilege is checked statically for every function (its role in the template against the calls its bundle sent): ' +
      'moto 5.2.1\'s IAM enforcement authorizes DynamoDB, Kinesis, SNS and Glue calls against Resource "*", so it denies ' +
      'every resource-scoped grant CDK writes; only its SQS and S3 checks see the resource',
  );
  const failures: string[] = [];
  let passed = 0;
  for (const f of fns.values()) {
    let problems: string[];
    try {
      const statements = resolvedStatements(statementsOfRole(args.template, f.roleId), deployed);
      const denied = deniedCalls(statements, f.calls.values());
      problems = denied.length ? [`${f.label}: role does not allow ${denied.join(', ')}`] : [];
    } catch (error) {
      problems = [`${f.label}: the statements of role ${f.roleId} could not be resolved: ${(error as Error).message}`];
    }
    const why = p.outcome.has(f.label) ? p.outcome.get(f.label) : 'never ran';
    log(
      `${f.label}: ${f.invocations} invocation(s), ${why ? `FAILED: ${why}` : 'ok'}; sent ${[...f.sent].sort().join(' ') || 'nothing'}; ` +
        `${f.calls.size} distinct call(s) checked statically against role ${f.roleId}, resources and S3 prefixes included`,
    );
    failures.push(...problems);
    if (why) failures.push(`${f.label}: ${why}`);
    if (!why && problems.length === 0) passed++;
  }
  // What each bundle sent, with resources: the evidence behind the least-privilege lines above.
  const calls = Object.fromEntries([...fns.values()].map((f) => [f.label, [...f.calls.values()]]));
  fs.writeFileSync(path.join(args.outdir, 'rehearsal-calls.json'), JSON.stringify(calls, null, 2));
  for (const [label, why] of p.outcome) if (label.startsWith('stage ') && why) failures.push(`${label}: ${why}`);
  return { failures, lines: [`functions ${passed}/${fns.size}`], deployed };
}
