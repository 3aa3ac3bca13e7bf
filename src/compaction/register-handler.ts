/** The Lambda that registers a maintenance run's partitions in Glue (raw and curated tables). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { GlueCatalog } from '../adapters/aws/glue-catalog';
import { logger, metrics, tracer } from '../shared/powertools';
import { glueDatabaseFromEnv, tracedGlueClient } from './lambda-env';
import { makeRegisterPartitionsHandler } from './register-partitions';

export const handler = middy(makeRegisterPartitionsHandler({ catalog: new GlueCatalog(tracedGlueClient(), glueDatabaseFromEnv()) }))
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
