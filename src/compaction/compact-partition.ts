/**
 * The compaction task: one raw partition in, `curated/symbol=<S>/dt=<D>/part-0000.parquet` out.
 * Idempotent: the output is a pure function of the raw objects, written to the same key. Invalid
 * lines do not fail the partition; they are counted, sampled in the result and listed in full in
 * `maintenance/rejected/symbol=<S>/dt=<D>.json`.
 */
import { partitionPath } from '../core/lake';
import { MAINTENANCE_PREFIX } from '../shared/workflow-substitutions';
import { compactPartition, type SkippedLine } from './compact';
import { SOURCE_FINGERPRINT, sourceFingerprint } from './fingerprint';
import { curatedObjectKey, parsePartition, rawPartitionPrefix } from './layout';
import type { LakeObjects } from '../core/ports-lake';
import { mapLimit } from './map-limit';
import { ticksToParquet, type ParquetCodec } from './parquet';
import { StockpipeError } from '../core/errors';

export interface CompactionDeps {
  readonly lake: LakeObjects;
  /** @default 'GZIP' */
  readonly codec?: ParquetCodec;
  /** Raw objects read at once. @default 16 */
  readonly readConcurrency?: number;
  /** Told about every compacted partition (Powertools metrics in the Lambda). */
  readonly observe?: (result: CompactionResult) => void;
}

export interface CompactionResult {
  readonly symbol: string;
  readonly dt: string;
  readonly key: string;
  readonly rows: number;
  readonly linesRead: number;
  readonly skipped: number;
  readonly duplicates: number;
  readonly sourceObjects: number;
  readonly sourceBytes: number;
  readonly bytes: number;
  /** The first few skipped lines; all of them are in `rejectedKey`. */
  readonly skippedSample: readonly SkippedLine[];
  readonly rejectedKey: string | null;
}

/** A partition with no raw object: nothing to compact (the finder never asks for one). */
export class PartitionNotFound extends StockpipeError {
  override readonly name = 'PartitionNotFound';
}

const SAMPLE = 5;

export const rejectedLinesKey = (p: { symbol: string; dt: string }): string =>
  `${partitionPath(`${MAINTENANCE_PREFIX}rejected/`, p).replace(/\/$/, '')}.json`;

export function makeCompactionHandler(deps: CompactionDeps) {
  return async (input: unknown): Promise<CompactionResult> => {
    const partition = parsePartition(input, 'compaction input');
    const prefix = rawPartitionPrefix(partition);
    const objects = (await deps.lake.list(prefix)).filter((o) => !o.key.slice(prefix.length).includes('/'));
    if (objects.length === 0) throw new PartitionNotFound(`no raw object under ${prefix}: nothing to compact`);

    // A busy partition has one small object per batch: a bounded number of reads in flight.
    const bodies = await mapLimit(objects, deps.readConcurrency ?? 16, async (o) => ({
      key: o.key,
      body: await deps.lake.getText(o.key),
    }));
    const compacted = compactPartition(partition, bodies);
    const parquet = ticksToParquet(partition, compacted.rows, deps.codec ? { codec: deps.codec } : {});
    const key = curatedObjectKey(partition);
    await deps.lake.put(key, parquet, {
      contentType: 'application/vnd.apache.parquet',
      metadata: { [SOURCE_FINGERPRINT]: sourceFingerprint(objects), rows: String(compacted.rows.length) },
    });

    let rejectedKey: string | null = null;
    if (compacted.skipped.length > 0) {
      rejectedKey = rejectedLinesKey(partition);
      await deps.lake.put(rejectedKey, JSON.stringify({ ...partition, skipped: compacted.skipped }, null, 1), {
        contentType: 'application/json',
      });
    }

    const result: CompactionResult = {
      symbol: partition.symbol,
      dt: partition.dt,
      key,
      rows: compacted.rows.length,
      linesRead: compacted.linesRead,
      skipped: compacted.skipped.length,
      duplicates: compacted.duplicates,
      sourceObjects: objects.length,
      sourceBytes: objects.reduce((n, o) => n + o.size, 0),
      bytes: parquet.byteLength,
      skippedSample: compacted.skipped.slice(0, SAMPLE),
      rejectedKey,
    };
    deps.observe?.(result);
    return result;
  };
}
