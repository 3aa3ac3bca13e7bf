/** Layout of the lake: Hive-style partitions, one raw object per batch and partition. */
import { tradingDay } from './enrich';
import type { Tick } from './tick';
import { LAKE } from '../shared/names';

export interface Partition {
  readonly symbol: string;
  readonly dt: string;
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

export const partitionPath = (prefix: string, p: Partition): string => `${prefix}${symbolFolder(p.symbol)}/dt=${p.dt}/`;

/**
 * The raw object of one batch and partition. The name comes from the shard and the batch's first
 * sequence number, so a redelivered batch overwrites its own objects instead of adding copies.
 */
export const rawObjectKey = (p: Partition, shardId: string, firstSequenceNumber: string): string =>
  `${partitionPath(LAKE.raw, p)}${shardId}-${firstSequenceNumber}.ndjson`;

export const toNdjson = (rows: readonly object[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
