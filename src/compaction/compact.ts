/**
 * The pure core of compaction: the raw NDJSON objects of one partition in, the partition's ticks out,
 * validated, deduplicated by symbol + timestamp and sorted by timestamp, plus every line that was
 * skipped and why. No I/O here.
 */
import { tradingDay } from '../core/enrich';
import type { Partition } from '../core/lake';
import { parseTick, type Tick } from '../core/tick';

export interface RawObject {
  readonly key: string;
  readonly body: string;
}

/** A line that did not become a row: where it was and why. */
export interface SkippedLine {
  readonly key: string;
  /** 1-based line number in the object. */
  readonly line: number;
  readonly field: string;
  readonly value: string;
  readonly reason: string;
}

export interface CompactedPartition {
  readonly partition: Partition;
  /** Sorted by timestamp, one per timestamp. */
  readonly rows: readonly Tick[];
  readonly linesRead: number;
  readonly skipped: readonly SkippedLine[];
  /** Lines that repeated a timestamp already seen (a batch archived again on retry): the first is kept. */
  readonly duplicates: number;
}

export function compactPartition(partition: Partition, objects: readonly RawObject[]): CompactedPartition {
  // Keys in order (shard, then first sequence number: arrival order), so that the first archived wins,
  // as it does in the price table (src/core/first-wins.ts).
  const ordered = [...objects].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const byTimestamp = new Map<string, Tick>();
  const skipped: SkippedLine[] = [];
  let linesRead = 0;
  let duplicates = 0;

  for (const object of ordered) {
    const lines = object.body.split('\n');
    lines.forEach((text, index) => {
      if (text.trim() === '') return; // the newline that ends the last line
      linesRead++;
      const at = { key: object.key, line: index + 1 };
      const parsed = parseTick(text);
      if (!parsed.ok) {
        skipped.push({ ...at, ...parsed.error });
        return;
      }
      const tick = parsed.value;
      if (tick.symbol !== partition.symbol) {
        skipped.push({
          ...at,
          field: 'symbol',
          value: JSON.stringify(tick.symbol),
          reason: `belongs to partition symbol=${tick.symbol}, not symbol=${partition.symbol}`,
        });
        return;
      }
      if (tradingDay(tick.timestamp) !== partition.dt) {
        skipped.push({
          ...at,
          field: 'timestamp',
          value: JSON.stringify(tick.timestamp),
          reason: `belongs to partition dt=${tradingDay(tick.timestamp)}, not dt=${partition.dt}`,
        });
        return;
      }
      if (byTimestamp.has(tick.timestamp)) {
        duplicates++;
        return;
      }
      byTimestamp.set(tick.timestamp, tick);
    });
  }

  const rows = [...byTimestamp.values()].sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  return { partition, rows, linesRead, skipped, duplicates };
}
