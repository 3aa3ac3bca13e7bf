/**
 * `--target local|aws` and the AWS options: which `Operations` an operating command talks to. The
 * commands get an Operations and do not know which implementation it is.
 *
 * Without --target: aws when an AWS-only option (--profile, --region, --stack) is given, else the
 * target saved for the project (`stockpipe.config.json` in the working directory), else local. AWS
 * is touched only when asked for: a missing or mistyped data dir is no reason to operate the
 * deployed stack. An AWS target that was not given with --target, and a local one without a data
 * dir, is said on stderr.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import type { Operations } from '../ops/operations';
import { RESOURCE } from '../shared/names';
import { layoutOf, outputFor, type CommonOptions } from './options';
import type { Target } from './operations';
import { TARGETS } from './operations';
import { CliError, type CliIo, type Output } from './output';

export interface TargetOptions extends CommonOptions {
  readonly target?: Target;
  readonly profile?: string;
  readonly region?: string;
  readonly stack?: string;
}

export const withTargetOption = (command: Command): Command =>
  command
    .addOption(
      new Option(
        '--target <target>',
        'local: the local runtime of --data-dir; aws: the deployed stack (default: aws with --profile/--region/--stack or a saved stockpipe.config.json, else local)',
      ).choices(TARGETS),
    )
    .option('--profile <name>', 'aws: the AWS profile to use (default: the standard credential chain)')
    .option('--region <region>', "aws: the stack's region (default: AWS_REGION, then the profile's)")
    .option('--stack <name>', `aws: the CloudFormation stack (default: ${RESOURCE.stack})`);

const AWS_ONLY = ['profile', 'region', 'stack'] as const;

/** The project's saved settings: `stockpipe.config.json` in the working directory. */
export const PROJECT_SETTINGS_FILE = 'stockpipe.config.json';

export interface ProjectSettings {
  readonly target?: Target;
  readonly profile?: string;
  readonly region?: string;
  readonly stack?: string;
}

/** The saved settings of the project in `cwd`, or none; a file that is not such settings is a usage error naming it. */
export function projectSettings(cwd: string = process.cwd()): ProjectSettings {
  const path = join(cwd, PROJECT_SETTINGS_FILE);
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliError(`${path} is not valid JSON (${(error as Error).message}); fix it or delete it`, 2);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new CliError(`${path} must hold an object like {"target": "aws", "region": "eu-west-1"}`, 2);
  const settings = parsed as Record<string, unknown>;
  if (settings.target !== undefined && !TARGETS.includes(settings.target as Target))
    throw new CliError(`${path}: target=${JSON.stringify(settings.target)}: must be one of ${TARGETS.join(', ')}`, 2);
  for (const key of AWS_ONLY) {
    if (settings[key] !== undefined && (typeof settings[key] !== 'string' || settings[key] === ''))
      throw new CliError(`${path}: ${key}=${JSON.stringify(settings[key])}: must be a non-empty string`, 2);
  }
  return settings as ProjectSettings;
}

export function resolveTarget(
  options: TargetOptions,
  saved: ProjectSettings = projectSettings(),
): { target: Target; why: string | undefined; options: TargetOptions } {
  const awsOptions = AWS_ONLY.filter((o) => options[o] !== undefined);
  if (options.target === 'local' && awsOptions.length > 0) {
    throw new CliError(`--${awsOptions[0]} is for --target aws; the local target is chosen with --data-dir`, 2);
  }
  if (options.target) return { target: options.target, why: undefined, options };
  if (awsOptions.length > 0) {
    return { target: 'aws', why: `target: aws (because --${awsOptions.join(', --')} was given)`, options };
  }
  if (saved.target === 'aws') {
    const merged: TargetOptions = {
      ...options,
      ...(saved.profile ? { profile: saved.profile } : {}),
      ...(saved.region ? { region: saved.region } : {}),
      ...(saved.stack ? { stack: saved.stack } : {}),
    };
    return { target: 'aws', why: `target: aws (saved in ${join(process.cwd(), PROJECT_SETTINGS_FILE)})`, options: merged };
  }
  const root = layoutOf(options).root;
  return {
    target: 'local',
    // The usual case (a data dir, no AWS option) goes without saying; a missing data dir does not.
    why: existsSync(root)
      ? undefined
      : `target: local, but there is no data dir at ${root} yet (start a pipeline with npm start, or pass --target aws for the deployed stack)`,
    options,
  };
}

export async function openOperations(io: CliIo, options: TargetOptions, out: Output): Promise<Operations> {
  const { target, why, options: chosen } = resolveTarget(options);
  if (why) out.note(why);
  if (target === 'local') {
    const { LocalOperations } = await import('../ops/local/operations');
    return new LocalOperations(layoutOf(options), { onNote: (text) => out.note(text) });
  }
  const [{ AwsOperations }, { defaultCacheDir }] = await Promise.all([
    import('../ops/aws/operations'),
    import('../ops/aws/stack'),
  ]);
  return AwsOperations.open({
    ...(chosen.stack ? { stackName: chosen.stack } : {}),
    ...(chosen.region ? { region: chosen.region } : {}),
    ...(chosen.profile ? { profile: chosen.profile } : {}),
    cacheDir: defaultCacheDir(io.env as NodeJS.ProcessEnv),
  });
}

/** Runs a command's work on the target's Operations and closes them afterwards. */
export async function withOperations<T>(
  io: CliIo,
  options: TargetOptions,
  work: (operations: Operations, out: Output) => Promise<T>,
): Promise<T> {
  const out = outputFor(io, options);
  const operations = await openOperations(io, options, out);
  try {
    return await work(operations, out);
  } finally {
    await operations.close();
  }
}
