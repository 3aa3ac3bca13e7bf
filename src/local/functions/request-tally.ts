/**
 * Counts the SDK requests of the local functions by function, service and operation, as AWS would
 * bill them, with the requests only the local runtime makes (the DynamoDB stream capture's reads of
 * the items a write replaces: AWS's stream needs no request) counted apart. DynamoDB requests also
 * carry the capacity units the emulator says they consumed (on-demand DynamoDB bills units, not
 * calls): the middleware asks for `ReturnConsumedCapacity: 'TOTAL'` where the caller did not.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { InitializeMiddleware, MiddlewareStack } from '@smithy/types';

const localOnly = new AsyncLocalStorage<true>();

/** Runs `work`; the SDK requests it sends are counted as local-only. */
export const asLocalOnlyRequests = <T>(work: () => Promise<T>): Promise<T> => localOnly.run(true, work);

export interface RequestCount {
  /** e.g. `processing`, `analysis`, `producer`. */
  readonly caller: string;
  /** e.g. `S3`, `DynamoDB`. */
  readonly service: string;
  /** e.g. `PutObject`. */
  readonly operation: string;
  /** Requests AWS would receive for the same work. */
  readonly aws: number;
  /** Requests only the local runtime makes. */
  readonly localOnly: number;
  /** DynamoDB capacity units of the AWS-equivalent requests (read or write units, by operation). */
  readonly awsUnits: number;
  /** DynamoDB capacity units of the local-only requests. */
  readonly localOnlyUnits: number;
}

const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const WRITE_OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/** Whether a DynamoDB operation bills read units, write units, or neither (control plane). */
export const capacityKindOf = (operation: string): 'read' | 'write' | undefined =>
  READ_OPERATIONS.has(operation) ? 'read' : WRITE_OPERATIONS.has(operation) ? 'write' : undefined;

interface ConsumedCapacity {
  readonly CapacityUnits?: number;
}

/**
 * The units of one response. A read costs at least one unit (half if eventually consistent) even
 * when it finds nothing, as DynamoDB bills it; the emulator reports 0 for an empty Query.
 */
function unitsOf(
  kind: 'read' | 'write',
  consistentRead: boolean,
  consumed: ConsumedCapacity | readonly ConsumedCapacity[] | undefined,
): number {
  const reported = [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
  if (kind === 'write') return reported;
  return Math.max(reported, consistentRead ? 1 : 0.5);
}

export class RequestTally {
  private readonly counts = new Map<string, { -readonly [K in keyof RequestCount]: RequestCount[K] }>();

  /** Counts every request sent through the client's stack, retries of the SDK included, as `caller`. */
  attach<I extends object, O extends object>(stack: MiddlewareStack<I, O>, caller: string, service: string): void {
    const middleware: InitializeMiddleware<I, O> = (next, context) => async (args) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const id = `${caller}\t${service}\t${operation}`;
      const count = this.counts.get(id) ?? { caller, service, operation, aws: 0, localOnly: 0, awsUnits: 0, localOnlyUnits: 0 };
      const isLocalOnly = localOnly.getStore() === true;
      if (isLocalOnly) count.localOnly++;
      else count.aws++;
      this.counts.set(id, count);
      const kind = service === 'DynamoDB' ? capacityKindOf(operation) : undefined;
      if (!kind) return next(args);
      const input = args.input as { ReturnConsumedCapacity?: string; ConsistentRead?: boolean };
      const measured =
        input.ReturnConsumedCapacity === undefined
          ? { ...args, input: { ...args.input, ReturnConsumedCapacity: 'TOTAL' } }
          : args;
      const result = await next(measured);
      const output = result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] };
      // A BatchGetItem's consistency is per table; ours are all consistent or all not.
      const consistent = input.ConsistentRead ?? consistencyOfBatch(args.input) ?? false;
      const units = unitsOf(kind, consistent, output.ConsumedCapacity);
      if (isLocalOnly) count.localOnlyUnits += units;
      else count.awsUnits += units;
      return result;
    };
    stack.add(middleware, { step: 'initialize', name: `stockpipeRequestTally-${caller}`, override: true });
  }

  /** Every count, by caller, service and operation. */
  list(): RequestCount[] {
    return [...this.counts.values()]
      .map((c) => ({ ...c }))
      .sort((a, b) => (`${a.caller}${a.service}${a.operation}` < `${b.caller}${b.service}${b.operation}` ? -1 : 1));
  }

  /** Requests of one service (and caller), AWS-equivalent and local-only. */
  total(filter: CountFilter = {}): { aws: number; localOnly: number } {
    const matching = this.matching(filter);
    return { aws: sumOf(matching, (c) => c.aws), localOnly: sumOf(matching, (c) => c.localOnly) };
  }

  /** Capacity units of the DynamoDB requests that bill `kind`, AWS-equivalent and local-only. */
  units(kind: 'read' | 'write', filter: Omit<CountFilter, 'service'> = {}): { aws: number; localOnly: number } {
    const matching = this.matching({ ...filter, service: 'DynamoDB' }).filter((c) => capacityKindOf(c.operation) === kind);
    return { aws: sumOf(matching, (c) => c.awsUnits), localOnly: sumOf(matching, (c) => c.localOnlyUnits) };
  }

  private matching(filter: CountFilter): RequestCount[] {
    return [...this.counts.values()].filter(
      (c) =>
        (!filter.service || c.service === filter.service) &&
        (!filter.caller || c.caller === filter.caller) &&
        (!filter.operation || c.operation === filter.operation),
    );
  }
}

interface CountFilter {
  readonly service?: string;
  readonly caller?: string;
  readonly operation?: string;
}

const sumOf = (counts: readonly RequestCount[], value: (c: RequestCount) => number): number =>
  counts.reduce((sum, c) => sum + value(c), 0);

const consistencyOfBatch = (input: object): boolean | undefined => {
  const tables = (input as { RequestItems?: Record<string, { ConsistentRead?: boolean }> }).RequestItems;
  if (!tables) return undefined;
  return Object.values(tables).some((t) => t.ConsistentRead === true);
};
