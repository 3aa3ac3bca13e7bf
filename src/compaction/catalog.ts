/** The table catalog (Glue in AWS, a local file offline) as the maintenance workflow uses it. */
import type { Partition } from '../core/lake';

export interface RegistrationOutcome {
  readonly created: readonly Partition[];
  /** Already registered: not an error, so that registering is idempotent. */
  readonly existing: readonly Partition[];
}

export interface PartitionCatalog {
  listPartitions(table: string): Promise<Partition[]>;
  addPartitions(table: string, partitions: readonly Partition[]): Promise<RegistrationOutcome>;
}

export const partitionId = (p: Partition): string => `symbol=${p.symbol}/dt=${p.dt}`;

/** Partitions that failed to register for a reason other than already existing. */
export class PartitionRegistrationError extends Error {
  override readonly name = 'PartitionRegistrationError';
  constructor(
    readonly table: string,
    readonly failures: readonly { partition: Partition; code: string; message: string }[],
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
