/**
 * The local Kinesis event-source mapping: what Lambda does between a stream and a function, done
 * with real GetShardIterator/GetRecords calls against the Kinesis stand-in. Each shard is read in
 * order by its own loop; records are gathered into a batch until it is full (batchSize, or 6 MB)
 * or the batching window has passed since its first record; the function gets a Lambda-shaped
 * KinesisStreamEvent; failures follow AWS's rules (see stream-delivery.ts) and a batch that used its
 * retries goes to the on-failure destination as a KinesisBatchInfo record. The checkpoint (last
 * finished sequence number per shard) can be kept on disk so a restart resumes where it stopped.
 */
import {
  DescribeStreamSummaryCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type GetShardIteratorCommandInput,
  type KinesisClient,
  type _Record,
} from '@aws-sdk/client-kinesis';
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { toKinesisStreamRecord } from './kinesis-events';
import { buildOnFailureRecord, type OnFailureDestination } from './on-failure';
import { Sleeper, waitUntil } from '../schedule/sleeper';
import { deliverBatch, invokeHandler, type DeliveryPolicy, type DeliveryResult } from './stream-delivery';
import type { CheckpointStore } from './checkpoints';
import { STREAM_MAPPING_DEFAULTS } from '../../shared/stream-settings';

/** Lambda's limit on the payload of one invocation. */
const MAX_BATCH_BYTES = 6 * 1024 * 1024;

export interface KinesisEventSourceOptions {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  readonly handler: (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse | void>;
  readonly functionArn: string;
  readonly onFailure: OnFailureDestination;
  /** @default 100, as the stack */
  readonly batchSize?: number;
  /** MaximumBatchingWindowInSeconds, in ms. @default 0 */
  readonly batchingWindowMs?: number;
  readonly policy?: DeliveryPolicy;
  /**
   * Pause after a GetRecords that returned nothing; it doubles while the shard stays empty, up to
   * maxPollIntervalMs. AWS polls each shard about once a second. @default 25
   */
  readonly pollIntervalMs?: number;
  /** @default 250 */
  readonly maxPollIntervalMs?: number;
  /** Where to start a shard that has no checkpoint. @default 'TRIM_HORIZON' */
  readonly startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  readonly checkpoints?: CheckpointStore;
  /** Told about every finished batch. */
  readonly onBatch?: (
    shardId: string,
    result: DeliveryResult<KinesisStreamRecord>,
    batch: readonly KinesisStreamRecord[],
  ) => void;
  /** Told about errors of the mapping itself (reading the stream, the destination); it keeps going. */
  readonly onError?: (error: unknown, shardId: string) => void;
}

export interface EventSourceStats {
  read: number;
  succeeded: number;
  failed: number;
  invocations: number;
}

const recordBytes = (r: _Record): number => (r.Data?.byteLength ?? 0) + Buffer.byteLength(r.PartitionKey ?? '');

class ShardReader {
  private iterator: string | undefined;
  private buffer: _Record[] = [];
  private bufferBytes = 0;
  private windowStart: number | undefined;
  /** Last sequence number put in the buffer: where to resume after an expired iterator. */
  private lastRead: string | undefined;
  polls = 0;
  idleAfterPoll = 0;
  closed = false;

  constructor(
    private readonly source: KinesisEventSource,
    readonly shardId: string,
    private readonly streamArn: string,
    private readonly region: string,
  ) {}

  private async freshIterator(): Promise<string | undefined> {
    const o = this.source.options;
    const after = this.lastRead ?? o.checkpoints?.get(this.shardId);
    const input: GetShardIteratorCommandInput = after
      ? {
          StreamName: o.streamName,
          ShardId: this.shardId,
          ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
          StartingSequenceNumber: after,
        }
      : { StreamName: o.streamName, ShardId: this.shardId, ShardIteratorType: o.startingPosition ?? 'TRIM_HORIZON' };
    return (await o.kinesis.send(new GetShardIteratorCommand(input))).ShardIterator;
  }

