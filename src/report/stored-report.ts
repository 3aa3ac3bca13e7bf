/** Reads a stored daily report back (for `stockpipe report`): from S3 or the local S3 stand-in. */
import type { DailyReport } from '../core/report';
import type { LakeObjects } from '../core/ports-lake';
import { checkedDay } from './queries';
import { reportKeys } from './report-task';

export interface StoredReport {
  readonly report: DailyReport;
  readonly html: string;
  readonly keys: { readonly json: string; readonly html: string };
}

/** The report of a day, or undefined when none was stored (run the report workflow for that day). */
export async function readStoredReport(lake: LakeObjects, date: string): Promise<StoredReport | undefined> {
  const keys = reportKeys(checkedDay(date));
  if ((await lake.metadata(keys.json)) === undefined) return undefined;
  const [json, html] = await Promise.all([lake.getText(keys.json), lake.getText(keys.html)]);
  return { report: JSON.parse(json) as DailyReport, html, keys };
}

/** Days that have a stored report, newest first. */
export async function listStoredReports(lake: LakeObjects): Promise<string[]> {
  const days = (await lake.list('reports/'))
    .map((o) => /^reports\/dt=(\d{4}-\d{2}-\d{2})\/report\.json$/.exec(o.key)?.[1])
    .filter((d): d is string => d !== undefined);
  return [...new Set(days)].sort().reverse();
}
