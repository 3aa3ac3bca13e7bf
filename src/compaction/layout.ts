/** Where compaction reads and writes in the lake bucket, and what a day in a task's input may be. */
import { z } from 'zod';
import { decodePartitionValue, partitionPath, type Partition } from '../core/lake';
import { LAKE } from '../shared/names';
import { StockpipeError } from '../core/errors';

/** One Parquet object per symbol and day: rewriting it is how a re-run stays free of duplicates. */
export const CURATED_OBJECT = 'part-0000.parquet';

export const curatedObjectKey = (p: Partition): string => `${partitionPath(LAKE.curated, p)}${CURATED_OBJECT}`;

/**
 * Written last by a day's compaction, with the fingerprint of the raw objects it read: a day whose
 * manifest is missing or stale is compacted (again), even when a failed run left some of its Parquet
 * objects.
 */
export const dayManifestKey = (dt: string): string => `${LAKE.curatedManifests}dt=${dt}.json`;

const MANIFEST_KEY = /^curated\/_manifests\/dt=([^/]+)\.json$/;

export const dayOfManifestKey = (key: string): string | undefined => MANIFEST_KEY.exec(key)?.[1];

const RAW_KEY = /^raw\/dt=([^/]+)\/[^/]+$/;
const LEGACY_RAW_KEY = /^raw\/symbol=([^/]+)\/dt=([^/]+)\/[^/]+$/;
const CURATED_KEY = /^curated\/symbol=([^/]+)\/dt=([^/]+)\/[^/]+$/;

/** Where an object of the lake belongs: a raw day (with its symbol in the old layout), or a curated partition. */
export type KeyPlace =
  | { readonly zone: 'raw'; readonly dt: string; readonly legacySymbol?: string }
  | { readonly zone: 'curated'; readonly symbol: string; readonly dt: string };

/** The place of an object key under raw/ or curated/; undefined for any other key. */
export function placeOfKey(key: string): KeyPlace | undefined {
  let m = RAW_KEY.exec(key);
  if (m) return { zone: 'raw', dt: m[1]! };
  m = LEGACY_RAW_KEY.exec(key);
  if (m) return { zone: 'raw', dt: m[2]!, legacySymbol: decodePartitionValue(m[1]!) };
  m = CURATED_KEY.exec(key);
  if (m) return { zone: 'curated', symbol: decodePartitionValue(m[1]!), dt: m[2]! };
  return undefined;
}

/** The object's name without its folders: shard and first sequence number, so names sort in arrival order. */
export const objectName = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

const isCalendarDay = (s: string): boolean => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};

export const DaySchema = z
  .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
  .refine(isCalendarDay, { message: 'must be a calendar day written YYYY-MM-DD' });

/** A raw day named in a task's input; `legacy` when some of its objects are in the old per-symbol layout. */
export interface RawDay {
  readonly dt: string;
  readonly legacy?: boolean;
}

export const RawDaySchema = z.object({
  dt: DaySchema,
  legacy: z.boolean({ error: 'must be true or false' }).optional(),
});

/** Validates a day named in a task's input; the error names field, value and reason. */
export function parseRawDay(input: unknown, where = 'partition'): RawDay {
  const parsed = RawDaySchema.safeParse(input);
  if (parsed.success) return parsed.data.legacy ? { dt: parsed.data.dt, legacy: true } : { dt: parsed.data.dt };
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join('.') || '(input)';
  const value = input !== null && typeof input === 'object' ? (input as Record<string, unknown>)[field] : input;
  throw new InvalidTaskInput(`${where} ${field}=${JSON.stringify(value) ?? 'undefined'}: ${issue.message}`);
}

/** A workflow task was given input it cannot use: not retried, caught by the workflow's failure path. */
export class InvalidTaskInput extends StockpipeError {
  override readonly name = 'InvalidTaskInput';
}
