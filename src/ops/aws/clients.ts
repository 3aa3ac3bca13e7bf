/**
 * The clients the AWS target of the operating commands uses. The data-plane clients come from the one
 * factory (src/shared/clients.ts) so its settings hold here too; the control-plane ones (CloudFormation,
 * EventBridge, Step Functions, CloudWatch, DynamoDB Streams, Lambda, Athena) are made here. Credentials come from the
 * standard chain (env, SSO, profile files, instance roles), `--profile` selects a profile, and the SDK
 * honours AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> by itself.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { createClients, type AwsClients } from '../../shared/clients';
import { mapAwsError } from '../errors';

export interface OpsClients extends Omit<AwsClients, 'destroy'> {
  readonly cloudformation: CloudFormationClient;
  readonly eventbridge: EventBridgeClient;
  readonly sfn: SFNClient;
  readonly cloudwatch: CloudWatchClient;
  readonly dynamodbStreams: DynamoDBStreamsClient;
  /** Invokes the analysis function when the analysis dead letters are replayed. */
  readonly lambda: LambdaClient;
  /** Runs the crossover recomputation (`stockpipe signals`, `verify`) in the stack's workgroup. */
  readonly athena: AthenaClient;
  destroy(): void;
}

export interface OpsClientOptions {
  /** @default AWS_REGION, AWS_DEFAULT_REGION, then the profile's region */
  readonly region?: string;
  /** A named profile of the shared config/credentials files. @default AWS_PROFILE or the default profile */
  readonly profile?: string;
}

/** The region the clients will use, if one is known before the SDK reads the profile's config. */
export const regionFrom = (options: OpsClientOptions, env: NodeJS.ProcessEnv = process.env): string | undefined =>
  options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;

/**
 * Resolves the region first (option, environment, then the profile's config, as the SDK does), so that
 * every client, the stack cache key and the messages agree on it. No region anywhere is an OpsError.
 */
export async function createOpsClients(options: OpsClientOptions = {}): Promise<OpsClients & { readonly region: string }> {
  const profile = options.profile ? { profile: options.profile } : {};
  const probe = new CloudFormationClient({ ...profile, ...(regionFrom(options) ? { region: regionFrom(options) } : {}) });
  let region: string;
  try {
    region = await probe.config.region();
  } catch (error) {
    throw mapAwsError(error, { action: 'find the AWS region', ...(options.profile ? { profile: options.profile } : {}) });
  } finally {
    probe.destroy();
  }
  // The data-plane factory reads credentials through the default chain, which follows AWS_PROFILE.
  if (options.profile) process.env.AWS_PROFILE = options.profile;
  return { region, ...opsClientsFrom(createClients({ region }), region, options.profile) };
}

/** Adds the control-plane clients to data-plane clients made elsewhere (tests pass emulator-backed ones). */
export function opsClientsFrom(data: AwsClients, region: string, profile?: string): OpsClients {
  const common = { region, ...(profile ? { profile } : {}) };
  const control = {
    cloudformation: new CloudFormationClient(common),
    eventbridge: new EventBridgeClient(common),
    sfn: new SFNClient(common),
    cloudwatch: new CloudWatchClient(common),
    dynamodbStreams: new DynamoDBStreamsClient(common),
    lambda: new LambdaClient(common),
    athena: new AthenaClient(common),
  };
  return {
    ...data,
    ...control,
    destroy() {
      data.destroy();
      for (const client of Object.values(control)) client.destroy();
    },
  };
}
