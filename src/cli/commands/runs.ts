/** `stockpipe runs list|show`: the workflows' runs, and one run state by state. */
import { Option, type Command } from 'commander';
import { parseRunStatus } from '../../ops/run-status';
import { WORKFLOW_NAMES, type RunStatus } from '../../ops/names';
import type { WorkflowName } from '../../shared/workflow-substitutions';
import { positiveInteger, since, withCommonOptions } from '../options';
import type { CliIo } from '../output';
import { renderRun, renderRuns } from '../render-ops';
import { withOperations, withTargetOption, type TargetOptions } from '../targets';

interface ListOptions extends TargetOptions {
  readonly workflow?: WorkflowName;
  readonly status?: RunStatus;
  readonly since?: Date;
  readonly limit: number;
}

export function registerRuns(program: Command, io: CliIo): void {
  const group = program.command('runs').description('the runs of the maintenance and report workflows');

  const list = group
    .command('list')
    .description('runs of both workflows (or one), newest first')
    .addOption(new Option('--workflow <workflow>', 'only this workflow').choices(WORKFLOW_NAMES))
    .option('--status <status>', 'only runs in this status: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED', parseRunStatus)
    .option('--since <when>', 'only runs started since: 30m, 24h, 7d or an ISO time', since())
    .option('--limit <n>', 'at most this many', positiveInteger('--limit'), 50);
  withTargetOption(withCommonOptions(list)).action((options: ListOptions) =>
    withOperations(io, options, async (operations, out) => {
      const runs = await operations.listRuns({
        ...(options.workflow ? { workflow: options.workflow } : {}),
        ...(options.status ? { status: options.status } : {}),
        ...(options.since ? { since: options.since } : {}),
        limit: options.limit,
      });
      out.result(runs, () => {
        if (runs.length === 0) {
          out.note(`no runs in ${operations.where}; start one with stockpipe workflow run maintenance`);
          return '';
        }
        return renderRuns(runs);
      });
    }),
  );

  const show = group
    .command('show')
    .description('one run state by state: durations, tries, retries, and the error of a failed state')
    .argument('<id>', 'the run id of runs list, or its execution ARN');
  withTargetOption(withCommonOptions(show)).action((id: string, options: TargetOptions) =>
    withOperations(io, options, async (operations, out) => {
      const run = await operations.showRun(id);
      out.result(run, () => renderRun(run));
    }),
  );
}
