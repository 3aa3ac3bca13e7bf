/**
 * The `stockpipe` command: commander wiring of the command groups (one file each under commands/),
 * and `runCli`, which runs one command line and returns its exit code (0 ok, 1 failure, 2 usage).
 * Tests call runCli in-process with their own CliIo.
 *
 * Registering a command loads only commander and light modules: what a command runs on (the local
 * runtime, the emulators, the AWS SDK, DuckDB, the zod schemas) is imported inside its action with
 * `await import()`, so that `--help` and a usage error answer at once. test/cli/binary.test.ts
 * checks that `--help` loads no package but commander.
 */
import { Command, CommanderError } from 'commander';
import { registerAlerts } from './commands/alerts';
import { registerDashboard } from './commands/dashboard';
import { registerDlq } from './commands/dlq';
import { registerQuery } from './commands/query';
import { registerReplay } from './commands/replay';
import { registerReport } from './commands/report';
import { registerRun } from './commands/run';
import { registerRuns } from './commands/runs';
import { registerSchedule } from './commands/schedule';
import { registerSignals } from './commands/signals';
import { registerStart } from './commands/start';
import { registerStatus } from './commands/status';
import { registerSubscribe } from './commands/subscribe';
import { registerUp } from './commands/up';
import { registerVerify } from './commands/verify';
import { registerWorkflow } from './commands/workflow';
import { describeError, type CliIo, type ExitCode } from './output';

const VERSION = '0.1.0';

export function buildProgram(io: CliIo): Command {
  const program = new Command('stockpipe')
    .description('A serverless stock-market pipeline on AWS that runs the same code offline on this machine.')
    .version(VERSION)
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      '\nStart here: npx stockpipe start  (or npm start). Every command has --help and --json.\n' +
        'The operating commands (status to subscribe) work on the local runtime or, with --target aws, on the deployed stack.',
    );
  // Every command, the groups' subcommands included, writes through io and throws instead of exiting.
  const configure = (command: Command) =>
    command.exitOverride().configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  configure(program);

  // The local pipeline...
  registerStart(program, io);
  registerRun(program, io);
  registerReplay(program, io);
  registerUp(program, io);
  registerQuery(program, io);
  // ...and the operating commands, on the local runtime or the deployed stack (--target).
  registerStatus(program, io);
  registerSchedule(program, io);
  registerAlerts(program, io);
  registerSignals(program, io);
  registerVerify(program, io);
  registerRuns(program, io);
  registerWorkflow(program, io);
  registerReport(program, io);
  registerDlq(program, io);
  registerSubscribe(program, io);
  registerDashboard(program, io);

  const all = (command: Command): Command[] => [command, ...command.commands.flatMap(all)];
  for (const command of all(program)) configure(command);
  return program;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end with exit code 0; a usage mistake (already explained by commander) with 2.
      return error.exitCode === 0 ? 0 : 2;
    }
    const { exitCode, lines } = describeError(error, Boolean(io.env.STOCKPIPE_DEBUG));
    for (const line of lines) io.stderr(line + '\n');
    return exitCode;
  }
}
