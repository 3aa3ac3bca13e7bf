/**
 * Data for the workflow tests, produced the way the pipeline produces it: ticks go through the real
 * processing handler (raw lake, price table, invalid-records queue) in Lambda-shaped Kinesis batches,
 * and the price items it wrote go through the real analysis handler (alert table) in Lambda-shaped
 * DynamoDB-stream batches. No lake file is written by hand.
 */
import { DynamoDbPriceHistory } from '../../src/adapters/aws/dynamodb-price-history';
import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAlertLedger } from '../../src/adapters/aws/dynamodb-alert-ledger';
import { DynamoDbPriceStore } from '../../src/adapters/aws/dynamodb-price-store';
import { DynamoDbSignalStateStore } from '../../src/adapters/aws/dynamodb-signal-state-store';
import { S3RawArchive } from '../../src/adapters/aws/s3-raw-archive';
import { SqsDeadLetterSink } from '../../src/adapters/aws/sqs-dead-letter-sink';
import { makeAnalysisHandler } from '../../src/analysis/analyse-batch';
import type { Alert } from '../../src/core/signals';
import type { Tick } from '../../src/core/tick';
import { toDynamoDbStreamRecord } from '../../src/local/mappings/dynamodb-events';
import { toKinesisStreamEvent } from '../../src/local/mappings/kinesis-events';
import type { LocalResources } from '../../src/local/emulators/provision';
import { makeProcessingHandler } from '../../src/processing/process-batch';
import type { AwsClients } from '../../src/shared/clients';
import { ATTR } from '../../src/shared/names';

export const SYMBOLS = ['AAPL', 'IBM', 'MSFT'] as const;
export const DAYS = ['2024-03-04', '2024-03-05'] as const;
const TICKS_PER_DAY = 60;

/** Minute ticks over two days; the prices swing so that SMA-5 crosses SMA-20 both ways, with a few >5% moves. */
export function makeTicks(): Tick[] {
  const ticks: Tick[] = [];
  SYMBOLS.forEach((symbol, s) => {
    const base = 100 + 50 * s;
    DAYS.forEach((day, d) => {
      const previousClose = base * (1 + 0.01 * d);
      for (let i = 0; i < TICKS_PER_DAY; i++) {
        const swing = Math.sin((i + 7 * s) / 6) * 0.03 + (i === 40 + s ? 0.04 : 0);
        const price = Math.round(previousClose * (1 + swing) * 100) / 100;
        const timestamp = new Date(Date.parse(`${day}T14:30:00.000Z`) + i * 60_000).toISOString();
        ticks.push({
          symbol,
          timestamp,
          price,
          open: previousClose,
          high: previousClose * 1.1,
          low: previousClose * 0.9,
          previous_close: previousClose,
          volume: 1000 + 10 * i + s,
          source: 'synthetic',
        });
      }
    });
  });
  return ticks;
}

export interface ProducedData {
  readonly ticks: readonly Tick[];
  readonly alerts: readonly Alert[];
  readonly deadLettered: number;
}

/** Sends ticks (and extra raw payloads) through the processing handler in batches of 50. */
export async function processPayloads(
  clients: AwsClients,
  resources: LocalResources,
  payloads: readonly string[],
  firstSequence: number,
): Promise<void> {
  const processing = makeProcessingHandler({
    archive: new S3RawArchive(clients.s3, resources.rawBucket),
    prices: new DynamoDbPriceStore(clients.documents, resources.priceTable, 30),
    invalidRecords: new SqsDeadLetterSink(clients.sqs, resources.invalidQueueUrl),
  });
  let sequence = firstSequence;
  const source = {
    streamArn: `arn:aws:kinesis:${resources.region}:${resources.accountId}:stream/${resources.streamName}`,
    shardId: 'shardId-000000000000',
    region: resources.region,
  };
  for (let i = 0; i < payloads.length; i += 50) {
    const records = payloads.slice(i, i + 50).map((data) => ({
      Data: Buffer.from(data),
      SequenceNumber: String(sequence++),
      PartitionKey: 'k',
      ApproximateArrivalTimestamp: new Date(),
    }));
    const response = await processing(toKinesisStreamEvent(source, records));
    if (response.batchItemFailures.length > 0)
      throw new Error(`processing failed records: ${JSON.stringify(response.batchItemFailures)}`);
  }
}

export async function producePipelineData(clients: AwsClients, resources: LocalResources): Promise<ProducedData> {
  const ticks = makeTicks();
  const payloads = ticks.map((t) => JSON.stringify(t));
  payloads.splice(17, 0, '{"symbol":"AAPL","price":"not a tick"}');
  await processPayloads(clients, resources, payloads, 1000);
  const deadLettered = payloads.length - ticks.length;

  const published: Alert[] = [];
  const analysis = makeAnalysisHandler({
    states: new DynamoDbSignalStateStore(clients.documents, resources.signalStateTable),
    history: new DynamoDbPriceHistory(clients.documents, resources.priceTable),
    ledger: new DynamoDbAlertLedger(clients.documents, resources.alertTable),
    notifier: { publish: async (alert) => void published.push(alert) },
    deadLetters: new SqsDeadLetterSink(clients.sqs, resources.analysisDlqUrl),
  });
  const tableArn = `arn:aws:dynamodb:${resources.region}:${resources.accountId}:table/${resources.priceTable}`;
  // The NEW_IMAGEs are the items the processing handler committed, read back from the table.
  const items: Record<string, unknown>[] = [];
  for (const symbol of SYMBOLS) {
    for await (const page of paginateQuery(
      { client: clients.documents },
      {
        TableName: resources.priceTable,
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': ATTR.symbol },
        ExpressionAttributeValues: { ':s': symbol },
      },
    )) {
      items.push(...(page.Items ?? []));
    }
  }
  if (items.length !== ticks.length) throw new Error(`price table holds ${items.length} items, expected ${ticks.length}`);
  for (let i = 0; i < items.length; i += 40) {
    const Records = items.slice(i, i + 40).map((item, j) =>
      toDynamoDbStreamRecord({
        tableArn,
        region: resources.region,
        eventName: 'INSERT',
        keyNames: [ATTR.symbol, ATTR.timestamp],
        item: { ...item },
        sequenceNumber: String(1_000_000 + i + j),
      }),
    );
    const response = await analysis({ Records });
    if (response.batchItemFailures.length > 0)
      throw new Error(`analysis failed records: ${JSON.stringify(response.batchItemFailures)}`);
  }
  return { ticks, alerts: published, deadLettered };
}
