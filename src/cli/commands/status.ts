/** `stockpipe status`: schedule, stream, the last hour, dead-letter depths and the workflows' last runs. */
import type { Command } from 'commander';
import { withCommonOptions } from '../options';
import type { CliIo } from '../output';
import { renderStatus } from '../render-ops';
import { withOperations, withTargetOption, type TargetOptions } from '../targets';

export function registerStatus(program: Command, io: CliIo): void {
  const command = program
    .command('status')
    .description('one screen: schedule, stream, ticks and alerts of the last hour, dead-letter queues, last workflow runs');
  withTargetOption(withCommonOptions(command)).action((options: TargetOptions) =>
    withOperations(io, options, async (operations, out) => {
      const status = await operations.status();
      out.result(status, () => renderStatus(status));
    }),
  );
}
