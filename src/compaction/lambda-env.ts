/** What the maintenance functions read from their environment (set by infra/constructs/maintenance-workflow.ts). */
import { GlueClient } from '@aws-sdk/client-glue';
import { ConfigError, resourceFromEnv } from '../shared/config';
import { ENV } from '../shared/names';
import { tracer } from '../shared/powertools';

export const lakeBucketFromEnv = (env = process.env): string => resourceFromEnv('rawBucket', env);

export function glueDatabaseFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const value = env[ENV.glueDatabase];
  if (!value)
    throw new ConfigError(`environment variable ${ENV.glueDatabase} is not set; it names the Glue database of the lake tables`);
  return value;
}

export function tracedGlueClient(): GlueClient {
  const glue = new GlueClient({});
  tracer.captureAWSv3Client(glue);
  return glue;
}
