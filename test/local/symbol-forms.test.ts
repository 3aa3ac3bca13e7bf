/**
 * Symbols as Yahoo writes them (an index ^GSPC, a share class BRK-B and BRK.B, a currency pair
 * EURUSD=X, a future GC=F) through the whole local lake: processing archives them under Hive-escaped
 * partition folders, DuckDB's raw and compacted tables answer them by their real names, and a query
 * of one does not break the others.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { LocalDashboardData } from '../../src/dashboard/local-data';
import { dataDirLayout } from '../../src/local/data-dir';
import { startLocalPipeline } from '../../src/local/runtime';
import { cli, tempDataDir } from '../cli/helpers';

const SYMBOLS = ['^GSPC', 'BRK-B', 'BRK.B', 'EURUSD=X', 'GC=F', 'AAPL'];
const TICKS_PER_SYMBOL = 30;

const ticksOf = (symbol: string, base: number) =>
  Array.from({ length: TICKS_PER_SYMBOL }, (_, i) => {
    const price = Number((base * (1 + 0.02 * Math.sin(i / 3))).toFixed(4));
    return {
      symbol,
      timestamp: new Date(Date.UTC(2024, 4, 6, 14, 30 + i)).toISOString(),
      price,
      open: base,
      high: Math.max(base, price),
      low: Math.min(base, price),
      previous_close: base,
      volume: 1000 + i,
      source: 'test',
    };
  });

describe('every symbol form through the local lake', () => {
  const dataDir = tempDataDir();
  const query = async (sql: string) => {
    const run = await cli(['query', sql, '--json', '--data-dir', dataDir]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    return (JSON.parse(run.stdout) as { rows: Record<string, unknown>[] }).rows;
  };
  const expectedCounts = SYMBOLS.map((symbol) => ({ symbol, n: TICKS_PER_SYMBOL })).sort((a, b) =>
    a.symbol < b.symbol ? -1 : 1,
  );

  beforeAll(async () => {
    const pipeline = await startLocalPipeline({ dataDir, command: 'test' });
    try {
      const records = SYMBOLS.flatMap((symbol, i) => ticksOf(symbol, 100 + 10 * i)).map((t) => ({
        PartitionKey: t.symbol,
        Data: Buffer.from(JSON.stringify(t)),
      }));
      const out = await pipeline.clients.kinesis.send(
        new PutRecordsCommand({ StreamName: pipeline.resources.streamName, Records: records }),
      );
      expect(out.FailedRecordCount).toBe(0);
      await pipeline.drain(60_000);
      expect(pipeline.counters()).toMatchObject({ processed: SYMBOLS.length * TICKS_PER_SYMBOL, deadLettered: 0 });
    } finally {
      await pipeline.stop();
    }
  }, 120_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const escapedFolders = ['symbol=%5EGSPC', 'symbol=AAPL', 'symbol=BRK-B', 'symbol=BRK.B', 'symbol=EURUSD%3DX', 'symbol=GC%3DF'];

  it('archives every symbol of a batch in the day folder, each line naming its symbol as it is', () => {
    const raw = join(dataDir, 'lake', 'stockpipe-lake', 'raw');
    expect(existsSync(raw)).toBe(true);
    expect(readdirSync(raw)).toEqual(['dt=2024-05-06']);
    const symbols = new Set(
      readdirSync(join(raw, 'dt=2024-05-06'))
        .filter((f) => f.endsWith('._S3rver_object'))
        .flatMap((f) =>
          readFileSync(join(raw, 'dt=2024-05-06', f), 'utf8')
            .trim()
            .split('\n')
            .map((line) => (JSON.parse(line) as { symbol: string }).symbol),
        ),
    );
    expect([...symbols].sort()).toEqual([...SYMBOLS].sort());
  });

  it('the raw table answers every symbol by its name, and one symbol alone', async () => {
    expect(await query('SELECT symbol, COUNT(*) AS n FROM stock_data_table GROUP BY symbol ORDER BY symbol')).toEqual(
      expectedCounts,
    );
    expect(await query(`SELECT COUNT(*) AS n FROM stock_data_table WHERE symbol = 'EURUSD=X'`)).toEqual([
      { n: TICKS_PER_SYMBOL },
    ]);
  });

  it('maintenance compacts each symbol, and the compacted table answers them by name', async () => {
    const run = await cli(['workflow', 'run', 'maintenance', '--wait', '--data-dir', dataDir]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    // Compacted per symbol, each under its Hive-escaped folder.
    expect(readdirSync(join(dataDir, 'lake', 'stockpipe-lake', 'curated')).sort()).toEqual(
      ['_manifests', ...escapedFolders].sort(),
    );
    expect(await query('SELECT symbol, COUNT(*) AS n FROM stock_data_curated GROUP BY symbol ORDER BY symbol')).toEqual(
      expectedCounts,
    );
    expect(await query(`SELECT COUNT(*) AS n FROM stock_data_curated WHERE symbol = '^GSPC'`)).toEqual([{ n: TICKS_PER_SYMBOL }]);
  }, 120_000);

  it('the dashboard lists each symbol by its name and charts the one asked for', async () => {
    const data = new LocalDashboardData(dataDirLayout(dataDir));
    expect((await data.symbols()).map((s) => s.symbol).sort()).toEqual([...SYMBOLS].sort());
    expect((await data.series('GC=F')).points).toHaveLength(TICKS_PER_SYMBOL);
  });
});
