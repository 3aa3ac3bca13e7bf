import { z } from 'zod';
import type { EnrichedTick } from './enrich';
import { err, ok, type Result } from './result';
import type { PricePoint } from './signals';
import { validateTick, type Rejection } from './tick';

/** The processed item as stored in the price table. */
export interface PriceItem extends EnrichedTick {
  /** Epoch seconds after which the table's TTL removes the item. */
  readonly expires_at: number;
  /** Epoch ms when processing wrote the item: tells the analysis whether a tick came too late. */
  readonly written_at: number;
}

export const toPriceItem = (tick: EnrichedTick, nowMs: number, ttlDays: number): PriceItem => ({
  ...tick,
  expires_at: Math.floor(nowMs / 1000) + Math.round(ttlDays * 86_400),
  written_at: nowMs,
});

/** When the item was written (epoch ms), if it says: items written before `written_at` existed do not. */
export const writtenAtOf = (item: unknown): number | null => {
  const value = (item as { written_at?: unknown } | null)?.written_at;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
};

/** The tick's own fields, the ones that make two items of one key the same tick or two different ones. */
export const TICK_FIELDS = ['price', 'open', 'high', 'low', 'previous_close', 'volume', 'source'] as const;

const StoredEnrichment = z.object({
  change: z.number().refine(Number.isFinite, 'must be a finite number'),
  change_percent: z.number().refine(Number.isFinite, 'must be a finite number'),
  anomaly: z.boolean({ error: 'must be a boolean' }),
});

/** Reads a price item back (from a stream image): it must still be a valid tick, with its enrichment. */
export function parsePriceItem(item: unknown): Result<PricePoint & EnrichedTick, Rejection> {
  const tick = validateTick(item);
  if (!tick.ok) return err(tick.error[0]!);
  const extra = StoredEnrichment.safeParse(item);
  if (!extra.success) {
    const issue = extra.error.issues[0]!;
    const field = issue.path.map(String).join('.');
    const value = (item as Record<string, unknown>)[field];
    return err({ field, value: value === undefined ? '<missing>' : JSON.stringify(value), reason: issue.message });
  }
  return ok({ ...tick.value, ...extra.data });
}
