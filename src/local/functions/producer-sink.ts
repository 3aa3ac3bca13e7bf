/** The producer's Kinesis sink as the local runtime uses it: counted, and timed for tick-to-alert latency. */
import { KinesisTickSink } from '../../adapters/aws/kinesis-tick-sink';
import { priceKey, type TickSink } from '../../core/ports';
import type { Alert } from '../../core/signals';
import type { Tick } from '../../core/tick';
import type { KinesisClient } from '@aws-sdk/client-kinesis';

/** When each tick was written, to measure how long its alert took; only kept when asked for. */
export class LatencyTracker {
  private readonly written = new Map<string, number>();
  private readonly samples: number[] = [];

  wrote(ticks: readonly Tick[], at: number = performance.now()): void {
    for (const tick of ticks) this.written.set(priceKey(tick), at);
  }

  alerted(alert: Alert, at: number = performance.now()): void {
    const start = this.written.get(priceKey(alert));
    if (start !== undefined) this.samples.push(at - start);
  }

  /** Percentiles (nearest rank) of the tick-to-alert times, in ms. */
  summary(): { count: number; p50Ms: number; p99Ms: number } | undefined {
    if (this.samples.length === 0) return undefined;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
    return { count: sorted.length, p50Ms: rank(50), p99Ms: rank(99) };
  }
}

export class CountingTickSink implements TickSink {
  private readonly inner: KinesisTickSink;

  constructor(
    kinesis: KinesisClient,
    streamName: string,
    /** `startedAt`: performance.now() when the put began. */
    private readonly onWritten: (ticks: readonly Tick[], startedAt: number) => void,
  ) {
    this.inner = new KinesisTickSink(kinesis, { streamName });
  }

  async put(ticks: readonly Tick[]): Promise<void> {
    const startedAt = performance.now();
    await this.inner.put(ticks);
    this.onWritten(ticks, startedAt);
  }
}
