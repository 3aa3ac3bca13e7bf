/** The Lambda that registers a maintenance run's partitions in Glue (raw and curated tables). */
import { GlueCatalog } from '../adapters/aws/glue-catalog';
import { S3LakeObjects } from '../adapters/aws/s3-lake-objects';
import { createClients } from '../shared/clients';
import { tracer, withPowertools } from '../shared/powertools';
import { glueDatabaseFromEnv, lakeBucketFromEnv, tracedGlueClient } from './lambda-env';
import { makeRegisterPartitionsHandler } from './register-partitions';

const { s3 } = createClients();
tracer.captureAWSv3Client(s3);

export const handler = withPowertools(
  makeRegisterPartitionsHandler({
    catalog: new GlueCatalog(tracedGlueClient(), glueDatabaseFromEnv()),
    lake: new S3LakeObjects(s3, lakeBucketFromEnv()),
  }),
);
