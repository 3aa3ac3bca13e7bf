/**
 * `--target local|aws` and the AWS options: which `Operations` an operating command talks to. The
 * commands get an Operations and do not know which implementation it is.
 *
 * Without --target: aws when an AWS-only option (--profile, --region, --stack) is given, else local
 * when the data dir exists, else aws.
 */
import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { LocalOperations } from '../ops/local/operations';
import { AwsOperations } from '../ops/aws/operations';
import { defaultCacheDir } from '../ops/aws/stack';
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
        'local: the local runtime of --data-dir; aws: the deployed stack (default: local when the data dir exists, else aws)',
      ).choices(TARGETS),
    )
    .option('--profile <name>', 'aws: the AWS profile to use (default: the standard credential chain)')
    .option('--region <region>', "aws: the stack's region (default: AWS_REGION, then the profile's)")
    .option('--stack <name>', `aws: the CloudFormation stack (default: ${RESOURCE.stack})`);

const AWS_ONLY = ['profile', 'region', 'stack'] as const;

export function resolveTarget(options: TargetOptions): { target: Target; why: string | undefined } {
  const awsOptions = AWS_ONLY.filter((o) => options[o] !== undefined);
  if (options.target === 'local' && awsOptions.length > 0) {
    throw new CliError(`--${awsOptions[0]} is for --target aws; the local target is chosen with --data-dir`, 2);
  }
  if (options.target) return { target: options.target, why: undefined };
  if (awsOptions.length > 0) return { target: 'aws', why: undefined };
  const root = layoutOf(options).root;
  if (existsSync(root)) return { target: 'local', why: undefined };
  return {
    target: 'aws',
    why: `no local data dir at ${root}: operating the deployed stack (pass --target local for the local runtime, after stockpipe start)`,
  };
}

export async function openOperations(io: CliIo, options: TargetOptions, out: Output): Promise<Operations> {
  const { target, why } = resolveTarget(options);
  if (why) out.note(why);
  if (target === 'local') return new LocalOperations(layoutOf(options), { onNote: (text) => out.note(text) });
  return AwsOperations.open({
    ...(options.stack ? { stackName: options.stack } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
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
