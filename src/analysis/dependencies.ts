/** The analysis function's adapters, built alike for the Lambda, the local runtime and DLQ replay. */
import { DynamoDbAlertLedger } from '../adapters/aws/dynamodb-alert-ledger';
import { DynamoDbPriceHistory } from '../adapters/aws/dynamodb-price-history';
import { DynamoDbSignalStateStore } from '../adapters/aws/dynamodb-signal-state-store';
import { SnsAlertNotifier } from '../adapters/aws/sns-alert-notifier';
import { SqsDeadLetterSink } from '../adapters/aws/sqs-dead-letter-sink';
import type { AwsClients } from '../shared/clients';
import type { PipelineResources } from '../shared/config';
import type { AnalysisDeps } from './analyse-batch';

export const ANALYSIS_RESOURCES = ['priceTable', 'signalStateTable', 'alertTable', 'alertTopicArn', 'analysisDlqUrl'] as const;

export type AnalysisResources = Pick<PipelineResources, (typeof ANALYSIS_RESOURCES)[number]>;

/** `overrides` replaces single dependencies (the local runtime's outbox for SNS, an observer). */
export function analysisDependencies(
  clients: Pick<AwsClients, 'documents' | 'sns' | 'sqs'>,
  resources: AnalysisResources,
  overrides: Partial<AnalysisDeps> = {},
): AnalysisDeps {
  return {
    states: overrides.states ?? new DynamoDbSignalStateStore(clients.documents, resources.signalStateTable),
    history: overrides.history ?? new DynamoDbPriceHistory(clients.documents, resources.priceTable),
    ledger: overrides.ledger ?? new DynamoDbAlertLedger(clients.documents, resources.alertTable),
    notifier: overrides.notifier ?? new SnsAlertNotifier(clients.sns, resources.alertTopicArn),
    deadLetters: overrides.deadLetters ?? new SqsDeadLetterSink(clients.sqs, resources.analysisDlqUrl),
    ...(overrides.observe ? { observe: overrides.observe } : {}),
  };
}
