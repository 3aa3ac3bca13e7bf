/** `stockpipe report get` on AWS: the daily report the report workflow stored in the lake bucket. */
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { LAKE } from '../../shared/names';
import { OpsError } from '../errors';
import type { ReportFormat, StoredReport } from '../operations';
import { call, type AwsContext } from './context';
import { stackOutput } from './stack';

/** `reports/dt=<date>/report.html|json`, as the daily-report workflow writes them. */
export const reportKey = (date: string, format: ReportFormat): string => `${LAKE.reports}dt=${date}/report.${format}`;

/** The newest day that has a report, or undefined when there is none. */
export async function latestReportDate(ctx: AwsContext): Promise<string | undefined> {
  const bucket = stackOutput(ctx.stack, 'rawBucket', 'find the reports');
  let latest: string | undefined;
  let token: string | undefined;
  do {
    const out = await call(ctx, `list reports in bucket ${bucket}`, () =>
      ctx.clients.s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: `${LAKE.reports}dt=`, Delimiter: '/', ContinuationToken: token }),
      ),
    );
    for (const p of out.CommonPrefixes ?? []) {
      const day = /dt=(\d{4}-\d{2}-\d{2})\/$/.exec(p.Prefix ?? '')?.[1];
      if (day && (!latest || day > latest)) latest = day;
    }
    token = out.NextContinuationToken;
  } while (token);
  return latest;
}

export async function getReport(ctx: AwsContext, options: { date?: string; format?: ReportFormat } = {}): Promise<StoredReport> {
  const bucket = stackOutput(ctx.stack, 'rawBucket', 'find the reports');
  const format = options.format ?? 'html';
  const date = options.date ?? (await latestReportDate(ctx));
  if (!date) {
    throw new OpsError(
      'not-found',
      `no daily report in s3://${bucket}/${LAKE.reports} yet; make one with stockpipe workflow run report --date <YYYY-MM-DD>`,
    );
  }
  const key = reportKey(date, format);
  let out;
  try {
    out = await ctx.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') {
      throw new OpsError(
        'not-found',
        `no report for ${date} (s3://${bucket}/${key} does not exist); make it with stockpipe workflow run report --date ${date}`,
        {
          cause: error,
        },
      );
    }
    return call(ctx, `download s3://${bucket}/${key}`, () => Promise.reject(error));
  }
  const body = Buffer.from(await out.Body!.transformToByteArray());
  return { date, format, key, location: `s3://${bucket}/${key}`, body };
}
