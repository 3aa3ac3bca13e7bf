/**
 * `stockpipe start` (what `npm start` runs): the whole pipeline on this machine, fed by the schedule
 * with the real prices shipped in data/stocks.csv at an accelerated clock, then with synthetic (or
 * yahoo) prices; alerts are printed as they are published, until Ctrl-C. Beside it the workflows run
 * (start-workflows.ts): lake maintenance every hour of the clock, and a daily report of the replay
 * once the replay is processed.
 */
import { Option, type Command } from 'commander';
import { ChainedSource } from '../../producer/chained-source';
import { startLocalPipeline } from '../../local/runtime';
import { createQuoteSource } from '../../producer/create-source';
import { DEFAULT_REPLAY_FILE, ReplaySource } from '../../producer/replay-source';
import type { QuoteSource } from '../../producer/quote-source';
import type { Tick } from '../../core/tick';
import { SyntheticSource } from '../../producer/synthetic-source';
import { DEFAULTS } from '../../shared/names';
import { layoutOf, outputFor, positiveInteger, speed, symbolList, withCommonOptions, type CommonOptions } from '../options';
import { CliError, type CliIo } from '../output';
import { alertLine, logPrinter, statusLine, yahooLog } from '../pipeline-output';
import { StartWorkflows } from '../start-workflows';
import { summarize } from '../summary';

interface StartOptions extends CommonOptions {
  readonly speed: number;
  readonly symbols?: string[] | number;
  readonly then: 'synthetic' | 'yahoo' | 'none';
  readonly seed: number;
  readonly persist?: boolean;
}

/** How long Ctrl-C may take: the acceptance is 5 s, with room for the process to exit. */
const STOP_DEADLINE_MS = 4000;
/** Of that, how long a workflow run under way may take to finish before the pipeline stops under it. */
const WORKFLOW_STOP_MS = 1000;

/** The replay, remembering the newest market time it gave: the day the report covers. */
class TrackedReplay implements QuoteSource {
  last: string | undefined;

  constructor(readonly replay: ReplaySource) {}

  get name(): QuoteSource['name'] {
    return this.replay.name;
  }

  async sample(symbols: readonly string[]): Promise<Tick[]> {
    const ticks = await this.replay.sample(symbols);
    for (const t of ticks) if (!this.last || t.timestamp > this.last) this.last = t.timestamp;
    return ticks;
  }

  exhausted(): boolean {
    return this.replay.exhausted();
  }
}

/** The NYSE open of the day after `timestamp`: where synthetic prices pick up after the replay. */
const dayAfter = (timestamp: string | undefined): string => {
  const day = timestamp ? new Date(Date.parse(timestamp.slice(0, 10)) + 86_400_000) : new Date();
  return `${day.toISOString().slice(0, 10)}T14:30:00Z`;
};

