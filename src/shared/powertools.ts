/** The one Logger, Metrics and Tracer of every function; nothing else constructs them. */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { RESOURCE } from './names';

export const SERVICE_NAME = RESOURCE.service;

export const logger = new Logger({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({ serviceName: SERVICE_NAME, namespace: RESOURCE.metricsNamespace });
export const tracer = new Tracer({ serviceName: SERVICE_NAME });

/**
 * Wraps a function's handler in the middleware every stockpipe function uses, in the order Powertools
 * documents: tracer, then logger (Lambda context in every line), then metrics (flushed per invocation,
 * with the cold-start metric).
 */
export const withPowertools = <TEvent, TResult>(handler: (event: TEvent) => Promise<TResult>) =>
  middy(handler)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