  async run(): Promise<void> {
    const o = this.source.options;
    const batchSize = o.batchSize ?? STREAM_MAPPING_DEFAULTS.batchSize;
    const windowMs = o.batchingWindowMs ?? 0;
    const pollMs = o.pollIntervalMs ?? STREAM_MAPPING_DEFAULTS.localPollIntervalMs;
    const maxPollMs = Math.max(pollMs, o.maxPollIntervalMs ?? STREAM_MAPPING_DEFAULTS.localMaxPollIntervalMs);
    let emptyPolls = 0;
    while (!this.source.stopping) {
      const poll = ++this.polls;
      let records: _Record[];
      try {
        this.iterator ??= await this.freshIterator();
        if (!this.iterator) break;
        const out = await o.kinesis.send(new GetRecordsCommand({ ShardIterator: this.iterator, Limit: batchSize }));
        records = out.Records ?? [];
        this.iterator = out.NextShardIterator;
      } catch (error) {
        this.iterator = undefined;
        if (!(error instanceof ExpiredIteratorException)) {
          o.onError?.(error, this.shardId);
          await this.source.sleeper.sleep(pollMs * 10);
        }
        continue;
      }
      for (const r of records) {
        this.buffer.push(r);
        this.bufferBytes += recordBytes(r);
        this.lastRead = r.SequenceNumber;
      }
      if (this.buffer.length > 0) this.windowStart ??= Date.now();
      const shardEnded = this.iterator === undefined;
      await this.deliverReady(batchSize, windowMs, shardEnded);
      if (records.length === 0 && this.buffer.length === 0) this.idleAfterPoll = poll;
      if (shardEnded) {
        this.closed = true;
        await this.source.discoverShards();
        return;
      }
      emptyPolls = records.length === 0 ? emptyPolls + 1 : 0;
      if (records.length < batchSize) {
        const idle = Math.min(maxPollMs, pollMs * 2 ** Math.max(0, emptyPolls - 1));
        const windowLeft = this.windowStart === undefined ? idle : Math.max(1, this.windowStart + windowMs - Date.now());
        await this.source.pollSleeper.sleep(Math.min(idle, windowLeft));
      }
    }
    // Stopping: what was read is delivered before the reader ends, so nothing read is dropped.
    await this.deliverReady(batchSize, windowMs, true);
  }

  private async deliverReady(batchSize: number, windowMs: number, all: boolean): Promise<void> {
    for (;;) {
      const full = this.buffer.length >= batchSize || this.bufferBytes >= MAX_BATCH_BYTES;
      const windowUp = this.windowStart !== undefined && Date.now() - this.windowStart >= windowMs;
      if (this.buffer.length === 0 || !(full || windowUp || all)) return;
      let count = 0;
      let bytes = 0;
      while (count < this.buffer.length && count < batchSize && bytes + recordBytes(this.buffer[count]!) <= MAX_BATCH_BYTES) {
        bytes += recordBytes(this.buffer[count]!);
        count++;
      }
      const batch = this.buffer.slice(0, Math.max(1, count));
      await this.deliver(batch);
      this.buffer = this.buffer.slice(batch.length);
      this.bufferBytes -= batch.reduce((n, r) => n + recordBytes(r), 0);
      this.windowStart = this.buffer.length > 0 ? Date.now() : undefined;
    }
  }

