/** The Lambda that finds the partitions a lake-maintenance run works on. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { GlueCatalog } from '../adapters/aws/glue-catalog';
import { createClients } from '../shared/clients';
import { logger, metrics, tracer } from '../shared/powertools';
import { makeFindPartitionsHandler } from './find-partitions';
import { glueDatabaseFromEnv, lakeBucketFromEnv, tracedGlueClient } from './lambda-env';
import { S3LakeObjects } from './lake-objects';

const { s3 } = createClients();
tracer.captureAWSv3Client(s3);

export const handler = middy(
  makeFindPartitionsHandler({
    lake: new S3LakeObjects(s3, lakeBucketFromEnv()),
    catalog: new GlueCatalog(tracedGlueClient(), glueDatabaseFromEnv()),
  }),
)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
