/**
 * Counts the SDK requests of the local functions by function, service and operation, as AWS would
 * bill them, with the requests only the local runtime makes (the DynamoDB stream capture's reads of
 * the items a write replaces: AWS's stream needs no request) counted apart.
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
}

export class RequestTally {
  private readonly counts = new Map<
    string,
    { caller: string; service: string; operation: string; aws: number; localOnly: number }
  >();

  /** Counts every request sent through the client's stack, retries of the SDK included, as `caller`. */
  attach<I extends object, O extends object>(stack: MiddlewareStack<I, O>, caller: string, service: string): void {
    const middleware: InitializeMiddleware<I, O> = (next, context) => (args) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const id = `${caller}\t${service}\t${operation}`;
      const count = this.counts.get(id) ?? { caller, service, operation, aws: 0, localOnly: 0 };
      if (localOnly.getStore()) count.localOnly++;
      else count.aws++;
      this.counts.set(id, count);
      return next(args);
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
  total(filter: { readonly service?: string; readonly caller?: string; readonly operation?: string } = {}): {
    aws: number;
    localOnly: number;
  } {
    let aws = 0;
    let localOnlyCount = 0;
    for (const c of this.counts.values()) {
      if (filter.service && c.service !== filter.service) continue;
      if (filter.caller && c.caller !== filter.caller) continue;
      if (filter.operation && c.operation !== filter.operation) continue;
      aws += c.aws;
      localOnlyCount += c.localOnly;
    }
    return { aws, localOnly: localOnlyCount };
  }
}
