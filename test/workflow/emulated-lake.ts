/** Emulators on disk in a temp folder, so that DuckDB can read what s3rver stores. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulators, type Emulators } from '../../src/local/emulators/emulators';
import { provisionLocalResources, type LocalResources } from '../../src/local/emulators/provision';
import { createClients, type AwsClients } from '../../src/shared/clients';

export interface EmulatedLake {
  readonly root: string;
  /** s3rver's folder: `<root>/s3` because the emulators persist under root. */
  readonly s3Dir: string;
  readonly emulators: Emulators;
  readonly clients: AwsClients;
  readonly resources: LocalResources;
  stop(): Promise<void>;
}

export async function startEmulatedLake(): Promise<EmulatedLake> {
  const root = mkdtempSync(join(tmpdir(), 'stockpipe-workflow-'));
  const emulators = await startEmulators({ persistDir: root });
  const clients = createClients({ endpoints: emulators.endpoints, sqsQueryProtocol: true });
  const resources = await provisionLocalResources(clients, { shardCount: 1 });
  return {
    root,
    s3Dir: join(root, 's3'),
    emulators,
    clients,
    resources,
    async stop() {
      clients.destroy();
      await emulators.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
