/**
 * The report task of the daily-report workflow, two steps of one function:
 * - `plan`: which day (the input's `date`, else the execution's UTC day) and the queries to run;
 * - `build`: the query results (Athena's shape) plus the day's alerts -> report JSON, HTML and the
 *   summary the workflow stores and publishes.
 */
import { z } from 'zod';
import { buildDailyReport, reconcileDay, reconciliationLines, reportSummary, type DailyReport } from '../core/report';
import { LAKE } from '../shared/names';
import type { AthenaResultSet, DayAlertReader, SkippedTickReader } from '../core/ports-report';
import { anomalyRows, chartRows, crossoverRows, symbolDayRows } from './athena-results';
import { checkedDay, dailyReportQueries, InvalidReportDate, type ReportQuery } from './queries';
import { renderReportHtml, renderReportJson } from './render';
import { StockpipeError } from '../core/errors';

export interface ReportKeys {
  readonly json: string;
  readonly html: string;
}

export const reportKeys = (date: string): ReportKeys => ({
  json: `${LAKE.reports}dt=${date}/report.json`,
  html: `${LAKE.reports}dt=${date}/report.html`,
});

export interface ReportPlan {
  readonly date: string;
  readonly queries: readonly ReportQuery[];
  readonly keys: ReportKeys;
}

/**
 * What the workflow's Choice reads after the report is stored: `differences` > 0 sends `subject` and
 * `message` to the ops topic.
 */
export interface ReconciliationOutcome {
  readonly recomputed: number;
  readonly matched: number;
  readonly missing: number;
  readonly extra: number;
  readonly differences: number;
  readonly subject: string;
  readonly message: string;
}

export interface BuiltReport {
  readonly date: string;
  readonly keys: ReportKeys;
  readonly json: string;
  readonly html: string;
  readonly subject: string;
  readonly message: string;
  readonly totals: DailyReport['totals'];
  readonly reconciliation: ReconciliationOutcome;
}

/**
 * The rendered report travels in the workflow's state to the S3 tasks; Step Functions caps a state
 * at 256 KiB, so a report that would not fit is an error rather than a truncated report.
 */
export const MAX_REPORT_BYTES = 200 * 1024;

export class ReportTooLarge extends StockpipeError {
  override readonly name = 'ReportTooLarge';
}

export interface ReportTaskDeps {
  /** Every alert of the day, of any symbol: a symbol without compacted rows keeps its alerts. */
  readonly alerts: DayAlertReader;
  /** The day's late and duplicate ticks per symbol (the signal-state table). */
  readonly skipped: SkippedTickReader;
  readonly now?: () => Date;
  /** @default the curated table's name */
  readonly table?: string;
  /** Where the reconciliation reads the day itself. @default the raw table's name */
  readonly rawTable?: string;
  /**
   * A link that opens the stored HTML page from the mail: a presigned URL on AWS, the file path
   * locally. Without it the mail names the S3 location only.
   */
  readonly pageLink?: (bucket: string, key: string) => Promise<string>;
  /** Told about every report built (the Lambda records its metrics here). */
  readonly observe?: (report: DailyReport, built: BuiltReport) => void;
}

const PlanInput = z.object({
  action: z.literal('plan'),
  input: z.object({ date: z.unknown().optional() }).passthrough().nullish(),
  startedAt: z.string().optional(),
});

const BuildInput = z.object({
  action: z.literal('build'),
  date: z.string(),
  bucket: z.string().min(1),
  keys: z.object({ json: z.string(), html: z.string() }),
  results: z.array(
    z.object({
      name: z.string(),
      dataScannedInBytes: z.number().optional(),
      resultSet: z.custom<AthenaResultSet>((v) => typeof v === 'object' && v !== null),
    }),
  ),
});

const TaskInput = z.discriminatedUnion('action', [PlanInput, BuildInput]);

export class InvalidReportTask extends StockpipeError {
  override readonly name = 'InvalidReportTask';
}

