/** `stockpipe schedule enable|disable|status [--rule ingest|report|maintenance]`: the pipeline's rules. */
import { Option, type Command } from 'commander';
import { withCommonOptions } from '../options';
import type { RuleName } from '../operations';
import { CliError, type CliIo } from '../output';
import { describeSchedule } from '../render-ops';
import { withOperations, withTargetOption, type TargetOptions } from '../targets';

interface ScheduleOptions extends TargetOptions {
  readonly rule: RuleName;
  readonly yes?: boolean;
}

function scheduleCommand(parent: Command, name: string, description: string): Command {
  const command = parent
    .command(name)
    .description(description)
    .addOption(
      new Option('--rule <rule>', 'which rule: the producer (ingest), the daily report, or the lake maintenance')
        .choices(['ingest', 'report', 'maintenance'])
        .default('ingest'),
    );
  return withTargetOption(withCommonOptions(command));
}

export function registerSchedule(program: Command, io: CliIo): void {
  const group = program
    .command('schedule')
    .description('turn the schedule rules on or off (the producer by default), or show them')
    .addHelpText(
      'after',
      '\nLocally, --rule maintenance and --rule report govern what stockpipe start runs: maintenance every hour of its clock, the report once the replay is done.',
    );

  scheduleCommand(group, 'status', 'show whether the rule is enabled and when it fires next').action((options: ScheduleOptions) =>
    withOperations(io, options, async (operations, out) => {
      const status = await operations.scheduleStatus(options.rule);
      out.result(status, () => describeSchedule(status));
    }),
  );

  // Enabling needs no confirmation, but --yes is accepted so a script can pass it to both directions.
  scheduleCommand(group, 'enable', 'enable the rule (it fires at its next trigger)')
    .option('-y, --yes', 'accepted for symmetry with disable; enabling asks nothing')
    .action((options: ScheduleOptions) =>
      withOperations(io, options, async (operations, out) => {
        const change = await operations.setSchedule(options.rule, true);
        out.result(change, () =>
          change.changed ? `enabled: ${describeSchedule(change)}` : `already enabled: ${describeSchedule(change)}`,
        );
      }),
    );

  scheduleCommand(group, 'disable', 'disable the rule (for ingest: no ticks are produced until it is enabled)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action((options: ScheduleOptions) =>
      withOperations(io, options, async (operations, out) => {
        if (!options.yes) {
          if (!io.stdinIsTTY)
            throw new CliError(
              `disabling the ${options.rule} schedule stops ${options.rule === 'ingest' ? 'ingestion' : `the ${options.rule} runs`}: confirm with --yes`,
              2,
            );
          if (
            !(await io.confirm(
              `Disable the ${options.rule} schedule of ${operations.where}? Nothing runs on it until it is enabled again.`,
            ))
          ) {
            throw new CliError('not disabled (not confirmed)', 1);
          }
        }
        const change = await operations.setSchedule(options.rule, false);
        out.result(change, () =>
          change.changed ? `disabled: ${describeSchedule(change)}` : `already disabled: ${describeSchedule(change)}`,
        );
      }),
    );
}
