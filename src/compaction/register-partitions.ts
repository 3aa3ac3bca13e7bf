/**
 * Registers a maintenance run's days in the catalog: the day in the raw table (partitioned by `dt`),
 * and each symbol of the day in the curated table (by `symbol` and `dt`), the symbols read from the
 * day's manifest that compaction wrote.
 */
import { z } from 'zod';
import type { Partition } from '../core/lake';
import { RESOURCE } from '../shared/names';
import type { LakeObjects, PartitionCatalog } from '../core/ports-lake';
import { dayManifestKey, InvalidTaskInput, RawDaySchema } from './layout';
import { mapLimit } from './map-limit';

export interface RegisterPartitionsDeps {
  readonly catalog: PartitionCatalog;
  /** The lake bucket, to read the days' manifests. */
  readonly lake: Pick<LakeObjects, 'getText'>;
  /** @default { raw: RESOURCE.rawTable, curated: RESOURCE.curatedTable } */
  readonly tables?: { readonly raw: string; readonly curated: string };
}

export interface TableRegistration {
  readonly table: string;
  readonly created: number;
  readonly existing: number;
}

export interface RegistrationResult {
  readonly raw: TableRegistration;
  readonly curated: TableRegistration;
}

const RegisterInput = z.object({ partitions: z.array(RawDaySchema) });

const ManifestSchema = z.object({ dt: z.string(), symbols: z.array(z.string()) });

export function makeRegisterPartitionsHandler(deps: RegisterPartitionsDeps) {
  const tables = deps.tables ?? { raw: RESOURCE.rawTable, curated: RESOURCE.curatedTable };
  return async (input: unknown): Promise<RegistrationResult> => {
    const parsed = RegisterInput.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InvalidTaskInput(`register-partitions input ${issue.path.join('.') || '(input)'}: ${issue.message}`);
    }
    const days = parsed.data.partitions.map((d) => d.dt);
    const symbolDays = await mapLimit(days, 8, async (dt): Promise<Partition[]> => {
      const key = dayManifestKey(dt);
      const manifest = ManifestSchema.safeParse(JSON.parse(await deps.lake.getText(key)));
      if (!manifest.success)
        throw new Error(`manifest ${key} is not a compaction manifest: ${manifest.error.issues[0]!.message}`);
      return manifest.data.symbols.map((symbol) => ({ symbol, dt }));
    });
    const register = async (
      table: string,
      partitions: readonly { dt: string; symbol?: string }[],
    ): Promise<TableRegistration> => {
      if (partitions.length === 0) return { table, created: 0, existing: 0 };
      const outcome = await deps.catalog.addPartitions(table, partitions);
      return { table, created: outcome.created.length, existing: outcome.existing.length };
    };
    const [raw, curated] = await Promise.all([
      register(
        tables.raw,
        days.map((dt) => ({ dt })),
      ),
      register(tables.curated, symbolDays.flat()),
    ]);
    return { raw, curated };
  };
}