export function makeReportHandler(deps: ReportTaskDeps) {
  const now = deps.now ?? (() => new Date());

  const plan = (input: z.infer<typeof PlanInput>): ReportPlan => {
    const requested = input.input?.date;
    let date: string;
    if (requested !== undefined) date = checkedDay(requested);
    else {
      const started = input.startedAt ? new Date(input.startedAt) : now();
      if (Number.isNaN(started.getTime()))
        throw new InvalidReportDate(`report startedAt=${JSON.stringify(input.startedAt)}: is not a time`);
      date = started.toISOString().slice(0, 10);
    }
    return { date, queries: dailyReportQueries(date, deps.table, deps.rawTable), keys: reportKeys(date) };
  };

  const build = async (input: z.infer<typeof BuildInput>): Promise<BuiltReport> => {
    const date = checkedDay(input.date);
    const result = (name: string) => {
      const found = input.results.find((r) => r.name === name);
      if (!found)
        throw new InvalidReportTask(
          `report build input has no result of query ${name} (got ${input.results.map((r) => r.name).join(', ') || 'none'})`,
        );
      return found.resultSet;
    };
    const symbolRows = symbolDayRows(result('symbols'));
    // A run planned before the chart query existed has no chart result: the page has no charts then.
    const chartResult = input.results.find((r) => r.name === 'chart');
    const charts = chartResult ? chartRows(chartResult.resultSet) : undefined;
    const anomalies = anomalyRows(result('anomalies'));
    const crossovers = crossoverRows(result('signals'));
    const [alerts, skipped] = await Promise.all([deps.alerts.alertsOfDay(date), deps.skipped.skippedOn(date)]);
    const reconciliation = reconcileDay(
      alerts.filter((a) => a.timestamp.startsWith(date)),
      crossovers.filter((c) => c.timestamp.startsWith(date)),
    );
    const report = buildDailyReport({
      date,
      generatedAt: now().toISOString(),
      symbolRows,
      anomalyRows: anomalies,
      alerts,
      reconciliation,
      skipped,
    });
    const json = renderReportJson(report);
    const html = renderReportHtml(report, charts);
    const bytes = Buffer.byteLength(json) + Buffer.byteLength(html);
    if (bytes > MAX_REPORT_BYTES) {
      throw new ReportTooLarge(
        `report of ${date} is ${bytes} bytes, more than the ${MAX_REPORT_BYTES} that fit in a workflow state; report fewer symbols`,
      );
    }
    const s3 = (key: string) => `s3://${input.bucket}/${key}`;
    const page = deps.pageLink ? await deps.pageLink(input.bucket, input.keys.html) : undefined;
    const { subject, message } = reportSummary(report, {
      json: s3(input.keys.json),
      html: s3(input.keys.html),
      ...(page ? { page } : {}),
    });
    const r = reconciliation;
    const built: BuiltReport = {
      date,
      keys: input.keys,
      json,
      html,
      subject,
      message,
      totals: report.totals,
      reconciliation: {
        recomputed: r.recomputed,
        matched: r.matched,
        missing: r.missing.length,
        extra: r.extra.length,
        differences: r.differences,
        subject: `stockpipe daily report ${date}: ${r.differences} alert differences`.slice(0, 100),
        message: [
          `stockpipe daily report for ${date} (UTC): the alerts sent differ from the crossovers recomputed from the lake.`,
          ...reconciliationLines(r),
          '',
          `Full report: ${s3(input.keys.html)}`,
          'Compare with: stockpipe verify --from ' + date + ' --to ' + date,
        ].join('\n'),
      },
    };
    deps.observe?.(report, built);
    return built;
  };

  return async (event: unknown): Promise<ReportPlan | BuiltReport> => {
    const parsed = TaskInput.safeParse(event);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InvalidReportTask(`report task input ${issue.path.join('.') || '(input)'}: ${issue.message}`);
    }
    return parsed.data.action === 'plan' ? plan(parsed.data) : build(parsed.data);
  };
}
