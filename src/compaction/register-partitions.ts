/** Registers compacted partitions in the catalog, for the raw table and the curated table. */
import { z } from 'zod';
import { RESOURCE } from '../shared/names';
import type { PartitionCatalog } from '../core/ports-lake';
import { InvalidTaskInput, PartitionSchema } from './layout';

export interface RegisterPartitionsDeps {
  readonly catalog: PartitionCatalog;
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

const RegisterInput = z.object({ partitions: z.array(PartitionSchema) });

export function makeRegisterPartitionsHandler(deps: RegisterPartitionsDeps) {
  const tables = deps.tables ?? { raw: RESOURCE.rawTable, curated: RESOURCE.curatedTable };
  return async (input: unknown): Promise<RegistrationResult> => {
    const parsed = RegisterInput.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InvalidTaskInput(`register-partitions input ${issue.path.join('.') || '(input)'}: ${issue.message}`);
    }
    const { partitions } = parsed.data;
    const register = async (table: string): Promise<TableRegistration> => {
      if (partitions.length === 0) return { table, created: 0, existing: 0 };
      const outcome = await deps.catalog.addPartitions(table, partitions);
      return { table, created: outcome.created.length, existing: outcome.existing.length };
    };
    const [raw, curated] = await Promise.all([register(tables.raw), register(tables.curated)]);
    return { raw, curated };
  };
}
