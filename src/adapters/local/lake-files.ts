/**
 * Where the local S3 stand-in (s3rver) keeps an object on disk, so that DuckDB can read the local lake
 * straight from the files, as Athena reads S3. s3rver stores `<dir>/<bucket>/<key>._S3rver_object`
 * (plus metadata files beside it), keeping the key's folders, so Hive partitions stay folders.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LAKE } from '../../shared/names';

export const OBJECT_SUFFIX = '._S3rver_object';

export const localObjectPath = (s3Dir: string, bucket: string, key: string): string =>
  join(s3Dir, bucket, ...key.split('/')) + OBJECT_SUFFIX;

/**
 * A glob over the objects under a prefix laid out in Hive folders, `<prefix>symbol=*\/dt=*\/<file><extension>`
 * by default; `['dt']` for the raw zone's day layout.
 */
export const localPartitionGlob = (
  s3Dir: string,
  bucket: string,
  prefix: string,
  extension: string,
  keys: readonly string[] = ['symbol', 'dt'],
): string =>
  join(s3Dir, bucket, ...prefix.split('/').filter(Boolean), ...keys.map((k) => `${k}=*`), `*${extension}${OBJECT_SUFFIX}`);

/** Names in a folder; none when it is gone (a run that starts clears the lake under a reader). */
const namesIn = (dir: string): string[] => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

/**
 * The folders of each raw day on disk, by day: `raw/dt=<D>/`, and the `raw/symbol=<S>/dt=<D>/` folders
 * of a lake written in the older per-symbol layout.
 */
export function localRawDayFolders(s3Dir: string, bucket: string): Map<string, string[]> {
  const raw = join(s3Dir, bucket, ...LAKE.raw.split('/').filter(Boolean));
  const days = new Map<string, string[]>();
  const addDay = (parent: string, name: string) => {
    const day = /^dt=(\d{4}-\d{2}-\d{2})$/.exec(name)?.[1];
    if (day) days.set(day, [...(days.get(day) ?? []), join(parent, name)]);
  };
  for (const entry of namesIn(raw)) {
    if (entry.startsWith('symbol=')) for (const dt of namesIn(join(raw, entry))) addDay(join(raw, entry), dt);
    else addDay(raw, entry);
  }
  return days;
}
