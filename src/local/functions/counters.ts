/** What the local pipeline counts, and the client middleware that counts SDK calls for it. */
import type { BuildMiddleware, MiddlewareStack } from '@smithy/types';

export interface PipelineCounters {
  /** Samples the producer wrote (empty samples of an exhausted replay are not written). */
  readonly samples: number;
  /** Ticks the producer wrote to the stream. */
  readonly produced: number;
  /** Rows of a replayed CSV refused before the stream, sent to the invalid-records queue. */
  readonly rejectedAtSource: number;
  /** Ticks the processing function stored (each counted once, whatever the retries). */
  readonly processed: number;
  /** Records the processing function dead-lettered as invalid. */
  readonly invalid: number;
  /** Records the Kinesis mapping gave up on and reported to the processing DLQ. */
  readonly processingFailed: number;
  /** rejectedAtSource + invalid + processingFailed: every record in that did not become a stored tick. */
  readonly deadLettered: number;
  /** DynamoDB stream records emitted by the price table's writes. */
  readonly streamRecords: number;
  /** Stream records the analysis function finished. */
  readonly analysed: number;
  /** Stream records the analysis mapping gave up on (analysis DLQ). */
  readonly analysisFailed: number;
  readonly alerts: number;
  /** Ticks the analysis could not fold in order: written after it had passed their time. */
  readonly lateTicks: number;
  /** Second ticks for a timestamp a symbol already had, with other values. */
  readonly duplicateTicks: number;
  /** Raw objects the processing function wrote to the lake. */
  readonly s3Objects: number;
  /** PutObject requests sent by the processing function. */
  readonly s3Puts: number;
  /** Items read from DynamoDB by the analysis function (GetItem, BatchGetItem keys, Query, Scan). */
  readonly analysisReads: number;
}

export type MutableCounters = { -readonly [K in keyof PipelineCounters]: PipelineCounters[K] };

export const zeroCounters = (): MutableCounters => ({
  samples: 0,
  produced: 0,
  rejectedAtSource: 0,
  processed: 0,
  invalid: 0,
  processingFailed: 0,
  deadLettered: 0,
  streamRecords: 0,
  analysed: 0,
  analysisFailed: 0,
  alerts: 0,
  lateTicks: 0,
  duplicateTicks: 0,
  s3Objects: 0,
  s3Puts: 0,
  analysisReads: 0,
});

/** Calls `count` for every successful command of the client, with its name and input. */
export function countCommands<I extends object, O extends object>(
  stack: MiddlewareStack<I, O>,
  name: string,
  count: (command: string, input: Record<string, unknown>) => void,
): void {
  const middleware: BuildMiddleware<I, O> = (next, context) => async (args) => {
    const result = await next(args);
    count(context.commandName ?? '', args.input as Record<string, unknown>);
    return result;
  };
  stack.add(middleware, { step: 'build', name, override: true });
}

/** Items a read request returns at most: what "DynamoDB reads" counts. */
export function dynamoDbReads(command: string, input: Record<string, unknown>): number {
  switch (command) {
    case 'GetItemCommand':
    case 'QueryCommand':
    case 'ScanCommand':
      return 1;
    case 'BatchGetItemCommand':
      return Object.values((input.RequestItems ?? {}) as Record<string, { Keys?: unknown[] }>).reduce(
        (n, r) => n + (r.Keys?.length ?? 0),
        0,
      );
    default:
      return 0;
  }
}
