/**
 * Compaction benchmark: the daily report's bytes read over the compacted Parquet against the same
 * queries over the raw JSON of the same day (DuckDB's file-system log counts the bytes, as Athena bills
 * them), and compaction throughput in rows per second, through the S3 stand-in and in memory.
 */
import { join } from 'node:path';
import { openLakeDatabase } from '../src/adapters/local/duckdb-athena';
import { S3RawArchive } from '../src/adapters/aws/s3-raw-archive';
import { compactDay } from '../src/compaction/compact';
import { makeCompactionHandler } from '../src/compaction/compact-partition';
import { S3LakeObjects } from '../src/adapters/aws/s3-lake-objects';
import { mapLimit } from '../src/compaction/map-limit';
import { rawDayPrefix } from '../src/core/lake';
import { ticksToParquet } from '../src/compaction/parquet';
import type { Tick } from '../src/core/tick';
import { startEmulators } from '../src/local/emulators/emulators';
import { toKinesisStreamEvent } from '../src/local/mappings/kinesis-events';
import { provisionLocalResources } from '../src/local/emulators/provision';
import { makeProcessingHandler } from '../src/processing/process-batch';
import { dailyReportQueries } from '../src/report/queries';
import { createClients } from '../src/shared/clients';
import { RESOURCE } from '../src/shared/names';
import type { BenchModule } from './bench-section';

const DAY = '2024-03-04';

/** A seeded random walk per symbol: one tick every `cadence` seconds over the 6.5 h US session. */
function sessionTicks(symbols: number, cadenceSeconds: number): Tick[] {
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const steps = Math.floor((6.5 * 3600) / cadenceSeconds);
  const prices = Array.from({ length: symbols }, (_, s) => 50 + 10 * s);
  const ticks: Tick[] = [];
  for (let i = 0; i < steps; i++) {
    const timestamp = new Date(Date.parse(`${DAY}T14:30:00.000Z`) + i * cadenceSeconds * 1000).toISOString();
    prices.forEach((p, s) => {
      const price = Math.round(p * (1 + (random() - 0.5) * 0.004) * 100) / 100;
      prices[s] = price;
      const base = 50 + 10 * s;
      ticks.push({
        symbol: `SYM${String(s).padStart(3, '0')}`,
        timestamp,
        price,
        open: base,
        high: base * 1.05,
        low: base * 0.95,
        previous_close: base,
        volume: Math.round(1000 + random() * 5000),
        source: 'synthetic',
      });
    });
  }
  return ticks;
}

const bench: BenchModule = async ({ log, workDir, quick }) => {
  const symbols = quick ? 5 : 20;
  const cadence = quick ? 60 : 15;
  const ticks = sessionTicks(symbols, cadence);
  const emulators = await startEmulators({ persistDir: workDir });
  const clients = createClients({ endpoints: emulators.endpoints, sqsQueryProtocol: true });
  try {
    const resources = await provisionLocalResources(clients, { shardCount: 1 });
    const bucket = resources.rawBucket;
    log(`writing ${ticks.length} ticks (${symbols} symbols, one every ${cadence} s) through the processing handler`);
    const processing = makeProcessingHandler({
      archive: new S3RawArchive(clients.s3, bucket),
      prices: { storedTicks: async () => new Map(), putTicks: async () => undefined },
      invalidRecords: { send: async () => undefined },
    });
    const source = {
      streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/bench',
      shardId: 'shardId-000000000000',
      region: 'us-east-1',
    };
    for (let i = 0; i < ticks.length; i += 100) {
      const records = ticks.slice(i, i + 100).map((t, j) => ({
        Data: Buffer.from(JSON.stringify(t)),
        SequenceNumber: String(1_000_000 + i + j),
        PartitionKey: t.symbol,
      }));
      await processing(toKinesisStreamEvent(source, records));
    }

    const lake = new S3LakeObjects(clients.s3, bucket);
    const compact = makeCompactionHandler({ lake });
    let started = performance.now();
    const rows = (await compact({ dt: DAY })).rows;
    const throughputS3 = rows / ((performance.now() - started) / 1000);

    // The same work without S3: parse, validate, deduplicate, sort and encode only.
    const bodies = await mapLimit(await lake.list(rawDayPrefix(DAY)), 16, async (o) => ({
      key: o.key,
      body: await lake.getText(o.key),
    }));
    started = performance.now();
    for (const [symbol, dayRows] of compactDay(DAY, bodies).symbols) ticksToParquet({ symbol, dt: DAY }, dayRows);
    const throughputCpu = rows / ((performance.now() - started) / 1000);

    const rawBytes = (await lake.list('raw/')).reduce((n, o) => n + o.size, 0);
    const parquetBytes = (await lake.list('curated/')).reduce((n, o) => n + o.size, 0);

    const db = await openLakeDatabase({ s3Dir: join(workDir, 's3'), bucket });
    let parquetRead = 0;
    let jsonRead = 0;
    try {
      for (const q of dailyReportQueries(DAY)) {
        const overParquet = await db.query(q.sql, { measureBytes: true });
        const overJson = await db.query(q.sql.replace(`FROM ${RESOURCE.curatedTable}`, `FROM ${RESOURCE.rawTable}`), {
          measureBytes: true,
        });
        if (JSON.stringify(overParquet.rows) !== JSON.stringify(overJson.rows))
          throw new Error(`query ${q.name} answers differently over Parquet and JSON`);
        parquetRead += overParquet.bytesRead ?? 0;
        jsonRead += overJson.bytesRead ?? 0;
      }
    } finally {
      db.close();
    }
    const ratio = jsonRead / parquetRead;
    log(`report read ${parquetRead} bytes of Parquet vs ${jsonRead} of JSON (${ratio.toFixed(1)}x)`);

    const figures = {
      'ticks in the day': ticks.length,
      'raw JSON objects': (await lake.list('raw/')).length,
      'raw JSON bytes': rawBytes,
      'Parquet bytes': parquetBytes,
      'daily report bytes read, Parquet': parquetRead,
      'daily report bytes read, raw JSON': jsonRead,
      'bytes read, JSON / Parquet': Number(ratio.toFixed(1)),
      'compaction rows/s (S3 stand-in, one partition at a time)': Math.round(throughputS3),
      'compaction rows/s (in memory: parse, validate, sort, encode)': Math.round(throughputCpu),
    };
    const markdown = [
      '| figure | value |',
      '|---|---:|',
      ...Object.entries(figures).map(([k, v]) => `| ${k} | ${typeof v === 'number' ? v.toLocaleString('en-US') : v} |`),
      '',
      `One trading day of ${symbols} symbols (a tick every ${cadence} s) written by the processing handler as raw NDJSON, compacted to one GZIP Parquet file per partition, then the daily report's queries (\`dailyReportQueries\`) run over the compacted table and, unchanged but for the table name, over the raw table of the same day; both answer the same rows. Bytes read are DuckDB's file-system reads, the measure Athena bills. Goal: at least 20x fewer bytes over Parquet.`,
    ].join('\n');
    return { title: 'Compaction: Parquet vs raw JSON for the daily report', markdown, figures };
  } finally {
    clients.destroy();
    await emulators.stop();
  }
};

export default bench;
