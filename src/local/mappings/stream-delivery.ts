/**
 * What a Lambda event-source mapping does with one batch read from a stream shard (Kinesis or
 * DynamoDB Streams), shared by both local mappings. The rules are AWS's, for a mapping with
 * ReportBatchItemFailures on:
 *
 * - the handler returns `batchItemFailures`: the records before the first reported one (in stream
 *   order) are done; the batch is retried from that record. A retry counts against maxRetryAttempts.
 *   An identifier that is empty or not in the batch makes the whole batch fail (as AWS does);
 * - the handler throws (a function error): with bisectOnError the batch is split in two halves that
 *   are retried one after the other. Splitting does not count against maxRetryAttempts (AWS: "splitting
 *   a batch does not consume the retry quota"); a single record that keeps failing does;
 * - when a (sub-)batch has used its retries, its records are handed to `onFailure` (the on-failure
 *   destination) in one piece and the shard moves on. maxRetryAttempts -1 retries for ever.
 */
import { errorText } from '../../core/partial-batch';
import { STREAM_MAPPING_DEFAULTS } from '../../shared/stream-settings';

export type InvokeOutcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'partial'; readonly failedIds: readonly string[] }
  | { readonly kind: 'error'; readonly error: unknown };

export interface FailedBatch<R> {
  readonly records: readonly R[];
  /** Invocations of the function with (a batch containing) these records. */
  readonly attempts: number;
  /** 'function-error' when the handler threw, 'partial-failure' when it reported the records. */
  readonly cause: 'function-error' | 'partial-failure';
  readonly reason: string;
}

export interface DeliveryPolicy {
  /** @default 3, as the stack's event-source mappings */
  readonly maxRetryAttempts?: number;
  /** @default true */
  readonly bisectOnError?: boolean;
  /** Wait before retry n (1-based); @default 50 * 2^(n-1) ms, at most 2 s */
  readonly retryDelayMs?: (retry: number) => number;
}

export interface DeliveryPort<R> {
  readonly sequenceOf: (record: R) => string;
  readonly invoke: (records: readonly R[]) => Promise<InvokeOutcome>;
  readonly onFailure: (failed: FailedBatch<R>) => Promise<void>;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface DeliveryResult<R = unknown> {
  /** Records the function finished (not reported as failed, not in a failed batch). */
  readonly succeeded: number;
  /** The same records, each once, in stream order. */
  readonly succeededRecords: readonly R[];
  /** Records handed to the on-failure destination. */
  readonly failed: number;
  readonly invocations: number;
}

export const defaultRetryDelay = (retry: number): number => Math.min(2000, 50 * 2 ** (retry - 1));

/** Calls the handler and classifies its answer; a thrown error is an outcome, not an exception. */
export async function invokeHandler<R>(
  handler: (records: readonly R[]) => Promise<{ batchItemFailures?: readonly { itemIdentifier?: string }[] } | void | undefined>,
  records: readonly R[],
): Promise<InvokeOutcome> {
  try {
    const response = await handler(records);
    const failures = response?.batchItemFailures ?? [];
    if (failures.length === 0) return { kind: 'ok' };
    return { kind: 'partial', failedIds: failures.map((f) => f.itemIdentifier ?? '') };
  } catch (error) {
    return { kind: 'error', error };
  }
}

interface Pending<R> {
  readonly records: readonly R[];
  /** Retries already used by this (sub-)batch. */
  readonly retries: number;
}

/** Delivers one batch to completion: every record ends up done or handed to onFailure. */
export async function deliverBatch<R>(
  records: readonly R[],
  port: DeliveryPort<R>,
  policy: DeliveryPolicy = {},
): Promise<DeliveryResult<R>> {
  const maxRetries = policy.maxRetryAttempts ?? STREAM_MAPPING_DEFAULTS.retryAttempts;
  const bisect = policy.bisectOnError ?? true;
  const delay = policy.retryDelayMs ?? defaultRetryDelay;
  const sleep = port.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const queue: Pending<R>[] = records.length > 0 ? [{ records, retries: 0 }] : [];
  const succeeded: R[] = [];
  let failed = 0;
  let invocations = 0;

  const retryOrFail = async (pending: Pending<R>, cause: FailedBatch<R>['cause'], reason: string): Promise<void> => {
    if (maxRetries >= 0 && pending.retries >= maxRetries) {
      queue.shift();
      await port.onFailure({ records: pending.records, attempts: pending.retries + 1, cause, reason });
      failed += pending.records.length;
      return;
    }
    queue[0] = { records: pending.records, retries: pending.retries + 1 };
    const wait = delay(pending.retries + 1);
    if (wait > 0) await sleep(wait);
  };

  while (queue.length > 0) {
    const pending = queue[0]!;
    const outcome = await port.invoke(pending.records);
    invocations++;

    if (outcome.kind === 'ok') {
      queue.shift();
      succeeded.push(...pending.records);
      continue;
    }

    if (outcome.kind === 'partial') {
      const ids = pending.records.map(port.sequenceOf);
      const positions = outcome.failedIds.map((id) => (id === '' ? -1 : ids.indexOf(id)));
      if (!positions.includes(-1)) {
        const first = Math.min(...positions);
        succeeded.push(...pending.records.slice(0, first));
        const rest = { records: pending.records.slice(first), retries: pending.retries };
        queue[0] = rest;
        const reported = outcome.failedIds.length;
        await retryOrFail(
          rest,
          'partial-failure',
          `the function reported ${reported} failed record(s) in batchItemFailures, the first at sequence number ${ids[first]}`,
        );
        continue;
      }
      const bad = outcome.failedIds.find((id, k) => positions[k] === -1) ?? '';
      await retryOrFail(
        pending,
        'partial-failure',
        `the function reported batch item failure ${JSON.stringify(bad)}, which is not a sequence number of the batch, so the whole batch failed`,
      );
      continue;
    }

    const reason = `the function threw ${errorText(outcome.error)}`;
    if (bisect && pending.records.length > 1) {
      const half = Math.ceil(pending.records.length / 2);
      queue.splice(
        0,
        1,
        { records: pending.records.slice(0, half), retries: pending.retries },
        { records: pending.records.slice(half), retries: pending.retries },
      );
      continue;
    }
    await retryOrFail(pending, 'function-error', reason);
  }
  return { succeeded: succeeded.length, succeededRecords: succeeded, failed, invocations };
}
