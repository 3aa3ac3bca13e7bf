/**
 * Analysis of one DynamoDB-stream batch. The stream says which symbols have new ticks; the ticks
 * themselves are read back from the price table in timestamp order (`PriceHistory`), because DynamoDB
 * Streams orders records per item (symbol + timestamp), not per symbol. Processing commits a symbol's
 * ticks one after the other (dynamodb-price-store.ts), so when a tick is in the table every earlier
 * tick of its symbol is too: the fold never passes a tick that is yet to come, and a batch that went
 * to the DLQ leaves no gap (the next batch of the symbol folds its ticks from the table).
 *
 * Per symbol: load the state once, fold the table's ticks after the state's last one, publish each new
 * crossover exactly once, save the state conditionally. A tick written after the fold had passed its
 * timestamp (a late tick) and a second tick with a timestamp the symbol already had (a duplicate) are
 * not folded: they are counted by kind, per day, in the symbol's state, in the outcome and the logs.
 * Records it cannot read go to its DLQ with the reason; a symbol whose work failed is retried.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { errorText, PartialBatch } from '../core/partial-batch';
import type {
  AlertLedger,
  AlertNotifier,
  DeadLetter,
  DeadLetterSink,
  PriceHistory,
  SignalStateStore,
  SkippedTicks,
  SymbolAnalysisState,
  VersionedSignalState,
} from '../core/ports';
import { parsePriceItem, TICK_FIELDS, writtenAtOf } from '../core/price-item';
import { foldSignals, type Alert, type PricePoint } from '../core/signals';
import { describeRejection } from '../core/tick';

export interface AnalysisDeps {
  readonly states: SignalStateStore;
  readonly history: PriceHistory;
  readonly ledger: AlertLedger;
  readonly notifier: AlertNotifier;
  readonly deadLetters: DeadLetterSink;
  /** @default Date.now */
  readonly now?: () => number;
  readonly observe?: (outcome: AnalysisOutcome) => void;
}

/** A tick the fold did not use, as the outcome and the logs name it. */
export interface SkippedTick {
  readonly kind: keyof SkippedTicks;
  readonly symbol: string;
  readonly timestamp: string;
}

export interface AnalysisOutcome {
  readonly records: number;
  /** New-tick records of symbols whose analysis finished, late ones excepted. */
  readonly folded: number;
  /** Records that carry no new tick: rewrites of a tick with the same values, TTL removals. */
  readonly skipped: number;
  readonly late: number;
  readonly duplicates: number;
  readonly skippedTicks: readonly SkippedTick[];
  readonly deadLettered: number;
  readonly failed: number;
  readonly alertsPublished: readonly Alert[];
  readonly errors: readonly string[];
}

/** How often a symbol's fold is redone when another writer saved its state first. */
const MAX_STATE_CONFLICTS = 3;
/** Folded timestamps remembered per symbol: within their span, a tick not among them is late, exactly. */
export const MAX_RECENT_TIMESTAMPS = 64;
/** Folds remembered per symbol to tell a late tick older than that span by the clocks. */
export const MAX_CHECKPOINTS = 32;
/** Days of skipped-tick counts kept per symbol (the daily report reads the day's). */
export const SKIPPED_DAYS_KEPT = 40;

const deadLetterOf = (record: DynamoDBRecord, reason: string, rejection?: DeadLetter['rejection']): DeadLetter => ({
  reason,
  payload: JSON.stringify(record.dynamodb ?? {}),
  ...(rejection ? { rejection } : {}),
  source: {
    kind: 'dynamodb-stream',
    eventSourceARN: record.eventSourceARN ?? '',
    eventName: record.eventName ?? '',
    sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
  },
});

interface NewTick {
  readonly record: DynamoDBRecord;
  readonly point: PricePoint;
  readonly writtenAt: number | null;
}

interface SymbolWork {
  readonly ticks: NewTick[];
  readonly duplicates: { readonly record: DynamoDBRecord; readonly timestamp: string }[];
}

