/** The processing Lambda: Kinesis batch in, raw lake + price table + invalid-records queue out. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createClients } from '../shared/clients';
import { resourcesFromEnv, settingsFromEnv } from '../shared/config';
import { logger, metrics, tracer, withPowertools } from '../shared/powertools';
import { PROCESSING_RESOURCES, processingDependencies } from './dependencies';
import { makeProcessingHandler, type ProcessingOutcome } from './process-batch';

export const recordProcessingOutcome = (o: ProcessingOutcome): void => {
  metrics.addMetric('TicksProcessed', MetricUnit.Count, o.processed);
  metrics.addMetric('TicksDeadLettered', MetricUnit.Count, o.deadLettered);
  metrics.addMetric('RecordsFailed', MetricUnit.Count, o.failed);
  metrics.addMetric('RawObjectsWritten', MetricUnit.Count, o.objectsWritten);
  if (o.failed > 0) logger.warn('records will be retried', { failed: o.failed, errors: o.errors });
};

const clients = createClients();
tracer.captureAWSv3Client(clients.s3);
tracer.captureAWSv3Client(clients.dynamodb);
tracer.captureAWSv3Client(clients.sqs);

export const handler = withPowertools(
  makeProcessingHandler(
    processingDependencies(clients, resourcesFromEnv(PROCESSING_RESOURCES), settingsFromEnv(), {
      observe: recordProcessingOutcome,
    }),
  ),
);
