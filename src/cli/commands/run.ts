/** `stockpipe run`: the whole local pipeline on one source, to completion, then a summary. */
import { Option, type Command } from 'commander';
import { DEFAULTS } from '../../shared/names';
import { layoutOf, outputFor, positiveInteger, symbolList, withCommonOptions, type CommonOptions } from '../options';
import { CliError, type CliIo } from '../output';
import { logPrinter, runToCompletion, statusLine, yahooLog } from '../pipeline-output';
import { renderSummary, summarize } from '../summary';

interface RunOptions extends CommonOptions {
  readonly source: 'replay' | 'synthetic' | 'yahoo' | 'csv';
  readonly file?: string;
  readonly symbol?: string;
  readonly symbols?: string[] | number;
  readonly samples?: number;
  readonly seed: number;
  /** commander's --no-wait: false leaves as soon as the source is done. */
  readonly wait: boolean;
  readonly persist?: boolean;
}

/** Samples when --samples is not given: a replay runs to its end; synthetic long enough for crosses. */
const DEFAULT_SAMPLES = { synthetic: 100, yahoo: 1 } as const;

async function symbolsFor(options: RunOptions, available: string[] | undefined): Promise<string[]> {
  const { syntheticSymbols } = await import('../../producer/synthetic-source');
  const given = options.symbols;
  if (typeof given === 'number') {
    if (options.source !== 'synthetic')
      throw new CliError(
        `--symbols ${given} (a count) is for the synthetic source; name the symbols for ${options.source}, e.g. --symbols AAPL,MSFT`,
        2,
      );
    return syntheticSymbols(given);
  }
  if (given) return given;
  if (available) return available;
  return options.source === 'synthetic' ? syntheticSymbols(5) : [...DEFAULTS.symbols];
}

/** Above this many ticks, a run in memory says that --persist keeps memory flat. */
export const IN_MEMORY_TICKS_NOTE = 100_000;

/** What a long run without --persist is told: the in-memory stand-ins keep every tick. */
export function inMemoryNote(plannedTicks: number | undefined, persist: boolean): string | undefined {
  if (persist || plannedTicks === undefined || plannedTicks <= IN_MEMORY_TICKS_NOTE) return undefined;
  return (
    `${plannedTicks.toLocaleString('en-US')} ticks: without --persist the stream and tables are held in memory ` +
    `(about 7 kB a tick, ${Math.round((plannedTicks * 7) / 1024).toLocaleString('en-US')} MB for this run); ` +
    'add --persist to keep them on disk, where memory stays flat'
  );
}

export function registerRun(program: Command, io: CliIo): void {
  const command = program
    .command('run')
    .description('run the local pipeline on one quote source until its ticks are processed and analysed, then print a summary')
    .addOption(
      new Option('--source <source>', 'where ticks come from').choices(['replay', 'synthetic', 'yahoo', 'csv']).default('replay'),
    )
    .option('--file <csv>', 'csv source: the file to replay (see stockpipe replay --help for the formats)')
    .option('--symbol <symbol>', 'csv source: the symbol of a Yahoo Finance historical file')
    .option('--symbols <list|count>', 'symbols (AAPL,MSFT) or, for synthetic, how many (20)', symbolList)
    .option(
      '--samples <n>',
      `samples to take (default: replay/csv all, synthetic ${DEFAULT_SAMPLES.synthetic}, yahoo 1)`,
      positiveInteger('--samples'),
    )
    .option('--seed <n>', 'synthetic: seed of the random walk', positiveInteger('--seed'), 1)
    .option(
      '--no-wait',
      'leave as soon as the source is done, with ticks possibly still in the stream (default: wait until every tick is processed and analysed)',
    )
    // Waiting is the default now; the old flag stays accepted so scripts keep working.
    .addOption(new Option('--until-drained').hideHelp())
    .option('--persist', 'keep stream and tables on disk in the data dir (default: in memory, fresh each run)');
  withCommonOptions(command).action(async (options: RunOptions) => {
    const out = outputFor(io, options);
    if (options.source === 'csv' && !options.file) throw new CliError('--source csv needs --file <csv>', 2);
    const [{ startLocalPipeline }, { createQuoteSource }, { ReplaySource }] = await Promise.all([
      import('../../local'),
      import('../../producer/create-source'),
      import('../../producer/replay-source'),
    ]);
    const source = createQuoteSource(options.source, {
      ...(options.file ? { file: options.file } : {}),
      ...(options.symbol ? { symbol: options.symbol } : {}),
      seed: options.seed,
      log: yahooLog(out),
    });
    const symbols = await symbolsFor(options, source instanceof ReplaySource ? source.symbols() : undefined);
    const samples =
      options.samples ??
      (options.source === 'synthetic' || options.source === 'yahoo' ? DEFAULT_SAMPLES[options.source] : undefined);

    const planned = samples !== undefined ? samples * symbols.length : undefined;
    const note = inMemoryNote(planned, Boolean(options.persist));
    if (note) out.warn(note);
    const startedAt = performance.now();
    const pipeline = await startLocalPipeline({
      dataDir: layoutOf(options).root,
      persist: Boolean(options.persist),
      command: 'run',
      producer: { source, symbols },
      onLog: logPrinter(out),
    });
    let drained = false;
    let drainFailure: unknown;
    // A run that fails or is interrupted still prints its summary (drained: false, what is left, where).
    let failure: unknown;
    let taken = 0;
    try {
      await runToCompletion(
        io,
        out,
        pipeline,
        () => statusLine(pipeline.counters(), `${taken} samples`),
        async () => {
          if (source instanceof ReplaySource && source.rejections.length > 0) {
            for (const r of source.rejections)
              out.warn(
                `line ${r.line} refused (${r.rejection.field}=${r.rejection.value}: ${r.rejection.reason}); sent to the invalid-records queue`,
              );
            await pipeline.deadLetterRows(source.rejections, options.file ?? 'the replay data');
          }
          const result = await pipeline.produce({ ...(samples ? { samples } : {}), onSample: () => void taken++ });
          taken = result.samples;
          if (options.wait) {
            // Waits as long as records move; 5 minutes without progress means something is stuck.
            try {
              await pipeline.drain(300_000);
              drained = true;
            } catch (error) {
              drainFailure = error; // the summary still says what was done and what is left
            }
          }
        },
      );
    } catch (error) {
      failure = error;
    }
    const summary = summarize(pipeline, {
      source: options.source,
      symbols,
      samples: taken,
      drained,
      elapsedMs: performance.now() - startedAt,
    });
    out.result(summary, () => renderSummary(summary));
    if (failure !== undefined) throw failure;
    if (drainFailure !== undefined) throw drainFailure;
  });
}