/**
 * Whether a tick at or before the state's last timestamp came too late to be folded. Folds run in
 * timestamp order, so within the span of the remembered folded timestamps the answer is exact: folded
 * if it is among them, late if not. Older than that span (a record delivered long after, e.g. from a
 * DLQ), the clocks decide: late if it was written after the read of a fold that had passed it. An
 * unknown write time, or no fold remembered that passed it, counts as late.
 */
export function isLate(
  known: Pick<SymbolAnalysisState, 'recentTimestamps' | 'checkpoints'>,
  timestamp: string,
  writtenAt: number | null,
): boolean {
  const recent = known.recentTimestamps;
  if (recent.includes(timestamp)) return false;
  if (recent.length > 0 && timestamp >= recent[0]!) return true;
  if (writtenAt === null) return true;
  const passed = known.checkpoints.filter((c) => c.through >= timestamp);
  return passed.length === 0 || passed.some((c) => writtenAt > c.readAt);
}

const addSkipped = (
  counts: Readonly<Record<string, SkippedTicks>>,
  skipped: readonly SkippedTick[],
): Record<string, SkippedTicks> => {
  const next: Record<string, SkippedTicks> = { ...counts };
  for (const s of skipped) {
    const day = s.timestamp.slice(0, 10);
    const was = next[day] ?? { late: 0, duplicate: 0 };
    next[day] = { ...was, [s.kind]: was[s.kind] + 1 };
  }
  const days = Object.keys(next).sort();
  for (const day of days.slice(0, Math.max(0, days.length - SKIPPED_DAYS_KEPT))) delete next[day];
  return next;
};

/** Same key, other values: a second tick for a timestamp the symbol had (not a rewrite of the same one). */
const isDuplicate = (oldImage: Record<string, unknown>, newImage: Record<string, unknown>): boolean =>
  TICK_FIELDS.some((f) => oldImage[f] !== newImage[f]);

