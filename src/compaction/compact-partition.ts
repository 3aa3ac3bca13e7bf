/**
 * The compaction task: one raw day in, `curated/symbol=<S>/dt=<D>/part-0000.parquet` out for every
 * symbol of the day, then the day's manifest (layout.ts). Idempotent: the output is a pure function of the day's raw objects, written to
 * the same keys. Invalid lines do not fail the day; they are counted, sampled in the result and
 * listed in full in `maintenance/rejected/dt=<D>.json`.
 */
import { LEGACY_RAW_PREFIX, rawDayPrefix } from '../core/lake';
import { MAINTENANCE_PREFIX } from '../shared/workflow-substitutions';
import { compactDay, type RawObject, type SkippedLine } from './compact';
import { SOURCE_FINGERPRINT, sourceFingerprint } from './fingerprint';
import { curatedObjectKey, dayManifestKey, parseRawDay, placeOfKey } from './layout';
import type { LakeObject, LakeObjects } from '../core/ports-lake';
import { mapLimit } from './map-limit';
import { ticksToParquet, type ParquetCodec } from './parquet';
import { StockpipeError } from '../core/errors';

export interface CompactionDeps {
  readonly lake: LakeObjects;
  /** @default 'GZIP' */
  readonly codec?: ParquetCodec;
  /** Raw objects read (and Parquet objects written) at once. @default 16 */
  readonly readConcurrency?: number;
  /** Told about every compacted day (Powertools metrics in the Lambda). */
  readonly observe?: (result: CompactionResult) => void;
}

export interface CompactionResult {
  readonly dt: string;
  /** Symbols of the day: one Parquet object each. */
  readonly symbols: number;
  readonly rows: number;
  readonly linesRead: number;
  readonly skipped: number;
  readonly duplicates: number;
  readonly sourceObjects: number;
  readonly sourceBytes: number;
  /** Bytes of Parquet written, all symbols. */
  readonly bytes: number;
  /** The first few skipped lines; all of them are in `rejectedKey`. */
  readonly skippedSample: readonly SkippedLine[];
  readonly rejectedKey: string | null;
}

/** A day with no raw object: nothing to compact (the finder never asks for one). */
export class PartitionNotFound extends StockpipeError {
  override readonly name = 'PartitionNotFound';
}

const SAMPLE = 5;

export const rejectedLinesKey = (dt: string): string => `${MAINTENANCE_PREFIX}rejected/dt=${dt}.json`;

/** A day's raw objects: `raw/dt=<D>/`, and for a day of an older lake also `raw/symbol=*\/dt=<D>/`. */
export async function rawObjectsOfDay(
  lake: LakeObjects,
  day: { readonly dt: string; readonly legacy?: boolean },
): Promise<(LakeObject & { legacySymbol?: string })[]> {
  const prefix = rawDayPrefix(day.dt);
  const current = (await lake.list(prefix)).filter((o) => !o.key.slice(prefix.length).includes('/'));
  if (!day.legacy) return current;
  const legacy = (await lake.list(LEGACY_RAW_PREFIX)).flatMap((o) => {
    const place = placeOfKey(o.key);
    return place?.zone === 'raw' && place.dt === day.dt && place.legacySymbol !== undefined
      ? [{ ...o, legacySymbol: place.legacySymbol }]
      : [];
  });
  return [...current, ...legacy];
}

export function makeCompactionHandler(deps: CompactionDeps) {
  const concurrency = deps.readConcurrency ?? 16;
  return async (input: unknown): Promise<CompactionResult> => {
    const day = parseRawDay(input, 'compaction input');
    const objects = await rawObjectsOfDay(deps.lake, day);
    if (objects.length === 0) throw new PartitionNotFound(`no raw object under ${rawDayPrefix(day.dt)}: nothing to compact`);

    // A busy day has one object per batch: a bounded number of reads in flight.
    const bodies = await mapLimit(objects, concurrency, async (o): Promise<RawObject> => ({
      key: o.key,
      body: await deps.lake.getText(o.key),
      ...(o.legacySymbol !== undefined ? { legacySymbol: o.legacySymbol } : {}),
    }));
    const compacted = compactDay(day.dt, bodies);
    const fingerprint = sourceFingerprint(objects);
    const written = await mapLimit([...compacted.symbols], concurrency, async ([symbol, rows]) => {
      const partition = { symbol, dt: day.dt };
      const parquet = ticksToParquet(partition, rows, deps.codec ? { codec: deps.codec } : {});
      await deps.lake.put(curatedObjectKey(partition), parquet, {
        contentType: 'application/vnd.apache.parquet',
        metadata: { [SOURCE_FINGERPRINT]: fingerprint, rows: String(rows.length) },
      });
      return parquet.byteLength;
    });

    let rejectedKey: string | null = null;
    if (compacted.skipped.length > 0) {
      rejectedKey = rejectedLinesKey(day.dt);
      await deps.lake.put(rejectedKey, JSON.stringify({ dt: day.dt, skipped: compacted.skipped }, null, 1), {
        contentType: 'application/json',
      });
    }

    await deps.lake.put(
      dayManifestKey(day.dt),
      JSON.stringify({ dt: day.dt, sourceObjects: objects.length, symbols: [...compacted.symbols.keys()] }) + '\n',
      { contentType: 'application/json', metadata: { [SOURCE_FINGERPRINT]: fingerprint } },
    );

    const result: CompactionResult = {
      dt: day.dt,
      symbols: compacted.symbols.size,
      rows: compacted.rows,
      linesRead: compacted.linesRead,
      skipped: compacted.skipped.length,
      duplicates: compacted.duplicates,
      sourceObjects: objects.length,
      sourceBytes: objects.reduce((n, o) => n + o.size, 0),
      bytes: written.reduce((n, b) => n + b, 0),
      skippedSample: compacted.skipped.slice(0, SAMPLE),
      rejectedKey,
    };
    deps.observe?.(result);
    return result;
  };
}
