/**
 * Issue 6's acceptance through the CLI, one command after another on one data dir, as a user types
 * them: `run --source replay --until-drained --persist`, then `workflow run maintenance` and
 * `workflow run report --date <day>`. `--persist` keeps the stream and the tables on disk between the
 * commands (without it they live in the run's memory); the workflow commands find no running pipeline
 * and start the emulators over the data dir, and the checks read the persisted tables afterwards.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { paginateQuery, paginateScan } from '@aws-sdk/lib-dynamodb';
import { readLocalPartitions } from '../../src/adapters/local/glue-catalog';
import { partitionId } from '../../src/core/ports-lake';
import type { DailyReport } from '../../src/core/report';
import { dataDirLayout } from '../../src/local/data-dir';
import { startEmulators } from '../../src/local/emulators/emulators';
import { localObjectPath } from '../../src/adapters/local/lake-files';
import {
  AlertRowSchema,
  ReportGetResultSchema,
  RunDetailSchema,
  RunSummarySchema,
  StatusReportSchema,
  type AlertRow,
  type RunDetail,
} from '../../src/ops/types';
import { createClients, type AwsClients } from '../../src/shared/clients';
import { ATTR, RESOURCE } from '../../src/shared/names';
import { cli, tempDataDir } from './helpers';

/** Reads the persisted tables with emulators of its own (no CLI command runs meanwhile). */
async function withTables<T>(dataDir: string, read: (clients: AwsClients) => Promise<T>): Promise<T> {
  const layout = dataDirLayout(dataDir);
  const emulators = await startEmulators({ persistDir: layout.emulators, s3Dir: layout.lake });
  const clients = createClients({ endpoints: emulators.endpoints, sqsQueryProtocol: true });
  try {
    return await read(clients);
  } finally {
    clients.destroy();
    await emulators.stop();
  }
}

const ok = (run: { code: number; stdout: string; stderr: string }): unknown => {
  expect({ code: run.code, stderr: run.stderr.split('\n').filter((l) => l.startsWith('error')) }).toEqual({
    code: 0,
    stderr: [],
  });
  return JSON.parse(run.stdout);
};

