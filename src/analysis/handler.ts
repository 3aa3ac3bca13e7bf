/** The analysis Lambda: DynamoDB stream batch in, BUY/SELL alerts out through SNS. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createClients } from '../shared/clients';
import { resourcesFromEnv } from '../shared/config';
import { logger, metrics, tracer, withPowertools } from '../shared/powertools';
import { makeAnalysisHandler, type AnalysisOutcome } from './analyse-batch';
import { ANALYSIS_RESOURCES, analysisDependencies } from './dependencies';

export const recordAnalysisOutcome = (o: AnalysisOutcome): void => {
  metrics.addMetric('TicksAnalysed', MetricUnit.Count, o.folded);
  metrics.addMetric('AlertsPublished', MetricUnit.Count, o.alertsPublished.length);
  metrics.addMetric('StreamRecordsDeadLettered', MetricUnit.Count, o.deadLettered);
  metrics.addMetric('StreamRecordsFailed', MetricUnit.Count, o.failed);
  metrics.addMetric('LateTicks', MetricUnit.Count, o.late);
  metrics.addMetric('DuplicateTicks', MetricUnit.Count, o.duplicates);
  if (o.skippedTicks.length > 0) logger.warn('ticks not folded in order', { skipped: o.skippedTicks });
  for (const alert of o.alertsPublished) logger.info('alert published', { alert });
  if (o.failed > 0) logger.warn('stream records will be retried', { failed: o.failed, errors: o.errors });
};

const clients = createClients();
tracer.captureAWSv3Client(clients.dynamodb);
tracer.captureAWSv3Client(clients.sns);
tracer.captureAWSv3Client(clients.sqs);

export const handler = withPowertools(
  makeAnalysisHandler(analysisDependencies(clients, resourcesFromEnv(ANALYSIS_RESOURCES), { observe: recordAnalysisOutcome })),
);
