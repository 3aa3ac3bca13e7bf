/** `stockpipe signals`: the SMA-5/SMA-20 crossovers recomputed in SQL from the raw lake (DuckDB locally, Athena on AWS). */
import type { Command } from 'commander';
import type { SignalFilter } from '../../ops/operations';
import { parseDay } from '../../ops/time';
import type { SignalRow } from '../../ops/types';
import { withCommonOptions } from '../options';
import { renderTable, type CliIo } from '../output';
import { withOperations, withTargetOption, type TargetOptions } from '../targets';

export interface SignalOptions extends TargetOptions {
  readonly symbol?: string;
  readonly from?: string;
  readonly to?: string;
}

/** --symbol, --from and --to, shared with `stockpipe verify`. */
export const withSignalOptions = (command: Command): Command =>
  command
    .option('--symbol <symbol>', 'only this symbol')
    .option(
      '--from <YYYY-MM-DD>',
      'first UTC day of the crossovers listed (the SMAs still start from the first tick)',
      (v: string) => parseDay(v, '--from'),
    )
    .option('--to <YYYY-MM-DD>', 'last UTC day of the crossovers listed, inclusive', (v: string) => parseDay(v, '--to'));

export const signalFilterOf = (options: SignalOptions): SignalFilter => ({
  ...(options.symbol ? { symbol: options.symbol.toUpperCase() } : {}),
  ...(options.from ? { from: options.from } : {}),
  ...(options.to ? { to: options.to } : {}),
});

export const describeRange = (filter: SignalFilter): string =>
  [
    filter.symbol ? ` for ${filter.symbol}` : '',
    filter.from ? ` from ${filter.from}` : '',
    filter.to ? ` to ${filter.to}` : '',
  ].join('');

export function registerSignals(program: Command, io: CliIo): void {
  const command = program
    .command('signals')
    .description('recompute the SMA-5/SMA-20 crossovers from the raw lake in SQL (locally DuckDB, on AWS the Athena workgroup)')
    .addHelpText(
      'after',
      '\nThe same rules as the streaming analysis: warm-up of 20 ticks, a touch is not a cross, duplicate ticks count once.\nstockpipe verify compares them with the alerts that were sent.',
    );
  withTargetOption(withCommonOptions(withSignalOptions(command))).action((options: SignalOptions) =>
    withOperations(io, options, async (operations, out) => {
      const filter = signalFilterOf(options);
      const { SignalsResultSchema } = await import('../../ops/types');
      const rows = SignalsResultSchema.parse(await operations.recomputeSignals(filter));
      out.result(rows, () => {
        if (rows.length === 0) {
          out.note(`no crossovers in the lake of ${operations.where}${describeRange(filter)}`);
          return '';
        }
        out.note(`${rows.length} crossover${rows.length === 1 ? '' : 's'}${describeRange(filter)}`);
        return renderTable<SignalRow>(
          [
            { header: 'MARKET TIME', value: (r) => r.timestamp },
            { header: 'SYMBOL', value: (r) => r.symbol },
            { header: 'SIDE', value: (r) => r.side },
            { header: 'PRICE', value: (r) => r.price.toFixed(2), align: 'right' },
            { header: 'SMA-5', value: (r) => r.sma5.toFixed(4), align: 'right' },
            { header: 'SMA-20', value: (r) => r.sma20.toFixed(4), align: 'right' },
          ],
          rows,
        );
      });
    }),
  );
}
