/** Small pieces of the local runtime: the functions' environment, and CSV rows refused at the source. */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SqsDeadLetterSink } from '../../adapters/aws/sqs-dead-letter-sink';
import { StockpipeError } from '../../core/errors';
import type { DeadLetter } from '../../core/ports';
import { describeRejection } from '../../core/tick';
import type { CsvRejection } from '../../producer/csv';
import { ENV } from '../../shared/names';
import type { EmulatedService } from '../emulators/emulators';
import type { LocalResources } from '../emulators/provision';

/** What CDK sets for the functions (ENV names), plus the SDK's AWS_ENDPOINT_URL_* of the emulators. */
export const localEnvironment = (
  resources: LocalResources,
  endpoints: Readonly<Record<EmulatedService, string>>,
): Record<string, string> => ({
  [ENV.streamName]: resources.streamName,
  [ENV.rawBucket]: resources.rawBucket,
  [ENV.priceTable]: resources.priceTable,
  [ENV.signalStateTable]: resources.signalStateTable,
  [ENV.alertTable]: resources.alertTable,
  [ENV.invalidQueueUrl]: resources.invalidQueueUrl,
  [ENV.analysisDlqUrl]: resources.analysisDlqUrl,
  [ENV.alertTopicArn]: resources.alertTopicArn,
  AWS_REGION: resources.region,
  AWS_ENDPOINT_URL_KINESIS: endpoints.kinesis,
  AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
  AWS_ENDPOINT_URL_S3: endpoints.s3,
  AWS_ENDPOINT_URL_SQS: endpoints.sqs,
});

/**
 * Sends the rows a CSV parse refused to the invalid-records queue, as the processing function sends
 * invalid records: the row as written, and why (with its line number), so nothing is silently dropped.
 */
export async function deadLetterCsvRows(
  sqs: SQSClient,
  queueUrl: string,
  rejections: readonly CsvRejection[],
  file: string,
): Promise<void> {
  const letters: DeadLetter[] = rejections.map((r) => ({
    reason: `line ${r.line}: ${describeRejection(r.rejection)}`,
    payload: r.raw,
    rejection: r.rejection,
    source: { kind: 'csv', file, line: String(r.line) },
  }));
  // The sink sizes its requests by bytes and cuts an oversize row to a bounded prefix, as for any letter.
  try {
    await new SqsDeadLetterSink(sqs, queueUrl).send(letters);
  } catch (error) {
    throw new StockpipeError(
      `could not dead-letter ${letters.length} CSV row(s) of ${file} to ${queueUrl}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
