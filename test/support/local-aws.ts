/**
 * Real emulators for a test file: started in-process on free loopback ports before its tests,
 * with the pipeline's resources provisioned, and stopped after.
 */
import { startEmulators, type Emulators } from '../../src/local/emulators/emulators';
import { provisionLocalResources, type LocalResources } from '../../src/local/emulators/provision';
import { createClients, type AwsClients } from '../../src/shared/clients';

export interface LocalAws {
  emulators: Emulators;
  clients: AwsClients;
  resources: LocalResources;
}

export function useLocalAws(options: { shardCount?: number } = {}): LocalAws {
  const env = {} as LocalAws;
  beforeAll(async () => {
    env.emulators = await startEmulators();
    env.clients = createClients({ endpoints: env.emulators.endpoints, sqsQueryProtocol: true });
    env.resources = await provisionLocalResources(env.clients, { shardCount: options.shardCount ?? 2 });
  });
  afterAll(async () => {
    env.clients?.destroy();
    await env.emulators?.stop();
  });
  return env;
}
