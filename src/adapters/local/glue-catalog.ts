/**
 * The local stand-in for the Glue Data Catalog: one JSON file per database in the data dir's
 * catalog folder, `{ tables: { <table>: { location, partitions: [{ dt, symbol?, location, createdAt }] } } }`.
 * Same contract as GlueCatalog: registering an existing partition is not an error.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TablePartition } from '../../core/lake';
import { partitionId, type PartitionCatalog, type RegistrationOutcome } from '../../core/ports-lake';

export interface LocalPartition extends TablePartition {
  readonly location: string;
  readonly createdAt: string;
}

interface CatalogFile {
  tables: Record<string, { location: string; partitions: LocalPartition[] }>;
}

export interface LocalGlueCatalogOptions {
  /** Folder of the catalog files (the data dir's `catalog/`). */
  readonly dir: string;
  readonly database: string;
  /** Table name -> its location, e.g. `s3://stockpipe-lake/raw/`. */
  readonly tables: Readonly<Record<string, string>>;
  readonly now?: () => Date;
}

export const localCatalogFile = (dir: string, database: string): string => join(dir, `${database}.json`);

/** The registered partitions of a table, sorted by day then symbol; empty when nothing is registered. */
export function readLocalPartitions(dir: string, database: string, table: string): LocalPartition[] {
  const file = localCatalogFile(dir, database);
  if (!existsSync(file)) return [];
  const catalog = parse(file);
  return [...(catalog.tables[table]?.partitions ?? [])].sort((a, b) =>
    `${a.dt}/${a.symbol ?? ''}` < `${b.dt}/${b.symbol ?? ''}` ? -1 : 1,
  );
}

function parse(file: string): CatalogFile {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as CatalogFile;
    if (typeof value?.tables !== 'object' || value.tables === null) throw new Error('no "tables" object');
    return value;
  } catch (e) {
    throw new Error(
      `local catalog ${file} is damaged (${(e as Error).message}); delete it and run the maintenance workflow again`,
      { cause: e },
    );
  }
}

export class LocalGlueCatalog implements PartitionCatalog {
  // Registrations of one process are serialised: read-modify-write of one file.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: LocalGlueCatalogOptions) {}

  private get file(): string {
    return localCatalogFile(this.options.dir, this.options.database);
  }

  private location(table: string): string {
    const location = this.options.tables[table];
    if (!location)
      throw new Error(
        `table ${this.options.database}.${table} does not exist in the local catalog (known: ${Object.keys(this.options.tables).join(', ')})`,
      );
    return location.replace(/\/?$/, '/');
  }

  async listPartitions(table: string): Promise<TablePartition[]> {
    this.location(table);
    await this.queue;
    return readLocalPartitions(this.options.dir, this.options.database, table).map(({ symbol, dt }) =>
      symbol === undefined ? { dt } : { symbol, dt },
    );
  }

  addPartitions(table: string, partitions: readonly TablePartition[]): Promise<RegistrationOutcome> {
    const run = this.queue.then(() => this.add(table, partitions));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private add(table: string, partitions: readonly TablePartition[]): RegistrationOutcome {
    const location = this.location(table);
    const catalog: CatalogFile = existsSync(this.file) ? parse(this.file) : { tables: {} };
    const entry = (catalog.tables[table] ??= { location, partitions: [] });
    const known = new Set(entry.partitions.map(partitionId));
    const created: TablePartition[] = [];
    const existing: TablePartition[] = [];
    const createdAt = (this.options.now?.() ?? new Date()).toISOString();
    for (const p of partitions) {
      const id = partitionId(p);
      if (known.has(id)) {
        existing.push(p);
        continue;
      }
      known.add(id);
      entry.partitions.push({
        ...(p.symbol === undefined ? {} : { symbol: p.symbol }),
        dt: p.dt,
        location: `${location}${id}/`,
        createdAt,
      });
      created.push(p);
    }
    if (created.length > 0) {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(catalog, null, 1) + '\n');
      renameSync(tmp, this.file);
    }
    return { created, existing };
  }
}
