/**
 * One rule for two ticks with one key (symbol + timestamp): the first one stored wins, in the price
 * table, in the analysis fold (which reads the table) and in compaction (which keeps the first by
 * arrival). A later tick of the same key is either the same tick again (a redelivered batch, or Yahoo
 * repeating its last quote while the market is closed): nothing to write, nothing to archive; or a
 * different one: refused as an invalid record naming the field that differs, never written over the
 * first (which the analysis may already have folded and alerted on).
 */
import { TICK_FIELDS } from './price-item';
import { priceKey } from './ports';
import type { Rejection, Tick } from './tick';

/** The fields of a stored tick that make it the same tick or another one. */
export type StoredTick = Pick<Tick, 'symbol' | 'timestamp'> & Partial<Record<(typeof TICK_FIELDS)[number], unknown>>;

export interface FirstWinsSplit<T> {
  /** Ticks whose key is neither stored nor earlier in the batch: to archive and write. */
  readonly fresh: readonly T[];
  /** Ticks equal to the one already stored (or earlier in the batch): already processed. */
  readonly repeats: readonly T[];
  /** Ticks whose key holds a different tick: refused, with the first field that differs. */
  readonly conflicts: readonly { readonly item: T; readonly rejection: Rejection }[];
}

const shown = (value: unknown): string => (value === undefined ? '<missing>' : JSON.stringify(value));

/** The first tick field in which `later` differs from `first`, or undefined when they are the same tick. */
export function differingField(first: StoredTick, later: StoredTick): (typeof TICK_FIELDS)[number] | undefined {
  return TICK_FIELDS.find((f) => first[f] !== later[f]);
}

/**
 * Splits a batch's ticks (in stream order) against the stored ticks of their keys (by `priceKey`).
 * Within the batch the first of a key wins as well.
 */
export function splitFirstWins<T>(
  items: readonly T[],
  tickOf: (item: T) => Tick,
  stored: ReadonlyMap<string, StoredTick>,
): FirstWinsSplit<T> {
  const winners = new Map<string, StoredTick>(stored);
  const fresh: T[] = [];
  const repeats: T[] = [];
  const conflicts: { item: T; rejection: Rejection }[] = [];
  for (const item of items) {
    const tick = tickOf(item);
    const key = priceKey(tick);
    const first = winners.get(key);
    if (first === undefined) {
      winners.set(key, tick);
      fresh.push(item);
      continue;
    }
    const field = differingField(first, tick);
    if (field === undefined) {
      repeats.push(item);
      continue;
    }
    conflicts.push({
      item,
      rejection: {
        field,
        value: shown(tick[field]),
        reason:
          `${tick.symbol} already has a tick at ${tick.timestamp} with ${field} ${shown(first[field])}; ` +
          'of two ticks with one timestamp the first one stored wins',
      },
    });
  }
  return { fresh, repeats, conflicts };
}
