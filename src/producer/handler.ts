/**
 * The producer function: on each scheduled event (once a minute) it takes 60/cadence samples of the
 * configured symbols and writes them to the stream. Thin: the work is in produce.ts.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { KinesisTickSink } from '../adapters/aws/kinesis-tick-sink';
import type { TickSink } from '../core/ports';
import { createClients } from '../shared/clients';
import { resourceFromEnv, settingsFromEnv } from '../shared/config';
import { logger, metrics, tracer } from '../shared/powertools';
import { createQuoteSource } from './create-source';
import { runProducer, samplesPerInvocation, type ProducerResult } from './produce';
import type { QuoteSource } from './quote-source';

export { createQuoteSource, type QuoteSourceOptions } from './create-source';

/** What the handler logs through; the Powertools Logger is one. */
export interface ProducerLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/** What the handler measures through; the Powertools Metrics is one. */
export interface ProducerMetrics {
  addMetric(name: string, unit: typeof MetricUnit.Count, value: number): unknown;
}

export interface ProducerDeps {
  readonly source: QuoteSource;
  readonly sink: TickSink;
  readonly symbols: readonly string[];
  readonly cadenceSeconds: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default the shared Powertools logger */
  readonly logger?: ProducerLogger;
  /** @default the shared Powertools metrics; out of Lambda nothing flushes them, so pass your own there */
  readonly metrics?: ProducerMetrics;
}

/** What the function does for one event; the local runtime and tests call it with their own deps. */
export function makeProducerHandler(deps: ProducerDeps): () => Promise<ProducerResult> {
  const samples = samplesPerInvocation(deps.cadenceSeconds);
  const log: ProducerLogger = deps.logger ?? logger;
  const metric: ProducerMetrics = deps.metrics ?? metrics;
  return async () => {
    try {
      const result = await runProducer({
        source: deps.source,
        sink: deps.sink,
        symbols: deps.symbols,
        samples,
        cadenceMs: deps.cadenceSeconds * 1000,
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
        ...(deps.now ? { now: deps.now } : {}),
      });
      metric.addMetric('TicksProduced', MetricUnit.Count, result.ticks);
      metric.addMetric('SamplesProduced', MetricUnit.Count, result.samples);
      log.info('ticks produced', { source: deps.source.name, symbols: deps.symbols.length, ...result });
      return result;
    } catch (error) {
      metric.addMetric('ProducerFailures', MetricUnit.Count, 1);
      log.error('producer failed', { source: deps.source.name, error: error as Error });
      throw error;
    }
  };
}

function depsFromEnv(): ProducerDeps {
  const settings = settingsFromEnv();
  const streamName = resourceFromEnv('streamName');
  const { kinesis } = createClients();
  const cadenceMs = settings.cadenceSeconds * 1000;
  return {
    // A synthetic walk in AWS starts at the current slot, so its market times follow the clock.
    source: createQuoteSource(settings.quoteSource, {
      cadenceSeconds: settings.cadenceSeconds,
      start: new Date(Math.floor(Date.now() / cadenceMs) * cadenceMs),
      log: (message) => logger.warn(message),
    }),
    sink: new KinesisTickSink(kinesis, { streamName }),
    symbols: settings.symbols,
    cadenceSeconds: settings.cadenceSeconds,
  };
}

// Built on the first event, once per container, rather than on import: importing this file (tests,
// the local runtime) must not need the function's environment.
let produce: (() => Promise<ProducerResult>) | undefined;

export const handler = middy(async (): Promise<ProducerResult> => {
  produce ??= makeProducerHandler(depsFromEnv());
  return produce();
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
