/**
 * The operating commands on the local target, the data dir's counterpart of AwsOperations. What
 * stays on disk is read from disk whether or not a pipeline runs: the rules' state files, the outbox
 * (alerts), the run histories and the lake (reports). What lives in a running pipeline (stream,
 * queues) is reached through its emulators (src/ops/local/session.ts); a workflow run starts the
 * emulators over the data dir when no pipeline runs. A local run executes inside this process, so
 * `startWorkflow` returns once the run has ended.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readOutbox } from '../../adapters/local/outbox-notifier';
import { OpsError, UsageError } from '../errors';
import { localDlqOverview, purgeLocalDlq, listLocalDlq, replayLocalDlq, showLocalDlq } from './dlq';
import { type DataDirLayout, LOCAL_RULES, ruleState } from '../../local';
import { nextTrigger } from './next-trigger';
import { findRun, listRunsOf, localRunDetail, newestLakeDay, runOnSession, uncompacted } from './runs';
import { attachToPipeline, openLocalSession, type LocalSession } from './session';
import { localStatus } from './status';
import type {
  AlertFilter,
  DlqListOptions,
  Operations,
  ReplayOptions,
  ReportFormat,
  RunFilter,
  SignalFilter,
  StoredReport,
  WaitOptions,
  WorkflowInput,
} from '../operations';
import type {
  AlertRow,
  QueueName,
  RuleName,
  RunDetail,
  ScheduleChange,
  ScheduleStatus,
  SignalRow,
  StatusReport,
  WorkflowStart,
} from '../types';
import { reportKeys } from '../../report/report-task';
import { LAKE, RESOURCE } from '../../shared/names';
import type { WorkflowName } from '../../shared/workflow-substitutions';
import { localObjectPath } from '../../adapters/local/lake-files';
import { openLakeDatabase } from '../../adapters/local/duckdb-athena';
import { crossoverSql } from '../../report/signals-query';
import { signalRowsOf } from '../signals';

export interface LocalOperationsOptions {
  readonly now?: () => Date;
  /** Told what the local target did on its own (started emulators, where report alerts came from). */
  readonly onNote?: (text: string) => void;
}

export class LocalOperations implements Operations {
  readonly target = 'local' as const;
  private readonly now: () => Date;
  private session: LocalSession | undefined;

