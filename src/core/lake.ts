/** Layout of the lake: Hive-style partitions, one raw object per batch and partition. */
import { tradingDay } from './enrich';
import type { Tick } from './tick';
import { LAKE } from '../shared/names';

export interface Partition {
  readonly symbol: string;
  readonly dt: string;
}

export const partitionOf = (tick: Tick): Partition => ({ symbol: tick.symbol, dt: tradingDay(tick.timestamp) });

export const partitionPath = (prefix: string, p: Partition): string => `${prefix}symbol=${p.symbol}/dt=${p.dt}/`;

/**
 * The raw object of one batch and partition. The name comes from the shard and the batch's first
 * sequence number, so a redelivered batch overwrites its own objects instead of adding copies.
 */
export const rawObjectKey = (p: Partition, shardId: string, firstSequenceNumber: string): string =>
  `${partitionPath(LAKE.raw, p)}${shardId}-${firstSequenceNumber}.ndjson`;

export const toNdjson = (rows: readonly object[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
