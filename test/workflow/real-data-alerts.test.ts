/**
 * Real prices through the whole local pipeline (producer -> Kinesis -> processing -> table and lake ->
 * DynamoDB stream -> analysis -> outbox), replayed as fast as the pipeline takes them: every symbol of
 * data/stocks.csv, and 1,200 of the S&P 500's daily closes from vega-datasets (2000-2004; the whole
 * 5,100-row file runs in bench/ and by hand). The alerts sent must equal a plain reference fold over the
 * CSV's closes in date order and the SQL recomputation over the lake the run left (crossoverSql on
 * DuckDB), run after run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLakeDatabase } from '../../src/adapters/local/duckdb-athena';
import { readOutbox } from '../../src/adapters/local/outbox-notifier';
import { crossoverSql } from '../../src/report/signals-query';
import { startLocalPipeline } from '../../src/local/runtime';
import { ReplaySource } from '../../src/producer/replay-source';
import type { PricePoint } from '../../src/core/signals';
import { referenceCrossovers, sp500Daily, stocksCsv } from '../support/signal-lake';

const SP500_FILE = join(__dirname, '..', '..', 'node_modules', 'vega-datasets', 'data', 'sp500-2000.csv');

/** Side and day: the CSV's dates become market-time timestamps in the pipeline; the day is what both share. */
const byDay = (a: { symbol: string; side: string; timestamp: string }) => `${a.symbol} ${a.side} ${a.timestamp.slice(0, 10)}`;

/** The alerts a replay sent, and the crossovers the SQL recomputes from the raw lake it wrote. */
async function alertsOfReplay(source: ReplaySource): Promise<{ sent: string[]; recomputed: string[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stockpipe-real-'));
  const pipeline = await startLocalPipeline({ dataDir, producer: { source, symbols: source.symbols() } });
  try {
    await pipeline.produce();
    await pipeline.drain(240_000);
    const db = await openLakeDatabase({ s3Dir: pipeline.layout.lake, bucket: pipeline.resources.rawBucket });
    try {
      const rows = (await db.query(crossoverSql())).rows as unknown as { symbol: string; side: string; timestamp: unknown }[];
      return {
        sent: readOutbox(pipeline.layout.outbox).map((e) => byDay(e.alert)),
        recomputed: rows.map((r) => byDay({ symbol: r.symbol, side: r.side, timestamp: String(r.timestamp) })),
      };
    } finally {
      db.close();
    }
  } finally {
    await pipeline.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const expectedOf = (points: readonly PricePoint[]) => referenceCrossovers(points, 1e-9).map(byDay);

describe('real data through the local pipeline', () => {
  it('data/stocks.csv: every alert of every symbol equals the reference fold and the SQL recomputation', async () => {
    const expected = expectedOf(stocksCsv());
    expect(expected.length).toBeGreaterThan(25);
    const { sent, recomputed } = await alertsOfReplay(ReplaySource.fromFile());
    expect([...sent].sort()).toEqual([...expected].sort());
    expect([...recomputed].sort()).toEqual([...expected].sort());
  }, 240_000);

  it('1,200 S&P 500 daily closes: the reference alerts and the SQL recomputation, in order, the same on three runs', async () => {
    const rows = 1200;
    const points = sp500Daily('SPX').slice(0, rows);
    const expected = expectedOf(points);
    expect(expected.length).toBeGreaterThan(60);
    const csv = readFileSync(SP500_FILE, 'utf8')
      .split('\n')
      .slice(0, rows + 1)
      .join('\n');
    for (let run = 1; run <= 3; run++) {
      const { sent, recomputed } = await alertsOfReplay(ReplaySource.fromCsv(csv, { symbol: 'SPX' }));
      expect({ run, sent, recomputed }).toEqual({ run, sent: expected, recomputed: expected });
    }
  }, 600_000);
});