  /** Retries the whole delivery if the mapping itself fails (e.g. the destination is down), never skipping. */
  private async deliver(batch: _Record[]): Promise<void> {
    const o = this.source.options;
    const events = batch.map((r) =>
      toKinesisStreamRecord({ streamArn: this.streamArn, shardId: this.shardId, region: this.region }, r),
    );
    for (;;) {
      try {
        const result = await deliverBatch(
          events,
          {
            sequenceOf: (r) => r.kinesis.sequenceNumber,
            invoke: (records) => invokeHandler((rs) => o.handler({ Records: [...rs] }), records),
            onFailure: async (failed) => {
              const first = failed.records[0]!;
              const last = failed.records[failed.records.length - 1]!;
              const arrival = (r: KinesisStreamRecord) => new Date(r.kinesis.approximateArrivalTimestamp * 1000).toISOString();
              await o.onFailure(
                buildOnFailureRecord(
                  'kinesis',
                  o.functionArn,
                  {
                    shardId: this.shardId,
                    startSequenceNumber: first.kinesis.sequenceNumber,
                    endSequenceNumber: last.kinesis.sequenceNumber,
                    approximateArrivalOfFirstRecord: arrival(first),
                    approximateArrivalOfLastRecord: arrival(last),
                    batchSize: failed.records.length,
                    streamArn: this.streamArn,
                  },
                  failed,
                ),
              );
            },
            sleep: (ms) => this.source.sleeper.sleep(ms),
          },
          o.policy,
        );
        const stats = this.source.stats;
        stats.read += batch.length;
        stats.succeeded += result.succeeded;
        stats.failed += result.failed;
        stats.invocations += result.invocations;
        try {
          o.checkpoints?.set(this.shardId, batch[batch.length - 1]!.SequenceNumber!);
        } catch (error) {
          // The batch is done; only a restart needs the checkpoint, and a restart that lacks it
          // delivers the batch again, which processing takes as already stored (first wins).
          o.onError?.(new Error(`checkpoint not saved (${(error as Error).message})`, { cause: error }), this.shardId);
        }
        o.onBatch?.(this.shardId, result, events);
        return;
      } catch (error) {
        o.onError?.(error, this.shardId);
        // Not checkpointed: a persisted stream delivers the batch again after a restart.
        if (this.source.stopping) return;
        await this.source.sleeper.sleep(1000);
      }
    }
  }
}

export class KinesisEventSource {
  readonly stats: EventSourceStats = { read: 0, succeeded: 0, failed: 0, invocations: 0 };
  readonly sleeper = new Sleeper();
  /** The wait between polls of an idle shard (or for a window): cut short by nudge(), retries are not. */
  readonly pollSleeper = new Sleeper();
  stopping = false;
  private readonly readers = new Map<string, ShardReader>();
  private readonly running: Promise<void>[] = [];
  private streamArn = '';
  private region = '';

  constructor(readonly options: KinesisEventSourceOptions) {}

  async start(): Promise<void> {
    const o = this.options;
    const summary = await o.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: o.streamName }));
    this.streamArn = summary.StreamDescriptionSummary?.StreamARN ?? '';
    this.region = await o.kinesis.config.region();
    await this.discoverShards();
  }

  /** Starts a reader for every shard not read yet (new shards appear when a stream is resharded). */
  async discoverShards(): Promise<void> {
    if (this.stopping) return;
    const shards = (await this.options.kinesis.send(new ListShardsCommand({ StreamName: this.options.streamName }))).Shards ?? [];
    for (const shard of shards) {
      const id = shard.ShardId!;
      if (this.readers.has(id)) continue;
      const reader = new ShardReader(this, id, this.streamArn, this.region);
      this.readers.set(id, reader);
      this.running.push(reader.run());
    }
  }

  /** Resolves once every record in the stream when it was called has been delivered. */
  /** Waits until every shard is read to its end; gives up only after `timeoutMs` without a record read. */
  async drain(timeoutMs = 60_000): Promise<void> {
    const marks = new Map([...this.readers].map(([id, r]) => [id, r.polls]));
    await waitUntil(
      () => [...this.readers].every(([id, r]) => r.closed || r.idleAfterPoll > (marks.get(id) ?? 0)),
      timeoutMs,
      () =>
        `the Kinesis stream ${this.options.streamName} was not drained: no record read for ${timeoutMs} ms (${this.stats.read} records read so far)`,
      10,
      () => this.stats.read,
    );
  }

  /**
   * Records were just put: poll now instead of after the idle backoff. The local producer shares the
   * process with this mapping and says so after each PutRecords; AWS's poller reads each shard about
   * once a second instead, so this shortens only the local tick-to-alert time, not the contract.
   */
  nudge(): void {
    this.pollSleeper.wakeAll();
  }

  /** Stops reading; what was already read is delivered first. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeper.wakeAll();
    this.pollSleeper.wakeAll();
    await Promise.all(this.running);
  }
}
