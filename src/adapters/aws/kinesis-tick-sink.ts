/**
 * Writes ticks into a Kinesis stream with PutRecords: partition key = symbol (a symbol's ticks stay
 * in order on one shard), data = the tick as JSON. PutRecords is not atomic: it reports failures
 * per record, so only the failed records are sent again, with exponential backoff.
 */
import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import type { TickSink } from '../../core/ports';
import type { Tick } from '../../core/tick';
import { StockpipeError } from '../../core/errors';

/** PutRecords limits: 500 records and 5 MiB (data plus partition keys) per request. */
export const PUT_RECORDS_MAX_RECORDS = 500;
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;
/** One record's limit: 1 MiB of data plus partition key (kinesalite checks the data alone). */
export const KINESIS_MAX_RECORD_BYTES = 1024 * 1024;

export interface KinesisTickSinkOptions {
  readonly streamName: string;
  /** PutRecords calls per batch, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** Wait before the first re-send; doubles each time. @default 100 */
  readonly baseDelayMs?: number;
  /** @default 2000 */
  readonly maxDelayMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Some records could not be written after every attempt. */
export class KinesisPutError extends StockpipeError {
  override readonly name = 'KinesisPutError';

  constructor(
    readonly failedCount: number,
    readonly totalCount: number,
    readonly errorCodes: Readonly<Record<string, number>>,
    streamName: string,
    attempts: number,
  ) {
    const codes = Object.entries(errorCodes)
      .map(([code, n]) => `${code} x${n}`)
      .join(', ');
    super(
      `could not write ${failedCount} of ${totalCount} ticks of a PutRecords request to Kinesis stream ${streamName} after ${attempts} attempts; last error codes: ${codes}`,
    );
  }
}

/** A tick whose record would be over Kinesis's 1 MiB limit: AWS refuses the whole request for it. */
export class KinesisRecordTooLargeError extends StockpipeError {
  override readonly name = 'KinesisRecordTooLargeError';

  constructor(
    readonly symbol: string,
    readonly timestamp: string,
    readonly bytes: number,
    streamName: string,
  ) {
    super(
      `the tick of ${symbol.slice(0, 50)} at ${timestamp.slice(0, 50)} takes ${bytes} bytes (data plus partition key), over the ${KINESIS_MAX_RECORD_BYTES}-byte limit of a Kinesis record; nothing of this batch was written to stream ${streamName}`,
    );
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const entrySize = (e: PutRecordsRequestEntry): number =>
  (e.Data?.byteLength ?? 0) + Buffer.byteLength(e.PartitionKey ?? '', 'utf8');

/** Splits entries into requests within the record and byte limits, keeping their order. */
export function chunkEntries(entries: readonly PutRecordsRequestEntry[]): PutRecordsRequestEntry[][] {
  const chunks: PutRecordsRequestEntry[][] = [];
  let current: PutRecordsRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (current.length > 0 && (current.length === PUT_RECORDS_MAX_RECORDS || bytes + size > PUT_RECORDS_MAX_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export class KinesisTickSink implements TickSink {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly options: KinesisTickSinkOptions,
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 2000;
    this.sleep = options.sleep ?? defaultSleep;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new RangeError(`maxAttempts ${this.maxAttempts} must be a whole number of at least 1`);
    }
  }

  async put(ticks: readonly Tick[]): Promise<void> {
    const entries = ticks.map((tick): PutRecordsRequestEntry => ({
      PartitionKey: tick.symbol,
      Data: Buffer.from(JSON.stringify(tick), 'utf8'),
    }));
    // Checked before anything is sent, so a refused tick leaves no half-written batch.
    entries.forEach((entry, i) => {
      const size = entrySize(entry);
      if (size > KINESIS_MAX_RECORD_BYTES) {
        throw new KinesisRecordTooLargeError(ticks[i]!.symbol, ticks[i]!.timestamp, size, this.options.streamName);
      }
    });
    for (const chunk of chunkEntries(entries)) await this.putChunk(chunk);
  }

  private async putChunk(entries: PutRecordsRequestEntry[]): Promise<void> {
    let pending = entries;
    let lastCodes: Record<string, number> = {};
    for (let attempt = 1; attempt <= this.maxAttempts; attempt += 1) {
      if (attempt > 1) {
        // No jitter: one producer per stream, so there is no herd of retries to spread out.
        await this.sleep(Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 2)));
      }
      // Whole-request failures (throttling of the call, network) are retried by the SDK itself and
      // surface here only once it gave up.
      const response = await this.kinesis.send(new PutRecordsCommand({ StreamName: this.options.streamName, Records: pending }));
      const results = response.Records ?? [];
      if (results.length !== pending.length) {
        throw new Error(
          `Kinesis PutRecords answered ${results.length} results for ${pending.length} records on stream ${this.options.streamName}; cannot tell which were written`,
        );
      }
      // Each result says for itself whether its record failed; FailedRecordCount only sums them up.
      const failed: PutRecordsRequestEntry[] = [];
      lastCodes = {};
      results.forEach((result, k) => {
        if (result.ErrorCode) {
          failed.push(pending[k]!);
          lastCodes[result.ErrorCode] = (lastCodes[result.ErrorCode] ?? 0) + 1;
        }
      });
      if (failed.length === 0) return;
      pending = failed;
    }
    throw new KinesisPutError(pending.length, entries.length, lastCodes, this.options.streamName, this.maxAttempts);
  }
}
