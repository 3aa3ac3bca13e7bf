/** `stockpipe schedule enable|disable|status`: the rule that runs the producer. */
import { Option, type Command } from 'commander';
import { outputFor, withCommonOptions } from '../options';
import type { RuleName, ScheduleStatus } from '../operations';
import { CliError, type CliIo } from '../output';
import { operationsFor, withTargetOption, type TargetOptions } from '../targets';

interface ScheduleOptions extends TargetOptions {
  readonly rule: RuleName;
  readonly yes?: boolean;
}

const describe = (s: ScheduleStatus): string =>
  `${s.rule} schedule (${s.name}, ${s.expression ?? 'no expression'}): ${s.state}` +
  (s.nextTrigger ? `, next trigger ${s.nextTriggerApproximate ? 'by ' : 'at '}${s.nextTrigger}` : '');

function scheduleCommand(parent: Command, name: string, description: string): Command {
  const command = parent
    .command(name)
    .description(description)
    .addOption(new Option('--rule <rule>', 'which schedule').choices(['ingest', 'report', 'maintenance']).default('ingest'));
  return withTargetOption(withCommonOptions(command));
}

export function registerSchedule(program: Command, io: CliIo): void {
  const group = program.command('schedule').description('turn the producer schedule on or off, or show it');

  scheduleCommand(group, 'status', 'show whether the schedule is enabled and when it fires next').action(async (options: ScheduleOptions) => {
    const status = await operationsFor(options).scheduleStatus(options.rule);
    outputFor(io, options).result(status, () => describe(status));
  });

  scheduleCommand(group, 'enable', 'enable the schedule (the producer runs at the next fire)').action(async (options: ScheduleOptions) => {
    const change = await operationsFor(options).setSchedule(options.rule, true);
    outputFor(io, options).result(change, () => (change.changed ? `enabled: ${describe(change)}` : `already enabled: ${describe(change)}`));
  });

  scheduleCommand(group, 'disable', 'disable the schedule (no ticks are produced until it is enabled)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (options: ScheduleOptions) => {
      const operations = operationsFor(options);
      if (!options.yes) {
        if (!io.stdinIsTTY) throw new CliError('disabling the schedule stops ingestion: confirm with --yes', 2);
        if (!(await io.confirm(`Disable the ${options.rule} schedule of ${operations.where}? No ticks are produced until it is enabled again.`))) {
          throw new CliError('not disabled (not confirmed)', 1);
        }
      }
      const change = await operations.setSchedule(options.rule, false);
      outputFor(io, options).result(change, () => (change.changed ? `disabled: ${describe(change)}` : `already disabled: ${describe(change)}`));
    });
}
