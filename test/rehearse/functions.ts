/**
 * The bundles from cdk.out run in-process (moto's Lambda Invoke needs Docker) with the environment moto
 * resolved for each function. Every HTTP request a bundle makes is recorded as an IAM action (the SigV4
 * credential scope names the service; X-Amz-Target, the query Action or the S3 method names the call)
 * and checked against the function's role in the template: moto enforces no IAM here, so the check is
 * static, and the output says so.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  type KinesisClientConfig,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { policyFailures, statementsOfRole, type TemplateLike } from './policy';

interface Args {
  readonly endpoint: string;
  readonly outdir: string;
  readonly template: TemplateLike;
  readonly stack: string;
  readonly region: string;
}

// The CommonJS module object (the one the bundles require), not the frozen ESM namespace.
const http = createRequire(__filename)('node:http') as typeof import('node:http');

const S3_ACTIONS: Record<string, string> = {
  GET: 's3:GetObject',
  HEAD: 's3:GetObject',
  PUT: 's3:PutObject',
  DELETE: 's3:DeleteObject',
};

/** The IAM action of one SDK request, or undefined for a request that is not an AWS call. */
export function actionOfRequest(
  method: string,
  urlPath: string,
  headers: Record<string, string>,
  body: string,
): string | undefined {
  const auth = headers.authorization ?? '';
  const service = /Credential=[^/]+\/\d+\/[^/]+\/([^/]+)\//.exec(auth)?.[1];
  if (!service) return undefined;
  const target = headers['x-amz-target'];
  if (target) return `${service === 'monitoring' ? 'cloudwatch' : service}:${target.split('.').pop()}`;
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body)?.[1];
  if (action) return `${service}:${action}`;
  if (service === 's3') {
    const keyless = urlPath.split('?')[0]!.split('/').filter(Boolean).length <= 1;
    if (method === 'GET' && keyless) return 's3:ListBucket';
    if (method === 'POST' && urlPath.includes('delete')) return 's3:DeleteObject';
    return S3_ACTIONS[method];
  }
  return `${service}:${method}`;
}

function record(into: Set<string>): () => void {
  const original = http.request;
  const patched = function (this: unknown, ...args: Parameters<typeof http.request>) {
    const req = original.apply(this, args);
    const chunks: Buffer[] = [];
    const write = req.write.bind(req);
    const end = req.end.bind(req);
    req.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (chunk) chunks.push(Buffer.from(chunk as string));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof req.write;
    req.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as string));
      const headers = Object.fromEntries(Object.entries(req.getHeaders()).map(([k, v]) => [k.toLowerCase(), String(v)]));
      const action = actionOfRequest(req.method, req.path, headers, Buffer.concat(chunks).toString('utf8'));
      if (action) into.add(action);
      return (end as (...a: unknown[]) => typeof req)(chunk, ...rest);
    }) as typeof req.end;
    return req;
  };
  (http as { request: unknown }).request = patched;
  return () => {
    (http as { request: unknown }).request = original;
  };
}

/** The records moto's Kinesis holds, as the event an event source mapping would deliver. */
async function kinesisEvent(cfg: KinesisClientConfig, physical: Map<string, string>, args: Args): Promise<unknown> {
  const id = Object.entries(args.template.Resources).find(([, r]) => r.Type === 'AWS::Kinesis::Stream')?.[0];
  const name = physical.get(id ?? '') ?? '';
  const kinesis = new KinesisClient(cfg);
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: name }))).Shards ?? [];
  const records: unknown[] = [];
  for (const shard of shards) {
    const it = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: name, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    for (const r of got.Records ?? []) {
      records.push({
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: r.PartitionKey,
          sequenceNumber: r.SequenceNumber,
          data: Buffer.from(r.Data ?? new Uint8Array()).toString('base64'),
          approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
        },
        eventSource: 'aws:kinesis',
        eventID: `${shard.ShardId}:${r.SequenceNumber}`,
        eventName: 'aws:kinesis:record',
        eventSourceARN: `arn:aws:kinesis:${args.region}:123456789012:stream/${name}`,
        awsRegion: args.region,
      });
    }
  }
  console.error(`rehearsal: Kinesis stream ${name} holds ${records.length} records for processing`);
  return { Records: records };
}

export async function rehearseFunctions(args: Args): Promise<{ failures: string[]; lines: string[] }> {
  const cfg = {
    region: args.region,
    endpoint: args.endpoint,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    requestHandler: new NodeHttpHandler(),
  };
  const cfn = new CloudFormationClient(cfg);
  const lambda = new LambdaClient(cfg);
  const physical = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await cfn.send(new ListStackResourcesCommand({ StackName: args.stack, NextToken: token }));
    for (const r of page.StackResourceSummaries ?? []) physical.set(r.LogicalResourceId ?? '', r.PhysicalResourceId ?? '');
    token = page.NextToken;
  } while (token);
  const functions = Object.entries(args.template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
  const failures: string[] = [];
  let passed = 0;
  for (const [id, fn] of functions) {
    const name = physical.get(id) ?? id;
    const label = id.replace(/[0-9A-F]{8}$/, '');
    try {
      const conf = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      const roleId = JSON.stringify(fn.Properties?.Role).match(/"Fn::GetAtt":\["([^"]+)","Arn"\]/)?.[1];
      const code = fn.Properties?.Code as { S3Key?: unknown } | undefined;
      const bundle = path.join(args.outdir, `asset.${String(code?.S3Key).replace(/\.zip$/, '')}`, 'index.js');
      if (!fs.existsSync(bundle)) throw new Error(`no bundle at ${bundle}`);
      if (!roleId) throw new Error('no role in the template');
      // The producer's default source is Yahoo, which needs the network: use the synthetic source.
      const source = label.includes('Producer') ? { STOCKPIPE_QUOTE_SOURCE: 'synthetic' } : {};
      const event = label.includes('Processing') ? await kinesisEvent(cfg, physical, args) : {};
      const env = {
        ...conf.Environment?.Variables,
        ...source,
        AWS_ENDPOINT_URL: args.endpoint,
        AWS_REGION: args.region,
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
      };
      const sent = new Set<string>();
      const saved = { ...process.env };
      Object.assign(process.env, env);
      const restore = record(sent);
      let outcome: unknown;
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(bundle) as { handler: (e: unknown, c: unknown) => Promise<unknown> };
        outcome = await mod.handler(event, {
          functionName: name,
          awsRequestId: 'rehearsal',
          getRemainingTimeInMillis: () => 60_000,
        });
      } catch (error) {
        outcome = error;
      } finally {
        restore();
        process.env = saved;
      }
      const problems = policyFailures([{ fn: label, statements: statementsOfRole(args.template, roleId), sent: [...sent] }]);
      failures.push(...problems);
      console.error(
        `rehearsal: ${label}: ran the bundle (${outcome instanceof Error ? `threw ${outcome.message}` : 'returned'}); sent ${[...sent].join(' ') || 'nothing'}; IAM checked statically (moto enforces none here)`,
      );
      const empty = label.includes('Processing') && (event as { Records: unknown[] }).Records.length === 0;
      // A handler that returned on an empty batch proved nothing: not a pass.
      if (empty) failures.push(`${label}: no Kinesis records to process (the producer put none)`);
      else if (problems.length === 0 && !(outcome instanceof Error)) passed++;
      else if (outcome instanceof Error) failures.push(`${label}: ${outcome.message}`);
    } catch (error) {
      failures.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { failures, lines: [`functions ${passed}/${functions.length}`] };
}
