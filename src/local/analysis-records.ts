/**
 * What `stockpipe status` and the report show of the analysis once the process that ran it, and its
 * in-memory tables, are gone: its health and the skipped ticks, written to the data dir at stop.
 */
import { analysisHealth } from '../adapters/aws/analysis-health';
import { DynamoDbSkippedTickReader } from '../adapters/aws/dynamodb-skipped-tick-reader';
import type { AwsClients } from '../shared/clients';
import { ANALYSIS_HEALTH_FILE, SKIPPED_TICKS_FILE, stateFile, writeJsonFile, type DataDirLayout } from './data-dir';
import type { LocalResources } from './emulators/provision';
import type { RuntimeLog } from './runtime-log';

export async function writeAnalysisRecords(
  clients: AwsClients,
  resources: LocalResources,
  layout: DataDirLayout,
  log: RuntimeLog,
): Promise<void> {
  await analysisHealth(clients.documents, { signalState: resources.signalStateTable, alerts: resources.alertTable }, new Date())
    .then((health) => writeJsonFile(stateFile(layout, ANALYSIS_HEALTH_FILE), { at: new Date().toISOString(), ...health }))
    .catch((error: unknown) => log.warn('could not record the analysis health at stop', { error: String(error) }));
  await new DynamoDbSkippedTickReader(clients.documents, resources.signalStateTable)
    .all()
    .then((skipped) => writeJsonFile(stateFile(layout, SKIPPED_TICKS_FILE), skipped))
    .catch((error: unknown) => log.warn('could not record the skipped ticks at stop', { error: String(error) }));
}
