/** The report Lambda: plans the daily report's queries and builds the report from their results. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DailyReport } from '../core/report';
import { createClients } from '../shared/clients';
import { resourceFromEnv } from '../shared/config';
import { logger, metrics, tracer, withPowertools } from '../shared/powertools';
import { DynamoDbDayAlertReader } from '../adapters/aws/dynamodb-day-alert-reader';
import { DynamoDbSkippedTickReader } from '../adapters/aws/dynamodb-skipped-tick-reader';
import { makeReportHandler } from './report-task';
import { presignedPageLink } from './page-link';

/** The reconciliation as metrics (an alarm on ReconciliationDifferences > 0 watches the day) and a log line. */
export const recordReport = (report: DailyReport): void => {
  const r = report.reconciliation;
  if (!r) return;
  metrics.addMetric('ReconciliationDifferences', MetricUnit.Count, r.differences);
  metrics.addMetric('AlertsMissing', MetricUnit.Count, r.missing.length);
  metrics.addMetric('AlertsExtra', MetricUnit.Count, r.extra.length);
  metrics.addMetric('AlertsPending', MetricUnit.Count, report.totals.pending);
  if (r.differences > 0)
    logger.warn('alerts differ from the recomputed crossovers', {
      date: report.date,
      matched: r.matched,
      missing: r.missing,
      extra: r.extra,
    });
};

const { dynamodb, documents, s3 } = createClients();
tracer.captureAWSv3Client(dynamodb);

export const handler = withPowertools(
  makeReportHandler({
    alerts: new DynamoDbDayAlertReader(documents, resourceFromEnv('alertTable')),
    skipped: new DynamoDbSkippedTickReader(documents, resourceFromEnv('signalStateTable')),
    pageLink: presignedPageLink(s3),
    observe: recordReport,
  }),
);
