/**
 * The outside world as the handlers see it. AWS adapters (src/adapters/aws) and local stand-ins
 * implement these; the handlers never know which one they have.
 */
import type { EnrichedTick } from './enrich';
import type { Alert, PricePoint, SignalState } from './signals';
import type { Tick } from './tick';
import { StockpipeError } from './errors';
import type { StoredTick } from './first-wins';

/** Writes ticks into the stream (Kinesis in AWS and locally). */
export interface TickSink {
  put(ticks: readonly Tick[]): Promise<void>;
}

/** The raw zone of the lake: one object per batch and trading day. */
export interface RawArchive {
  putObject(key: string, body: string): Promise<void>;
}

/** The processed-price table, keyed by symbol + timestamp. */
export interface PriceStore {
  /**
   * The stored ticks of these keys (a consistent read), by `priceKey`; a key with no item is absent.
   * Processing reads them before it archives or writes, so that the first tick of a key wins.
   */
  storedTicks(keys: readonly Pick<Tick, 'symbol' | 'timestamp'>[]): Promise<ReadonlyMap<string, StoredTick>>;
  /**
   * Idempotent: writing the same tick again leaves one item. Throws PriceWriteError naming the ticks
   * that could not be written (any other error: none is known to be written).
   */
  putTicks(ticks: readonly EnrichedTick[]): Promise<void>;
}

export const priceKey = (t: { symbol: string; timestamp: string }): string => `${t.symbol}\u0000${t.timestamp}`;

export class PriceWriteError extends StockpipeError {
  override readonly name = 'PriceWriteError';
  /** `unwritten`: for each symbol that failed, its tick that stayed unprocessed and every later one. */
  constructor(
    readonly unwritten: readonly EnrichedTick[],
    symbols = new Set(unwritten.map((t) => t.symbol)).size,
  ) {
    super(
      `${unwritten.length} price item(s) of ${symbols} symbol(s) not written: an item stayed unprocessed after retries ` +
        `(is the table throttling?) and the symbol's later ticks were held back behind it`,
    );
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

/**
 * One fold that moved a symbol's state on: its read of the price table had returned at `readAt`
 * (epoch ms), and it folded every tick up to `through`. A tick written after `readAt` with a timestamp
 * at or before `through` came too late to be folded in order.
 */
export interface FoldCheckpoint {
  readonly through: string;
  readonly readAt: number;
}

/** Ticks the fold could not use in order, by kind. */
export interface SkippedTicks {
  /** Written to the table after the fold had passed their timestamp. */
  readonly late: number;
  /** A second tick with a timestamp the symbol already had, with other values. */
  readonly duplicate: number;
}

/** A symbol's stored analysis state: the fold's state and what the analysis keeps to explain it. */
export interface SymbolAnalysisState {
  readonly state: SignalState;
  /** The timestamps of the last ticks folded, oldest first (a bounded number of them). */
  readonly recentTimestamps: readonly string[];
  /** The last folds that moved the state on, oldest first (a bounded number of them). */
  readonly checkpoints: readonly FoldCheckpoint[];
  /** Skipped ticks per UTC day of the tick (`YYYY-MM-DD`), for the last days. */
  readonly skipped: Readonly<Record<string, SkippedTicks>>;
}

export interface VersionedSignalState extends SymbolAnalysisState {
  /** 0 when the symbol has no stored state yet. */
  readonly version: number;
}

export interface SignalStateStore {
  load(symbol: string): Promise<VersionedSignalState>;
  /** The states of several symbols in as few requests as the store allows (one BatchGetItem per 100). */
  loadMany?(symbols: readonly string[]): Promise<Map<string, VersionedSignalState>>;
  /** Saves only if the stored version is still `expectedVersion`; returns false if someone else wrote first. */
  save(next: SymbolAnalysisState, expectedVersion: number): Promise<boolean>;
}

/**
 * The price table read back in time order. The analysis folds what the table holds, not the order
 * its stream records arrive in: DynamoDB Streams orders records per item, not per symbol.
 */
export interface PriceHistory {
  /** The symbol's ticks with a timestamp after `after` (all of them when null), oldest first. */
  ticksAfter(symbol: string, after: string | null): Promise<PricePoint[]>;
}

export type ClaimResult = 'claimed' | 'already-published';

/** Another invocation claimed the alert moments ago and may be publishing it now. */
export class AlertClaimHeld extends StockpipeError {
  override readonly name = 'AlertClaimHeld';
}

/**
 * Remembers which alerts were published, so a redelivered batch publishes nothing twice. A claim is a
 * lease: while one invocation holds it, another gets AlertClaimHeld (and retries later) instead of
 * publishing the same alert at the same time.
 */
export interface AlertLedger {
  /** Claims the alert for publishing; 'already-published' if it was. Throws AlertClaimHeld. */
  claim(alert: Alert): Promise<ClaimResult>;
  markPublished(alert: Alert): Promise<void>;
  /** Gives a claim back after a failed publish, so the retry need not wait for the lease to run out. */
  release(alert: Alert): Promise<void>;
}

/** An alert claimed for publishing and not marked published. */
export interface PendingAlert extends Alert {
  readonly claimedAt: string;
  /** Epoch ms until which the claim is held; 0 or absent when given back. */
  readonly leaseUntil?: number;
}

export interface AlertNotifier {
  publish(alert: Alert): Promise<void>;
  /**
   * Whether a message of this alert already went out, where the notifier can tell (the local outbox
   * can; SNS cannot, and leaves this out). Lets a stale PENDING alert be marked without a second send.
   */
  wasDelivered?(alert: Alert): Promise<boolean>;
}
