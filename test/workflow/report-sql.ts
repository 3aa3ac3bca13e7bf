/**
 * The daily report of a few ticks through the real path: the planned SQL on DuckDB (a table with the
 * compacted table's columns and types), Athena's result shape from the local runner's Athena, and
 * the report task's build.
 */
import type { SkippedTicks } from '../../src/core/ports';
import type { LakeDatabase } from '../../src/adapters/local/duckdb-athena';
import type { DailyReport, ReportAlert } from '../../src/core/report';
import type { Tick } from '../../src/core/tick';
import { LocalAthena } from '../../src/local/workflow/athena-local';
import { makeReportHandler, type BuiltReport, type ReportPlan } from '../../src/report/report-task';

export const FIXTURE_TABLE = 'report_fixture';

const literal = (v: string | number): string => (typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`);

/** Replaces the fixture table's rows with the ticks (dt from the timestamp, as the lake partitions them). */
export async function loadTicks(db: LakeDatabase, ticks: readonly Tick[]): Promise<void> {
  await db.query(
    `CREATE OR REPLACE TABLE ${FIXTURE_TABLE} (symbol VARCHAR, timestamp TIMESTAMP, price DOUBLE, open DOUBLE, high DOUBLE, low DOUBLE, previous_close DOUBLE, volume BIGINT, source VARCHAR, dt VARCHAR)`,
  );
  if (ticks.length === 0) return;
  const rows = ticks.map(
    (t) =>
      `(${[t.symbol, t.timestamp.replace('T', ' ').replace('Z', ''), t.price, t.open, t.high, t.low, t.previous_close, t.volume, t.source, t.timestamp.slice(0, 10)].map(literal).join(', ')})`,
  );
  await db.query(`INSERT INTO ${FIXTURE_TABLE} VALUES ${rows.join(', ')}`);
}

/** The report of `date` over the fixture table, with the given alerts in the alert table. */
export async function reportOf(
  db: LakeDatabase,
  date: string,
  alerts: readonly ReportAlert[] = [],
  skipped: ReadonlyMap<string, SkippedTicks> = new Map(),
): Promise<{ report: DailyReport; built: BuiltReport }> {
  const handler = makeReportHandler({
    alerts: { alertsOfDay: async (day) => alerts.filter((a) => a.timestamp.startsWith(day)) },
    skipped: { skippedOn: async () => skipped },
    table: FIXTURE_TABLE,
    rawTable: FIXTURE_TABLE,
    now: () => new Date('2030-01-01T00:00:00Z'),
  });
  const plan = (await handler({ action: 'plan', input: { date } })) as ReportPlan;
  const athena = new LocalAthena(db);
  const results = [];
  for (const q of plan.queries) {
    const started = (await athena.startQueryExecutionSync({ QueryString: q.sql })) as {
      QueryExecution: { QueryExecutionId: string };
    };
    const page = athena.getQueryResults({ QueryExecutionId: started.QueryExecution.QueryExecutionId, MaxResults: 1000 }) as {
      ResultSet: unknown;
    };
    results.push({ name: q.name, resultSet: page.ResultSet });
  }
  const built = (await handler({ action: 'build', date: plan.date, bucket: 'lake', keys: plan.keys, results })) as BuiltReport;
  return { report: JSON.parse(built.json) as DailyReport, built };
}
