/**
 * `stockpipe start` (what `npm start` runs): the whole pipeline on this machine, fed by the schedule
 * with the real prices shipped in data/stocks.csv at an accelerated clock, then with synthetic (or
 * yahoo) prices; alerts are printed as they are published, until Ctrl-C. Beside it the workflows run
 * (src/local/schedule/workflow-rules.ts): lake maintenance every hour of the clock, and a daily report of the replay
 * once the replay is processed.
 */
import { Option, type Command } from 'commander';
import { reportSummary } from '../../core/report';
import type { DashboardServer } from '../../dashboard/open';
import { DEFAULT_DASHBOARD_PORT } from '../../dashboard/server';
import type { LocalPipeline } from '../../local';
import { DEFAULTS } from '../../shared/names';
import { layoutOf, outputFor, port, positiveInteger, speed, symbolList, withCommonOptions, type CommonOptions } from '../options';
import { CliError, type CliIo } from '../output';
import { alertLine, logPrinter, useColour, rateMeter, statusLine, yahooLog } from '../pipeline-output';
import { summarize } from '../summary';

interface StartOptions extends CommonOptions {
  readonly speed: number;
  readonly symbols?: string[] | number;
  readonly then: 'synthetic' | 'yahoo' | 'none';
  readonly seed: number;
  readonly persist?: boolean;
  /** commander's --no-dashboard */
  readonly dashboard: boolean;
  readonly dashboardPort: number;
}

/** How long Ctrl-C may take: the acceptance is 5 s, with room for the process to exit. */
const STOP_DEADLINE_MS = 4000;
/** Of that, how long a workflow run under way may take to finish before the pipeline stops under it. */
const WORKFLOW_STOP_MS = 1000;

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
    .option('--no-dashboard', 'do not start the dashboard web page')
    .option(
      '--dashboard-port <n>',
      `the dashboard's port on 127.0.0.1 (another free one when it is taken; 0: any free port)`,
      (v: string) => (v === '0' ? 0 : port(v)),
      DEFAULT_DASHBOARD_PORT,
    )
    .addHelpText(
      'after',
      '\nWith --json, stdout carries one JSON line per alert ({"type":"alert",...}), one for the daily report ({"type":"report",...})' +
        ' and a summary line at the end ({"type":"summary",...}).\nThe workflows follow the local rules: stockpipe schedule disable --rule maintenance|report turns them off.',
    );
  withCommonOptions(command).action(async (options: StartOptions) => {
    const out = outputFor(io, options);
    if (typeof options.symbols === 'number') throw new CliError('--symbols takes symbol names here, e.g. --symbols AAPL,MSFT', 2);
    const [{ DemoFeed }, { LocalWorkflowRules, startLocalPipeline }] = await Promise.all([
      import('../../producer/demo-feed'),
      import('../../local'),
    ]);
    const cadenceSeconds = DEFAULTS.cadenceSeconds;
    const feed = new DemoFeed({
      then: options.then,
      seed: options.seed,
      cadenceSeconds,
      ...(options.symbols ? { symbols: options.symbols } : {}),
      yahooLog: yahooLog(out),
      onHandover: (to, total) =>
        out.note(
          `replay finished (${total} ticks); now on ${to.name} prices${to.name === 'synthetic' ? ' (a seeded random walk)' : ''}`,
        ),
    });
    const { source, symbols, total } = feed;
    const unknown = symbols.filter((s) => !feed.known.includes(s));
    if (unknown.length > 0) {
      throw new CliError(
        `--symbols: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in the replay data; known symbols: ${feed.known.join(', ')} (for others: stockpipe replay --file prices.csv, or stockpipe run --source yahoo)`,
        2,
      );
    }

    const startedAt = performance.now();
    const pipeline = await startLocalPipeline({
      dataDir: layoutOf(options).root,
      persist: Boolean(options.persist),
      command: 'start',
      producer: { source, symbols, cadenceSeconds },
      schedule: { speed: options.speed },
      onAlert: (m) => out.event({ type: 'alert', ...m.alert, publishedAt: m.publishedAt }, alertLine(m, useColour(io))),
      onLog: logPrinter(out),
    });
    out.note(
      `stockpipe: local pipeline up (data dir ${pipeline.layout.root}). Replaying the real monthly closes 2000-2010 of ${symbols.join(', ')}, ` +
        'the last month as synthetic trading-hour ticks (8 a day) ending on the real close, ' +
        `at ${options.speed}x real time, then ${options.then === 'none' ? 'idling' : `${options.then} prices`}. Alerts appear below; ` +
        'a daily report follows the replay. Ctrl-C stops.',
    );
    const dashboard = options.dashboard ? await startStartDashboard(pipeline, options.dashboardPort) : undefined;
    if (dashboard) {
      out.event(
        { type: 'dashboard', url: dashboard.url },
        `dashboard: ${dashboard.url}  (price, SMA-5/SMA-20, BUY/SELL markers, alert log, health; live)`,
      );
    }
    const workflows = new LocalWorkflowRules({
      pipeline,
      out,
      speed: options.speed,
      onReport: ({ date, report, keys, bucket, file }) => {
        const s3 = (key: string) => `s3://${bucket}/${key}`;
        const { subject, message } = reportSummary(report, { json: s3(keys.json), html: s3(keys.html) });
        out.event(
          {
            type: 'report',
            date,
            subject,
            totals: report.totals,
            ...(report.reconciliation ? { reconciliation: report.reconciliation } : {}),
            html: s3(keys.html),
            file,
          },
          `${message}\n(on disk: ${file}; open it with: npx stockpipe report --date ${date} --open)`,
        );
      },
    });
    workflows.start();
    let replayDone = false;

    const rateOf = rateMeter();
    const ticker = setInterval(() => {
      const c = pipeline.counters();
      const rate = rateOf(c.processed);
      const where = feed.replaying ? `replay ${Math.floor((feed.replayed() / Math.max(1, total)) * 100)}%` : source.name;
      out.progress(statusLine(c, `${where} | ${rate.toFixed(0)} ticks/s | maintenance runs ${workflows.maintenanceRuns}`));
      if (!replayDone && feed.replayExhausted()) {
        replayDone = true;
        // The last sample may still be on its way to the stream: count at least every replayed tick.
        const last = feed.lastReplayed();
        if (last) workflows.afterReplay(Math.max(total, c.produced), last.slice(0, 10));
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
    await dashboard?.close();
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

/**
 * The dashboard beside the pipeline, reading its data dir and its counters. The default port may be
 * taken (another start, another program): then any free port, since the URL is printed anyway.
 */
async function startStartDashboard(pipeline: LocalPipeline, port: number): Promise<DashboardServer> {
  const { DashboardError, startDashboard } = await import('../../dashboard/open');
  const target = {
    target: 'local' as const,
    layout: pipeline.layout,
    options: {
      live: () => {
        const c = pipeline.counters();
        return { produced: c.produced, processed: c.processed, deadLettered: c.deadLettered };
      },
    },
  };
  try {
    return await startDashboard(target, { port });
  } catch (error) {
    if (!(error instanceof DashboardError) || port === 0) throw error;
    return startDashboard(target, { port: 0 });
  }
}
