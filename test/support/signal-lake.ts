/**
 * Real price series written as the local lake holds raw ticks (one NDJSON object per batch and
 * day, `raw/dt=<D>/<shard>-<seq>.ndjson`, stored the way s3rver keeps objects), and a
 * plain reference crossover fold written apart from both core/signals.ts and the SQL.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { localObjectPath } from '../../src/adapters/local/lake-files';
import type { PricePoint, Side } from '../../src/core/signals';
import type { Tick } from '../../src/core/tick';
import { LAKE } from '../../src/shared/names';

const ROOT = join(__dirname, '..', '..');

const MONTHS: Readonly<Record<string, string>> = {
  Jan: '01',
  Feb: '02',
  Mar: '03',
  Apr: '04',
  May: '05',
  Jun: '06',
  Jul: '07',
  Aug: '08',
  Sep: '09',
  Oct: '10',
  Nov: '11',
  Dec: '12',
};

/** data/stocks.csv: monthly closes of five symbols ("MSFT,Jan 1 2000,39.81"). */
export function stocksCsv(): PricePoint[] {
  const lines = readFileSync(join(ROOT, 'data', 'stocks.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  return lines.map((line) => {
    const [symbol, date, price] = line.split(',') as [string, string, string];
    const [mon, dayOfMonth, year] = date.split(' ') as [string, string, string];
    return {
      symbol,
      timestamp: `${year}-${MONTHS[mon]!}-${dayOfMonth.padStart(2, '0')}T00:00:00.000Z`,
      price: Number(price),
    };
  });
}

/** vega-datasets' sp500-2000.csv: the S&P 500's daily closes from 2000 on, as symbol SPX at 21:00 UTC. */
export function sp500Daily(symbol = 'SPX'): PricePoint[] {
  const lines = readFileSync(join(ROOT, 'node_modules', 'vega-datasets', 'data', 'sp500-2000.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  return lines.map((line) => {
    const cells = line.split(',');
    return { symbol, timestamp: `${cells[0]!}T21:00:00.000Z`, price: Number(cells[4]) };
  });
}

/** A close as a whole tick: open, high and low at the price, a volume of 1,000. */
export const tickOfPoint = (p: PricePoint, options: { previousClose?: number; source?: string } = {}): Tick => ({
  symbol: p.symbol,
  timestamp: p.timestamp,
  price: p.price,
  open: p.price,
  high: p.price,
  low: p.price,
  previous_close: options.previousClose ?? p.price,
  volume: 1000,
  source: options.source ?? 'replay',
});

const tickLine = (p: PricePoint): string => JSON.stringify(tickOfPoint(p));

/**
 * Writes the points as raw lake objects under `<s3Dir>/<bucket>`: one object per day and `batch`
 * (every symbol of the day in it, in the order given, so a duplicate lands in its own object).
 */
export function writeRawLake(s3Dir: string, bucket: string, points: readonly PricePoint[], batch = 0): void {
  const partitions = new Map<string, PricePoint[]>();
  for (const p of points) {
    const key = `${LAKE.raw}dt=${p.timestamp.slice(0, 10)}/shardId-000000000000-${String(batch).padStart(4, '0')}.ndjson`;
    partitions.set(key, [...(partitions.get(key) ?? []), p]);
  }
  for (const [key, rows] of partitions) {
    const path = localObjectPath(s3Dir, bucket, key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, rows.map(tickLine).join('\n') + '\n');
  }
}

export interface ReferenceCrossover {
  readonly symbol: string;
  readonly side: Side;
  readonly timestamp: string;
  readonly sma5: number;
  readonly sma20: number;
}

/**
 * The textbook crossover: per symbol in time order, first of each timestamp kept; from the 20th price
 * on, the side of SMA-5 against SMA-20 (relative tolerance `tolerance`); a crossover where the side
 * differs from the last strict side seen since the 20th price, or where none was seen yet and this is
 * after the 20th price.
 */
export function referenceCrossovers(points: readonly PricePoint[], tolerance: number): ReferenceCrossover[] {
  const bySymbol = new Map<string, PricePoint[]>();
  for (const p of points) bySymbol.set(p.symbol, [...(bySymbol.get(p.symbol) ?? []), p]);
  const out: ReferenceCrossover[] = [];
  for (const symbol of [...bySymbol.keys()].sort()) {
    const sorted = bySymbol
      .get(symbol)!
      .map((p, i) => ({ p, i }))
      .sort((a, b) => Date.parse(a.p.timestamp) - Date.parse(b.p.timestamp) || a.i - b.i);
    const series: PricePoint[] = [];
    for (const { p } of sorted) if (series.at(-1)?.timestamp !== p.timestamp) series.push(p);
    let lastSide = 0;
    for (let i = 19; i < series.length; i++) {
      let s5 = 0;
      let s20 = 0;
      for (let k = i - 19; k <= i; k++) {
        s20 += series[k]!.price;
        if (k > i - 5) s5 += series[k]!.price;
      }
      const sma5 = s5 / 5;
      const sma20 = s20 / 20;
      const gap = sma5 - sma20;
      const side = gap > tolerance * Math.abs(sma20) ? 1 : gap < -tolerance * Math.abs(sma20) ? -1 : 0;
      if (side !== 0 && i > 19 && side !== lastSide) {
        out.push({ symbol, side: side === 1 ? 'BUY' : 'SELL', timestamp: series[i]!.timestamp, sma5, sma20 });
      }
      if (side !== 0) lastSide = side;
    }
  }
  return out;
}
