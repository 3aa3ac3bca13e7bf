/** `stockpipe replay --file prices.csv`: a user's price history through the whole local pipeline. */
import type { Command } from 'commander';
import { layoutOf, outputFor, speed, symbolList, withCommonOptions, type CommonOptions } from '../options';
import { CliError, progressBar, type CliIo } from '../output';
import { logPrinter, runToCompletion, statusLine } from '../pipeline-output';
import { renderSummary, summarize } from '../summary';

interface ReplayOptions extends CommonOptions {
  readonly file: string;
  readonly symbol?: string;
  readonly symbols?: string[] | number;
  readonly speed: number | 'max';
  readonly from?: string;
  readonly persist?: boolean;
}

const FORMATS = `
CSV formats (header names are case-insensitive):
  Yahoo Finance historical download, one symbol per file (give it with --symbol):
    Date,Open,High,Low,Close,Adj Close,Volume
  Long format, any number of symbols:
    symbol,timestamp|date,price|close[,open,high,low,volume,previous_close]
Adj Close is ignored; previous_close defaults to the previous row's price of the symbol. Dates like
2024-01-02 are stamped at the US market close (21:00 UTC); timestamps need a zone (Z or +01:00).
A row that cannot be read is reported with its line number and reason and goes to the invalid-records queue.`;

export function registerReplay(program: Command, io: CliIo): void {
  const command = program
    .command('replay')
    .description('replay a CSV of prices through the whole local pipeline and return when it is processed')
    .requiredOption('--file <csv>', 'the CSV file')
    .option('--symbol <symbol>', 'the symbol of a Yahoo Finance historical file (it has no symbol column)')
    .option('--symbols <list>', 'only these symbols of a long-format file', symbolList)
    .option('--from <date>', 'skip rows before this date')
    .option(
      '--speed <factor|max>',
      'max: as fast as the pipeline takes it; a number: market minutes per real minute on the schedule',
      speed(true),
      'max',
    )
    .option('--persist', 'keep stream and tables on disk in the data dir')
    .addHelpText('after', FORMATS);
  withCommonOptions(command).action(async (options: ReplayOptions) => {
    const out = outputFor(io, options);
    const [{ startLocalPipeline, waitUntil }, { ReplaySource }] = await Promise.all([
      import('../../local'),
      import('../../producer/replay-source'),
    ]);
    const source = ReplaySource.fromFile(options.file, {
      name: 'csv',
      ...(options.symbol ? { symbol: options.symbol } : {}),
      ...(options.from ? { from: options.from } : {}),
    });
    if (typeof options.symbols === 'number')
      throw new CliError('--symbols takes symbol names for a replay, e.g. --symbols AAPL,MSFT', 2);
    const symbols = options.symbols ?? source.symbols();
    for (const r of source.rejections)
      out.warn(`${options.file} line ${r.line} refused: ${r.rejection.field}=${r.rejection.value}: ${r.rejection.reason}`);
    if (symbols.length === 0)
      throw new CliError(
        `${options.file} has no usable row (${source.rejections.length} refused); fix the rows above and try again`,
        1,
      );
    const total = source.remaining(symbols);

    const startedAt = performance.now();
    const pipeline = await startLocalPipeline({
      dataDir: layoutOf(options).root,
      persist: Boolean(options.persist),
      command: 'replay',
      producer: { source, symbols },
      ...(options.speed === 'max' ? {} : { schedule: { speed: options.speed } }),
      onLog: logPrinter(out),
    });
    let drained = false;
    let drainFailure: unknown;
    // A run that fails or is interrupted still prints its summary (drained: false, what is left, where).
    let failure: unknown;
    try {
      await runToCompletion(
        io,
        out,
        pipeline,
        () => `${progressBar(total - source.remaining(symbols), total)} ${statusLine(pipeline.counters(), '')}`,
        async () => {
          await pipeline.deadLetterRows(source.rejections, options.file);
          if (options.speed === 'max') await pipeline.produce({});
          else
            await waitUntil(
              () => source.exhausted(),
              24 * 3_600_000,
              () => 'the replay did not finish',
            );
          // Waits as long as records move; 5 minutes without progress means something is stuck.
          try {
            await pipeline.drain(300_000);
            drained = true;
          } catch (error) {
            drainFailure = error; // the summary still says what was done and what is left
          }
        },
      );
    } catch (error) {
      failure = error;
    }
    const summary = summarize(pipeline, {
      source: 'csv',
      symbols,
      samples: pipeline.counters().samples,
      drained,
      elapsedMs: performance.now() - startedAt,
    });
    out.result(summary, () => renderSummary(summary));
    if (failure !== undefined) throw failure;
    if (drainFailure !== undefined) throw drainFailure;
  });
}
