/** `--target local|aws`: which Operations implementation an operating command talks to. */
import { Option, type Command } from 'commander';
import { LocalOperations } from '../local/local-operations';
import type { CommonOptions } from './options';
import { layoutOf } from './options';
import type { CliOperations, Target } from './operations';
import { TARGETS } from './operations';
import { CliError } from './output';

export interface TargetOptions extends CommonOptions {
  readonly target: Target;
}

export const withTargetOption = (command: Command): Command =>
  command.addOption(new Option('--target <target>', 'where to operate: the local runtime, or the deployed stack').choices(TARGETS).default('local'));

export function operationsFor(options: TargetOptions): CliOperations {
  if (options.target === 'aws') {
    throw new CliError('--target aws is not available in this version yet (the AWS operations arrive with the cloud-operations commands); use --target local', 2);
  }
  return new LocalOperations(layoutOf(options));
}
