/**
 * Ticks to Parquet with hyparquet-writer: pure JavaScript (about 100 kB bundled), so the compaction
 * Lambda stays small and starts fast; DuckDB's native library is 60+ MB per platform and would need
 * an arm64 build and a layer. The file is deterministic: the same rows give the same bytes, so a
 * re-run of a partition rewrites an identical object.
 *
 * `symbol` and `dt` are not columns: they are the Hive partition (the folder names), as Athena and
 * the Glue tables expect (a partition key that repeats a column is rejected).
 */
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import { gzipSync } from 'node:zlib';
import type { Partition } from '../core/lake';
import type { Tick } from '../core/tick';

/** The columns, in file order; their names and types match the Glue tables (infra/constructs/analytics.ts). */
export const PARQUET_COLUMNS = ['timestamp', 'price', 'open', 'high', 'low', 'previous_close', 'volume', 'source'] as const;

export type ParquetCodec = 'GZIP' | 'SNAPPY';

export interface ParquetOptions {
  /**
   * GZIP reads back ~25% smaller than SNAPPY on tick data (see bench/compaction.bench.ts) and both
   * Athena and DuckDB read it; SNAPPY is faster to write.
   * @default 'GZIP'
   */
  readonly codec?: ParquetCodec;
}

const gzip = (input: Uint8Array): Uint8Array => gzipSync(input, { level: 6 });

export function ticksToParquet(partition: Partition, rows: readonly Tick[], options: ParquetOptions = {}): Uint8Array {
  const doubles = (name: 'price' | 'open' | 'high' | 'low' | 'previous_close'): ColumnSource => ({
    name,
    data: rows.map((r) => r[name]),
    type: 'DOUBLE',
    nullable: false,
  });
  const columnData: ColumnSource[] = [
    // Sorted, evenly spaced instants: deltas pack into a few bits each.
    {
      name: 'timestamp',
      data: rows.map((r) => new Date(r.timestamp)),
      type: 'TIMESTAMP',
      nullable: false,
      encoding: 'DELTA_BINARY_PACKED',
    },
    // Prices move by small steps: byte-stream split lines up the slowly changing exponent bytes for the codec.
    { ...doubles('price'), encoding: 'BYTE_STREAM_SPLIT' },
    // A quote's day open/high/low/previous close repeat across ticks: dictionary encoding when it pays.
    doubles('open'),
    doubles('high'),
    doubles('low'),
    doubles('previous_close'),
    { name: 'volume', data: rows.map((r) => BigInt(r.volume)), type: 'INT64', nullable: false },
    { name: 'source', data: rows.map((r) => r.source), type: 'STRING', nullable: false },
  ];
  const codec = options.codec ?? 'GZIP';
  const buffer = parquetWriteBuffer({
    columnData,
    codec,
    ...(codec === 'GZIP' ? { compressors: { GZIP: gzip } } : {}),
    rowGroupSize: 1_000_000,
    createdBy: 'stockpipe compaction',
    kvMetadata: [
      { key: 'stockpipe.symbol', value: partition.symbol },
      { key: 'stockpipe.dt', value: partition.dt },
    ],
  });
  return new Uint8Array(buffer);
}
