/**
 * Finds everything the AWS target needs from the deployed stack's outputs (CloudFormation
 * DescribeStacks), so that no ARN or name is pasted by hand. The outputs are keyed by the keys of
 * RESOURCE (infra/stack.ts) plus the workflow construct's; they are cached per stack and region in
 * the user's cache dir for an hour, and refreshed when a command finds a resource gone.
 */
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RESOURCE } from '../../shared/names';
import type { WorkflowName } from '../../shared/workflow-substitutions';
import { OpsError, mapAwsError } from '../errors';
import type { RuleName } from '../types';

type ResourceKey = keyof typeof RESOURCE;

/** Outputs the operating commands cannot work without. */
export const REQUIRED_OUTPUTS = [
  'stream',
  'scheduleRule',
  'rawBucket',
  'alertTable',
  'invalidQueue',
  'processingDlq',
  'analysisDlq',
  'alertTopic',
  'opsTopic',
] as const satisfies readonly ResourceKey[];

/**
 * Outputs the workflow construct adds (infra/constructs/maintenance-workflow.ts, report-workflow.ts): the state machines' ARNs and
 * their schedule rules' names. Commands that need one say so when it is missing.
 */
export const WORKFLOW_OUTPUTS = {
  maintenance: { stateMachine: 'maintenanceStateMachine', rule: 'maintenanceRule' },
  report: { stateMachine: 'reportStateMachine', rule: 'reportRule' },
} as const satisfies Record<WorkflowName, { stateMachine: string; rule: string }>;

export const RULE_OUTPUTS: Readonly<Record<RuleName, string>> = {
  ingest: 'scheduleRule',
  maintenance: WORKFLOW_OUTPUTS.maintenance.rule,
  report: WORKFLOW_OUTPUTS.report.rule,
};

export interface StackInfo {
  readonly stackName: string;
  readonly region: string;
  readonly stackId: string;
  readonly status: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly fetchedAt: string;
  /** True when read from the cache file rather than from CloudFormation just now. */
  readonly fromCache: boolean;
}

export interface StackDiscoveryOptions {
  readonly stackName: string;
  readonly region: string;
  /** Folder of the cache files; undefined disables the cache. */
  readonly cacheDir?: string;
  /** @default 3_600_000 (one hour) */
  readonly maxAgeMs?: number;
  /** Ask CloudFormation even if the cache is fresh. */
  readonly refresh?: boolean;
  readonly profile?: string;
  readonly now?: () => Date;
}

/** `$XDG_CACHE_HOME/stockpipe`, `~/Library/Caches/stockpipe` on macOS, `%LOCALAPPDATA%\stockpipe` on Windows, else `~/.cache/stockpipe`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'stockpipe');
  if (platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'stockpipe');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'stockpipe');
  return join(homedir(), '.cache', 'stockpipe');
}

const safe = (part: string): string => part.replace(/[^A-Za-z0-9._-]/g, '_');

export const stackCacheFile = (cacheDir: string, stackName: string, region: string): string =>
  join(cacheDir, 'stacks', safe(region), `${safe(stackName)}.json`);

function readCache(file: string): Omit<StackInfo, 'fromCache'> | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Omit<StackInfo, 'fromCache'>;
    return typeof value.fetchedAt === 'string' && value.outputs && typeof value.outputs === 'object' ? value : undefined;
  } catch {
    // Missing or unreadable: the cache is only a shortcut, CloudFormation is the truth.
    return undefined;
  }
}

function writeCache(file: string, info: Omit<StackInfo, 'fromCache'>): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n');
  renameSync(tmp, file);
}

export function forgetStack(cacheDir: string, stackName: string, region: string): void {
  rmSync(stackCacheFile(cacheDir, stackName, region), { force: true });
}

const notFound = (stackName: string, region: string, cause?: unknown): OpsError =>
  new OpsError(
    'not-found',
    `stack ${stackName} not found in region ${region}; deploy it with npm run deploy or pass --stack (and --region)`,
    {
      cause,
    },
  );

export async function discoverStack(cloudformation: CloudFormationClient, options: StackDiscoveryOptions): Promise<StackInfo> {
  const { stackName, region } = options;
  const now = options.now ?? (() => new Date());
  const file = options.cacheDir ? stackCacheFile(options.cacheDir, stackName, region) : undefined;
  if (file && !options.refresh) {
    const cached = readCache(file);
    const age = cached ? now().getTime() - Date.parse(cached.fetchedAt) : Infinity;
    if (cached && age >= 0 && age < (options.maxAgeMs ?? 3_600_000)) return { ...cached, fromCache: true };
  }

  let out;
  try {
    out = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (error) {
    // CloudFormation answers a missing stack with a ValidationError, not a ResourceNotFound.
    const e = error as { name?: string; message?: string };
    if (e.name === 'ValidationError' && /does not exist/i.test(e.message ?? '')) throw notFound(stackName, region, error);
    throw mapAwsError(error, {
      action: `describe stack ${stackName}`,
      region,
      ...(options.profile ? { profile: options.profile } : {}),
    });
  }
  const stack = out.Stacks?.[0];
  if (!stack || stack.StackStatus === 'DELETE_COMPLETE') throw notFound(stackName, region);
  if (
    stack.StackStatus === 'CREATE_IN_PROGRESS' ||
    stack.StackStatus === 'CREATE_FAILED' ||
    stack.StackStatus === 'ROLLBACK_COMPLETE'
  ) {
    throw new OpsError(
      'not-found',
      `stack ${stackName} in region ${region} is ${stack.StackStatus}: it has no usable outputs; fix the deployment (npm run deploy) and try again`,
    );
  }
  const outputs: Record<string, string> = {};
  for (const o of stack.Outputs ?? []) if (o.OutputKey && o.OutputValue !== undefined) outputs[o.OutputKey] = o.OutputValue;
  const missing = REQUIRED_OUTPUTS.filter((k) => !outputs[k]);
  if (missing.length > 0) {
    throw new OpsError(
      'not-found',
      `stack ${stackName} in region ${region} lacks output(s) ${missing.join(', ')}: it was deployed from an older version; deploy the current one with npm run deploy`,
    );
  }
  const info = {
    stackName,
    region,
    stackId: stack.StackId ?? stackName,
    status: stack.StackStatus ?? 'UNKNOWN',
    outputs,
    fetchedAt: now().toISOString(),
  };
  if (file) writeCache(file, info);
  return { ...info, fromCache: false };
}

/** One output by key, or an error that says which and what to do. */
export function stackOutput(info: StackInfo, key: string, neededFor: string): string {
  const value = info.outputs[key];
  if (value) return value;
  throw new OpsError(
    'not-found',
    `stack ${info.stackName} in region ${info.region} has no output ${key}, needed to ${neededFor}; deploy the current version with npm run deploy`,
  );
}
