/**
 * The one place where resource names, environment-variable names and lake layout live.
 * Both `infra/` (CDK) and `src/` (handlers, local runtime, CLI) import from here, so a name
 * is never spelled twice.
 */

/** Environment variables the functions read; CDK sets them, the local runtime sets them too. */
export const ENV = {
  streamName: 'STOCKPIPE_STREAM_NAME',
  rawBucket: 'STOCKPIPE_RAW_BUCKET',
  priceTable: 'STOCKPIPE_PRICE_TABLE',
  signalStateTable: 'STOCKPIPE_SIGNAL_STATE_TABLE',
  alertTable: 'STOCKPIPE_ALERT_TABLE',
  invalidQueueUrl: 'STOCKPIPE_INVALID_QUEUE_URL',
  analysisDlqUrl: 'STOCKPIPE_ANALYSIS_DLQ_URL',
  alertTopicArn: 'STOCKPIPE_ALERT_TOPIC_ARN',
  opsTopicArn: 'STOCKPIPE_OPS_TOPIC_ARN',
  symbols: 'STOCKPIPE_SYMBOLS',
  cadenceSeconds: 'STOCKPIPE_CADENCE_SECONDS',
  quoteSource: 'STOCKPIPE_QUOTE_SOURCE',
  ttlDays: 'STOCKPIPE_TTL_DAYS',
  glueDatabase: 'STOCKPIPE_GLUE_DATABASE',
  athenaWorkgroup: 'STOCKPIPE_ATHENA_WORKGROUP',
  /** Processing: how many seconds a tick's market time may be ahead of the clock (default 300). */
  maxTickAheadSeconds: 'STOCKPIPE_MAX_TICK_AHEAD_SECONDS',
} as const;

/**
 * Default physical names. The local runtime uses them as they are; in AWS, CDK lets CloudFormation
 * name most resources and hands the names to the functions through ENV.
 */
export const RESOURCE = {
  stream: 'stockpipe-ticks',
  priceTable: 'stockpipe-prices',
  signalStateTable: 'stockpipe-signal-state',
  alertTable: 'stockpipe-alerts',
  rawBucket: 'stockpipe-lake',
  invalidQueue: 'stockpipe-invalid-records',
  processingDlq: 'stockpipe-processing-failures',
  analysisDlq: 'stockpipe-analysis-failures',
  alertTopic: 'stockpipe-alerts',
  opsTopic: 'stockpipe-ops',
  glueDatabase: 'stockpipe',
  rawTable: 'stock_data_table',
  curatedTable: 'stock_data_curated',
  athenaWorkgroup: 'stockpipe',
  scheduleRule: 'stockpipe-ingest-schedule',
  maintenanceStateMachine: 'stockpipe-lake-maintenance',
  reportStateMachine: 'stockpipe-daily-report',
  maintenanceRule: 'stockpipe-maintenance-schedule',
  reportRule: 'stockpipe-report-schedule',
  analysisFunction: 'stockpipe-analysis',
  /** The CloudFormation stack; its outputs are keyed by the keys of this object (see infra/stack.ts). */
  stack: 'Stockpipe',
  /** POWERTOOLS_SERVICE_NAME of every function, and the `service` dimension of its metrics. */
  service: 'stockpipe',
  /** POWERTOOLS_METRICS_NAMESPACE: the CloudWatch namespace of the functions' custom metrics. */
  metricsNamespace: 'stockpipe',
} as const;

/** Attribute names shared by the handlers and the table definitions. */
export const ATTR = {
  symbol: 'symbol',
  timestamp: 'timestamp',
  /** The tick's price in the price table. */
  price: 'price',
  ttl: 'expires_at',
  alertKey: 'alert_key',
} as const;

/**
 * The price table's stream carries old and new images: a MODIFY whose tick values changed is a
 * duplicate tick, one that only rewrote the same tick (a retried batch) is not.
 */
export const PRICE_STREAM_VIEW_TYPE = 'NEW_AND_OLD_IMAGES' as const;

/** Prefixes of the lake bucket. */
export const LAKE = {
  raw: 'raw/',
  curated: 'curated/',
  /** A day's compaction manifest: outside every partition's folder, so no table reads it. */
  curatedManifests: 'curated/_manifests/',
  reports: 'reports/',
} as const;

/** Defaults of the pipeline's behaviour. */
export const DEFAULTS = {
  symbols: ['AAPL'],
  cadenceSeconds: 30,
  ttlDays: 30,
  quoteSource: 'yahoo',
  region: 'us-east-1',
} as const;
