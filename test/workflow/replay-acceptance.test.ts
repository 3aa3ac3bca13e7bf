/**
 * The acceptance path without the CLI wiring: the local runtime replays the shipped prices
 * until drained, then the maintenance and report workflows run on what it produced.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { paginateQuery, paginateScan } from '@aws-sdk/lib-dynamodb';
import { readLocalPartitions } from '../../src/adapters/local/glue-catalog';
import { partitionId } from '../../src/core/ports-lake';
import { readOutbox } from '../../src/adapters/local/outbox-notifier';
import type { DailyReport } from '../../src/core/report';
import { localObjectPath } from '../../src/adapters/local/lake-files';
import { startLocalPipeline, type LocalPipeline } from '../../src/local/runtime';
import { runWorkflowLocally, type LocalWorkflowEnv } from '../../src/local/workflow/run';
import { ReplaySource } from '../../src/producer/replay-source';
import { ATTR, RESOURCE } from '../../src/shared/names';

describe('replay -> maintenance -> report, on the local runtime', () => {
  let dataDir: string;
  let pipeline: LocalPipeline;
  let env: LocalWorkflowEnv;
  let partitions: string[];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'stockpipe-acceptance-'));
    const source = ReplaySource.fromFile();
    pipeline = await startLocalPipeline({ dataDir, producer: { source, symbols: source.symbols() } });
    await pipeline.produce();
    await pipeline.drain(120_000);
    env = { dataDir, s3Dir: pipeline.layout.lake, clients: pipeline.clients, resources: pipeline.resources, retryDelayMs: 1 };
    const items: Record<string, unknown>[] = [];
    for await (const page of paginateScan({ client: pipeline.clients.documents }, { TableName: pipeline.resources.priceTable }))
      items.push(...(page.Items ?? []));
    partitions = [...new Set(items.map((i) => `symbol=${String(i.symbol)}/dt=${String(i.timestamp).slice(0, 10)}`))].sort();
  }, 180_000);
  afterAll(async () => {
    await pipeline?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('maintenance writes one Parquet file per symbol and day and the local catalog lists them all', async () => {
    expect(partitions.length).toBeGreaterThan(500);
    const days = [...new Set(partitions.map((p) => p.slice(p.indexOf('/dt=') + 4)))].sort();
    const run = await runWorkflowLocally('maintenance', {}, env);
    expect(run.error).toBeUndefined();
    expect(run.output).toMatchObject({ partitions: days.length, remaining: 0 });
    for (const p of partitions)
      expect([
        p,
        existsSync(localObjectPath(pipeline.layout.lake, pipeline.resources.rawBucket, `curated/${p}/part-0000.parquet`)),
      ]).toEqual([p, true]);
    const registered = (table: string) =>
      readLocalPartitions(pipeline.layout.catalog, RESOURCE.glueDatabase, table)
        .map((r) => partitionId(r))
        .sort();
    expect(registered(RESOURCE.rawTable)).toEqual(days.map((dt) => `dt=${dt}`));
    expect(registered(RESOURCE.curatedTable)).toEqual(partitions);
  }, 120_000);

  it("the report of a day with alerts counts the price table's items per symbol and lists `stockpipe alerts` of that day", async () => {
    const alerts = readOutbox(pipeline.layout.outbox);
    expect(alerts.length).toBeGreaterThan(0);
    const day = alerts[0]!.alert.timestamp.slice(0, 10);
    const run = await runWorkflowLocally('report', { date: day }, env);
    expect(run.error).toBeUndefined();
    const object = await pipeline.clients.s3.send(
      new GetObjectCommand({ Bucket: pipeline.resources.rawBucket, Key: `reports/dt=${day}/report.json` }),
    );
    const report = JSON.parse(await object.Body!.transformToString()) as DailyReport;
    expect(report.symbols.length).toBeGreaterThan(0);
    for (const s of report.symbols) {
      let count = 0;
      for await (const page of paginateQuery(
        { client: pipeline.clients.documents },
        {
          TableName: pipeline.resources.priceTable,
          KeyConditionExpression: '#s = :s AND begins_with(#t, :d)',
          ExpressionAttributeNames: { '#s': ATTR.symbol, '#t': ATTR.timestamp },
          ExpressionAttributeValues: { ':s': s.symbol, ':d': day },
          Select: 'COUNT',
        },
      )) {
        count += page.Count ?? 0;
      }
      expect([s.symbol, s.ticks]).toEqual([s.symbol, count]);
    }
    const expected = alerts
      .filter((a) => a.alert.timestamp.startsWith(day))
      .map((a) => `${a.alert.symbol} ${a.alert.side} ${a.alert.timestamp} ${a.alert.price}`)
      .sort();
    expect(report.symbols.flatMap((s) => s.alerts.map((a) => `${a.symbol} ${a.side} ${a.timestamp} ${a.price}`)).sort()).toEqual(
      expected,
    );
  }, 60_000);
});
