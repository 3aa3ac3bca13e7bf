/**
 * The deployment's settings, read from CDK context (`-c stockpipe:<key>=<value>` or the `context`
 * block of cdk.json) with safe defaults. A wrong value is an error that names the key, the value
 * and the reason, and an unknown `stockpipe:` key is an error too, so a typo never goes unnoticed.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { TickSchema } from '../src/core/tick';
import { DEFAULTS } from '../src/shared/names';
import { STREAM_MAPPING_DEFAULTS } from '../src/shared/stream-settings';

export interface InfraConfig {
  /** Symbols the producer samples. */
  readonly symbols: readonly string[];
  /** Seconds between two samples of one symbol; divides 60 because the schedule fires each minute. */
  readonly cadenceSeconds: number;
  /** Which quote source the producer uses. */
  readonly quoteSource: string;
  /** Address subscribed to BUY/SELL alerts; no subscription when unset. */
  readonly alertEmail: string | undefined;
  /** Address subscribed to operational alarms; falls back to alertEmail. */
  readonly opsEmail: string | undefined;
  /** Days a price item lives in DynamoDB before TTL removes it. */
  readonly ttlDays: number;
  /** Days a raw JSON object lives in the lake; compaction has copied it to Parquet long before. */
  readonly rawRetentionDays: number;
  /** `retain` keeps data stores on stack deletion; `destroy` deletes them with their data. */
  readonly removalPolicy: 'retain' | 'destroy';
  /** DynamoDB deletion protection. */
  readonly deletionProtection: boolean;
  /** Whether the once-a-minute ingest schedule starts enabled. */
  readonly scheduleEnabled: boolean;
  readonly streamMode: 'provisioned' | 'on-demand';
  /** Shards of a provisioned stream. */
  readonly shardCount: number;
  /** Athena cancels a query of the workgroup once it has scanned this many MiB. */
  readonly athenaBytesScannedCutoffMb: number;
  readonly logRetentionDays: RetentionDays;
  /** Stream event-source mappings: retries of a failing batch before it goes to the DLQ. */
  readonly retryAttempts: number;
  /** Stream event-source mappings: records older than this go to the DLQ unprocessed. */
  readonly maxRecordAgeSeconds: number;
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  /** Concurrent batches per shard; records of one partition key (symbol) stay in order. */
  readonly parallelizationFactor: number;
  /** Alarm when the oldest unread stream record is older than this. */
  readonly iteratorAgeAlarmSeconds: number;
}

export const CONTEXT_PREFIX = 'stockpipe:';

export class InfraConfigError extends Error {
  override readonly name = 'InfraConfigError';
}

type Raw = Readonly<Record<string, unknown>>;

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

const fail = (key: string, value: unknown, reason: string): never => {
  throw new InfraConfigError(`context ${CONTEXT_PREFIX}${key}=${show(value)}: ${reason}`);
};

const integer = (raw: Raw, key: string, fallback: number, min: number, max: number): number => {
  const value = raw[key];
  if (value === undefined) return fallback;
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isInteger(n)) return fail(key, value, 'must be a whole number');
  if (n < min || n > max) return fail(key, value, `must be between ${min} and ${max}`);
  return n;
};

const bool = (raw: Raw, key: string, fallback: boolean): boolean => {
  const value = raw[key];
  if (value === undefined) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return fail(key, value, 'must be true or false');
};

const oneOf = <T extends string>(raw: Raw, key: string, fallback: T, allowed: readonly T[]): T => {
  const value = raw[key];
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  return fail(key, value, `must be one of ${allowed.join(', ')}`);
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const email = (raw: Raw, key: string): string | undefined => {
  const value = raw[key];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !EMAIL.test(value)) return fail(key, value, 'must be an email address');
  return value;
};

const symbolList = (raw: Raw, key: string): readonly string[] => {
  const value = raw[key];
  if (value === undefined) return DEFAULTS.symbols;
  const items = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value.split(',')
      : fail(key, value, 'must be a comma-separated list');
  const symbols = items.map((s) =>
    typeof s === 'string' ? s.trim().toUpperCase() : fail(key, value, `${show(s)} is not a string`),
  );
  if (symbols.length === 0 || symbols.some((s) => s === '')) return fail(key, value, 'must list symbols without empty entries');
  for (const s of symbols) {
    const checked = TickSchema.shape.symbol.safeParse(s);
    if (!checked.success) fail(key, value, `${show(s)} ${checked.error.issues[0]?.message ?? 'is not a symbol'}`);
  }
  if (new Set(symbols).size !== symbols.length) return fail(key, value, 'lists a symbol twice');
  return symbols;
};

