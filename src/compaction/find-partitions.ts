/**
 * The first task of the maintenance workflow: which raw partitions need work, because they were
 * never compacted, their raw objects changed since, or they are missing from a table's catalog.
 */
import { z } from 'zod';
import type { Partition } from '../core/lake';
import { LAKE, RESOURCE } from '../shared/names';
import { partitionId, type LakeObject, type LakeObjects, type PartitionCatalog } from '../core/ports-lake';
import { SOURCE_FINGERPRINT, sourceFingerprint } from './fingerprint';
import { CURATED_OBJECT, InvalidTaskInput, partitionOfKey } from './layout';
import { mapLimit } from './map-limit';

/**
 * Partitions handed to one run. The Map state's results and the execution history grow with it
 * (Step Functions caps a state's payload at 256 KiB and an execution at 25,000 events); the next
 * run picks up what is left.
 * @default 1000
 */
export const DEFAULT_MAX_PARTITIONS = 1000;

export interface FindPartitionsDeps {
  readonly lake: LakeObjects;
  readonly catalog: PartitionCatalog;
  /** @default { raw: RESOURCE.rawTable, curated: RESOURCE.curatedTable } */
  readonly tables?: { readonly raw: string; readonly curated: string };
  /** Concurrent HeadObject calls. @default 8 */
  readonly concurrency?: number;
}

export type PartitionReason = 'new' | 'changed' | 'unregistered';

export interface FoundPartitions {
  /** What this run works on, oldest day first. */
  readonly partitions: readonly Partition[];
  readonly count: number;
  /** Raw partitions in the lake. */
  readonly total: number;
  readonly reasons: Readonly<Record<PartitionReason, number>>;
  /** Partitions that need work but are left for the next run. */
  readonly remaining: number;
}

const FindInput = z
  .object({
    maxPartitions: z.number().int().min(1).max(5000).optional(),
  })
  .passthrough();

const byDay = (a: Partition, b: Partition): number =>
  a.dt < b.dt ? -1 : a.dt > b.dt ? 1 : a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;

export function makeFindPartitionsHandler(deps: FindPartitionsDeps) {
  const tables = deps.tables ?? { raw: RESOURCE.rawTable, curated: RESOURCE.curatedTable };
  return async (input: unknown = {}): Promise<FoundPartitions> => {
    const parsed = FindInput.safeParse(input ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InvalidTaskInput(`find-partitions input ${issue.path.join('.') || '(input)'}: ${issue.message}`);
    }
    const max = parsed.data.maxPartitions ?? DEFAULT_MAX_PARTITIONS;

    const [rawObjects, curatedObjects, rawRegistered, curatedRegistered] = await Promise.all([
      deps.lake.list(LAKE.raw),
      deps.lake.list(LAKE.curated),
      deps.catalog.listPartitions(tables.raw),
      deps.catalog.listPartitions(tables.curated),
    ]);

    const raw = new Map<string, { partition: Partition; objects: LakeObject[] }>();
    for (const o of rawObjects) {
      const p = partitionOfKey(o.key);
      if (!p || p.zone !== 'raw') continue;
      const id = partitionId(p);
      const entry = raw.get(id) ?? { partition: { symbol: p.symbol, dt: p.dt }, objects: [] };
      entry.objects.push(o);
      raw.set(id, entry);
    }
    const curated = new Map<string, LakeObject>();
    for (const o of curatedObjects) {
      const p = partitionOfKey(o.key);
      if (p?.zone === 'curated' && o.key.endsWith(`/${CURATED_OBJECT}`)) curated.set(partitionId(p), o);
    }
    const registeredRaw = new Set(rawRegistered.map(partitionId));
    const registeredCurated = new Set(curatedRegistered.map(partitionId));

    const reasons: Record<PartitionReason, number> = { new: 0, changed: 0, unregistered: 0 };
    const verdicts = await mapLimit([...raw.entries()], deps.concurrency ?? 8, async ([id, { partition, objects }]) => {
      const parquet = curated.get(id);
      let reason: PartitionReason | undefined;
      if (!parquet) reason = 'new';
      else {
        const newestRaw = objects.reduce((m, o) => (o.lastModified > m ? o.lastModified : m), '');
        // Strictly older raw data is compacted already; same second or newer needs the fingerprint.
        if (newestRaw >= parquet.lastModified) {
          const meta = await deps.lake.metadata(parquet.key);
          if (meta?.[SOURCE_FINGERPRINT] !== sourceFingerprint(objects)) reason = 'changed';
        }
      }
      if (!reason && (!registeredRaw.has(id) || !registeredCurated.has(id))) reason = 'unregistered';
      if (reason) reasons[reason]++;
      return reason ? partition : undefined;
    });

    const pending = verdicts.filter((p): p is Partition => p !== undefined).sort(byDay);
    const partitions = pending.slice(0, max);
    return { partitions, count: partitions.length, total: raw.size, reasons, remaining: pending.length - partitions.length };
  };
}