export function registerStart(program: Command, io: CliIo): void {
  const command = program
    .command('start')
    .description('run the whole pipeline locally on real historical prices, then synthetic ones, printing alerts (npm start)')
    .option('--speed <factor>', 'how much faster than real time the schedule runs (360: 12 samples a second)', speed(false), 360)
    .option('--symbols <list>', 'symbols of the replay (default: all of data/stocks.csv)', symbolList)
    .addOption(
      new Option('--then <source>', 'what feeds the pipeline after the replay')
        .choices(['synthetic', 'yahoo', 'none'])
        .default('synthetic'),
    )
    .option('--seed <n>', 'seed of the synthetic prices', positiveInteger('--seed'), 1)
    .option('--persist', 'keep stream and tables on disk in the data dir and resume them next time')
    .addHelpText(
      'after',
      '\nWith --json, stdout carries one JSON line per alert ({"type":"alert",...}), one for the daily report ({"type":"report",...})' +
        ' and a summary line at the end ({"type":"summary",...}).\nThe workflows follow the local rules: stockpipe schedule disable --rule maintenance|report turns them off.',
    );
  withCommonOptions(command).action(async (options: StartOptions) => {
    const out = outputFor(io, options);
    if (typeof options.symbols === 'number') throw new CliError('--symbols takes symbol names here, e.g. --symbols AAPL,MSFT', 2);
    const replay = ReplaySource.fromFile(DEFAULT_REPLAY_FILE);
    const symbols = options.symbols ?? replay.symbols();
    const cadenceSeconds = DEFAULTS.cadenceSeconds;
    const next =
      options.then === 'none'
        ? undefined
        : (last: string | undefined, lastPrices: Readonly<Record<string, number>>): QuoteSource =>
            options.then === 'synthetic'
              ? // The walk carries on from each symbol's last real price, so the handover is no fake cross.
                new SyntheticSource({ seed: options.seed, start: dayAfter(last), cadenceSeconds, startPrices: lastPrices })
              : createQuoteSource('yahoo', { log: yahooLog(out) });
    const total = replay.remaining(symbols);
    const tracked = new TrackedReplay(replay);
    const source = new ChainedSource(tracked, next, (to) =>
      out.note(
        `replay finished (${total} ticks); now on ${to.name} prices${to.name === 'synthetic' ? ' (a seeded random walk)' : ''}`,
      ),
    );

    const startedAt = performance.now();
    const pipeline = await startLocalPipeline({
      dataDir: layoutOf(options).root,
      persist: Boolean(options.persist),
      command: 'start',
      producer: { source, symbols, cadenceSeconds },
      schedule: { speed: options.speed },
      onAlert: (m) => out.event({ type: 'alert', ...m.alert, publishedAt: m.publishedAt }, alertLine(m)),
      onLog: logPrinter(out),
    });
    out.note(
      `stockpipe: local pipeline up (data dir ${pipeline.layout.root}). Replaying monthly closes 2000-2010 of ${symbols.join(', ')} ` +
        `at ${options.speed}x real time, then ${options.then === 'none' ? 'idling' : `${options.then} prices`}. Alerts appear below; ` +
        'a daily report follows the replay. Ctrl-C stops.',
    );
    const workflows = new StartWorkflows({ pipeline, out, speed: options.speed });
    workflows.start();
    let replayDone = false;

    let lastProduced = 0;
    let lastAt = performance.now();
    let rate = 0;
    const ticker = setInterval(() => {
      const c = pipeline.counters();
      const now = performance.now();
      rate = 0.7 * rate + 0.3 * (((c.produced - lastProduced) * 1000) / Math.max(1, now - lastAt));
      lastProduced = c.produced;
      lastAt = now;
      const replayed = total - replay.remaining(symbols);
      const where = source.current === tracked ? `replay ${Math.floor((replayed / Math.max(1, total)) * 100)}%` : source.name;
      out.progress(statusLine(c, `${where} | ${rate.toFixed(0)} ticks/s | maintenance runs ${workflows.maintenanceRuns}`));
      if (!replayDone && replay.exhausted()) {
        replayDone = true;
        // The last sample may still be on its way to the stream: count at least every replayed tick.
        if (tracked.last) workflows.afterReplay(Math.max(total, c.produced), tracked.last.slice(0, 10));
      }
    }, 250);

    const signal = await io.interrupted();
    clearInterval(ticker);
    out.note(`${signal}: stopping (delivering what was read)...`);
    const stopAt = Date.now();
    if (!(await workflows.stop(WORKFLOW_STOP_MS))) {
      out.note(
        'a workflow run was under way: it is cut short (the next maintenance run redoes what it missed; compaction is idempotent)',
      );
    }
    const stopped = pipeline.stop().then(() => true);
    const late = new Promise<false>((resolve) =>
      setTimeout(() => resolve(false), STOP_DEADLINE_MS - (Date.now() - stopAt)).unref(),
    );
    if (!(await Promise.race([stopped, late]))) {
      throw new CliError(
        `the pipeline did not stop within ${STOP_DEADLINE_MS / 1000} s; see the runtime log in ${pipeline.layout.logs}`,
        1,
      );
    }
    // Cut short, it fails at once against the stopped emulators; it must not outlive the command.
    await Promise.race([workflows.settled(), new Promise((resolve) => setTimeout(resolve, 500).unref())]);
    const summary = summarize(pipeline, {
      source: source.name,
      symbols,
      samples: pipeline.counters().samples,
      drained: false,
      elapsedMs: performance.now() - startedAt,
    });
    out.event(
      { type: 'summary', ...summary },
      `stopped: ${summary.in} ticks in, ${summary.processed} processed, ${summary.deadLettered} dead-lettered, ${summary.alerts} alerts; ` +
        `data stays in ${summary.dataDir} (stockpipe alerts, stockpipe query "SELECT ...")`,
    );
  });
}