  constructor(
    private readonly layout: DataDirLayout,
    private readonly options: LocalOperationsOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  get where(): string {
    return this.layout.root;
  }

  private note(text: string): void {
    this.options.onNote?.(text);
  }

  /** The running pipeline's emulators; the dead-letter queues exist only there. */
  private async attached(what: string): Promise<LocalSession> {
    if (this.session) return this.session;
    const session = await attachToPipeline(this.layout);
    if (!session) {
      throw new OpsError(
        'not-found',
        `no local pipeline runs on ${this.layout.root}: ${what} live in the running pipeline's memory (the SQS stand-in keeps no files), so a stopped run's are gone; start one (stockpipe start, or stockpipe up) and run this while it runs`,
      );
    }
    this.session = session;
    return session;
  }

  /** The running pipeline's emulators, or emulators started over the data dir for this command. */
  private async anySession(): Promise<LocalSession> {
    if (this.session) return this.session;
    const session = await openLocalSession(this.layout, 'workflow');
    if (session.mode === 'started') {
      this.note(
        `no local pipeline runs on ${this.layout.root}: started the emulators over its lake${session.tablesKept ? ' and its persisted tables' : ''} for this command`,
      );
    }
    this.session = session;
    return session;
  }

  async scheduleStatus(rule: RuleName): Promise<ScheduleStatus> {
    const { enabled } = ruleState(this.layout, rule).read();
    const next = nextTrigger(this.layout, rule, enabled, this.now());
    return {
      rule,
      name: LOCAL_RULES[rule].name,
      state: enabled ? 'ENABLED' : 'DISABLED',
      expression: LOCAL_RULES[rule].expression,
      nextTrigger: next.at,
      nextTriggerApproximate: next.approximate,
    };
  }

  async setSchedule(rule: RuleName, enabled: boolean): Promise<ScheduleChange> {
    const before = await this.scheduleStatus(rule);
    const target = enabled ? 'ENABLED' : 'DISABLED';
    if (before.state === target) return { ...before, previousState: before.state, changed: false };
    ruleState(this.layout, rule).write(enabled, this.now());
    return { ...(await this.scheduleStatus(rule)), previousState: before.state, changed: true };
  }

  async status(): Promise<StatusReport> {
    const session = this.session ?? (await attachToPipeline(this.layout));
    this.session ??= session;
    return localStatus({
      session,
      layout: this.layout,
      bucket: session?.resources.rawBucket ?? RESOURCE.rawBucket,
      streamName: session?.resources.streamName ?? RESOURCE.stream,
      schedule: await this.scheduleStatus('ingest'),
      now: this.now(),
    });
  }

  async listRuns(filter: RunFilter = {}) {
    return listRunsOf(this.layout.root, filter);
  }

  async showRun(ref: string): Promise<RunDetail> {
    return localRunDetail(findRun(this.layout.root, ref), this.now());
  }

  async startWorkflow(workflow: WorkflowName, input: WorkflowInput = {}): Promise<WorkflowStart> {
    let runInput: Record<string, unknown> = {};
    if (workflow === 'report') {
      const date = input.date ?? newestLakeDay(this.layout.lake, RESOURCE.rawBucket);
      if (!input.date)
        this.note(
          date
            ? `no --date: the report covers ${date}, the newest day in the local lake`
            : 'no --date and the local lake is empty: the report covers today',
        );
      if (date) runInput = { date };
    } else if (input.date) {
      throw new UsageError('--date is for the report workflow; maintenance compacts every partition not yet compacted');
    }
    const session = await this.anySession();
    if (workflow === 'report') {
      // The report reads the compacted table (the day's figures, the SMAs' history); a lake not yet
      // compacted would report "0 symbols, 0 ticks" for a day that has data.
      const behind = uncompacted(this.layout.lake, RESOURCE.rawBucket, (runInput.date as string | undefined) ?? '9999-12-31');
      if (behind.length > 0) {
        const maintenance = await runOnSession(session, 'maintenance', {});
        this.note(
          `${behind.length} day${behind.length === 1 ? '' : 's'} of the lake the report reads ${behind.length === 1 ? 'was' : 'were'} not compacted yet (e.g. ${behind[0]}): ran the maintenance workflow first (${maintenance.executionId}: ${maintenance.status})`,
        );
        if (maintenance.status !== 'SUCCEEDED')
          throw new OpsError(
            'failed',
            `the maintenance run before the report did not succeed (${maintenance.status}); see stockpipe runs show ${maintenance.executionId}`,
          );
      }
    }
    if (workflow === 'report' && !session.tablesKept)
      this.note("the last run's tables were in memory: the report takes the day's alerts from the outbox");
    const run = await runOnSession(session, workflow, runInput);
    return {
      workflow,
      id: run.executionId,
      executionArn: run.executionArn,
      startedAt: run.startedAt,
      input: JSON.stringify(runInput),
    };
  }

  /** Follows a run to its end: one started by this process has ended already; another process's run file is polled. */
  async waitForRun(ref: string, options: WaitOptions = {}): Promise<RunDetail> {
    const started = this.now().getTime();
    let reported = 0;
    for (;;) {
      const run = await this.showRun(ref);
      const finished = run.states.filter((s) => s.status !== 'RUNNING');
      if (run.states.length > reported || run.status !== 'RUNNING') {
        options.onProgress?.({ run, entered: run.states.slice(reported), finished: run.status !== 'RUNNING' ? finished : [] });
        reported = run.states.length;
      }
      if (run.status !== 'RUNNING') return run;
      if (this.now().getTime() - started > (options.timeoutMs ?? 3_600_000)) {
        throw new OpsError('failed', `run ${run.id} is still RUNNING; follow it with stockpipe runs show ${run.id}`);
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
    }
  }

  /** The newest `limit` (default 1000) alerts of the outbox, in time order. */
  async listAlerts(filter: AlertFilter = {}): Promise<AlertRow[]> {
    // Market order, as on AWS (the outbox is in publish order: two shards publish side by side).
    const messages = readOutbox(this.layout.outbox, filter).sort(
      (a, b) => a.alert.timestamp.localeCompare(b.alert.timestamp) || a.alert.symbol.localeCompare(b.alert.symbol),
    );
    return messages.slice(Math.max(0, messages.length - (filter.limit ?? 1000))).map((m) => ({
      symbol: m.alert.symbol,
      side: m.alert.side,
      timestamp: m.alert.timestamp,
      price: m.alert.price,
      sma5: m.alert.sma5,
      sma20: m.alert.sma20,
      status: 'PUBLISHED',
      publishedAt: m.publishedAt,
    }));
  }

  /** The crossover query on DuckDB over the data dir's lake files, as `stockpipe query` runs SQL (no emulator needed). */
  async recomputeSignals(filter: SignalFilter = {}): Promise<SignalRow[]> {
    const sql = crossoverSql(filter);
    if (!existsSync(join(this.layout.lake, RESOURCE.rawBucket)))
      this.note(`the lake in ${this.layout.lake} is empty: run stockpipe run (or stockpipe start, or replay) first`);
    const database = await openLakeDatabase({ s3Dir: this.layout.lake, bucket: RESOURCE.rawBucket });
    try {
      return signalRowsOf((await database.query(sql)).rows, `the local lake ${this.layout.lake}`);
    } finally {
      database.close();
    }
  }

  async subscribe(): Promise<never> {
    throw new UsageError(
      `the local target sends no mail: its alerts go to the outbox ${join(this.layout.outbox, 'alerts-<date>.jsonl')} (stockpipe alerts lists them); subscribe to the deployed stack's topic with --target aws`,
    );
  }

  async dlqOverview() {
    return localDlqOverview(await this.attached('the dead-letter queues'));
  }

  async listDlq(queue: QueueName, options: DlqListOptions = {}) {
    return listLocalDlq(await this.attached('the dead-letter queues'), queue, options);
  }

  async showDlq(queue: QueueName, messageId: string) {
    return showLocalDlq(await this.attached('the dead-letter queues'), queue, messageId);
  }

  async replayDlq(queue: QueueName, options: ReplayOptions = {}) {
    return replayLocalDlq(await this.attached('the dead-letter queues'), queue, options);
  }

  async purgeDlq(queue: QueueName, confirmed: boolean) {
    return purgeLocalDlq(await this.attached('the dead-letter queues'), queue, confirmed);
  }

  /** The stored report, straight from the lake's files (no emulator needed). */
  async getReport(options: { date?: string; format?: ReportFormat } = {}): Promise<StoredReport> {
    const format = options.format ?? 'html';
    const bucket = RESOURCE.rawBucket;
    const date = options.date ?? this.newestReportDay(bucket);
    if (!date)
      throw new OpsError(
        'not-found',
        `no daily report in ${this.layout.root} yet; make one with stockpipe workflow run report --date <YYYY-MM-DD>`,
      );
    const key = reportKeys(date)[format];
    const path = localObjectPath(this.layout.lake, bucket, key);
    if (!existsSync(path))
      throw new OpsError(
        'not-found',
        `no report for ${date} in ${this.layout.root}; make it with stockpipe workflow run report --date ${date}`,
      );
    return { date, format, key, location: path, body: readFileSync(path) };
  }

  private newestReportDay(bucket: string): string | undefined {
    const dir = join(this.layout.lake, bucket, ...LAKE.reports.split('/').filter(Boolean));
    if (!existsSync(dir)) return undefined;
    const days = readdirSync(dir)
      .map((d) => /^dt=(\d{4}-\d{2}-\d{2})$/.exec(d)?.[1])
      .filter((d): d is string => d !== undefined && existsSync(localObjectPath(this.layout.lake, bucket, reportKeys(d).json)));
    return days.sort().at(-1);
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.close();
  }
}
