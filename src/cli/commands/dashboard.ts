/**
 * `stockpipe dashboard [--port N] [--target local|aws]`: the web page of src/dashboard on 127.0.0.1,
 * until Ctrl-C. Locally it reads the data dir (a pipeline may run on it or not); with --target aws
 * the deployed stack, with the user's credentials.
 */
import type { Command } from 'commander';
import { DEFAULT_DASHBOARD_PORT } from '../../dashboard/server';
import { layoutOf, outputFor, port, withCommonOptions } from '../options';
import type { CliIo } from '../output';
import { resolveTarget, withTargetOption, type TargetOptions } from '../targets';

interface DashboardOptions extends TargetOptions {
  readonly port: number;
}

export function registerDashboard(program: Command, io: CliIo): void {
  const command = program
    .command('dashboard')
    .description('a web page on 127.0.0.1: price with SMA-5/SMA-20 and BUY/SELL markers, the alert log, pipeline health, live')
    .option(
      '--port <n>',
      `the port on 127.0.0.1 (0: any free port)`,
      (v: string) => (v === '0' ? 0 : port(v)),
      DEFAULT_DASHBOARD_PORT,
    );
  withTargetOption(withCommonOptions(command)).action(async (options: DashboardOptions) => {
    const out = outputFor(io, options);
    const { target, why, options: chosen } = resolveTarget(options);
    if (why) out.note(why);
    const { startDashboard } = await import('../../dashboard/open');
    const dashboard = await startDashboard(
      target === 'local'
        ? { target: 'local', layout: layoutOf(options) }
        : {
            target: 'aws',
            options: {
              ...(chosen.stack ? { stackName: chosen.stack } : {}),
              ...(chosen.region ? { region: chosen.region } : {}),
              ...(chosen.profile ? { profile: chosen.profile } : {}),
            },
          },
      { port: options.port },
    );
    out.result({ url: dashboard.url, target, where: dashboard.data.where }, () => `${dashboard.url}\n`);
    out.note(`dashboard of ${dashboard.data.where} at ${dashboard.url} (127.0.0.1 only); Ctrl-C stops`);
    await io.interrupted();
    await dashboard.close();
  });
}
