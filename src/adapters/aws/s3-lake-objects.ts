/** The lake bucket on S3 (AWS and s3rver alike). */
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { LakeObject, LakeObjects, PutOptions } from '../../core/ports-lake';

export class S3LakeObjects implements LakeObjects {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  async list(prefix: string): Promise<LakeObject[]> {
    const objects: LakeObject[] = [];
    // ListObjects (v1) paged by Marker: s3rver makes ListObjectsV2's continuation token with DES, which
    // OpenSSL 3 (Node 18+) refuses, so any listing longer than a page fails there with InternalError.
    let marker: string | undefined;
    for (;;) {
      const page = await this.s3.send(
        new ListObjectsCommand({ Bucket: this.bucket, Prefix: prefix, ...(marker ? { Marker: marker } : {}) }),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        objects.push({
          key: o.Key,
          etag: o.ETag ?? '',
          size: o.Size ?? 0,
          lastModified: (o.LastModified ?? new Date(0)).toISOString(),
        });
      }
      const last = page.Contents?.at(-1)?.Key;
      if (!page.IsTruncated || !last) break;
      marker = last;
    }
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async getText(key: string): Promise<string> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!out.Body) throw new Error(`s3://${this.bucket}/${key} has no body`);
    return out.Body.transformToString('utf8');
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: options.contentType,
        Metadata: options.metadata ? { ...options.metadata } : undefined,
      }),
    );
  }

  async metadata(key: string): Promise<Record<string, string> | undefined> {
    try {
      const out = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.Metadata ?? {};
    } catch (e) {
      if (e instanceof NotFound || (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
        return undefined;
      throw e;
    }
  }
}
