/**
 * `npm run rehearse`: the synthesized stack deployed into moto (a Python implementation of the AWS
 * APIs), checked resource by resource, with each function's role checked against what its bundle sends.
 * Prints one summary line and exits non-zero naming every failure; 2 when moto is missing (1 with CI=true).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { dropGrant, parseDropGrant, type TemplateLike } from './policy';
import { findMotoServer, startMoto, type Moto } from './moto';

const ROOT = path.resolve(__dirname, '..', '..');
const STACK = 'Stockpipe';
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

/**
 * The deployment rehearsed. The default source (Yahoo) needs the network: the stack is synthesized
 * with the synthetic source, as `-c stockpipe:quoteSource=synthetic` deploys it, so the producer gets
 * the environment and grants that source needs. One sample a minute (cadence 60) lets the rehearsal
 * replay scheduled runs without waiting between samples; four symbols make a crossover likely.
 */
export const REHEARSAL_CONTEXT: Readonly<Record<string, string>> = {
  quoteSource: 'synthetic',
  cadenceSeconds: '60',
  symbols: 'AAPL,MSFT,AMZN,NVDA',
};
/** Scheduled producer runs replayed: more than SMA-20 needs per symbol, and room for a crossover. */
const PRODUCER_RUNS = 60;

/** Types moto's CloudFormation accepts without creating anything, each with why that is acceptable here. */
export const NOT_MODELLED: Readonly<Record<string, string>> = {
  'AWS::Glue::Database': "no Glue model in moto CloudFormation; the rehearsal creates it through moto's Glue API",
  'AWS::Glue::Table': "no Glue model in moto CloudFormation; created through moto's Glue API, SerDe asserted in test/infra",
  'AWS::Athena::WorkGroup': 'no Athena model in moto CloudFormation; queries run on DuckDB locally',
  'AWS::CloudWatch::Alarm': 'no alarm model in moto CloudFormation; alarm properties asserted in test/infra',
  'AWS::CloudWatch::Dashboard': 'no dashboard model in moto CloudFormation',
  'AWS::S3::BucketPolicy': 'moto does not enforce resource policies; statements asserted in test/infra',
  'AWS::SQS::QueuePolicy': 'moto does not enforce resource policies; statements asserted in test/infra',
  'AWS::SNS::TopicPolicy': 'moto does not enforce resource policies; statements asserted in test/infra',
  'AWS::Lambda::EventInvokeConfig': 'moto does not model async invoke settings',
  'AWS::CDK::Metadata': 'CDK bookkeeping, nothing to create',
};

const clientConfig = (endpoint: string) => ({
  region: REGION,
  endpoint,
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  requestHandler: new NodeHttpHandler(),
});

function synth(outdir: string, template?: (t: TemplateLike) => TemplateLike): { template: TemplateLike; assets: AssetManifest } {
  const context = Object.entries(REHEARSAL_CONTEXT).flatMap(([k, v]) => ['-c', `stockpipe:${k}=${v}`]);
  execFileSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '--output', outdir, ...context], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, CDK_DEFAULT_ACCOUNT: ACCOUNT, CDK_DEFAULT_REGION: REGION },
  });
  const raw = JSON.parse(fs.readFileSync(path.join(outdir, `${STACK}.template.json`), 'utf8')) as TemplateLike;
  const assets = JSON.parse(fs.readFileSync(path.join(outdir, `${STACK}.assets.json`), 'utf8')) as AssetManifest;
  return { template: template ? template(raw) : raw, assets };
}

interface AssetManifest {
  readonly files: Record<
    string,
    { source: { path: string; packaging?: string }; destinations: Record<string, { bucketName: string; objectKey: string }> }
  >;
}

const resolveAsset = (s: string) => s.replace('${AWS::AccountId}', ACCOUNT).replace('${AWS::Region}', REGION);

async function publishAssets(moto: Moto, outdir: string, assets: AssetManifest): Promise<number> {
  const s3 = new S3Client({ ...clientConfig(moto.endpoint), forcePathStyle: true });
  const buckets = new Set<string>();
  let n = 0;
  for (const [hash, file] of Object.entries(assets.files)) {
    const source = path.join(outdir, file.source.path);
    let body: Buffer;
    if (file.source.packaging === 'zip') {
      const zip = path.join(os.tmpdir(), `rehearse-${hash}.zip`);
      fs.rmSync(zip, { force: true });
      execFileSync('zip', ['-q', '-r', zip, '.'], { cwd: source });
      body = fs.readFileSync(zip);
      fs.rmSync(zip, { force: true });
    } else body = fs.readFileSync(source);
    for (const dest of Object.values(file.destinations)) {
      const bucket = resolveAsset(dest.bucketName);
      if (!buckets.has(bucket)) {
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
        buckets.add(bucket);
      }
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: resolveAsset(dest.objectKey), Body: body }));
      n++;
    }
  }
  return n;
}

