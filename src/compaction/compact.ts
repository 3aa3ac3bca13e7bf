/**
 * The pure core of compaction: the raw NDJSON objects of one day in, each symbol's ticks of that day
 * out, validated, deduplicated by symbol + timestamp and sorted by timestamp, plus every line that was
 * skipped and why. No I/O here.
 */
import { tradingDay } from '../core/enrich';
import { parseTick, type Tick } from '../core/tick';
import { objectName } from './layout';

export interface RawObject {
  readonly key: string;
  readonly body: string;
  /** The symbol of its folder, for an object of the old per-symbol layout (`raw/symbol=<S>/dt=<D>/`). */
  readonly legacySymbol?: string;
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

export interface CompactedDay {
  readonly dt: string;
  /** Each symbol's rows, sorted by timestamp, one per timestamp; symbols in code-point order. */
  readonly symbols: ReadonlyMap<string, readonly Tick[]>;
  readonly rows: number;
  readonly linesRead: number;
  readonly skipped: readonly SkippedLine[];
  /** Lines that repeated a symbol + timestamp already seen (a batch archived again on retry): the first is kept. */
  readonly duplicates: number;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function compactDay(dt: string, objects: readonly RawObject[]): CompactedDay {
  // Object names (shard, then first sequence number) in order are arrival order, in either layout, so
  // that the first archived wins, as it does in the price table (src/core/first-wins.ts).
  const ordered = [...objects].sort((a, b) => byString(objectName(a.key), objectName(b.key)) || byString(a.key, b.key));
  const bySymbol = new Map<string, Map<string, Tick>>();
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
      if (object.legacySymbol !== undefined && tick.symbol !== object.legacySymbol) {
        skipped.push({
          ...at,
          field: 'symbol',
          value: JSON.stringify(tick.symbol),
          reason: `belongs to partition symbol=${tick.symbol}, not symbol=${object.legacySymbol}`,
        });
        return;
      }
      if (tradingDay(tick.timestamp) !== dt) {
        skipped.push({
          ...at,
          field: 'timestamp',
          value: JSON.stringify(tick.timestamp),
          reason: `belongs to partition dt=${tradingDay(tick.timestamp)}, not dt=${dt}`,
        });
        return;
      }
      let ticks = bySymbol.get(tick.symbol);
      if (!ticks) bySymbol.set(tick.symbol, (ticks = new Map()));
      if (ticks.has(tick.timestamp)) {
        duplicates++;
        return;
      }
      ticks.set(tick.timestamp, tick);
    });
  }

  const symbols = new Map<string, Tick[]>();
  let rows = 0;
  for (const symbol of [...bySymbol.keys()].sort(byString)) {
    const ticks = [...bySymbol.get(symbol)!.values()].sort((a, b) => byString(a.timestamp, b.timestamp));
    symbols.set(symbol, ticks);
    rows += ticks.length;
  }
  return { dt, symbols, rows, linesRead, skipped, duplicates };
}
