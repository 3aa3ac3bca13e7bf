/** The report Lambda: plans the daily report's queries and builds the report from their results. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { createClients } from '../shared/clients';
import { resourceFromEnv } from '../shared/config';
import { logger, metrics, tracer } from '../shared/powertools';
import { DynamoDbAlertReader } from './alert-reader';
import { makeReportHandler } from './report-task';

const { dynamodb, documents } = createClients();
tracer.captureAWSv3Client(dynamodb);

export const handler = middy(makeReportHandler({ alerts: new DynamoDbAlertReader(documents, resourceFromEnv('alertTable')) }))
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
