import { inMemoryNote } from '../../src/cli/commands/run';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertRow } from '../../src/cli/operations';
import type { RunSummary } from '../../src/cli/summary';
import { foldSignals, initialSignalState } from '../../src/core/signals';
import type { Tick } from '../../src/core/tick';
import { SyntheticSource, syntheticSymbols } from '../../src/producer/synthetic-source';
import { cli, tempDataDir } from './helpers';

/** The ticks `run --source synthetic --symbols 20` takes with its defaults (seed 1, 100 samples). */
async function expectedSyntheticTicks(): Promise<Tick[]> {
  const source = new SyntheticSource({ seed: 1 });
  const symbols = syntheticSymbols(20);
  const ticks: Tick[] = [];
  for (let k = 0; k < 100; k++) ticks.push(...(await source.sample(symbols)));
  return ticks;
}

describe('stockpipe run, then query and alerts on what it left', () => {
  const dataDir = tempDataDir();
  let summary: RunSummary;
  let expected: Tick[];

  beforeAll(async () => {
    const run = await cli([
      'run',
      '--source',
      'synthetic',
      '--symbols',
      '20',
      '--until-drained',
      '--json',
      '--data-dir',
      dataDir,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    summary = JSON.parse(run.stdout) as RunSummary;
    expected = await expectedSyntheticTicks();
  }, 120_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('reports in == processed + dead-lettered for the whole run', () => {
    expect(summary).toMatchObject({
      source: 'synthetic',
      samples: 100,
      in: 2000,
      produced: 2000,
      processed: 2000,
      deadLettered: 0,
      pending: 0,
      drained: true,
    });
    expect(summary.in).toBe(summary.processed + summary.deadLettered);
    expect(summary.symbols).toEqual(syntheticSymbols(20));
  });

  it('publishes as many alerts as the domain fold finds independently on the same ticks', () => {
    const independent = syntheticSymbols(20).reduce((n, s) => n + foldSignals(initialSignalState(s), expected).alerts.length, 0);
    expect(independent).toBeGreaterThan(0);
    expect(summary.alerts).toBe(independent);
  });

  it('answers the average-volume query from the raw lake the run left, matching the ticks', async () => {
    // The acceptance query, verbatim.
    const sql = 'SELECT symbol, AVG(volume) AS avg_volume FROM stock_data_table GROUP BY symbol';
    const run = await cli(['query', sql, '--json', '--data-dir', dataDir]);
    expect(run.code).toBe(0);
    const { rows } = JSON.parse(run.stdout) as { rows: { symbol: string; avg_volume: number }[] };
    expect(rows.map((r) => r.symbol).sort()).toEqual(syntheticSymbols(20));
    expect(rows).toHaveLength(20);
    for (const row of rows) {
      const volumes = expected.filter((t) => t.symbol === row.symbol).map((t) => t.volume);
      expect(volumes).toHaveLength(100);
      expect(row.avg_volume).toBeCloseTo(volumes.reduce((a, b) => a + b, 0) / volumes.length, 6);
    }

    const text = await cli(['query', sql, '--data-dir', dataDir]);
    expect(text.stdout.split('\n')[0]).toMatch(/^symbol\s+avg_volume$/);
    expect(text.stdout.trim().split('\n')).toHaveLength(21);
    expect(text.stderr).toBe('20 rows\n');
  });

  it('lists the alerts of the run, and only one symbol with --symbol', async () => {
    const all = JSON.parse((await cli(['alerts', '--json', '--data-dir', dataDir])).stdout) as AlertRow[];
    expect(all).toHaveLength(summary.alerts);
    const one = JSON.parse((await cli(['alerts', '--symbol', 'syn003', '--json', '--data-dir', dataDir])).stdout) as AlertRow[];
    const independent = foldSignals(initialSignalState('SYN003'), expected).alerts;
    expect(one.map((a) => [a.timestamp, a.side, a.price])).toEqual(independent.map((a) => [a.timestamp, a.side, a.price]));
    const table = await cli(['alerts', '--symbol', 'SYN003', '--data-dir', dataDir]);
    expect(table.stdout.split('\n')[0]).toMatch(/^MARKET TIME\s+SYMBOL\s+SIDE\s+PRICE\s+SMA-5\s+SMA-20\s+STATUS\s+PUBLISHED$/);
  });
});

describe('stockpipe replay and the sources that fail', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = tempDataDir();
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('replays a Yahoo historical CSV, reporting and dead-lettering its bad row by line number', async () => {
    const file = join(dataDir, 'prices.csv');
    const rows = ['Date,Open,High,Low,Close,Adj Close,Volume'];
    for (let d = 1; d <= 28; d++) {
      const price = (100 + 5 * Math.sin(d / 3)).toFixed(2);
      rows.push(`2024-02-${String(d).padStart(2, '0')},${price},${price},${price},${price},${price},1000`);
    }
    rows.splice(5, 0, '2024-03-01,abc,1,1,1,1,1');
    writeFileSync(file, rows.join('\n') + '\n');

    const run = await cli(['replay', '--file', file, '--symbol', 'TEST', '--json', '--data-dir', dataDir]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`warning: ${file} line 6 refused: Open="abc": must be a number`);
    const summary = JSON.parse(run.stdout) as RunSummary;
    expect(summary).toMatchObject({
      source: 'csv',
      symbols: ['TEST'],
      in: 29,
      produced: 28,
      rejectedAtSource: 1,
      processed: 28,
      deadLettered: 1,
      pending: 0,
    });
    expect(summary.in).toBe(summary.processed + summary.deadLettered);
  });

  it('names the missing file of a replay in one line, as a usage error (exit 2)', async () => {
    const run = await cli(['replay', '--file', join(dataDir, 'nope.csv'), '--data-dir', dataDir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`error: replay file ${join(dataDir, 'nope.csv')} does not exist; pass an existing CSV file\n`);
  });

  it('explains in one line, without a stack trace, that the yahoo source needs network', async () => {
    const offline = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('getaddrinfo ENOTFOUND query1.finance.yahoo.com'), { code: 'ENOTFOUND' }),
    });
    const realFetch = globalThis.fetch;
    globalThis.fetch = (() => Promise.reject(offline)) as typeof fetch;
    try {
      const run = await cli(['run', '--source', 'yahoo', '--symbols', 'AAPL', '--data-dir', dataDir]);
      expect(run.code).toBe(1);
      const errors = run.stderr.split('\n').filter((l) => l.startsWith('error:'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        /^error: the yahoo source needs network access to query\.finance\.yahoo\.com \(.+\); check the connection, or use --source replay or synthetic offline$/,
      );
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stderr).not.toContain('Unsupported environment');
      // A run that fails still says what it did (nothing) and where its data dir is.
      expect(run.stdout).toMatch(/^ticks in\s+0\n/);
      expect(run.stdout).toContain(`data dir        ${dataDir}`);
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});

describe('a long run in memory', () => {
  it('says, above 100,000 ticks and without --persist, how much memory it holds and that --persist keeps it flat', () => {
    expect(inMemoryNote(120_000, false)).toBe(
      '120,000 ticks: without --persist the stream and tables are held in memory (about 7 kB a tick, 820 MB for this run); add --persist to keep them on disk, where memory stays flat',
    );
    expect(inMemoryNote(120_000, true)).toBeUndefined();
    expect(inMemoryNote(100_000, false)).toBeUndefined();
    expect(inMemoryNote(undefined, false)).toBeUndefined();
  });
});
