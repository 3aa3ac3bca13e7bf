/**
 * The price table's local DynamoDB stream: in memory, or journaled under the data dir with `persist`,
 * in which case what an earlier run left undelivered (or wrote and did not journal) is recovered at start.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { rmSync } from 'node:fs';
import type { AwsClients } from '../../shared/clients';
import { ATTR, PRICE_STREAM_VIEW_TYPE } from '../../shared/names';
import { readJsonFile, stateFile, streamJournalFile, type DataDirLayout } from '../data-dir';
import type { RuntimeLog } from '../runtime-log';
import { LocalDynamoDbStream } from './dynamodb-stream';
import { changeCommitted } from './dynamodb-stream-capture';
import { DynamoDbStreamJournal } from './dynamodb-stream-journal';
import type { LocalResources } from './provision';

export async function openPriceStream(options: {
  readonly persist: boolean;
  readonly layout: DataDirLayout;
  readonly resources: LocalResources;
  readonly clients: AwsClients;
  readonly log: RuntimeLog;
}): Promise<LocalDynamoDbStream> {
  const { persist, layout, resources, clients, log } = options;
  const stream = new LocalDynamoDbStream({
    ...(persist ? { journal: new DynamoDbStreamJournal(streamJournalFile(layout)) } : {}),
    tableName: resources.priceTable,
    keySchema: { hash: ATTR.symbol, range: ATTR.timestamp },
    viewType: PRICE_STREAM_VIEW_TYPE,
    region: resources.region,
    accountId: resources.accountId,
  });
  if (!persist) return stream;
  // A data dir of an earlier version kept the undelivered records in a snapshot taken at stop.
  const legacySnapshot = stateFile(layout, 'dynamodb-stream-pending');
  stream.restore(readJsonFile<DynamoDBRecord[]>(legacySnapshot) ?? []);
  rmSync(legacySnapshot, { force: true });
  const recovery = await stream.recover((change) => changeCommitted(clients.dynamodb, resources.priceTable, change));
  if (recovery.restored + recovery.recovered + recovery.notCommitted + recovery.tornLines > 0) {
    log.info('DynamoDB stream recovered from its journal', { ...recovery });
  }
  return stream;
}
