/**
 * The local event-source mapping of a LocalDynamoDbStream: one loop per shard takes the shard's
 * records in order, gathers a batch (batchSize, batching window), invokes the function with a
 * Lambda-shaped DynamoDBStreamEvent and applies the same failure rules as the Kinesis mapping
 * (stream-delivery.ts); a batch that used its retries goes to the on-failure destination as a
 * DDBStreamBatchInfo record.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { LocalDynamoDbStream, StreamShard } from '../emulators/dynamodb-stream';
import type { EventSourceStats } from './kinesis-event-source';
import { buildOnFailureRecord, type OnFailureDestination } from './on-failure';
import { Sleeper, waitUntil } from '../schedule/sleeper';
import { deliverBatch, invokeHandler, type DeliveryPolicy, type DeliveryResult } from './stream-delivery';
import { STREAM_MAPPING_DEFAULTS } from '../../shared/stream-settings';

export interface DynamoDbEventSourceOptions {
  readonly stream: LocalDynamoDbStream;
  readonly handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
  readonly functionArn: string;
  readonly onFailure: OnFailureDestination;
  /** @default 100 */
  readonly batchSize?: number;
  /** @default 0 */
  readonly batchingWindowMs?: number;
  readonly policy?: DeliveryPolicy;
  readonly onBatch?: (shardId: string, result: DeliveryResult<DynamoDBRecord>) => void;
  readonly onError?: (error: unknown, shardId: string) => void;
}

const arrivalOf = (r: DynamoDBRecord): string => new Date((r.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000).toISOString();

export class DynamoDbEventSource {
  readonly stats: EventSourceStats = { read: 0, succeeded: 0, failed: 0, invocations: 0 };
  /** Waits for records and batching windows; woken by appends. */
  private readonly sleeper = new Sleeper();
  /** Waits between retries; woken only by stop(), so appends do not cut a backoff short. */
  private readonly retrySleeper = new Sleeper();
  private readonly delivering = new Set<string>();
  private readonly loops: Promise<void>[] = [];
  private stopping = false;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: DynamoDbEventSourceOptions) {}

  start(): void {
    // An append wakes the loops; the window, not the append, decides when a batch goes.
    this.unsubscribe = this.options.stream.onAppend(() => this.sleeper.wakeAll());
    for (const shard of this.options.stream.shards) this.loops.push(this.run(shard));
  }

  private async run(shard: StreamShard): Promise<void> {
    const batchSize = this.options.batchSize ?? STREAM_MAPPING_DEFAULTS.batchSize;
    const windowMs = this.options.batchingWindowMs ?? 0;
    let windowStart: number | undefined;
    for (;;) {
      if (shard.records.length === 0) {
        windowStart = undefined;
        if (this.stopping) return;
        await this.sleeper.sleep(1000);
        continue;
      }
      windowStart ??= Date.now();
      const windowLeft = windowStart + windowMs - Date.now();
      if (shard.records.length < batchSize && windowLeft > 0 && !this.stopping) {
        await this.sleeper.sleep(windowLeft);
        continue;
      }
      const batch = shard.records.slice(0, batchSize);
      this.delivering.add(shard.shardId);
      try {
        if (await this.deliver(shard.shardId, batch)) {
          shard.records.splice(0, batch.length);
          try {
            this.options.stream.delivered(batch);
          } catch (error) {
            // Delivered all the same; after a restart the journal hands the batch over again, and
            // the analysis takes what it already folded as already folded.
            this.options.onError?.(error, shard.shardId);
          }
        } else if (this.stopping) return;
      } finally {
        this.delivering.delete(shard.shardId);
      }
      windowStart = shard.records.length > 0 ? Date.now() : undefined;
    }
  }

  /** True once every record of the batch is done or dead-lettered; false if the mapping itself failed. */
  private async deliver(shardId: string, batch: DynamoDBRecord[]): Promise<boolean> {
    const o = this.options;
    try {
      const result = await deliverBatch(
        batch,
        {
          sequenceOf: (r) => r.dynamodb?.SequenceNumber ?? '',
          invoke: (records) => invokeHandler((rs) => o.handler({ Records: [...rs] }), records),
          onFailure: async (failed) => {
            const first = failed.records[0]!;
            const last = failed.records[failed.records.length - 1]!;
            await o.onFailure(
              buildOnFailureRecord(
                'dynamodb',
                o.functionArn,
                {
                  shardId,
                  startSequenceNumber: first.dynamodb?.SequenceNumber ?? '',
                  endSequenceNumber: last.dynamodb?.SequenceNumber ?? '',
                  approximateArrivalOfFirstRecord: arrivalOf(first),
                  approximateArrivalOfLastRecord: arrivalOf(last),
                  batchSize: failed.records.length,
                  streamArn: o.stream.streamArn,
                },
                failed,
              ),
            );
          },
          sleep: (ms) => this.retrySleeper.sleep(ms),
        },
        o.policy,
      );
      this.stats.read += batch.length;
      this.stats.succeeded += result.succeeded;
      this.stats.failed += result.failed;
      this.stats.invocations += result.invocations;
      o.onBatch?.(shardId, result);
      return true;
    } catch (error) {
      o.onError?.(error, shardId);
      if (!this.stopping) await this.retrySleeper.sleep(1000);
      return false;
    }
  }

  /** Resolves once every record appended before the call (and after, while waiting) is delivered. */
  /** Waits until the stream holds nothing undelivered; gives up only after `timeoutMs` without progress. */
  async drain(timeoutMs = 60_000): Promise<void> {
    await waitUntil(
      () => this.options.stream.pending() === 0 && this.delivering.size === 0,
      timeoutMs,
      () =>
        `the DynamoDB stream of ${this.options.stream.tableName} was not drained: nothing delivered for ${timeoutMs} ms (${this.options.stream.pending()} records pending)`,
      10,
      () => this.stats.read,
    );
  }

  /** Delivers what is on the shards (without waiting for the window), then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeper.wakeAll();
    this.retrySleeper.wakeAll();
    await Promise.all(this.loops);
    this.unsubscribe?.();
  }
}
