/**
 * The producer function: on each scheduled event (once a minute) it takes 60/cadence samples of the
 * configured symbols and writes them to the stream. Thin: the work is in produce.ts.
 */
import { DynamoDbLastPriceReader } from '../adapters/aws/dynamodb-last-price-reader';
import { KinesisTickSink } from '../adapters/aws/kinesis-tick-sink';
import { SqsDeadLetterSink } from '../adapters/aws/sqs-dead-letter-sink';
import { ENV } from '../shared/names';
import { createClients } from '../shared/clients';
import { resourceFromEnv, settingsFromEnv } from '../shared/config';
import { logger, metrics, withPowertools } from '../shared/powertools';
import { createQuoteSource } from './create-source';
import type { ProducerResult } from './produce';
import { makeProducerHandler, type ProducerDeps } from './produce-sample';

export { createQuoteSource, type QuoteSourceOptions } from './create-source';
export { makeProducerHandler, type ProducerDeps, type ProducerLogger, type ProducerMetrics } from './produce-sample';

function depsFromEnv(): ProducerDeps {
  const settings = settingsFromEnv();
  const streamName = resourceFromEnv('streamName');
  const { kinesis, documents, sqs } = createClients();
  const invalidQueueUrl = process.env[ENV.invalidQueueUrl];
  const cadenceMs = settings.cadenceSeconds * 1000;
  // A synthetic walk in AWS starts at the current slot, so its market times follow the clock, and
  // from each symbol's last stored price, so a new container's walk continues the last one's.
  const synthetic = settings.quoteSource === 'synthetic';
  return {
    source: createQuoteSource(settings.quoteSource, {
      cadenceSeconds: settings.cadenceSeconds,
      start: new Date(Math.floor(Date.now() / cadenceMs) * cadenceMs),
      log: (message) => logger.warn(message),
      ...(synthetic ? { lastPrices: new DynamoDbLastPriceReader(documents, resourceFromEnv('priceTable')) } : {}),
    }),
    sink: new KinesisTickSink(kinesis, { streamName }),
    // Quotes the tick schema refuses, each with its reason (the stack sets the queue).
    ...(invalidQueueUrl ? { invalidRecords: new SqsDeadLetterSink(sqs, invalidQueueUrl) } : {}),
    symbols: settings.symbols,
    cadenceSeconds: settings.cadenceSeconds,
  };
}

// Built on the first event, once per container, rather than on import: importing this file (tests,
// the local runtime) must not need the function's environment.
let produce: (() => Promise<ProducerResult>) | undefined;

export const handler = withPowertools(async (): Promise<ProducerResult> => {
  produce ??= makeProducerHandler({ ...depsFromEnv(), logger, metrics });
  return produce();
});
