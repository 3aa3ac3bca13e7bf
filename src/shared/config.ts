/**
 * What the functions need to know about their surroundings, read from the environment that CDK
 * (or the local runtime) sets. A missing variable is an error that names it.
 */
import { DEFAULTS, ENV } from './names';
import { StockpipeError } from '../core/errors';

export interface PipelineResources {
  readonly streamName: string;
  readonly rawBucket: string;
  readonly priceTable: string;
  readonly signalStateTable: string;
  readonly alertTable: string;
  readonly invalidQueueUrl: string;
  readonly analysisDlqUrl: string;
  readonly alertTopicArn: string;
}

export interface PipelineSettings {
  readonly symbols: readonly string[];
  readonly cadenceSeconds: number;
  readonly ttlDays: number;
  readonly quoteSource: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends StockpipeError {
  override readonly name = 'ConfigError';
}

const required = (env: Env, name: string): string => {
  const value = env[name];
  if (!value) throw new ConfigError(`environment variable ${name} is not set; it names a resource the function needs`);
  return value;
};

/** Reads only the variables a function asks for, so each function needs only its own. */
export function resourceFromEnv<K extends keyof PipelineResources>(key: K, env: Env = process.env): string {
  return required(env, ENV[key]);
}

/** The named resources, read in the order given; the first missing one is the error. */
export function resourcesFromEnv<K extends keyof PipelineResources>(
  keys: readonly K[],
  env: Env = process.env,
): Pick<PipelineResources, K> {
  return Object.fromEntries(keys.map((key) => [key, resourceFromEnv(key, env)])) as Pick<PipelineResources, K>;
}

const positiveNumber = (env: Env, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`environment variable ${name}=${JSON.stringify(raw)} must be a positive number`);
  }
  return value;
};

export function settingsFromEnv(env: Env = process.env): PipelineSettings {
  const symbols = (env[ENV.symbols] ?? DEFAULTS.symbols.join(','))
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  if (symbols.length === 0) throw new ConfigError(`environment variable ${ENV.symbols} lists no symbol`);
  const cadenceSeconds = positiveNumber(env, ENV.cadenceSeconds, DEFAULTS.cadenceSeconds);
  if (60 % cadenceSeconds !== 0) {
    throw new ConfigError(
      `environment variable ${ENV.cadenceSeconds}=${cadenceSeconds} must divide 60: the schedule fires once a minute and takes 60/cadence samples`,
    );
  }
  return {
    symbols,
    cadenceSeconds,
    ttlDays: positiveNumber(env, ENV.ttlDays, DEFAULTS.ttlDays),
    quoteSource: env[ENV.quoteSource] ?? DEFAULTS.quoteSource,
  };
}