export function makeAnalysisHandler(deps: AnalysisDeps) {
  const now = deps.now ?? Date.now;

  const publishOnce = async (alert: Alert): Promise<boolean> => {
    if ((await deps.ledger.claim(alert)) === 'already-published') return false;
    try {
      await deps.notifier.publish(alert);
    } catch (e) {
      // Give the claim back so the retry can publish at once; if that fails too, the lease runs out.
      await deps.ledger.release(alert).catch(() => undefined);
      throw e;
    }
    await deps.ledger.markPublished(alert);
    return true;
  };

  const analyseSymbol = async (symbol: string, work: SymbolWork, preloaded: VersionedSignalState | undefined) => {
    for (let attempt = 1; ; attempt++) {
      // A conflicting save means someone else moved the state: load it again, alone.
      const loaded = attempt === 1 && preloaded ? preloaded : await deps.states.load(symbol);
      const after = loaded.state.lastTimestamp;
      const fromTable = await deps.history.ticksAfter(symbol, after);
      // Taken once the read has returned: a tick written after it cannot be in the read.
      const readAt = now();
      // The batch's own ticks as well, should the table not show one yet; the fold drops repeats.
      const fresh = work.ticks.filter((t) => after === null || t.point.timestamp > after).map((t) => t.point);
      const folded = foldSignals(loaded.state, [...fromTable, ...fresh]);
      const skipped: SkippedTick[] = [
        ...work.ticks
          .filter((t) => after !== null && t.point.timestamp <= after && isLate(loaded, t.point.timestamp, t.writtenAt))
          .map((t) => ({ kind: 'late' as const, symbol, timestamp: t.point.timestamp })),
        ...work.duplicates.map((d) => ({ kind: 'duplicate' as const, symbol, timestamp: d.timestamp })),
      ];

      // Alerts go out before the state moves on: if publishing fails, the retry folds the same ticks again.
      const published: Alert[] = [];
      for (const alert of folded.alerts) if (await publishOnce(alert)) published.push(alert);

      const through = folded.state.lastTimestamp;
      const moved = through !== null && through !== after;
      if (!moved && skipped.length === 0) return { published, skipped };
      const checkpoints = moved ? [...loaded.checkpoints, { through, readAt }].slice(-MAX_CHECKPOINTS) : loaded.checkpoints;
      const foldedNow = [...new Set([...fromTable, ...fresh].map((p) => p.timestamp))].filter(
        (ts) => after === null || ts > after,
      );
      const recentTimestamps = [...loaded.recentTimestamps, ...foldedNow.sort()].slice(-MAX_RECENT_TIMESTAMPS);
      const saved = await deps.states.save(
        { state: folded.state, recentTimestamps, checkpoints, skipped: addSkipped(loaded.skipped, skipped) },
        loaded.version,
      );
      if (saved) return { published, skipped };
      if (attempt >= MAX_STATE_CONFLICTS) {
        throw new Error(`indicator state of ${symbol} kept changing under us (${attempt} conflicting saves)`);
      }
    }
  };

  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const records = event.Records;
    const bySymbol = new Map<string, SymbolWork>();
    const workOf = (symbol: string): SymbolWork => {
      let work = bySymbol.get(symbol);
      if (!work) bySymbol.set(symbol, (work = { ticks: [], duplicates: [] }));
      return work;
    };
    const unusable: { record: DynamoDBRecord; letter: DeadLetter }[] = [];
    let skipped = 0;

    for (const record of records) {
      if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') {
        skipped++; // REMOVE: the table's TTL expired a tick.
        continue;
      }
      const image = record.dynamodb?.NewImage;
      if (!image) {
        unusable.push({
          record,
          letter: deadLetterOf(record, 'stream record has no NewImage: the stream view type must include NEW_IMAGE'),
        });
        continue;
      }
      let item: Record<string, unknown>;
      try {
        item = unmarshall(image as Record<string, AttributeValue>);
      } catch (e) {
        unusable.push({ record, letter: deadLetterOf(record, `NewImage is not a DynamoDB item (${errorText(e)})`) });
        continue;
      }
      const parsed = parsePriceItem(item);
      if (!parsed.ok) {
        unusable.push({ record, letter: deadLetterOf(record, describeRejection(parsed.error), parsed.error) });
        continue;
      }
      const point = { symbol: parsed.value.symbol, timestamp: parsed.value.timestamp, price: parsed.value.price };
      if (record.eventName === 'INSERT') {
        workOf(point.symbol).ticks.push({ record, point, writtenAt: writtenAtOf(item) });
        continue;
      }
      // MODIFY: a rewrite of the same tick (a retried batch) changes nothing; other values are a duplicate.
      const oldImage = record.dynamodb?.OldImage;
      if (oldImage && isDuplicate(unmarshall(oldImage as Record<string, AttributeValue>), item)) {
        workOf(point.symbol).duplicates.push({ record, timestamp: point.timestamp });
      } else skipped++;
    }

    const batch = new PartialBatch(records, (r) => r.dynamodb?.SequenceNumber ?? '');
    await batch.deadLetter(deps.deadLetters, unusable);

    const alertsPublished: Alert[] = [];
    const skippedTicks: SkippedTick[] = [];
    const entriesOf = (w: SymbolWork) => [...w.ticks, ...w.duplicates];
    // The batch's states in one request; should it fail, each symbol loads its own (and fails alone).
    const preloaded =
      deps.states.loadMany && bySymbol.size > 1
        ? await deps.states.loadMany([...bySymbol.keys()]).catch(() => undefined)
        : undefined;
    await Promise.all(
      [...bySymbol].map(([symbol, work]) =>
        batch.attempt(entriesOf(work), async () => {
          const result = await analyseSymbol(symbol, work, preloaded?.get(symbol));
          alertsPublished.push(...result.published);
          skippedTicks.push(...result.skipped);
        }),
      ),
    );

    const late = skippedTicks.filter((s) => s.kind === 'late').length;
    deps.observe?.({
      records: records.length,
      folded: batch.succeeded([...bySymbol.values()].flatMap((w) => w.ticks)) - late,
      skipped,
      late,
      duplicates: skippedTicks.length - late,
      skippedTicks,
      deadLettered: batch.succeeded(unusable),
      failed: batch.failedCount,
      alertsPublished,
      errors: batch.errors,
    });
    return batch.response();
  };
}
