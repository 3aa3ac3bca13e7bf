/**
 * The skeleton both stream handlers share (what Powertools' BasePartialBatchProcessor is to its
 * handlers): the records that failed, why, and the `batchItemFailures` response built from them. A
 * failed record is retried by the event-source mapping; everything else counts as done.
 */
import type { DeadLetter, DeadLetterSink } from './ports';

export const errorText = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** Work on a record: the record itself and whatever the handler derived from it. */
export interface Entry<R> {
  readonly record: R;
}

export interface BatchResponse {
  readonly batchItemFailures: { itemIdentifier: string }[];
}

export class PartialBatch<R> {
  private readonly failed = new Set<R>();
  readonly errors: string[] = [];

  constructor(
    private readonly records: readonly R[],
    private readonly itemIdentifier: (record: R) => string,
  ) {}

  /** The entries' records are retried; the error is reported once. */
  fail(entries: readonly Entry<R>[], error: unknown): void {
    for (const { record } of entries) this.failed.add(record);
    this.errors.push(errorText(error));
  }

  /** Runs the work for the entries; if it throws, the entries fail with its error. */
  async attempt(entries: readonly Entry<R>[], work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (e) {
      this.fail(entries, e);
    }
  }

  /** Sends the entries' letters; if the queue refuses them, the entries fail instead. */
  async deadLetter(sink: DeadLetterSink, entries: readonly (Entry<R> & { readonly letter: DeadLetter })[]): Promise<void> {
    if (entries.length === 0) return;
    await this.attempt(entries, () => sink.send(entries.map((e) => e.letter)));
  }

  /** How many of the entries did not fail. */
  succeeded(entries: readonly Entry<R>[]): number {
    return entries.filter((e) => !this.failed.has(e.record)).length;
  }

  get failedCount(): number {
    return this.failed.size;
  }

  /** In batch order: a stream mapping retries from the lowest sequence number reported. */
  response(): BatchResponse {
    return {
      batchItemFailures: this.records.filter((r) => this.failed.has(r)).map((r) => ({ itemIdentifier: this.itemIdentifier(r) })),
    };
  }
}
