/** The Lambda that finds the partitions a lake-maintenance run works on. */
import { GlueCatalog } from '../adapters/aws/glue-catalog';
import { createClients } from '../shared/clients';
import { tracer, withPowertools } from '../shared/powertools';
import { makeFindPartitionsHandler } from './find-partitions';
import { glueDatabaseFromEnv, lakeBucketFromEnv, tracedGlueClient } from './lambda-env';
import { S3LakeObjects } from '../adapters/aws/s3-lake-objects';

const { s3 } = createClients();
tracer.captureAWSv3Client(s3);

export const handler = withPowertools(
  makeFindPartitionsHandler({
    lake: new S3LakeObjects(s3, lakeBucketFromEnv()),
    catalog: new GlueCatalog(tracedGlueClient(), glueDatabaseFromEnv()),
  }),
);
