import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { paginateQuery, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { readLocalPartitions } from '../../src/adapters/local/glue-catalog';
import { partitionId } from '../../src/core/ports-lake';
import { S3LakeObjects } from '../../src/adapters/aws/s3-lake-objects';
import { listStoredReports, readStoredReport } from '../../src/report/stored-report';
import type { DailyReport } from '../../src/core/report';
import { dataDirLayout } from '../../src/local/data-dir';
import { listLocalRuns, readLocalRun } from '../../src/local/workflow/history';
import { workflowOutboxFile, type PublishedMessage } from '../../src/local/workflow/local-tasks';
import { runWorkflowLocally, type LocalWorkflowEnv } from '../../src/local/workflow/run';
import { ATTR, RESOURCE } from '../../src/shared/names';
import { startEmulatedLake, type EmulatedLake } from './emulated-lake';
import { DAYS, makeTicks, processPayloads, producePipelineData, SYMBOLS, type ProducedData } from './pipeline-data';

const readJsonl = (file: string): PublishedMessage[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as PublishedMessage)
    : [];

describe('both workflows run locally on data produced by the processing and analysis handlers', () => {
  let lake: EmulatedLake;
  let env: LocalWorkflowEnv;
  let data: ProducedData;
  const published: PublishedMessage[] = [];
  const now = () => new Date();

  beforeAll(async () => {
    lake = await startEmulatedLake();
    data = await producePipelineData(lake.clients, lake.resources);
    env = {
      dataDir: join(lake.root, 'data'),
      s3Dir: lake.s3Dir,
      clients: lake.clients,
      resources: lake.resources,
      retryDelayMs: 1,
      onPublish: (m) => published.push(m),
    };
  });
  afterAll(async () => {
    await lake.stop();
  });

  const listKeys = async (prefix: string) =>
    ((await lake.clients.s3.send(new ListObjectsV2Command({ Bucket: lake.resources.rawBucket, Prefix: prefix }))).Contents ?? [])
      .map((o) => o.Key!)
      .sort();

  it('the pipeline produced alerts and dead-lettered the one invalid record', () => {
    expect(data.deadLettered).toBe(1);
    expect(data.alerts.length).toBeGreaterThanOrEqual(4);
    expect(new Set(data.alerts.map((a) => a.side))).toEqual(new Set(['BUY', 'SELL']));
  });

  it('maintenance compacts every raw day to Parquet per symbol and registers both tables in the local catalog', async () => {
    const run = await runWorkflowLocally('maintenance', {}, env);
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('SUCCEEDED');
    const partitions = SYMBOLS.flatMap((symbol) => DAYS.map((dt) => `symbol=${symbol}/dt=${dt}`)).sort();
    expect(await listKeys('curated/')).toEqual([
      ...DAYS.map((dt) => `curated/_manifests/dt=${dt}.json`),
      ...partitions.map((p) => `curated/${p}/part-0000.parquet`),
    ]);
    const catalogDir = dataDirLayout(env.dataDir).catalog;
    const registered = (table: string) =>
      readLocalPartitions(catalogDir, RESOURCE.glueDatabase, table).map((p) => partitionId(p));
    expect(registered(RESOURCE.rawTable).sort()).toEqual(DAYS.map((dt) => `dt=${dt}`));
    expect(registered(RESOURCE.curatedTable).sort()).toEqual(partitions);
    expect(run.output).toMatchObject({
      partitions: DAYS.length,
      remaining: 0,
      reasons: { new: DAYS.length, changed: 0, unregistered: 0 },
    });
    expect((run.output as { compacted: { rows: number }[] }).compacted.reduce((n, c) => n + c.rows, 0)).toBe(data.ticks.length);
    expect(await listKeys('maintenance/runs/')).toHaveLength(1);
    // One compaction per day, each a state of its own Map iteration.
    expect(run.states.filter((s) => s.name === 'CompactPartition' && s.status === 'SUCCEEDED')).toHaveLength(DAYS.length);
    expect(readLocalRun(env.dataDir, run.executionId).status).toBe('SUCCEEDED');
  });

  it('a second maintenance run finds nothing to do', async () => {
    const run = await runWorkflowLocally('maintenance', {}, env);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({ count: 0, total: DAYS.length, remaining: 0 });
    expect(run.states.map((s) => s.name)).toEqual(['FindPartitions', 'AnyPartitions', 'NothingToDo']);
  });

  it("the daily report's per-symbol tick counts equal the price table's items and its alerts equal the alert table's", async () => {
    const day = DAYS[1];
    const run = await runWorkflowLocally('report', { date: day }, env);
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('SUCCEEDED');
    const object = await lake.clients.s3.send(
      new GetObjectCommand({ Bucket: lake.resources.rawBucket, Key: `reports/dt=${day}/report.json` }),
    );
    const report = JSON.parse(await object.Body!.transformToString()) as DailyReport;
    expect(await listKeys(`reports/dt=${day}/`)).toEqual([`reports/dt=${day}/report.html`, `reports/dt=${day}/report.json`]);

    for (const symbol of SYMBOLS) {
      let items = 0;
      for await (const page of paginateQuery(
        { client: lake.clients.documents },
        {
          TableName: lake.resources.priceTable,
          KeyConditionExpression: '#s = :s AND begins_with(#t, :d)',
          ExpressionAttributeNames: { '#s': ATTR.symbol, '#t': ATTR.timestamp },
          ExpressionAttributeValues: { ':s': symbol, ':d': day },
          Select: 'COUNT',
        },
      )) {
        items += page.Count ?? 0;
      }
      expect(items).toBe(60);
      expect(report.symbols.find((s) => s.symbol === symbol)?.ticks).toBe(items);
    }
    const alertItems = (await lake.clients.documents.send(new ScanCommand({ TableName: lake.resources.alertTable }))).Items ?? [];
    const dayAlerts = alertItems
      .filter((a) => String(a.timestamp).startsWith(day))
      .map((a) => `${a.symbol} ${a.side} ${a.timestamp} ${a.price}`)
      .sort();
    expect(dayAlerts.length).toBeGreaterThan(0);
    expect(report.symbols.flatMap((s) => s.alerts.map((a) => `${a.symbol} ${a.side} ${a.timestamp} ${a.price}`)).sort()).toEqual(
      dayAlerts,
    );
    expect(report.totals).toMatchObject({ symbols: 3, ticks: 180, alerts: dayAlerts.length });

    const summary = readJsonl(workflowOutboxFile(dataDirLayout(env.dataDir).outbox, lake.resources.alertTopicArn, now()));
    expect(summary).toHaveLength(1);
    expect(summary[0]!.subject).toBe(`stockpipe daily report ${day}: 3 symbols, ${dayAlerts.length} alerts`);
    expect(summary[0]!.message).toContain(`s3://${lake.resources.rawBucket}/reports/dt=${day}/report.html`);
    // The mail opens the stored page: locally its file.
    expect(summary[0]!.message).toMatch(
      new RegExp(`^Open the report page: .*reports/dt=${day}/report\\.html\\._S3rver_object$`, 'm'),
    );
    const start = run.states.filter((s) => s.name === 'StartQuery');
    expect(start).toHaveLength(4);
    const lakeObjects = new S3LakeObjects(lake.clients.s3, lake.resources.rawBucket);
    expect((await readStoredReport(lakeObjects, day))?.report.totals).toEqual(report.totals);
    expect(await listStoredReports(lakeObjects)).toEqual([day]);
    expect(await readStoredReport(lakeObjects, DAYS[0])).toBeUndefined();
  });

  it('a failing compaction ends in the Catch path: ops is notified with the cause and the run fails with the error', async () => {
    // A tick of a new day, so that the run has a partition to compact.
    const late = { ...makeTicks()[0]!, timestamp: '2024-03-06T14:30:00.000Z' };
    await processPayloads(lake.clients, lake.resources, [JSON.stringify(late)], 9000);
    const failing = {
      ...env,
      functions: {
        compaction: async () => Promise.reject(Object.assign(new Error('disk quota exceeded'), { name: 'CompactionFailed' })),
      },
    };
    const opsFile = workflowOutboxFile(
      dataDirLayout(env.dataDir).outbox,
      `arn:aws:sns:us-east-1:000000000000:${RESOURCE.opsTopic}`,
      now(),
    );
    const before = readJsonl(opsFile).length;
    const run = await runWorkflowLocally('maintenance', { maxPartitions: 1 }, failing);
    expect(run.status).toBe('FAILED');
    expect(run.error?.error).toBe('CompactionFailed');
    expect(run.states.find((s) => s.name === 'CompactPartitions')?.status).toBe('CAUGHT');
    expect(run.states.find((s) => s.name === 'NotifyOps')?.status).toBe('SUCCEEDED');
    const ops = readJsonl(opsFile).slice(before);
    expect(ops).toHaveLength(1);
    expect(ops[0]!.subject).toBe('stockpipe lake maintenance failed');
    expect(ops[0]!.message).toContain('failed with CompactionFailed');
    expect(ops[0]!.message).toContain('disk quota exceeded');
  });

  it('a report for a date that is not one fails in PlanReport and notifies ops', async () => {
    const run = await runWorkflowLocally('report', { date: '2024-13-01' }, env);
    expect(run.status).toBe('FAILED');
    expect(run.error?.error).toBe('InvalidReportDate');
    expect(run.error?.cause).toContain('report date=\\"2024-13-01\\": must be a calendar day written YYYY-MM-DD');
    expect(run.states.map((s) => [s.name, s.status])).toEqual([
      ['PlanReport', 'CAUGHT'],
      ['NotifyOps', 'SUCCEEDED'],
      ['Failed', 'FAILED'],
    ]);
  });

  it('lists the recorded runs newest first, filtered by status', () => {
    const runs = listLocalRuns(env.dataDir);
    expect(runs).toHaveLength(5);
    expect(
      listLocalRuns(env.dataDir, { status: 'FAILED' })
        .map((r) => r.workflow)
        .sort(),
    ).toEqual(['maintenance', 'report']);
    expect(runs.map((r) => r.startedAt)).toEqual([...runs.map((r) => r.startedAt)].sort().reverse());
  });
});
