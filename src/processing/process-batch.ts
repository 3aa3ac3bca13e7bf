/**
 * Processing of one Kinesis batch: validate and enrich each tick, archive the raw ticks (one object per
 * trading day the batch touches, every symbol in it), write processed items, dead-letter invalid records with their reason. A record that hit
 * a transient failure is reported in batchItemFailures so the event-source mapping retries from it;
 * an invalid record is dead-lettered and never fails the batch.
 */
import { createHash } from 'node:crypto';
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { enrich, tradingDay, type EnrichedTick } from '../core/enrich';
import { splitFirstWins } from '../core/first-wins';
import { rawObjectKey, toNdjson } from '../core/lake';
import { PartialBatch } from '../core/partial-batch';
import { priceKey, PriceWriteError, type DeadLetter, type DeadLetterSink, type PriceStore, type RawArchive } from '../core/ports';
import { checkNotAhead, DEFAULT_MAX_AHEAD_MS, describeRejection, parseTick, type Tick } from '../core/tick';

export interface ProcessingDeps {
  readonly archive: RawArchive;
  readonly prices: PriceStore;
  readonly invalidRecords: DeadLetterSink;
  /** The processing clock, in epoch ms. @default Date.now */
  readonly now?: () => number;
  /** How far ahead of `now` a tick may be stamped; further is an invalid record. @default DEFAULT_MAX_AHEAD_MS (5 minutes) */
  readonly maxAheadMs?: number;
  /** Told about every outcome; Powertools metrics and logs in the Lambda, counters locally. */
  readonly observe?: (outcome: ProcessingOutcome) => void;
}

export interface ProcessingOutcome {
  readonly records: number;
  readonly processed: number;
  readonly deadLettered: number;
  readonly failed: number;
  readonly objectsWritten: number;
  /** Of `processed`: ticks already stored as they are (a redelivered batch, a repeated quote), so not written again. */
  readonly alreadyStored: number;
  readonly errors: readonly string[];
}

interface ValidRecord {
  readonly record: KinesisStreamRecord;
  readonly tick: Tick;
  readonly enriched: EnrichedTick;
}

const shardOf = (record: KinesisStreamRecord): string => record.eventID.split(':')[0] ?? 'unknown-shard';

const deadLetterOf = (record: KinesisStreamRecord, payload: string, rejection: DeadLetter['rejection'] & object): DeadLetter => ({
  reason: describeRejection(rejection),
  payload,
  rejection,
  source: {
    kind: 'kinesis',
    eventSourceARN: record.eventSourceARN,
    shardId: shardOf(record),
    sequenceNumber: record.kinesis.sequenceNumber,
    partitionKey: record.kinesis.partitionKey,
  },
});

/**
 * The archived records to write, in stream order, stopping each symbol at its first record that did
 * not archive. Lambda retries from the first reported record: a symbol's later ticks written now would
 * be folded before the retried one, which then arrives older than the symbol's last tick and is lost.
 * The held-back records are reported too, so the retry brings them again, after it.
 */
function inStreamOrderUpToFirstFailure(
  valid: readonly ValidRecord[],
  archivedSet: ReadonlySet<ValidRecord>,
  batch: PartialBatch<KinesisStreamRecord>,
): ValidRecord[] {
  const blocked = new Set<string>();
  const toWrite: ValidRecord[] = [];
  const heldBack: ValidRecord[] = [];
  for (const v of valid) {
    if (!archivedSet.has(v)) blocked.add(v.tick.symbol);
    else if (blocked.has(v.tick.symbol)) heldBack.push(v);
    else toWrite.push(v);
  }
  if (heldBack.length > 0) {
    const symbols = [...new Set(heldBack.map((v) => v.tick.symbol))].join(', ');
    batch.fail(
      heldBack,
      new Error(`${heldBack.length} tick(s) of ${symbols} held back behind an earlier tick of theirs that was not archived`),
    );
  }
  return toWrite;
}