const RETENTION_VALUES = Object.values(RetentionDays).filter((v): v is RetentionDays => typeof v === 'number');

/** Every key this module reads; anything else under the prefix is rejected. */
export const CONFIG_KEYS = [
  'symbols',
  'cadenceSeconds',
  'quoteSource',
  'alertEmail',
  'opsEmail',
  'ttlDays',
  'rawRetentionDays',
  'removalPolicy',
  'deletionProtection',
  'scheduleEnabled',
  'streamMode',
  'shardCount',
  'athenaBytesScannedCutoffMb',
  'logRetentionDays',
  'retryAttempts',
  'maxRecordAgeSeconds',
  'batchSize',
  'batchingWindowSeconds',
  'parallelizationFactor',
  'iteratorAgeAlarmSeconds',
] as const satisfies readonly (keyof InfraConfig)[];

/** Builds the config from un-prefixed raw values (strings from `-c`, or JSON values from cdk.json). */
export function parseConfig(raw: Raw = {}): InfraConfig {
  for (const key of Object.keys(raw)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      fail(key, raw[key], `is not a setting; known settings: ${CONFIG_KEYS.join(', ')}`);
    }
  }
  const cadenceSeconds = integer(raw, 'cadenceSeconds', DEFAULTS.cadenceSeconds, 1, 60);
  if (60 % cadenceSeconds !== 0) {
    fail('cadenceSeconds', raw.cadenceSeconds, 'must divide 60: the schedule fires once a minute and samples 60/cadence times');
  }
  const quoteSource = raw.quoteSource ?? DEFAULTS.quoteSource;
  if (typeof quoteSource !== 'string' || quoteSource.trim() === '')
    fail('quoteSource', raw.quoteSource, 'must be a non-empty name');
  const removalPolicy = oneOf(raw, 'removalPolicy', 'retain', ['retain', 'destroy'] as const);
  const logRetentionDays = integer(raw, 'logRetentionDays', RetentionDays.ONE_MONTH, 1, 3653);
  if (!RETENTION_VALUES.includes(logRetentionDays)) {
    fail('logRetentionDays', raw.logRetentionDays, `must be a CloudWatch Logs retention: ${RETENTION_VALUES.join(', ')}`);
  }
  const alertEmail = email(raw, 'alertEmail');
  return {
    symbols: symbolList(raw, 'symbols'),
    cadenceSeconds,
    quoteSource: String(quoteSource),
    alertEmail,
    opsEmail: email(raw, 'opsEmail') ?? alertEmail,
    ttlDays: integer(raw, 'ttlDays', DEFAULTS.ttlDays, 1, 3650),
    rawRetentionDays: integer(raw, 'rawRetentionDays', 90, 1, 3650),
    removalPolicy,
    deletionProtection: bool(raw, 'deletionProtection', removalPolicy === 'retain'),
    scheduleEnabled: bool(raw, 'scheduleEnabled', true),
    streamMode: oneOf(raw, 'streamMode', 'provisioned', ['provisioned', 'on-demand'] as const),
    shardCount: integer(raw, 'shardCount', 1, 1, 500),
    // Athena's own floor for the cutoff is 10 MB.
    athenaBytesScannedCutoffMb: integer(raw, 'athenaBytesScannedCutoffMb', 1024, 10, 1024 * 1024),
    logRetentionDays,
    // Lambda's bounds for stream sources; -1 (infinite) is deliberately not accepted.
    retryAttempts: integer(raw, 'retryAttempts', STREAM_MAPPING_DEFAULTS.retryAttempts, 0, 10_000),
    maxRecordAgeSeconds: integer(raw, 'maxRecordAgeSeconds', STREAM_MAPPING_DEFAULTS.maxRecordAgeSeconds, 60, 604_800),
    batchSize: integer(raw, 'batchSize', STREAM_MAPPING_DEFAULTS.batchSize, 1, 10_000),
    batchingWindowSeconds: integer(raw, 'batchingWindowSeconds', STREAM_MAPPING_DEFAULTS.batchingWindowSeconds, 0, 300),
    parallelizationFactor: integer(raw, 'parallelizationFactor', STREAM_MAPPING_DEFAULTS.parallelizationFactor, 1, 10),
    iteratorAgeAlarmSeconds: integer(raw, 'iteratorAgeAlarmSeconds', 300, 1, 86_400),
  };
}

/** Reads every `stockpipe:*` context value of the app. */
export function configFromContext(node: Node): InfraConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node.getAllContext())) {
    if (key.startsWith(CONTEXT_PREFIX)) raw[key.slice(CONTEXT_PREFIX.length)] = value;
  }
  return parseConfig(raw);
}
