/**
 * What the producer function does for one scheduled event, free of Powertools: the Lambda (handler.ts)
 * passes its Logger and Metrics, the local runtime and the tests their own. Importing Powertools Tracer
 * hooks every promise of the process (X-Ray SDK), which an in-process pipeline must not pay for.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DeadLetterSink, TickSink } from '../core/ports';
import { runProducer, samplesPerInvocation, type ProducerResult } from './produce';
import type { QuoteSource } from '../core/ports-quotes';

const SILENT_LOGGER = { info: () => undefined, error: () => undefined };
const NO_METRICS = { addMetric: () => undefined };

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
  /** Where quotes the source refused alone go, with their reason. @default none: they are logged and counted (QuotesRefused) only */
  readonly invalidRecords?: DeadLetterSink;
  /** @default logs nothing (the Lambda passes the Powertools Logger) */
  readonly logger?: ProducerLogger;
  /** @default measures nothing (the Lambda passes the Powertools Metrics) */
  readonly metrics?: ProducerMetrics;
}

/** What the function does for one event; the local runtime and tests call it with their own deps. */
export function makeProducerHandler(deps: ProducerDeps): () => Promise<ProducerResult> {
  const samples = samplesPerInvocation(deps.cadenceSeconds);
  const log: ProducerLogger = deps.logger ?? SILENT_LOGGER;
  const metric: ProducerMetrics = deps.metrics ?? NO_METRICS;
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
        ...(deps.invalidRecords ? { invalidRecords: deps.invalidRecords } : {}),
        onRefused: (refused) => {
          metric.addMetric('QuotesRefused', MetricUnit.Count, refused.length);
          for (const r of refused) log.error('quote refused', { source: r.source, symbol: r.symbol, reason: r.reason });
        },
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
