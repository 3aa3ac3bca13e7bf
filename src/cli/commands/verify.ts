/** `stockpipe verify`: the alerts that were sent against the crossovers recomputed from the lake; exit 1 when they differ. */
import type { Command } from 'commander';
import type { VerifyResult } from '../../ops/types';
import { withCommonOptions } from '../options';
import { CliError, renderTable, type CliIo } from '../output';
import { withOperations, withTargetOption } from '../targets';
import { describeRange, signalFilterOf, withSignalOptions, type SignalOptions } from './signals';

type Entry = VerifyResult['missing'][number];

const listing = (title: string, entries: readonly Entry[]): string =>
  entries.length === 0
    ? ''
    : `${title}\n${renderTable<Entry>(
        [
          { header: 'MARKET TIME', value: (e) => e.timestamp },
          { header: 'SYMBOL', value: (e) => e.symbol },
          { header: 'SIDE', value: (e) => e.side },
        ],
        entries,
      )}\n`;

export function renderVerify(result: VerifyResult): string {
  const head = `matched ${result.matched}, missing ${result.missing.length}, extra ${result.extra.length}, pending ${result.pending.length}\n`;
  return [
    head,
    listing('MISSING: crossovers in the lake that sent no alert', result.missing),
    listing('EXTRA: alerts sent with no crossover in the lake', result.extra),
    listing('PENDING: alerts claimed but not confirmed sent (not counted as sent)', result.pending),
  ]
    .filter((part) => part !== '')
    .join('\n');
}

export function registerVerify(program: Command, io: CliIo): void {
  const command = program
    .command('verify')
    .description('compare the alerts that were sent with the crossovers recomputed from the lake; exit 1 when they differ')
    .addHelpText(
      'after',
      '\nSent = status PUBLISHED in the alert ledger (locally: the outbox). missing: a crossover with no alert; extra: an alert with no crossover.',
    );
  withTargetOption(withCommonOptions(withSignalOptions(command))).action((options: SignalOptions) =>
    withOperations(io, options, async (operations, out) => {
      const filter = signalFilterOf(options);
      const [{ agrees, verifySignals }, { VerifyResultSchema }] = await Promise.all([
        import('../../ops/signals'),
        import('../../ops/types'),
      ]);
      const result = VerifyResultSchema.parse(await verifySignals(operations, filter));
      out.result(result, () => renderVerify(result));
      if (!agrees(result)) {
        throw new CliError(
          `the alerts of ${operations.where}${describeRange(filter)} differ from the crossovers in the lake: ${result.missing.length} missing, ${result.extra.length} extra`,
          1,
        );
      }
      out.note(
        `the ${result.matched} alert${result.matched === 1 ? '' : 's'} sent${describeRange(filter)} match the lake's crossovers`,
      );
    }),
  );
}
