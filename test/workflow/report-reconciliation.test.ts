/**
 * The daily report checks the day: the day's alerts sent against the crossovers recomputed from the
 * lake (src/report/signals-query.ts), through the real SQL on DuckDB and through the report workflow
 * run locally (the ASL's Choice and its ops notification).
 */
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { openLakeDatabase, type LakeDatabase } from '../../src/adapters/local/duckdb-athena';
import type { DailyReport, ReportAlert } from '../../src/core/report';
import { foldSignals, initialSignalState, type Alert } from '../../src/core/signals';
import { parseQuoteCsv } from '../../src/producer/csv';
import { dataDirLayout } from '../../src/local/data-dir';
import { workflowOutboxFile, type PublishedMessage } from '../../src/local/workflow/local-tasks';
import { runWorkflowLocally, type LocalWorkflowEnv } from '../../src/local/workflow/run';
import { RESOURCE } from '../../src/shared/names';
import { startEmulatedLake, type EmulatedLake } from './emulated-lake';
import { DAYS, producePipelineData, type ProducedData } from './pipeline-data';
import { loadTicks, reportOf } from './report-sql';

const root = join(__dirname, '..', '..');
const ticks = parseQuoteCsv(readFileSync(join(root, 'data/stocks.csv'), 'utf8')).rows.map((r) => r.tick);
const published = (a: Alert, status = 'PUBLISHED'): ReportAlert => ({ ...a, status });

describe('reconciliation on data/stocks.csv through the real report SQL', () => {
  let db: LakeDatabase;
  const symbols = [...new Set(ticks.map((t) => t.symbol))].sort();
  const alerts = symbols.flatMap(
    (s) =>
      foldSignals(
        initialSignalState(s),
        ticks.filter((t) => t.symbol === s),
      ).alerts,
  );
  const days = [...new Set(alerts.map((a) => a.timestamp.slice(0, 10)))].sort();

  beforeAll(async () => {
    db = await openLakeDatabase({ s3Dir: tmpdir(), bucket: 'no-such-bucket' });
    await loadTicks(db, ticks);
  });
  afterAll(() => db.close());

  it("every day with an alert: the fold's alerts sent equal the recomputed crossovers, none missing or extra", async () => {
    expect([symbols.length, ticks.length, alerts.length, days.length]).toEqual([5, 560, 31, 24]);
    let matched = 0;
    for (const day of days) {
      const { report, built } = await reportOf(
        db,
        day,
        alerts.map((a) => published(a)),
      );
      expect([day, report.reconciliation?.missing, report.reconciliation?.extra]).toEqual([day, [], []]);
      expect(built.reconciliation.differences).toBe(0);
      matched += built.reconciliation.matched;
    }
    expect(matched).toBe(alerts.length);
  });

  it('a crossover whose alert stayed PENDING is missing, an alert with no crossover is extra; both are listed', async () => {
    const day = days[days.length - 1]!;
    const ofDay = alerts.filter((a) => a.timestamp.startsWith(day));
    const invented: Alert = { ...ofDay[0]!, symbol: 'IBM', side: 'SELL', timestamp: `${day}T21:00:00.000Z` };
    const { report, built } = await reportOf(db, day, [
      published(ofDay[0]!, 'PENDING'),
      ...ofDay.slice(1).map((a) => published(a)),
      published(invented),
    ]);
    const missing = { symbol: ofDay[0]!.symbol, side: ofDay[0]!.side, timestamp: ofDay[0]!.timestamp };
    expect(report.reconciliation).toEqual({
      recomputed: ofDay.length,
      matched: ofDay.length - 1,
      missing: [missing],
      extra: [{ symbol: 'IBM', side: 'SELL', timestamp: invented.timestamp }],
      differences: 2,
    });
    expect(built.reconciliation).toMatchObject({
      recomputed: ofDay.length,
      matched: ofDay.length - 1,
      missing: 1,
      extra: 1,
      differences: 2,
    });
    expect(built.reconciliation.subject).toBe(`stockpipe daily report ${day}: 2 alert differences`);
    expect(built.reconciliation.message).toContain(
      `  missing: ${missing.symbol} ${missing.side} at ${missing.timestamp} (crossover, no alert sent)`,
    );
    expect(built.reconciliation.message).toContain(`  extra: IBM SELL at ${invented.timestamp} (alert sent, no crossover)`);
    expect(built.message).toContain(
      `Reconciliation: 2 differences: ${ofDay.length - 1} alerts sent match, 1 crossovers have no alert sent, 1 alerts sent have no crossover`,
    );
    expect(built.html).toContain('<td class="difference">missing</td><td>crossover, no alert sent</td>');
    expect(built.html).toContain('<tr><th scope="row">IBM</th><td>SELL</td><td>21:00:00</td><td class="difference">extra</td>');
  });

  it('the crossovers of a day come from warm windows: the history before the day is read', async () => {
    const day = days[0]!;
    const { report } = await reportOf(
      db,
      day,
      alerts.map((a) => published(a)),
    );
    // Monthly closes: the day itself has one tick per symbol, a cold window would have no SMA-20.
    expect(report.totals.ticks).toBe(ticks.filter((t) => t.timestamp.startsWith(day)).length);
    expect(report.totals.ticks).toBeLessThan(20);
    expect(report.reconciliation?.recomputed).toBe(alerts.filter((a) => a.timestamp.startsWith(day)).length);
    expect(report.reconciliation?.recomputed).toBeGreaterThan(0);
  });
});

