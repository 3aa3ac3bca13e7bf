/** `stockpipe alerts`: the BUY/SELL alerts the pipeline published. */
import type { Command } from 'commander';
import { positiveInteger, since, withCommonOptions } from '../options';
import type { AlertRow } from '../operations';
import { renderTable, type CliIo } from '../output';
import { withOperations, withTargetOption, type TargetOptions } from '../targets';

interface AlertsOptions extends TargetOptions {
  readonly symbol?: string;
  readonly since?: Date;
  readonly limit: number;
}

const money = (n: number) => n.toFixed(2);

export function registerAlerts(program: Command, io: CliIo): void {
  const command = program
    .command('alerts')
    .description('list the BUY/SELL alerts (locally: the outbox of the data dir; on AWS: the alert table)')
    .option('--symbol <symbol>', 'only this symbol')
    .option(
      '--since <when>',
      'only alerts since: 30m, 2h, 1d or an ISO time (locally: publish time; on AWS: market time)',
      since(),
    )
    .option('--limit <n>', 'the newest this many', positiveInteger('--limit'), 1000);
  withTargetOption(withCommonOptions(command)).action((options: AlertsOptions) =>
    withOperations(io, options, async (operations, out) => {
      const alerts = await operations.listAlerts({
        ...(options.symbol ? { symbol: options.symbol.toUpperCase() } : {}),
        ...(options.since ? { since: options.since } : {}),
        limit: options.limit,
      });
      out.result(alerts, () => {
        if (alerts.length === 0) {
          out.note(
            `no alerts in ${operations.where}${options.symbol ? ` for ${options.symbol.toUpperCase()}` : ''}; run stockpipe start (or stockpipe run) to produce some`,
          );
          return '';
        }
        return renderTable<AlertRow>(
          [
            { header: 'MARKET TIME', value: (a) => a.timestamp },
            { header: 'SYMBOL', value: (a) => a.symbol },
            { header: 'SIDE', value: (a) => a.side },
            { header: 'PRICE', value: (a) => money(a.price), align: 'right' },
            { header: 'SMA-5', value: (a) => a.sma5.toFixed(4), align: 'right' },
            { header: 'SMA-20', value: (a) => a.sma20.toFixed(4), align: 'right' },
            { header: 'STATUS', value: (a) => a.status },
            { header: 'PUBLISHED', value: (a) => a.publishedAt ?? '-' },
          ],
          alerts,
        );
      });
    }),
  );
}
