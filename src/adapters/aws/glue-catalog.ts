/**
 * The Glue Data Catalog as a PartitionCatalog. A new partition gets its table's storage descriptor
 * (SerDe, formats, columns) with its own location, so Athena reads it exactly like the table;
 * BatchCreatePartition reports an existing partition per entry, which counts as registered.
 */
import {
  BatchCreatePartitionCommand,
  GetTableCommand,
  paginateGetPartitions,
  type GlueClient,
  type StorageDescriptor,
} from '@aws-sdk/client-glue';
import { partitionPath, type TablePartition } from '../../core/lake';
import { PartitionRegistrationError, type PartitionCatalog, type RegistrationOutcome } from '../../core/ports-lake';

/** BatchCreatePartition accepts at most 100 partitions per call. */
const BATCH = 100;

interface TableShape {
  readonly descriptor: StorageDescriptor;
  /** Order of the partition keys: ['symbol', 'dt'] (curated) or ['dt'] (raw). */
  readonly keys: readonly string[];
}

export class GlueCatalog implements PartitionCatalog {
  private readonly shapes = new Map<string, Promise<TableShape>>();

  constructor(
    private readonly glue: GlueClient,
    private readonly database: string,
  ) {}

  async listPartitions(table: string): Promise<TablePartition[]> {
    const { keys } = await this.shape(table);
    const partitions: TablePartition[] = [];
    for await (const page of paginateGetPartitions(
      { client: this.glue },
      { DatabaseName: this.database, TableName: table, ExcludeColumnSchema: true },
    )) {
      for (const p of page.Partitions ?? []) {
        const values = p.Values ?? [];
        const dt = values[keys.indexOf('dt')];
        if (dt === undefined) continue;
        if (!keys.includes('symbol')) partitions.push({ dt });
        else {
          const symbol = values[keys.indexOf('symbol')];
          if (symbol !== undefined) partitions.push({ symbol, dt });
        }
      }
    }
    return partitions;
  }

  async addPartitions(table: string, partitions: readonly TablePartition[]): Promise<RegistrationOutcome> {
    const { descriptor, keys } = await this.shape(table);
    const base = (descriptor.Location ?? '').replace(/\/?$/, '/');
    const created: TablePartition[] = [];
    const existing: TablePartition[] = [];
    const failures: { partition: TablePartition; code: string; message: string }[] = [];
    for (let i = 0; i < partitions.length; i += BATCH) {
      const chunk = partitions.slice(i, i + BATCH);
      const valuesOf = (p: TablePartition) =>
        keys.map((k) => {
          const value = k === 'symbol' ? p.symbol : p.dt;
          if (value === undefined) throw new Error(`partition dt=${p.dt} of Glue table ${this.database}.${table} has no ${k}`);
          return value;
        });
      const out = await this.glue.send(
        new BatchCreatePartitionCommand({
          DatabaseName: this.database,
          TableName: table,
          PartitionInputList: chunk.map((p) => ({
            Values: valuesOf(p),
            StorageDescriptor: { ...descriptor, Location: partitionPath(base, p) },
          })),
        }),
      );
      const failed = new Map<string, { code: string; message: string }>();
      for (const e of out.Errors ?? []) {
        failed.set(JSON.stringify(e.PartitionValues ?? []), {
          code: e.ErrorDetail?.ErrorCode ?? 'UnknownError',
          message: e.ErrorDetail?.ErrorMessage ?? '',
        });
      }
      for (const p of chunk) {
        const error = failed.get(JSON.stringify(valuesOf(p)));
        if (!error) created.push(p);
        else if (error.code === 'AlreadyExistsException') existing.push(p);
        else failures.push({ partition: p, ...error });
      }
    }
    if (failures.length > 0) throw new PartitionRegistrationError(table, failures);
    return { created, existing };
  }

  private shape(table: string): Promise<TableShape> {
    let shape = this.shapes.get(table);
    if (!shape) {
      shape = this.glue.send(new GetTableCommand({ DatabaseName: this.database, Name: table })).then((out) => {
        const descriptor = out.Table?.StorageDescriptor;
        if (!descriptor?.Location) throw new Error(`Glue table ${this.database}.${table} has no storage location`);
        const keys = (out.Table?.PartitionKeys ?? []).map((k) => k.Name ?? '');
        if (!keys.includes('dt') || keys.some((k) => k !== 'dt' && k !== 'symbol')) {
          throw new Error(
            `Glue table ${this.database}.${table} is not partitioned by dt (and symbol) (partition keys: ${keys.join(', ') || 'none'})`,
          );
        }
        return { descriptor, keys };
      });
      shape.catch(() => this.shapes.delete(table));
      this.shapes.set(table, shape);
    }
    return shape;
  }
}
