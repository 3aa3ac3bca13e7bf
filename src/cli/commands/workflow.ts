/** `stockpipe workflow run maintenance|report`: start a workflow run, and with --wait follow it to its end. */
import { Argument, type Command } from 'commander';
import { parseDay } from '../../ops/time';
import { WORKFLOW_NAMES } from '../../ops/names';
import type { RunDetail } from '../../ops/types';
import type { WorkflowName } from '../../shared/workflow-substitutions';
import { withCommonOptions } from '../options';
import { CliError, type CliIo } from '../output';
import { renderRunHead, renderStates } from '../render-ops';
import { withOperations, withTargetOption, type TargetOptions } from '../targets';

interface RunOptions extends TargetOptions {
  readonly date?: string;
  readonly wait?: boolean;
}

const ended = (run: RunDetail): string =>
  `run ${run.id} (${run.workflow}) ended ${run.status}${run.failedState ? ` in state ${run.failedState}` : ''}: ${run.error ?? 'no error'}${run.cause ? `: ${run.cause}` : ''}; see stockpipe runs show ${run.id}`;

/** The end of a followed run: its header and the states that went wrong (runs show has them all). */
function renderEnd(run: RunDetail): string {
  const troubled = run.states.filter((s) => s.status !== 'SUCCEEDED' || s.retries > 0);
  const head = renderRunHead(run);
  return troubled.length === 0
    ? `${head}\n${run.states.length} state(s), all succeeded without retries (stockpipe runs show ${run.id} lists them)`
    : `${head}\n${renderStates(troubled)}\n(stockpipe runs show ${run.id} lists all ${run.states.length} state(s))`;
}

export function registerWorkflow(program: Command, io: CliIo): void {
  const group = program.command('workflow').description('run the lake-maintenance or the daily-report workflow on demand');
  const run = group
    .command('run')
    .description('start a run; with --wait, follow it to its end (locally the run always ends before the command does)')
    .addArgument(
      new Argument(
        '<workflow>',
        'maintenance: compact new raw partitions to Parquet and register them; report: the daily report',
      ).choices(WORKFLOW_NAMES),
    )
    .option(
      '--date <YYYY-MM-DD>',
      "report: the day it covers (default on AWS: the workflow's own, today UTC; locally: the newest day of the lake)",
      (v: string) => parseDay(v),
    )
    .option('--wait', 'follow the run until it ends, showing its states; exit 1 if it does not succeed');
  withTargetOption(withCommonOptions(run)).action((workflow: WorkflowName, options: RunOptions) =>
    withOperations(io, options, async (operations, out) => {
      if (options.date && workflow !== 'report')
        throw new CliError('--date is for the report workflow; maintenance compacts every partition not compacted yet', 2);
      out.progress(`starting the ${workflow} workflow on ${operations.where}...`);
      const started = await operations.startWorkflow(workflow, options.date ? { date: options.date } : {});
      if (!options.wait) {
        out.result(
          started,
          () =>
            `started run ${started.id} of the ${workflow} workflow (${started.executionArn}); follow it with stockpipe runs show ${started.id}`,
        );
        return;
      }
      out.note(`run ${started.id} of the ${workflow} workflow started; following it`);
      let done = 0;
      const detail = await operations.waitForRun(started.executionArn, {
        onProgress: ({ run: current, entered, finished }) => {
          done += finished.length;
          for (const s of finished)
            if (s.status === 'FAILED' || s.status === 'CAUGHT')
              out.warn(
                `state ${s.name}${s.iteration !== null ? ` [${s.iteration}]` : ''} ${s.status}: ${s.error ?? ''}${s.cause ? `: ${s.cause}` : ''}`,
              );
          const last = entered.at(-1) ?? current.states.at(-1);
          out.progress(
            `${current.status} | ${current.states.length} state(s) entered, ${done} finished${last ? ` | ${last.name}` : ''}`,
          );
        },
      });
      out.result(detail, () => renderEnd(detail));
      if (detail.status !== 'SUCCEEDED') throw new CliError(ended(detail), 1);
    }),
  );
}
