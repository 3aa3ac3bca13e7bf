/** The analysis Lambda: DynamoDB stream batch in, BUY/SELL alerts out through SNS. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createClients } from '../shared/clients';
import { resourcesFromEnv } from '../shared/config';
import { logger, metrics, tracer, withPowertools } from '../shared/powertools';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoDbAlertLedger } from '../adapters/aws/dynamodb-alert-ledger';
import { makeAnalysisHandler, type AnalysisOutcome } from './analyse-batch';
import { resolvePendingAlerts } from './resolve-pending';
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

const resources = resourcesFromEnv(ANALYSIS_RESOURCES);
const ledger = new DynamoDbAlertLedger(clients.documents, resources.alertTable);
const deps = analysisDependencies(clients, resources, { ledger, observe: recordAnalysisOutcome });
const analyse = makeAnalysisHandler(deps);

/**
 * No alert left behind on AWS: at most every PENDING_SWEEP_MS per warm container, after its batch,
 * the function sends and marks the alerts whose claim ran out (an invocation died between claim and
 * mark, and its batch may never come back). See resolve-pending.ts.
 */
const PENDING_SWEEP_MS = 5 * 60_000;
let lastSweep = 0;
const sweepStalePending = async (): Promise<void> => {
  if (Date.now() - lastSweep < PENDING_SWEEP_MS) return;
  lastSweep = Date.now();
  try {
    const r = await resolvePendingAlerts({ pending: () => ledger.pending(), ledger, notifier: deps.notifier });
    metrics.addMetric('StalePendingAlertsResolved', MetricUnit.Count, r.published + r.markedOnly);
    if (r.published + r.markedOnly > 0) logger.warn('stale PENDING alerts sent', { published: r.published });
    for (const f of r.failed) logger.error('a stale PENDING alert could not be sent', { alert: f.alert, error: f.reason });
  } catch (error) {
    logger.error('stale PENDING alert sweep failed', { error: String(error) });
  }
};

export const handler = withPowertools(async (event: DynamoDBStreamEvent) => {
  const response = await analyse(event);
  await sweepStalePending();
  return response;
});
