/**
 * Where the report mail points to open the stored page. On AWS a presigned GET URL of the page's S3
 * object: the bucket stays private, and the link works for whoever holds it until it expires. It is
 * signed with the report function's credentials, so it opens only if that role may read the key,
 * and it lasts at most as long as those (temporary) credentials. Locally the page's file on disk.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { localObjectPath } from '../adapters/local/lake-files';

/** Seven days, SigV4's longest; shorter in practice when the signing credentials expire sooner. */
export const PAGE_LINK_SECONDS = 7 * 24 * 3600;

export const presignedPageLink =
  (s3: S3Client, expiresIn: number = PAGE_LINK_SECONDS) =>
  (bucket: string, key: string): Promise<string> =>
    getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn });

export const localPageLink =
  (s3Dir: string) =>
  async (bucket: string, key: string): Promise<string> =>
    localObjectPath(s3Dir, bucket, key);
