/**
 * Published alerts against the crossovers recomputed from the lake: which agree, which crossover
 * sent no alert (missing), which alert has no crossover (extra). Pure: `stockpipe verify` and the daily
 * report's reconciliation hand it both lists.
 */
import { StockpipeError } from './errors';
import type { Side } from './signals';

export interface SignalEntry {
  readonly symbol: string;
  readonly side: Side;
  /** ISO-8601 (`2024-01-02T14:30:00.000Z`) or SQL (`2024-01-02 14:30:00.000`, UTC) text. */
  readonly timestamp: string;
}

export interface Reconciliation {
  /** Alerts that are also crossovers, counted once per pair. */
  readonly matched: number;
  /** Crossovers with no alert, by symbol then time; timestamps as ISO-8601 UTC. */
  readonly missing: SignalEntry[];
  /** Alerts with no crossover (a second alert of one crossover is one), by symbol then time. */
  readonly extra: SignalEntry[];
}

export class InvalidSignalTimestamp extends StockpipeError {
  override readonly name = 'InvalidSignalTimestamp';
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * The instant a timestamp text names, as ISO-8601 UTC with milliseconds. Text without a zone is UTC,
 * as Athena and DuckDB print the lake's timestamps; digits past the millisecond are dropped, the
 * precision both the ticks (Date) and the lake's TIMESTAMP(3) columns hold.
 */
export function instantOf(timestamp: string): string {
  const m = TIMESTAMP.exec(timestamp.trim());
  if (m) {
    const time = m[2]!.replace(/(\.\d{3})\d+$/, '$1');
    const zone = m[3] === undefined ? 'Z' : m[3].length === 5 ? `${m[3].slice(0, 3)}:${m[3].slice(3)}` : m[3];
    const ms = Date.parse(`${m[1]!}T${time}${zone}`);
    // Date.parse rolls 2024-02-30 over into March; a day that is not in the calendar names no instant.
    const day = Date.parse(`${m[1]!}T00:00:00Z`);
    const isCalendarDay = !Number.isNaN(day) && new Date(day).toISOString().startsWith(m[1]!);
    if (!Number.isNaN(ms) && isCalendarDay) return new Date(ms).toISOString();
  }
  throw new InvalidSignalTimestamp(
    `timestamp ${JSON.stringify(timestamp)} is neither ISO-8601 (2024-01-02T14:30:00Z) nor SQL text (2024-01-02 14:30:00.000)`,
  );
}

const keyOf = (e: SignalEntry): string => `${e.symbol}\u0000${e.side}\u0000${e.timestamp}`;

const bySymbolThenTime = (a: SignalEntry, b: SignalEntry): number =>
  a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0;

const normalised = (entries: readonly SignalEntry[]): SignalEntry[] =>
  entries.map((e) => ({ symbol: e.symbol, side: e.side, timestamp: instantOf(e.timestamp) })).sort(bySymbolThenTime);

/**
 * Pairs each published alert with a recomputed crossover of the same symbol, side and instant. Both
 * lists are multisets: an alert sent twice for one crossover is one match and one extra.
 */
export function reconcileAlerts(published: readonly SignalEntry[], recomputed: readonly SignalEntry[]): Reconciliation {
  const unmatched = new Map<string, number>();
  for (const e of normalised(recomputed)) unmatched.set(keyOf(e), (unmatched.get(keyOf(e)) ?? 0) + 1);
  let matched = 0;
  const extra: SignalEntry[] = [];
  for (const e of normalised(published)) {
    const left = unmatched.get(keyOf(e)) ?? 0;
    if (left > 0) {
      unmatched.set(keyOf(e), left - 1);
      matched += 1;
    } else extra.push(e);
  }
  const missing: SignalEntry[] = [];
  for (const e of normalised(recomputed)) {
    const left = unmatched.get(keyOf(e)) ?? 0;
    if (left > 0) {
      unmatched.set(keyOf(e), left - 1);
      missing.push(e);
    }
  }
  return { matched, missing, extra };
}
