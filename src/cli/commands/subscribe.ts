/** `stockpipe subscribe --email X`: mail the alerts (or the ops notifications) to someone. */
import { Option, type Command } from 'commander';
import { withCommonOptions } from '../options';
import type { CliIo } from '../output';
import { withOperations, withTargetOption, type TargetOptions } from '../targets';

interface SubscribeOptions extends TargetOptions {
  readonly email: string;
  readonly topic: 'alerts' | 'ops';
}

export function registerSubscribe(program: Command, io: CliIo): void {
  const command = program
    .command('subscribe')
    .description("subscribe an email address to the stack's alerts (or ops) topic; the recipient must confirm")
    .requiredOption('--email <address>', 'who gets the mails')
    .addOption(
      new Option('--topic <topic>', 'alerts: BUY/SELL and daily reports; ops: alarms and failed runs')
        .choices(['alerts', 'ops'])
        .default('alerts'),
    );
  withTargetOption(withCommonOptions(command)).action((options: SubscribeOptions) =>
    withOperations(io, options, async (operations, out) => {
      const result = await operations.subscribe(options.email, options.topic);
      out.result(result, () => result.message);
    }),
  );
}
