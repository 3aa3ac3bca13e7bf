/**
 * The local maintenance and report rules, as the stack's EventBridge rules run the state machines in AWS:
 * lake maintenance every hour of the start clock (at least 10 s apart), and, once the replay is done
 * and the pipeline has taken in every replayed tick, a maintenance run and a daily report of the
 * replay, so that a new user sees a report without doing anything. Runs never overlap;
 * each honours its local rule (`stockpipe schedule disable --rule maintenance|report`).
 */
import { readOutbox } from '../../adapters/local/outbox-notifier';
import type { DailyReport } from '../../core/report';
import { localObjectPath } from '../../adapters/local/lake-files';
import type { LocalPipeline } from '../runtime';
import { waitUntil } from './sleeper';
import type { LocalRun } from '../workflow/history';
import { runWorkflowLocally } from '../workflow/run';
import { maintenanceEveryMs, ruleState } from './rules';
import { reportKeys } from '../../report/report-task';
import { readStoredReport } from '../../report/stored-report';
import { S3LakeObjects } from '../../adapters/aws/s3-lake-objects';

export interface WorkflowRulesOutput {
  note(line: string): void;
  warn(line: string): void;
}

export interface StoredDailyReport {
  readonly date: string;
  readonly report: DailyReport;
  readonly keys: { readonly json: string; readonly html: string };
  readonly bucket: string;
  /** The HTML page in the lake on disk. */
  readonly file: string;
}

export interface WorkflowRulesOptions {
  readonly pipeline: LocalPipeline;
  /** Where notes and warnings go (the CLI prints them on stderr). */
  readonly out: WorkflowRulesOutput;
  /** Called with each daily report the rules made: the report, its S3 keys and its file on disk. */
  readonly onReport?: (report: StoredDailyReport) => void;
  /** The start clock's speed (times real time). */
  readonly speed: number;
}

export class LocalWorkflowRules {
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** Maintenance runs that ended, for the status line. */
  maintenanceRuns = 0;

  constructor(private readonly options: WorkflowRulesOptions) {}

  start(): void {
    let warned = false;
    this.timer = setInterval(() => {
      // A run still going (or queued) is not doubled: locally a run can take longer than the interval.
      if (this.pending > 0) return;
      try {
        if (ruleState(this.options.pipeline.layout, 'maintenance').read().enabled) this.enqueue(() => this.maintenance());
      } catch (error) {
        if (!warned) this.options.out.warn(`maintenance schedule: ${(error as Error).message}`);
        warned = true;
      }
    }, maintenanceEveryMs(this.options.speed));
    this.timer.unref();
  }

  /**
   * Once every tick produced so far has been processed and analysed (`produced` is the count when
   * the replay ended): maintenance, then the daily report of the last replayed day that had an alert
   * (a monthly replay has one tick per symbol and day: a day with a crossover shows what the report
   * is for), or of the replay's last day, `lastDay`, when none had.
   */
  afterReplay(produced: number, lastDay: string): void {
    const { pipeline, out } = this.options;
    const caughtUp = async () => {
      await waitUntil(
        () => {
          const c = pipeline.counters();
          return this.stopping || c.processed + c.invalid + c.processingFailed >= produced;
        },
        300_000,
        () => 'the pipeline did not take in the replayed ticks within 5 minutes',
        100,
      );
      const records = pipeline.counters().streamRecords;
      await waitUntil(
        () => {
          const c = pipeline.counters();
          return this.stopping || c.analysed + c.analysisFailed >= records;
        },
        300_000,
        () => 'the analysis did not catch up within 5 minutes',
        100,
      );
    };
    this.enqueue(async () => {
      await caughtUp();
      if (this.stopping) return;
      const layout = pipeline.layout;
      const alertDays = readOutbox(layout.outbox)
        .map((m) => m.alert.timestamp.slice(0, 10))
        .filter((d) => d <= lastDay)
        .sort();
      const day = alertDays.at(-1) ?? lastDay;
      if (ruleState(layout, 'maintenance').read().enabled) await this.maintenance();
      if (!ruleState(layout, 'report').read().enabled) {
        out.note(`the report rule is disabled (stockpipe schedule enable --rule report): no daily report of ${day}`);
        return;
      }
      const run = await this.run('report', { date: day });
      if (run?.status === 'SUCCEEDED') await this.announce(day);
    });
  }

  private enqueue(work: () => Promise<void>): void {
    this.pending++;
    this.queue = this.queue
      .then(() => (this.stopping ? undefined : work()))
      .catch((error: unknown) => {
        if (!this.stopping) this.options.out.warn(`workflows: ${(error as Error).message}`);
      })
      .finally(() => void this.pending--);
  }

  private async run(workflow: 'maintenance' | 'report', input: Record<string, unknown>): Promise<LocalRun | undefined> {
    const { pipeline } = this.options;
    // The pipeline runs in this process: its tables hold every item, so the report reads them as on AWS.
    const run = await runWorkflowLocally(workflow, input, {
      dataDir: pipeline.layout.root,
      s3Dir: pipeline.layout.lake,
      clients: pipeline.clients,
      resources: pipeline.resources,
    });
    if (this.stopping) return run;
    if (run.status !== 'SUCCEEDED') {
      this.options.out.warn(
        `${workflow} run ${run.executionId} ended ${run.status}: ${run.error?.error ?? ''} ${run.error?.cause ?? ''} (stockpipe runs show ${run.executionId})`,
      );
    }
    return run;
  }

  private async maintenance(): Promise<void> {
    const run = await this.run('maintenance', {});
    if (run?.status === 'SUCCEEDED') this.maintenanceRuns++;
  }

  /** Hands the stored report to onReport. */
  private async announce(day: string): Promise<void> {
    const { pipeline, onReport } = this.options;
    if (!onReport) return;
    const stored = await readStoredReport(new S3LakeObjects(pipeline.clients.s3, pipeline.resources.rawBucket), day);
    if (!stored) return;
    const file = localObjectPath(pipeline.layout.lake, pipeline.resources.rawBucket, reportKeys(day).html);
    onReport({ date: day, report: stored.report, keys: stored.keys, bucket: pipeline.resources.rawBucket, file });
  }

  /** No new runs; waits up to `budgetMs` for the one under way. Returns whether nothing is left running. */
  async stop(budgetMs: number): Promise<boolean> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    const idle = this.queue.then(() => true);
    return Promise.race([idle, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), budgetMs).unref())]);
  }

  /** Resolves when the run under way has ended (it fails fast once the pipeline is stopped). */
  settled(): Promise<void> {
    return this.queue;
  }
}
