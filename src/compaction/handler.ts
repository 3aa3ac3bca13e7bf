/** The compaction Lambda: one raw day to Parquet, per symbol (a task of the lake-maintenance workflow). */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createClients } from '../shared/clients';
import { logger, metrics, tracer, withPowertools } from '../shared/powertools';
import { makeCompactionHandler, type CompactionResult } from './compact-partition';
import { lakeBucketFromEnv } from './lambda-env';
import { S3LakeObjects } from '../adapters/aws/s3-lake-objects';

export const recordCompaction = (r: CompactionResult): void => {
  metrics.addMetric('RowsCompacted', MetricUnit.Count, r.rows);
  metrics.addMetric('LinesSkipped', MetricUnit.Count, r.skipped);
  metrics.addMetric('ParquetBytes', MetricUnit.Bytes, r.bytes);
  if (r.skipped > 0)
    logger.warn('invalid lines skipped', {
      dt: r.dt,
      skipped: r.skipped,
      sample: r.skippedSample,
      rejectedKey: r.rejectedKey,
    });
};

const { s3 } = createClients();
tracer.captureAWSv3Client(s3);

export const handler = withPowertools(
  makeCompactionHandler({ lake: new S3LakeObjects(s3, lakeBucketFromEnv()), observe: recordCompaction }),
);
