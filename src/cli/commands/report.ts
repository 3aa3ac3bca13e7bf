/** `stockpipe report [get] [--date D] [--out file | --open]`: the stored daily report. */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { reportSummary, type DailyReport } from '../../core/report';
import type { ReportFormat, StoredReport } from '../../ops/operations';
import { parseDay } from '../../ops/time';
import type { ReportFile, ReportGetResult } from '../../ops/types';
import { withCommonOptions } from '../options';
import { CliError, type CliIo } from '../output';
import { withOperations, withTargetOption, type TargetOptions } from '../targets';

interface GetOptions extends TargetOptions {
  readonly date?: string;
  readonly out?: string;
  readonly open?: boolean;
}

const fileOf = (stored: StoredReport, savedTo: string | null): ReportFile => ({
  date: stored.date,
  format: stored.format,
  key: stored.key,
  location: stored.location,
  bytes: stored.body.length,
  savedTo,
});

function parseReport(stored: StoredReport): DailyReport {
  try {
    return JSON.parse(stored.body.toString('utf8')) as DailyReport;
  } catch (error) {
    throw new CliError(
      `the stored report ${stored.location} is not valid JSON (${(error as Error).message}); make it again with stockpipe workflow run report --date ${stored.date}`,
    );
  }
}

export function registerReport(program: Command, io: CliIo): void {
  const group = program
    .command('report')
    .description('the daily report the report workflow stored: print its summary, or save/open it');
  const get = group
    .command('get', { isDefault: true })
    .description("print the summary of a day's report (the newest by default); --out saves it, --open shows the HTML")
    .option('--date <YYYY-MM-DD>', 'the day (default: the newest stored report)', (v: string) => parseDay(v))
    .option('--out <file>', 'save the report there: .json for the data, anything else for the HTML page')
    .option('--open', 'open the HTML page in the browser (saved to --out, or to a temporary file)');
  withTargetOption(withCommonOptions(get)).action((options: GetOptions) =>
    withOperations(io, options, async (operations, out) => {
      const json = await operations.getReport({ ...(options.date ? { date: options.date } : {}), format: 'json' });
      const report = parseReport(json);
      const files: ReportFile[] = [fileOf(json, null)];
      const outFormat: ReportFormat | undefined = options.out
        ? extname(options.out).toLowerCase() === '.json'
          ? 'json'
          : 'html'
        : options.open
          ? 'html'
          : undefined;
      if (options.open && outFormat === 'json')
        throw new CliError('--open shows the HTML page; give --out a file that does not end in .json', 2);
      let saved: string | undefined;
      if (outFormat) {
        const stored = outFormat === 'json' ? json : await operations.getReport({ date: json.date, format: 'html' });
        saved = resolve(options.out ?? join(tmpdir(), `stockpipe-report-${stored.date}.html`));
        writeFileSync(saved, stored.body);
        if (outFormat === 'json') files[0] = fileOf(json, saved);
        else files.push(fileOf(stored, saved));
      }
      const html = files.find((f) => f.format === 'html');
      const { subject, message } = reportSummary(report, {
        json: json.location,
        html: html?.savedTo ?? json.location.replace(/report\.json/, 'report.html'),
      });
      const { ReportGetResultSchema } = await import('../../ops/types');
      const result: ReportGetResult = ReportGetResultSchema.parse({
        date: report.date,
        subject,
        summary: message,
        totals: report.totals,
        files,
      });
      if (saved) out.note(`saved ${saved}`);
      else out.note(`the full page: stockpipe report --date ${report.date} --open (or --out report.html)`);
      if (options.open && saved) {
        if (!io.open) throw new CliError(`cannot open a browser here; the report is saved at ${saved}`);
        await io.open(saved).catch((error: unknown) => {
          throw new CliError(`${(error as Error).message}; the report is saved at ${saved}`);
        });
      }
      out.result(result, () => message);
    }),
  );
}