describe('run a replay, then the maintenance and report workflows, through the CLI', () => {
  const dataDir = tempDataDir();
  const layout = dataDirLayout(dataDir);
  const at = (...args: string[]) => [...args, '--data-dir', dataDir];
  let partitions: string[];
  let alerts: AlertRow[];
  let day: string;
  let maintenance: RunDetail;
  let reportRun: RunDetail;
  let reportStderr: string;

  beforeAll(async () => {
    ok(await cli(at('run', '--source', 'replay', '--symbols', 'AAPL,MSFT', '--until-drained', '--persist', '--json')));
    const items = await withTables(dataDir, async (clients) => {
      const found: Record<string, unknown>[] = [];
      for await (const page of paginateScan({ client: clients.documents }, { TableName: RESOURCE.priceTable }))
        found.push(...(page.Items ?? []));
      return found;
    });
    partitions = [...new Set(items.map((i) => `symbol=${String(i.symbol)}/dt=${String(i.timestamp).slice(0, 10)}`))].sort();
    alerts = AlertRowSchema.array().parse(ok(await cli(at('alerts', '--json'))));
    day = alerts.at(-1)!.timestamp.slice(0, 10);

    maintenance = RunDetailSchema.parse(ok(await cli(at('workflow', 'run', 'maintenance', '--wait', '--json'))));
    const report = await cli(at('workflow', 'run', 'report', '--date', day, '--wait', '--json'));
    reportRun = RunDetailSchema.parse(ok(report));
    reportStderr = report.stderr;
  }, 180_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('maintenance compacts each day to one Parquet file per symbol and the local catalog lists them all', () => {
    expect(partitions).toHaveLength(246);
    const days = [...new Set(partitions.map((p) => p.slice(p.indexOf('/dt=') + 1)))].sort();
    expect(days).toHaveLength(123);
    expect(maintenance).toMatchObject({ workflow: 'maintenance', status: 'SUCCEEDED', failedState: null });
    expect(maintenance.states.filter((s) => s.name === 'CompactPartition' && s.status === 'SUCCEEDED')).toHaveLength(days.length);
    const missing = partitions.filter(
      (p) => !existsSync(localObjectPath(layout.lake, RESOURCE.rawBucket, `curated/${p}/part-0000.parquet`)),
    );
    expect(missing).toEqual([]);
    const registered = (table: string) =>
      readLocalPartitions(layout.catalog, RESOURCE.glueDatabase, table).map(partitionId).sort();
    expect(registered(RESOURCE.rawTable)).toEqual(days);
    expect(registered(RESOURCE.curatedTable)).toEqual(partitions);
  });

  it("the report counts the price table's items per symbol and lists the alerts `stockpipe alerts` shows for that day", async () => {
    expect(reportRun).toMatchObject({ workflow: 'report', status: 'SUCCEEDED', input: JSON.stringify({ date: day }) });
    // The persisted alert table, not the outbox, fed the report.
    expect(reportStderr).not.toContain('from the outbox');
    const out = join(dataDir, 'report.json');
    const got = ReportGetResultSchema.parse(ok(await cli(at('report', 'get', '--date', day, '--out', out, '--json'))));
    expect(got.files.map((f) => [f.format, f.savedTo])).toEqual([['json', out]]);
    const report = JSON.parse(readFileSync(out, 'utf8')) as DailyReport;
    expect(report.symbols.map((s) => s.symbol)).toEqual(['AAPL', 'MSFT']);

    const counts = await withTables(dataDir, async (clients) => {
      const bySymbol: Record<string, number> = {};
      for (const symbol of ['AAPL', 'MSFT']) {
        bySymbol[symbol] = 0;
        for await (const page of paginateQuery(
          { client: clients.documents },
          {
            TableName: RESOURCE.priceTable,
            KeyConditionExpression: '#s = :s AND begins_with(#t, :d)',
            ExpressionAttributeNames: { '#s': ATTR.symbol, '#t': ATTR.timestamp },
            ExpressionAttributeValues: { ':s': symbol, ':d': day },
            Select: 'COUNT',
          },
        )) {
          bySymbol[symbol] += page.Count ?? 0;
        }
      }
      return bySymbol;
    });
    expect(Object.fromEntries(report.symbols.map((s) => [s.symbol, s.ticks]))).toEqual(counts);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    const ofDay = alerts.filter((a) => a.timestamp.startsWith(day)).map((a) => `${a.symbol} ${a.side} ${a.timestamp} ${a.price}`);
    expect(ofDay.length).toBeGreaterThan(0);
    expect(report.symbols.flatMap((s) => s.alerts.map((a) => `${a.symbol} ${a.side} ${a.timestamp} ${a.price}`)).sort()).toEqual(
      ofDay.sort(),
    );
    expect(got.totals.alerts).toBe(ofDay.length);

    const opened: string[] = [];
    const page = join(dataDir, 'page.html');
    const open = await cli(at('report', '--date', day, '--open', '--out', page), {
      open: async (path) => void opened.push(path),
    });
    expect(open.code).toBe(0);
    expect(opened).toEqual([page]);
    expect(readFileSync(page, 'utf8')).toMatch(
      new RegExp(`^<!doctype html>[\\s\\S]*<title>stockpipe daily report ${day}</title>`),
    );
    expect(open.stdout.split('\n')[0]).toBe(`stockpipe daily report for ${day} (UTC)`);
  });

  it('runs list and runs show read the recorded runs; status shows the last run of each workflow', async () => {
    const runs = RunSummarySchema.array().parse(ok(await cli(at('runs', 'list', '--json'))));
    expect(runs.map((r) => [r.workflow, r.status])).toEqual([
      ['report', 'SUCCEEDED'],
      ['maintenance', 'SUCCEEDED'],
    ]);
    expect(RunSummarySchema.array().parse(ok(await cli(at('runs', 'list', '--workflow', 'maintenance', '--json'))))).toHaveLength(
      1,
    );
    expect(RunSummarySchema.array().parse(ok(await cli(at('runs', 'list', '--status', 'failed', '--json'))))).toEqual([]);
    const shown = RunDetailSchema.parse(ok(await cli(at('runs', 'show', runs[0]!.id, '--json'))));
    expect(shown).toEqual({ ...reportRun, durationMs: shown.durationMs });
    const text = await cli(at('runs', 'show', runs[0]!.id));
    expect(text.stdout.split('\n')[0]).toMatch(new RegExp(`^run ${runs[0]!.id} \\(report\\): SUCCEEDED, started `));
    expect(text.stdout).toMatch(/^BuildReport +Task +SUCCEEDED +\S+ +1 +0$/m);

    const status = StatusReportSchema.parse(ok(await cli(at('status', '--json'))));
    expect(status.workflows.map((w) => [w.workflow, w.lastRun?.id])).toEqual([
      ['maintenance', maintenance.id],
      ['report', reportRun.id],
    ]);
  });

  it('the compacted table answers the same count as the price table', async () => {
    const { rows } = ok(await cli(at('query', `SELECT COUNT(*) AS n FROM ${RESOURCE.curatedTable}`, '--json'))) as {
      rows: { n: number }[];
    };
    const items = await withTables(dataDir, async (clients) => {
      let n = 0;
      for await (const page of paginateScan({ client: clients.documents }, { TableName: RESOURCE.priceTable, Select: 'COUNT' }))
        n += page.Count ?? 0;
      return n;
    });
    expect(Number(rows[0]!.n)).toBe(items);
  });
});

describe('the report of a run whose tables were in memory', () => {
  const dataDir = tempDataDir();
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('takes the alerts from the outbox and covers the newest day of the lake by default', async () => {
    ok(
      await cli([
        'run',
        '--source',
        'synthetic',
        '--symbols',
        '3',
        '--samples',
        '240',
        '--until-drained',
        '--json',
        '--data-dir',
        dataDir,
      ]),
    );
    const alerts = AlertRowSchema.array().parse(ok(await cli(['alerts', '--json', '--data-dir', dataDir])));
    ok(await cli(['workflow', 'run', 'maintenance', '--json', '--data-dir', dataDir]));
    const report = await cli(['workflow', 'run', 'report', '--wait', '--json', '--data-dir', dataDir]);
    const run = RunDetailSchema.parse(ok(report));
    const day = (JSON.parse(run.input!) as { date: string }).date;
    expect(report.stderr).toContain(`no --date: the report covers ${day}, the newest day in the local lake`);
    expect(report.stderr).toContain("the last run's tables were in memory: the report takes the day's alerts from the outbox");
    const got = ReportGetResultSchema.parse(ok(await cli(['report', '--json', '--data-dir', dataDir])));
    expect(got.date).toBe(day);
    expect(got.totals.alerts).toBe(alerts.filter((a) => a.timestamp.startsWith(day)).length);
    expect(readdirSync(join(dataDir, 'runs'))).toHaveLength(2);
  }, 120_000);
});
