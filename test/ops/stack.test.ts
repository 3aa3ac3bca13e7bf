import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpsError } from '../../src/ops/errors';
import { defaultCacheDir, discoverStack, stackCacheFile, stackOutput } from '../../src/ops/aws/stack';
import { OUTPUTS, REGION, awsError, describeStacksAnswer } from './helpers';

const cfnClient = new CloudFormationClient({ region: REGION });
const cfn = mockClient(cfnClient);
let cacheDir: string;

beforeEach(() => {
  cfn.reset();
  cacheDir = mkdtempSync(join(tmpdir(), 'stockpipe-ops-cache-'));
});
afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));

const rejection = async (p: Promise<unknown>): Promise<OpsError> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof OpsError) return e;
    throw e;
  }
  throw new Error('expected the promise to reject');
};

describe('stack discovery', () => {
  test('reads the outputs with one DescribeStacks call for the named stack', async () => {
    cfn.on(DescribeStacksCommand).resolves(describeStacksAnswer());
    const info = await discoverStack(cfnClient, { stackName: 'Stockpipe', region: REGION });
    expect(cfn.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input)).toEqual([{ StackName: 'Stockpipe' }]);
    expect(info.outputs).toEqual(OUTPUTS);
    expect(info.status).toBe('UPDATE_COMPLETE');
    expect(info.fromCache).toBe(false);
    expect(stackOutput(info, 'scheduleRule', 'x')).toBe('Stockpipe-IngestionScheduleABCD');
  });

  test('caches the outputs per stack and region and serves them from the file within the hour', async () => {
    cfn.on(DescribeStacksCommand).resolves(describeStacksAnswer());
    let now = new Date('2026-03-02T10:00:00Z');
    const options = { stackName: 'Stockpipe', region: REGION, cacheDir, now: () => now };
    await discoverStack(cfnClient, options);
    const file = stackCacheFile(cacheDir, 'Stockpipe', REGION);
    expect(JSON.parse(readFileSync(file, 'utf8')).outputs).toEqual(OUTPUTS);

    now = new Date('2026-03-02T10:59:00Z');
    const cached = await discoverStack(cfnClient, options);
    expect(cached.fromCache).toBe(true);
    expect(cached.outputs).toEqual(OUTPUTS);
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(1);

    // Another region is another cache entry.
    await discoverStack(cfnClient, { ...options, region: 'us-west-2' });
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(2);
    expect(existsSync(stackCacheFile(cacheDir, 'Stockpipe', 'us-west-2'))).toBe(true);

    now = new Date('2026-03-02T11:00:01Z');
    expect((await discoverStack(cfnClient, options)).fromCache).toBe(false);
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(3);
    expect((await discoverStack(cfnClient, { ...options, refresh: true })).fromCache).toBe(false);
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(4);
  });

  test('a missing stack says where it looked and what to do', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('ValidationError', 'Stack with id Nope does not exist'));
    const e = await rejection(discoverStack(cfnClient, { stackName: 'Nope', region: REGION, cacheDir }));
    expect(e.message).toBe(
      `stack Nope not found in region ${REGION}; deploy it with npm run deploy or pass --stack (and --region)`,
    );
    expect(e.kind).toBe('not-found');
    expect(e.exitCode).toBe(1);
    expect(existsSync(stackCacheFile(cacheDir, 'Nope', REGION))).toBe(false);
  });

  test('a stack deployed from an older version names the outputs it lacks', async () => {
    const { alertTable: _a, opsTopic: _o, ...older } = OUTPUTS;
    cfn.on(DescribeStacksCommand).resolves(describeStacksAnswer(older));
    const e = await rejection(discoverStack(cfnClient, { stackName: 'Stockpipe', region: REGION }));
    expect(e.message).toBe(
      `stack Stockpipe in region ${REGION} lacks output(s) alertTable, opsTopic: it was deployed from an older version; deploy the current one with npm run deploy`,
    );
  });

  test('an output only some commands need is reported when one of them asks for it', async () => {
    const { reportStateMachine: _r, ...noReport } = OUTPUTS;
    cfn.on(DescribeStacksCommand).resolves(describeStacksAnswer(noReport));
    const info = await discoverStack(cfnClient, { stackName: 'Stockpipe', region: REGION });
    expect(() => stackOutput(info, 'reportStateMachine', 'start the report workflow')).toThrow(
      `stack Stockpipe in region ${REGION} has no output reportStateMachine, needed to start the report workflow; deploy the current version with npm run deploy`,
    );
  });

  test('a stack that failed to create is not used', async () => {
    cfn.on(DescribeStacksCommand).resolves(describeStacksAnswer(OUTPUTS, 'ROLLBACK_COMPLETE'));
    const e = await rejection(discoverStack(cfnClient, { stackName: 'Stockpipe', region: REGION }));
    expect(e.message).toMatch(/^stack Stockpipe in region eu-west-1 is ROLLBACK_COMPLETE: it has no usable outputs/);
  });

  test.each([
    [
      'AccessDenied',
      'access-denied',
      'User is not authorized to perform: cloudformation:DescribeStacks',
      /^access denied to describe stack Stockpipe in region eu-west-1 \(AccessDenied: User is not authorized/,
    ],
    [
      'ExpiredToken',
      'credentials',
      'The security token included in the request is expired',
      /^your AWS credentials have expired \(ExpiredToken: .*\) while trying to describe stack Stockpipe; refresh the credentials of profile prod \(for SSO: aws sso login --profile prod\)$/,
    ],
    [
      'Throttling',
      'throttled',
      'Rate exceeded',
      /^AWS throttled the request to describe stack Stockpipe in region eu-west-1 \(Throttling\); wait a minute and run the command again$/,
    ],
  ])('%s from CloudFormation becomes a clear %s error with exit code 1', async (name, kind, message, text) => {
    cfn.on(DescribeStacksCommand).rejects(awsError(name, message, name === 'Throttling' ? 400 : 403));
    const e = await rejection(discoverStack(cfnClient, { stackName: 'Stockpipe', region: REGION, profile: 'prod' }));
    expect(e.kind).toBe(kind);
    expect(e.message).toMatch(text);
    expect(e.exitCode).toBe(1);
  });

  test('the cache lives in the platform cache dir', () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'linux')).toBe('/x/cache/stockpipe');
    expect(defaultCacheDir({}, 'linux')).toMatch(/\.cache\/stockpipe$/);
    expect(defaultCacheDir({}, 'darwin')).toMatch(/Library\/Caches\/stockpipe$/);
  });
});
