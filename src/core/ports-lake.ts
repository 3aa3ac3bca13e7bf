/** The lake as the maintenance and report workflows see it: its objects and its table catalog. */
import { StockpipeError } from './errors';
import { encodePartitionValue, type TablePartition } from './lake';

export interface LakeObject {
  readonly key: string;
  readonly etag: string;
  readonly size: number;
  /** ISO time. */
  readonly lastModified: string;
}

export interface PutOptions {
  readonly contentType: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** The lake bucket (S3 in AWS, s3rver locally). */
export interface LakeObjects {
  /** Every object under the prefix, in key order. */
  list(prefix: string): Promise<LakeObject[]>;
  getText(key: string): Promise<string>;
  put(key: string, body: Uint8Array | string, options: PutOptions): Promise<void>;
  /** The object's user metadata; undefined when there is no such object. */
  metadata(key: string): Promise<Record<string, string> | undefined>;
}

export interface RegistrationOutcome {
  readonly created: readonly TablePartition[];
  /** Already registered: not an error, so that registering is idempotent. */
  readonly existing: readonly TablePartition[];
}

/** The table catalog (Glue in AWS, a local file offline). */
export interface PartitionCatalog {
  /** The table's partitions: `{ dt }` for the raw table, `{ symbol, dt }` for the curated table. */
  listPartitions(table: string): Promise<TablePartition[]>;
  addPartitions(table: string, partitions: readonly TablePartition[]): Promise<RegistrationOutcome>;
}

/** `symbol=<S>/dt=<D>`, or `dt=<D>`: the partition's folder under its table's location. */
export const partitionId = (p: TablePartition): string =>
  p.symbol === undefined ? `dt=${p.dt}` : `symbol=${encodePartitionValue(p.symbol)}/dt=${p.dt}`;

/** Partitions that failed to register for a reason other than already existing. */
export class PartitionRegistrationError extends StockpipeError {
  override readonly name = 'PartitionRegistrationError';
  constructor(
    readonly table: string,
    readonly failures: readonly { partition: TablePartition; code: string; message: string }[],
  ) {
    super(
      `${failures.length} partition(s) of table ${table} could not be registered: ` +
        failures
          .slice(0, 5)
          .map((f) => `${partitionId(f.partition)}: ${f.code} ${f.message}`)
          .join('; ') +
        (failures.length > 5 ? `; and ${failures.length - 5} more` : ''),
    );
  }
}