async function deployStack(moto: Moto, template: TemplateLike): Promise<{ failures: string[]; line: string }> {
  const s3 = new S3Client({ ...clientConfig(moto.endpoint), forcePathStyle: true });
  const cfn = new CloudFormationClient(clientConfig(moto.endpoint));
  // The template is over CloudFormation's 51,200-byte inline limit, as in a real deploy: upload it.
  await s3.send(new CreateBucketCommand({ Bucket: 'rehearsal-templates' }));
  // moto has no CDK bootstrap stack: drop the bootstrap-version parameter (an SSM lookup) and its rule.
  const body = JSON.parse(JSON.stringify(template)) as TemplateLike & {
    Parameters?: Record<string, unknown>;
    Rules?: Record<string, unknown>;
  };
  delete body.Parameters?.BootstrapVersion;
  delete body.Rules?.CheckBootstrapVersion;
  await s3.send(new PutObjectCommand({ Bucket: 'rehearsal-templates', Key: 'stack.json', Body: JSON.stringify(body) }));
  await cfn.send(
    new CreateStackCommand({
      StackName: STACK,
      TemplateURL: 'https://s3.amazonaws.com/rehearsal-templates/stack.json',
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
    }),
  );
  let status = '';
  for (let i = 0; i < 300; i++) {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: STACK }));
    status = Stacks?.[0]?.StackStatus ?? '';
    if (!status.endsWith('IN_PROGRESS')) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const failures: string[] = [];
  if (status !== 'CREATE_COMPLETE') failures.push(`stack: ${status}`);
  const listed: { type: string; id: string; status: string }[] = [];
  let token: string | undefined;
  do {
    const page = await cfn.send(new ListStackResourcesCommand({ StackName: STACK, NextToken: token }));
    for (const r of page.StackResourceSummaries ?? []) {
      listed.push({ type: r.ResourceType ?? '', id: r.LogicalResourceId ?? '', status: r.ResourceStatus ?? '' });
    }
    token = page.NextToken;
  } while (token);
  const expected = Object.entries(template.Resources).filter(([, r]) => !('Condition' in r));
  let created = 0;
  let notModelled = 0;
  for (const [id, r] of expected) {
    if (r.Type in NOT_MODELLED) {
      notModelled++;
      continue;
    }
    const got = listed.find((l) => l.id === id);
    if (got?.status === 'CREATE_COMPLETE') created++;
    else failures.push(`stack: ${id} (${r.Type}) ${got ? got.status : 'not created'}`);
  }
  return { failures, line: `stack ${created + notModelled}/${expected.length} (${notModelled} not modelled)` };
}

async function main(): Promise<number> {
  const started = Date.now();
  const bin = findMotoServer();
  if (!bin) {
    console.error('rehearsal: moto_server not found; install it with: pip install "moto[server]"');
    return process.env.CI === 'true' ? 1 : 2;
  }
  const drop = process.env.REHEARSE_DROP_GRANT ? parseDropGrant(process.env.REHEARSE_DROP_GRANT) : undefined;
  const outdir = path.join(ROOT, 'cdk.out');
  console.error('rehearsal: synthesizing the stack');
  const { template, assets } = synth(outdir, drop ? (t) => dropGrant(t, drop.roleId, drop.action) : undefined);
  const motoLog = path.join(outdir, 'moto.log');
  const moto = await startMoto(bin, motoLog);
  const failures: string[] = [];
  const parts: string[] = [];
  try {
    console.error(`rehearsal: moto_server pid ${moto.pid} on ${moto.endpoint}`);
    const n = await publishAssets(moto, outdir, assets);
    console.error(`rehearsal: published ${n} assets`);
    const stack = await deployStack(moto, template);
    failures.push(...stack.failures);
    parts.push(stack.line);
    const { rehearseFunctions } = await import('./functions');
    const fns = await rehearseFunctions({
      endpoint: moto.endpoint,
      outdir,
      template,
      stack: STACK,
      region: REGION,
      account: ACCOUNT,
      producerRuns: PRODUCER_RUNS,
    });
    failures.push(...fns.failures);
    parts.push(...fns.lines);
    const { rehearseCli } = await import('./cli');
    const cli = await rehearseCli({ root: ROOT, endpoint: moto.endpoint, stack: STACK, region: REGION, deployed: fns.deployed });
    failures.push(...cli.failures);
    parts.push(...cli.lines);
  } catch (error) {
    failures.push(`aborted: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    moto.stop();
  }
  const notModelled = [...new Set(Object.values(template.Resources).map((r) => r.Type))].filter((t) => t in NOT_MODELLED);
  console.error(`rehearsal: not modelled by moto: ${notModelled.map((t) => `${t} (${NOT_MODELLED[t]})`).join('; ')}`);
  if (failures.length) console.error(`rehearsal: moto's log is ${motoLog}`);
  for (const f of failures) console.error(`rehearsal FAILED: ${f}`);
  console.log(
    `rehearsal: ${parts.join(', ')}${failures.length ? ` - ${failures.length} failure(s)` : ''} (${Math.round((Date.now() - started) / 1000)} s)`,
  );
  return failures.length ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
