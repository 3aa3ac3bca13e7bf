/**
 * The daily report shows the day's late and duplicate ticks per symbol: from the signal-state table
 * the analysis counts them in (DynamoDbSkippedTickReader on dynalite), through the real report SQL.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDbSignalStateStore } from '../../src/adapters/aws/dynamodb-signal-state-store';
import { DynamoDbSkippedTickReader } from '../../src/adapters/aws/dynamodb-skipped-tick-reader';
import { openLakeDatabase, type LakeDatabase } from '../../src/adapters/local/duckdb-athena';
import { renderReportHtml } from '../../src/report/render';
import { parseQuoteCsv } from '../../src/producer/csv';
import { useLocalAws } from '../support/local-aws';
import { loadTicks, reportOf } from './report-sql';

const root = join(__dirname, '..', '..');

describe('late and duplicate ticks in the daily report', () => {
  const aws = useLocalAws();
  let db: LakeDatabase;
  beforeAll(async () => {
    db = await openLakeDatabase({ s3Dir: tmpdir(), bucket: 'no-such-bucket' });
    await loadTicks(
      db,
      parseQuoteCsv(readFileSync(join(root, 'data', 'stocks.csv'), 'utf8')).rows.map((r) => r.tick),
    );
  });
  afterAll(() => db.close());

  it("lists each symbol's counts of the day, totals them and says so in the mail", async () => {
    const states = new DynamoDbSignalStateStore(aws.clients.documents, aws.resources.signalStateTable);
    const state = (symbol: string) => ({ symbol, lastTimestamp: '2000-03-01T21:00:00.000Z', prices: [1], relation: null });
    await states.save(
      {
        state: state('MSFT'),
        recentTimestamps: [],
        checkpoints: [],
        skipped: { '2000-03-01': { late: 2, duplicate: 1 }, '2000-02-01': { late: 5, duplicate: 0 } },
      },
      0,
    );
    await states.save({ state: state('IBM'), recentTimestamps: [], checkpoints: [], skipped: {} }, 0);

    const reader = new DynamoDbSkippedTickReader(aws.clients.documents, aws.resources.signalStateTable);
    const skipped = await reader.skippedOn('2000-03-01');
    expect([...skipped]).toEqual([['MSFT', { late: 2, duplicate: 1 }]]);

    const { report, built } = await reportOf(db, '2000-03-01', [], skipped);
    const bySymbol = Object.fromEntries(report.symbols.map((s) => [s.symbol, [s.lateTicks, s.duplicateTicks]]));
    // GOOG has no price before its 2004 listing.
    expect(bySymbol).toEqual({ AAPL: [0, 0], AMZN: [0, 0], IBM: [0, 0], MSFT: [2, 1] });
    expect(report.totals).toMatchObject({ lateTicks: 2, duplicateTicks: 1 });
    expect(built.message).toContain('MSFT: 1 ticks');
    expect(built.message).toMatch(/MSFT: [^\n]*, not folded: 2 late, 1 duplicate/);
    expect(built.message).toContain(
      'Ticks not folded in order: 2 late (written after the analysis had passed their time), 1 duplicate',
    );
    expect(renderReportHtml(report)).toContain('<span class="pending">2 late, 1 duplicate</span>');
    expect(await reader.all()).toEqual({
      MSFT: { '2000-03-01': { late: 2, duplicate: 1 }, '2000-02-01': { late: 5, duplicate: 0 } },
    });
  });
});
