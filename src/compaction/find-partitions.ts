/**
 * The first task of the maintenance workflow: which raw days need work, because they were never
 * compacted, their raw objects changed since, or they (or a symbol of theirs) are missing from a
 * table's catalog. A raw partition is a day: the raw table is partitioned by `dt` only.
 */
import { z } from 'zod';
import type { Partition } from '../core/lake';
import { LAKE, RESOURCE } from '../shared/names';
import { partitionId, type LakeObject, type LakeObjects, type PartitionCatalog } from '../core/ports-lake';
import { SOURCE_FINGERPRINT, sourceFingerprint } from './fingerprint';
import { CURATED_OBJECT, dayOfManifestKey, InvalidTaskInput, placeOfKey, type RawDay } from './layout';
import { mapLimit } from './map-limit';

/**
 * Days handed to one run. The Map state's results and the execution history grow with it (Step
 * Functions caps a state's payload at 256 KiB and an execution at 25,000 events); the next run picks
 * up what is left.
 * @default 1000
 */
export const DEFAULT_MAX_PARTITIONS = 1000;

export interface FindPartitionsDeps {
  readonly lake: LakeObjects;
  readonly catalog: PartitionCatalog;
  /** @default { raw: RESOURCE.rawTable, curated: RESOURCE.curatedTable } */
  readonly tables?: { readonly raw: string; readonly curated: string };
  /** Days checked at once (HeadObject calls of their manifests). @default 8 */
  readonly concurrency?: number;
}

export type PartitionReason = 'new' | 'changed' | 'unregistered';

export interface FoundPartitions {
  /** The raw days this run works on, oldest first. */
  readonly partitions: readonly RawDay[];
  readonly count: number;
  /** Raw days in the lake. */
  readonly total: number;
  readonly reasons: Readonly<Record<PartitionReason, number>>;
  /** Days that need work but are left for the next run. */
  readonly remaining: number;
}

const FindInput = z
  .object({
    maxPartitions: z.number().int().min(1).max(5000).optional(),
  })
  .passthrough();

const byDay = (a: RawDay, b: RawDay): number => (a.dt < b.dt ? -1 : a.dt > b.dt ? 1 : 0);

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

    const days = new Map<string, { objects: LakeObject[]; legacy: boolean }>();
    for (const o of rawObjects) {
      const place = placeOfKey(o.key);
      if (place?.zone !== 'raw') continue;
      const day = days.get(place.dt) ?? { objects: [], legacy: false };
      day.objects.push(o);
      if (place.legacySymbol !== undefined) day.legacy = true;
      days.set(place.dt, day);
    }
    const curatedByDay = new Map<string, Partition[]>();
    const manifests = new Map<string, LakeObject>();
    for (const o of curatedObjects) {
      const manifestDay = dayOfManifestKey(o.key);
      if (manifestDay) manifests.set(manifestDay, o);
      const place = placeOfKey(o.key);
      if (place?.zone !== 'curated' || !o.key.endsWith(`/${CURATED_OBJECT}`)) continue;
      const list = curatedByDay.get(place.dt) ?? [];
      list.push({ symbol: place.symbol, dt: place.dt });
      curatedByDay.set(place.dt, list);
    }
    const registeredRaw = new Set(rawRegistered.map((p) => p.dt));
    const registeredCurated = new Set(curatedRegistered.map(partitionId));

    const reasons: Record<PartitionReason, number> = { new: 0, changed: 0, unregistered: 0 };
    const verdicts = await mapLimit([...days.entries()], deps.concurrency ?? 8, async ([dt, { objects, legacy }]) => {
      const manifest = manifests.get(dt);
      let reason: PartitionReason | undefined;
      if (!manifest) reason = 'new';
      else {
        const newestRaw = objects.reduce((m, o) => (o.lastModified > m ? o.lastModified : m), '');
        // Strictly older raw data is compacted already; same second or newer needs the fingerprint.
        if (newestRaw >= manifest.lastModified) {
          const meta = await deps.lake.metadata(manifest.key);
          if (meta?.[SOURCE_FINGERPRINT] !== sourceFingerprint(objects)) reason = 'changed';
        }
      }
      const curated = curatedByDay.get(dt) ?? [];
      if (!reason && (!registeredRaw.has(dt) || curated.some((p) => !registeredCurated.has(partitionId(p)))))
        reason = 'unregistered';
      if (reason) reasons[reason]++;
      return reason ? (legacy ? { dt, legacy: true } : { dt }) : undefined;
    });

    const pending = verdicts.filter((d): d is RawDay => d !== undefined).sort(byDay);
    const partitions = pending.slice(0, max);
    return { partitions, count: partitions.length, total: days.size, reasons, remaining: pending.length - partitions.length };
  };
}