export function makeProcessingHandler(deps: ProcessingDeps) {
  const now = deps.now ?? Date.now;
  const maxAheadMs = deps.maxAheadMs ?? DEFAULT_MAX_AHEAD_MS;
  if (!Number.isFinite(maxAheadMs) || maxAheadMs < 0) {
    throw new RangeError(`maxAheadMs ${maxAheadMs} must be a number of milliseconds of at least 0`);
  }
  return async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
    const records = event.Records;
    const valid: ValidRecord[] = [];
    const invalid: { record: KinesisStreamRecord; letter: DeadLetter }[] = [];
    const nowMs = now();
    for (const record of records) {
      const payload = Buffer.from(record.kinesis.data, 'base64').toString('utf8');
      const parsed = parseTick(payload);
      const ahead = parsed.ok ? checkNotAhead(parsed.value, nowMs, maxAheadMs) : undefined;
      if (!parsed.ok) invalid.push({ record, letter: deadLetterOf(record, payload, parsed.error) });
      else if (ahead) invalid.push({ record, letter: deadLetterOf(record, payload, ahead) });
      else valid.push({ record, tick: parsed.value, enriched: enrich(parsed.value) });
    }

    const batch = new PartialBatch(records, (r) => r.kinesis.sequenceNumber);

    // First wins (core/first-wins.ts): a tick already stored is not archived or written again, so a
    // redelivered batch is a no-op (no stream record, no second raw row); a different tick of a
    // stored key is an invalid record.
    let fresh: readonly ValidRecord[] = [];
    let alreadyStored = 0;
    const conflicting = new Set<ValidRecord>();
    if (valid.length > 0)
      await batch.attempt(valid, async () => {
        const stored = await deps.prices.storedTicks(valid.map((v) => v.tick));
        const split = splitFirstWins(valid, (v) => v.tick, stored);
        fresh = split.fresh;
        alreadyStored = split.repeats.length;
        for (const { item, rejection } of split.conflicts) {
          conflicting.add(item);
          invalid.push({
            record: item.record,
            letter: deadLetterOf(item.record, Buffer.from(item.record.kinesis.data, 'base64').toString('utf8'), rejection),
          });
        }
      });
    await batch.deadLetter(deps.invalidRecords, invalid);

    // The object's name: the batch's shard and first sequence number, and a digest of the ticks it
    // holds. A retry of the same records overwrites its own object; a redelivery that holds fewer
    // (some were stored meanwhile, so they are not archived again) writes another object rather than
    // overwriting one that holds ticks it lacks. The raw zone may so hold a tick twice, never lose one.
    const first = records[0];
    const digest = createHash('sha256')
      .update(fresh.map((v) => v.record.kinesis.sequenceNumber).join(','))
      .digest('hex')
      .slice(0, 8);
    // One object per day, not per symbol: a batch is one PUT (two when it spans midnight).
    const partitions = new Map<string, ValidRecord[]>();
    for (const v of fresh) {
      const key = first
        ? rawObjectKey(tradingDay(v.tick.timestamp), shardOf(first), `${first.kinesis.sequenceNumber}-${digest}`)
        : '';
      const group = partitions.get(key);
      if (group) group.push(v);
      else partitions.set(key, [v]);
    }

    let objectsWritten = 0;
    const archivedSet = new Set<ValidRecord>();
    await Promise.all(
      [...partitions].map(([key, group]) =>
        batch.attempt(group, async () => {
          await deps.archive.putObject(key, toNdjson(group.map((g) => g.tick)));
          objectsWritten++;
          for (const g of group) archivedSet.add(g);
        }),
      ),
    );
    // The PUTs complete in any order; the prices go out in stream order, so that a symbol's ticks
    // reach the table (and its stream, and the analysis) in the order Kinesis kept them.
    const archived = inStreamOrderUpToFirstFailure(fresh, archivedSet, batch);

    if (archived.length > 0) {
      try {
        await deps.prices.putTicks(archived.map((a) => a.enriched));
      } catch (e) {
        const unwritten = e instanceof PriceWriteError ? new Set(e.unwritten.map(priceKey)) : undefined;
        batch.fail(unwritten ? archived.filter((a) => unwritten.has(priceKey(a.tick))) : archived, e);
      }
    }

    const outcome: ProcessingOutcome = {
      records: records.length,
      processed: batch.succeeded(valid.filter((v) => !conflicting.has(v))),
      deadLettered: batch.succeeded(invalid),
      failed: batch.failedCount,
      objectsWritten,
      alreadyStored,
      errors: batch.errors,
    };
    deps.observe?.(outcome);
    return batch.response();
  };
}
