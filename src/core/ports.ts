/**
 * The outside world as the handlers see it. AWS adapters (src/adapters/aws) and local stand-ins
 * implement these; the handlers never know which one they have.
 */
import type { EnrichedTick } from './enrich';
import type { Alert, SignalState } from './signals';
import type { Tick } from './tick';
import { StockpipeError } from './errors';

/** Writes ticks into the stream (Kinesis in AWS and locally). */
export interface TickSink {
  put(ticks: readonly Tick[]): Promise<void>;
}

/** The raw zone of the lake: one object per batch and partition. */
export interface RawArchive {
  putObject(key: string, body: string): Promise<void>;
}

/** The processed-price table, keyed by symbol + timestamp. */
export interface PriceStore {
  /**
   * Idempotent: writing the same tick again leaves one item. Throws PriceWriteError naming the ticks
   * that could not be written (any other error: none is known to be written).
   */
  putTicks(ticks: readonly EnrichedTick[]): Promise<void>;
}

export const priceKey = (t: { symbol: string; timestamp: string }): string => `${t.symbol}\u0000${t.timestamp}`;

export class PriceWriteError extends StockpipeError {
  override readonly name = 'PriceWriteError';
  constructor(readonly unwritten: readonly EnrichedTick[]) {
    super(`${unwritten.length} price item(s) stayed unprocessed after retries (is the table throttling?)`);
  }
}

/** What a dead-letter queue receives: the record as it came, why it was refused, where it came from. */
export interface DeadLetter {
  readonly reason: string;
  readonly payload: string;
  readonly source: Readonly<Record<string, string>>;
  readonly rejection?: { readonly field: string; readonly value: string; readonly reason: string };
}

export interface DeadLetterSink {
  send(letters: readonly DeadLetter[]): Promise<void>;
}

export interface VersionedSignalState {
  readonly state: SignalState;
  /** 0 when the symbol has no stored state yet. */
  readonly version: number;
}

export interface SignalStateStore {
  load(symbol: string): Promise<VersionedSignalState>;
  /** Saves only if the stored version is still `expectedVersion`; returns false if someone else wrote first. */
  save(state: SignalState, expectedVersion: number): Promise<boolean>;
}

/** Remembers which alerts were published, so a redelivered batch publishes nothing twice. */
export interface AlertLedger {
  /** Claims the alert for publishing; false if it was already published. */
  claim(alert: Alert): Promise<boolean>;
  markPublished(alert: Alert): Promise<void>;
}

export interface AlertNotifier {
  publish(alert: Alert): Promise<void>;
}
