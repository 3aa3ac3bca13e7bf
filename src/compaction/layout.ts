/** Where compaction reads and writes in the lake bucket, and what a partition name may be. */
import { z } from 'zod';
import { decodePartitionValue, partitionPath, type Partition } from '../core/lake';
import { TickSchema } from '../core/tick';
import { LAKE } from '../shared/names';
import { StockpipeError } from '../core/errors';

/** One Parquet object per partition: rewriting it is how a re-run stays free of duplicates. */
export const CURATED_OBJECT = 'part-0000.parquet';

export const rawPartitionPrefix = (p: Partition): string => partitionPath(LAKE.raw, p);
export const curatedObjectKey = (p: Partition): string => `${partitionPath(LAKE.curated, p)}${CURATED_OBJECT}`;

const PARTITION_KEY = /^(raw|curated)\/symbol=([^/]+)\/dt=([^/]+)\/[^/]+$/;

/** The partition of an object key under raw/ or curated/; undefined for any other key. */
export function partitionOfKey(key: string): (Partition & { zone: 'raw' | 'curated' }) | undefined {
  const m = PARTITION_KEY.exec(key);
  if (!m) return undefined;
  return { zone: m[1] as 'raw' | 'curated', symbol: decodePartitionValue(m[2]!), dt: m[3]! };
}

const isCalendarDay = (s: string): boolean => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};

export const DaySchema = z
  .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
  .refine(isCalendarDay, { message: 'must be a calendar day written YYYY-MM-DD' });

export const PartitionSchema = z.object({
  symbol: TickSchema.shape.symbol,
  dt: DaySchema,
});

/** Validates a partition named in a task's input; the error names field, value and reason. */
export function parsePartition(input: unknown, where = 'partition'): Partition {
  const parsed = PartitionSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join('.') || '(input)';
  const value = input !== null && typeof input === 'object' ? (input as Record<string, unknown>)[field] : input;
  throw new InvalidTaskInput(`${where} ${field}=${JSON.stringify(value) ?? 'undefined'}: ${issue.message}`);
}

/** A workflow task was given input it cannot use: not retried, caught by the workflow's failure path. */
export class InvalidTaskInput extends StockpipeError {
  override readonly name = 'InvalidTaskInput';
}
