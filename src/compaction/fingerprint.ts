import { createHash } from 'node:crypto';
import type { LakeObject } from '../core/ports-lake';

/** User-metadata key of the Parquet object: the fingerprint of the raw objects it was made from. */
export const SOURCE_FINGERPRINT = 'source-fingerprint';

/** Changes when a raw object of the partition is added, removed or rewritten with other content. */
export function sourceFingerprint(objects: readonly LakeObject[]): string {
  const lines = objects.map((o) => `${o.key}\t${o.etag}\t${o.size}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 32);
}
