/** Entry of the `stockpipe` binary: scripts/build-cli.mjs bundles it into dist/stockpipe.cjs, which bin/stockpipe.cjs runs. */
import './quiet-runtime';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline/promises';
import { runLastResorts } from '../local/last-resort';
import { runCli } from './program';
import type { CliIo } from './output';

function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    columns: process.stderr.columns ?? 80,
    env: process.env,
    interrupted: () =>
      new Promise((resolve) => {
        const onSignal = (signal: string) => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          // A second Ctrl-C while shutting down stops at once.
          process.once('SIGINT', () => process.exit(130));
          resolve(signal);
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      }),
    open: (path) =>
      new Promise((resolve, reject) => {
        const [command, ...args] =
          process.platform === 'darwin'
            ? ['open', path]
            : process.platform === 'win32'
              ? ['cmd', '/c', 'start', '', path]
              : ['xdg-open', path];
        const child = spawn(command!, args, { stdio: 'ignore', detached: true });
        child.once('error', (error) =>
          reject(new Error(`could not start ${command} to open ${path} (${error.message}); open the file yourself`)),
        );
        child.once('spawn', () => {
          child.unref();
          resolve();
        });
      }),
    confirm: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
      } finally {
        rl.close();
      }
    },
  };
}

/**
 * The last resort: an error nothing handled (an emulator's callback, a stray stream event) ends the
 * process with one clear line, after the running pipeline has logged it and released its lock.
 */
const fatal = (error: unknown): void => {
  runLastResorts(error);
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `error: fatal: ${message} (the pipeline stopped; what it committed is kept: start it again with the same data dir)\n`,
  );
  process.exit(1);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

runCli(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
    // Emulator sockets may linger for a moment after a clean stop; they must not hold the exit.
    setTimeout(() => process.exit(code), 500).unref();
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
