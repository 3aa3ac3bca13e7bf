/**
 * Layout of the lake. Raw: one NDJSON object per batch and trading day, `raw/dt=<D>/<shard>-<seq>-<digest>.ndjson`,
 * every symbol of the batch in it (as Firehose writes a buffer). Curated: one Parquet object per symbol
 * and day, `curated/symbol=<S>/dt=<D>/part-0000.parquet`, so that a `symbol = ...` filter prunes files.
 * Lakes written before the day layout hold raw objects under `raw/symbol=<S>/dt=<D>/`; compaction and
 * the local readers still read them (docs/PIPELINE.md).
 */
import { tradingDay } from './enrich';
import type { Tick } from './tick';
import { LAKE } from '../shared/names';

/** A partition of the curated table: one symbol's day. */
export interface Partition {
  readonly symbol: string;
  readonly dt: string;
}

/** A partition of either table: the raw table's have a day only, the curated table's a symbol too. */
export interface TablePartition {
  readonly dt: string;
  readonly symbol?: string;
}

export const partitionOf = (tick: Tick): Partition => ({ symbol: tick.symbol, dt: tradingDay(tick.timestamp) });

/**
 * Hive's escaping of a partition value in a path (its FileUtils.escapePathName): "=" in EURUSD=X or
 * "^" in ^GSPC become %3D and %5E, which Athena, Glue and DuckDB's Hive partitioning decode back.
 */
const HIVE_UNSAFE = /["#%'*/:=?\\{[\]^]/g; // control characters too, but a symbol never has one

export const encodePartitionValue = (value: string): string =>
  value.replace(HIVE_UNSAFE, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

export const decodePartitionValue = (segment: string): string =>
  segment.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** The folder of a symbol's partitions: `symbol=<encoded symbol>`. */
export const symbolFolder = (symbol: string): string => `symbol=${encodePartitionValue(symbol)}`;

/** `<prefix>symbol=<S>/dt=<D>/`, or `<prefix>dt=<D>/` for a partition without a symbol. */
export const partitionPath = (prefix: string, p: TablePartition): string =>
  `${prefix}${p.symbol === undefined ? '' : `${symbolFolder(p.symbol)}/`}dt=${p.dt}/`;

/** The folder of one day's raw objects. */
export const rawDayPrefix = (dt: string): string => partitionPath(LAKE.raw, { dt });

/** Where raw objects of the layout before `raw/dt=` begin (`raw/symbol=<S>/dt=<D>/`). */
export const LEGACY_RAW_PREFIX = `${LAKE.raw}symbol=`;

/**
 * The raw object of one batch and day. The name comes from the shard and the batch's first sequence
 * number (and a digest of what it holds), so a redelivered batch overwrites its own object instead of
 * adding a copy, and names sort in arrival order within a shard.
 */
export const rawObjectKey = (dt: string, shardId: string, batchName: string): string =>
  `${rawDayPrefix(dt)}${shardId}-${batchName}.ndjson`;

export const toNdjson = (rows: readonly object[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
