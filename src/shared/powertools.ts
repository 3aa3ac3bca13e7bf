/** The one Logger, Metrics and Tracer of every function; nothing else constructs them. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { RESOURCE } from './names';

export const SERVICE_NAME = RESOURCE.service;

export const logger = new Logger({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({ serviceName: SERVICE_NAME, namespace: RESOURCE.metricsNamespace });
export const tracer = new Tracer({ serviceName: SERVICE_NAME });
