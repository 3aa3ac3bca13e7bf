/**
 * Analysis of one DynamoDB-stream batch: per symbol, load the indicator state once, fold the new ticks,
 * publish each new crossover exactly once, save the state conditionally. Records it cannot use go to
 * its DLQ with the reason; a symbol whose work failed has its records reported for retry.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { errorText, PartialBatch } from '../core/partial-batch';
import type { AlertLedger, AlertNotifier, DeadLetter, DeadLetterSink, SignalStateStore } from '../core/ports';
import { parsePriceItem } from '../core/price-item';
import { foldSignals, type Alert, type PricePoint } from '../core/signals';
import { describeRejection } from '../core/tick';

export interface AnalysisDeps {
  readonly states: SignalStateStore;
  readonly ledger: AlertLedger;
  readonly notifier: AlertNotifier;
  readonly deadLetters: DeadLetterSink;
  readonly observe?: (outcome: AnalysisOutcome) => void;
}

export interface AnalysisOutcome {
  readonly records: number;
  readonly folded: number;
  readonly skipped: number;
  readonly deadLettered: number;
  readonly failed: number;
  readonly alertsPublished: readonly Alert[];
  readonly errors: readonly string[];
}

/** How often a symbol's fold is redone when another writer saved its state first. */
const MAX_STATE_CONFLICTS = 3;

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

export function makeAnalysisHandler(deps: AnalysisDeps) {
  const publishOnce = async (alert: Alert): Promise<boolean> => {
    if (!(await deps.ledger.claim(alert))) return false;
    await deps.notifier.publish(alert);
    await deps.ledger.markPublished(alert);
    return true;
  };

  const analyseSymbol = async (symbol: string, points: readonly PricePoint[]): Promise<Alert[]> => {
    const published: Alert[] = [];
    for (let attempt = 1; ; attempt++) {
      const { state, version } = await deps.states.load(symbol);
      const folded = foldSignals(state, points);
      // Alerts go out before the state moves on: if publishing fails, the retry folds the same ticks again.
      for (const alert of folded.alerts) if (await publishOnce(alert)) published.push(alert);
      if (await deps.states.save(folded.state, version)) return published;
      if (attempt >= MAX_STATE_CONFLICTS) {
        throw new Error(`indicator state of ${symbol} kept changing under us (${attempt} conflicting saves)`);
      }
    }
  };

  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const records = event.Records;
    const bySymbol = new Map<string, { record: DynamoDBRecord; point: PricePoint }[]>();
    const unusable: { record: DynamoDBRecord; letter: DeadLetter }[] = [];
    let skipped = 0;

    for (const record of records) {
      // Only new ticks move the indicators; the AWS event filter passes INSERT only, the local stream all.
      if (record.eventName !== 'INSERT') {
        skipped++;
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
      let item: unknown;
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
      const point = parsed.value;
      bySymbol.set(point.symbol, [...(bySymbol.get(point.symbol) ?? []), { record, point }]);
    }

    const batch = new PartialBatch(records, (r) => r.dynamodb?.SequenceNumber ?? '');
    await batch.deadLetter(deps.deadLetters, unusable);

    const alertsPublished: Alert[] = [];
    await Promise.all(
      [...bySymbol].map(([symbol, group]) =>
        batch.attempt(group, async () => {
          alertsPublished.push(
            ...(await analyseSymbol(
              symbol,
              group.map((g) => g.point),
            )),
          );
        }),
      ),
    );

    deps.observe?.({
      records: records.length,
      folded: batch.succeeded([...bySymbol.values()].flat()),
      skipped,
      deadLettered: batch.succeeded(unusable),
      failed: batch.failedCount,
      alertsPublished,
      errors: batch.errors,
    });
    return batch.response();
  };
}
