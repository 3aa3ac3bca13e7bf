/**
 * The daily report's crossover query reads the history from the compacted table and the day itself
 * from the raw one: a day the last maintenance run compacted only in part still has all its crossovers.
 */
import { tmpdir } from 'node:os';
import { openLakeDatabase, type LakeDatabase } from '../../src/adapters/local/duckdb-athena';
import { crossoverSql } from '../../src/report/signals-query';
import { referenceCrossovers, sp500Daily } from '../support/signal-lake';

const points = sp500Daily('SPX').slice(0, 400);
let db: LakeDatabase;

async function table(name: string, rows: typeof points): Promise<void> {
  await db.query(`CREATE TABLE ${name} (symbol VARCHAR, "timestamp" TIMESTAMP, price DOUBLE, dt VARCHAR)`);
  if (rows.length === 0) return;
  const values = rows.map(
    (p) =>
      `('${p.symbol}', TIMESTAMP '${p.timestamp.slice(0, 19).replace('T', ' ')}', ${p.price}, '${p.timestamp.slice(0, 10)}')`,
  );
  await db.query(`INSERT INTO ${name} VALUES ${values.join(', ')}`);
}

beforeAll(async () => {
  db = await openLakeDatabase({ s3Dir: tmpdir(), bucket: 'no-such-bucket' });
});
afterAll(() => db.close());

it("finds the day's crossovers from the raw day when the compacted table lacks the day", async () => {
  const crosses = referenceCrossovers(points, 1e-9);
  const day = crosses.at(-1)!.timestamp.slice(0, 10);
  // Compacted: every day before, and nothing of the day; raw: everything.
  await table(
    'curated_fixture',
    points.filter((p) => p.timestamp.slice(0, 10) < day),
  );
  await table('raw_fixture', points);
  const sql = crossoverSql({ table: 'curated_fixture', recent: { table: 'raw_fixture', fromDay: day }, from: day, to: day });
  const rows = (await db.query(sql)).rows as unknown as { side: string; timestamp: unknown }[];
  const expected = crosses.filter((c) => c.timestamp.startsWith(day)).map((c) => c.side);
  expect(expected.length).toBeGreaterThan(0);
  expect(rows.map((r) => r.side)).toEqual(expected);
  // The compacted table alone misses them.
  expect((await db.query(crossoverSql({ table: 'curated_fixture', from: day, to: day }))).rows).toEqual([]);
});
