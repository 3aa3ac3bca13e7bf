/**
 * Where the local S3 stand-in (s3rver) keeps an object on disk, so that DuckDB can read the local lake
 * straight from the files, as Athena reads S3. s3rver stores `<dir>/<bucket>/<key>._S3rver_object`
 * (plus metadata files beside it), keeping the key's folders, so Hive partitions stay folders.
 */
import { join } from 'node:path';

const OBJECT_SUFFIX = '._S3rver_object';

export const localObjectPath = (s3Dir: string, bucket: string, key: string): string =>
  join(s3Dir, bucket, ...key.split('/')) + OBJECT_SUFFIX;

/** A glob over the objects under a prefix laid out as `<prefix>symbol=*\/dt=*\/<file><extension>`. */
export const localPartitionGlob = (s3Dir: string, bucket: string, prefix: string, extension: string): string =>
  join(s3Dir, bucket, ...prefix.split('/').filter(Boolean), 'symbol=*', 'dt=*', `*${extension}${OBJECT_SUFFIX}`);

/** A glob over the raw objects of the day layout, `<prefix>dt=*\/<file><extension>`. */
export const localDayGlob = (s3Dir: string, bucket: string, prefix: string, extension: string): string =>
  join(s3Dir, bucket, ...prefix.split('/').filter(Boolean), 'dt=*', `*${extension}${OBJECT_SUFFIX}`);