describe('the report workflow run locally: a difference notifies the ops topic', () => {
  let lake: EmulatedLake;
  let env: LocalWorkflowEnv;
  let data: ProducedData;
  const opsMessages = (): PublishedMessage[] => {
    const file = workflowOutboxFile(
      dataDirLayout(env.dataDir).outbox,
      `arn:aws:sns:us-east-1:000000000000:${RESOURCE.opsTopic}`,
      new Date(),
    );
    return existsSync(file)
      ? readFileSync(file, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as PublishedMessage)
      : [];
  };
  const storedReport = async (day: string): Promise<DailyReport> => {
    const object = await lake.clients.s3.send(
      new GetObjectCommand({ Bucket: lake.resources.rawBucket, Key: `reports/dt=${day}/report.json` }),
    );
    return JSON.parse(await object.Body!.transformToString()) as DailyReport;
  };

  beforeAll(async () => {
    lake = await startEmulatedLake();
    data = await producePipelineData(lake.clients, lake.resources);
    env = {
      dataDir: join(lake.root, 'data'),
      s3Dir: lake.s3Dir,
      clients: lake.clients,
      resources: lake.resources,
      retryDelayMs: 1,
    };
    expect((await runWorkflowLocally('maintenance', {}, env)).status).toBe('SUCCEEDED');
  });
  afterAll(async () => {
    await lake.stop();
  });

  it("the pipeline's own alerts agree with the recomputation: no difference, no ops message", async () => {
    const day = DAYS[1];
    const run = await runWorkflowLocally('report', { date: day }, env);
    expect(run.status).toBe('SUCCEEDED');
    const dayAlerts = data.alerts.filter((a) => a.timestamp.startsWith(day));
    expect(dayAlerts.length).toBeGreaterThan(0);
    expect(run.output).toMatchObject({
      reconciliation: { recomputed: dayAlerts.length, matched: dayAlerts.length, missing: 0, extra: 0, differences: 0 },
    });
    expect(run.states.filter((s) => s.name === 'StartQuery')).toHaveLength(4);
    expect(run.states.map((s) => s.name).slice(-2)).toEqual(['AnyDifferences', 'Done']);
    expect((await storedReport(day)).reconciliation?.differences).toBe(0);
    expect(opsMessages()).toEqual([]);
  });

  it('an alert sent with no crossover is listed in the stored report and mailed to ops; the run succeeds', async () => {
    const day = DAYS[1];
    const extra = { symbol: 'IBM', side: 'BUY', timestamp: `${day}T20:59:30.000Z`, price: 150, sma5: 2, sma20: 1 };
    await lake.clients.documents.send(
      new PutCommand({
        TableName: lake.resources.alertTable,
        Item: { ...extra, alert_key: `${extra.timestamp}#BUY`, status: 'PUBLISHED', claimed_at: extra.timestamp },
      }),
    );
    const run = await runWorkflowLocally('report', { date: day }, env);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({ reconciliation: { extra: 1, missing: 0, differences: 1 } });
    expect(run.states.find((s) => s.name === 'NotifyDifferences')?.status).toBe('SUCCEEDED');
    expect((await storedReport(day)).reconciliation?.extra).toEqual([{ symbol: 'IBM', side: 'BUY', timestamp: extra.timestamp }]);
    const ops = opsMessages();
    expect(ops).toHaveLength(1);
    expect(ops[0]!.subject).toBe(`stockpipe daily report ${day}: 1 alert differences`);
    expect(ops[0]!.message).toContain(`  extra: IBM BUY at ${extra.timestamp} (alert sent, no crossover)`);
  });
});
