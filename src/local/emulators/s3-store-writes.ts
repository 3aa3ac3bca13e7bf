/**
 * s3rver's filesystem store (3.7) answers a PutObject before the object's bytes are on disk, and
 * its write stream has no error handler: a full disk (ENOSPC), a read-only lake (EACCES, EROFS) or
 * any other write error is an unhandled `error` event that kills the whole process. This replaces
 * the store's `putObject` on one s3rver instance with one that writes through `pipeline` and
 * resolves only once the file is closed, so a failed write is an error of that request (s3rver turns
 * it into a 500 InternalError), which the SDK retries and processing then reports as failed records.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

interface StoredObject {
  readonly bucket: string;
  readonly key: string;
  readonly metadata: unknown;
  readonly content: Buffer | Readable;
}

interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: unknown, md5: string): Promise<void>;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
}

export function makeObjectWritesFailSafe(s3rver: object): void {
  const store = (s3rver as { store?: FilesystemStore }).store;
  if (!store || typeof store.getResourcePath !== 'function' || typeof store.putMetadata !== 'function') {
    throw new Error('s3rver has no filesystem store where 3.7 keeps it (s3rver.store): check the s3rver version');
  }
  store.putObject = async (object: StoredObject) => {
    const path = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(path), { recursive: true });
    const md5 = createHash('md5');
    let size = 0;
    const counting = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        md5.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    const content = Buffer.isBuffer(object.content) ? [object.content] : object.content;
    await pipeline(content, counting, createWriteStream(path));
    const digest = md5.digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, digest);
    return { size, md5: digest };
  };
}
