/**
 * What the local operating commands talk to: the emulators of the pipeline running on the data dir
 * (found through its lock file, state/runtime.json), or, when none runs, emulators started for the
 * one command over the data dir: the lake (always on disk), and the stream and tables when the last
 * run kept them (`--persist`). Such a session holds the data dir's lock, so no pipeline starts (and
 * clears the lake) under a running workflow.
 */
import { existsSync } from 'node:fs';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import {
  acquireRuntimeLock,
  type DataDirLayout,
  type EmulatedService,
  ensureDataDir,
  type LocalResources,
  provisionLocalResources,
  runningPipeline,
  RuntimeLockedError,
  startEmulators,
} from '../../local';
import { createClients, type AwsClients } from '../../shared/clients';
import { RESOURCE } from '../../shared/names';
import { OpsError } from '../errors';

/** The account id of every local ARN (src/local/provision.ts uses the same). */
const LOCAL_ACCOUNT = '000000000000';

export interface LocalSession {
  readonly layout: DataDirLayout;
  readonly clients: AwsClients;
  readonly resources: LocalResources;
  /** attached: a running pipeline's emulators; started: emulators started for this command. */
  readonly mode: 'attached' | 'started';
  /** The price and alert tables hold the last run's items (a running pipeline, or persisted tables). */
  readonly tablesKept: boolean;
  close(): Promise<void>;
}

/** A session on a pipeline that runs in this process (`stockpipe start` runs the workflows this way). */
export function sessionOf(pipeline: { layout: DataDirLayout; clients: AwsClients; resources: LocalResources }): LocalSession {
  return {
    layout: pipeline.layout,
    clients: pipeline.clients,
    resources: pipeline.resources,
    mode: 'attached',
    tablesKept: true,
    close: async () => undefined,
  };
}

/**
 * The resources of a running pipeline, looked up without creating anything: sqslite's CreateQueue on
 * an existing queue empties it, so provisioning again would lose the dead letters.
 */
async function lookUpResources(clients: AwsClients): Promise<LocalResources> {
  const region = await clients.sqs.config.region();
  const url = async (name: string) => {
    const out = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (!out.QueueUrl) throw new Error(`the local queue ${name} has no URL`);
    return out.QueueUrl;
  };
  const [invalidQueueUrl, processingDlqUrl, analysisDlqUrl] = await Promise.all([
    url(RESOURCE.invalidQueue),
    url(RESOURCE.processingDlq),
    url(RESOURCE.analysisDlq),
  ]);
  return {
    streamName: RESOURCE.stream,
    rawBucket: RESOURCE.rawBucket,
    priceTable: RESOURCE.priceTable,
    signalStateTable: RESOURCE.signalStateTable,
    alertTable: RESOURCE.alertTable,
    invalidQueueUrl,
    processingDlqUrl,
    analysisDlqUrl,
    alertTopicArn: `arn:aws:sns:${region}:${LOCAL_ACCOUNT}:${RESOURCE.alertTopic}`,
    region,
    accountId: LOCAL_ACCOUNT,
  };
}

async function connect(
  layout: DataDirLayout,
  endpoints: Readonly<Record<string, string>>,
  provision: boolean,
): Promise<{ clients: AwsClients; resources: LocalResources }> {
  const clients = createClients({ endpoints: endpoints as Partial<Record<EmulatedService, string>>, sqsQueryProtocol: true });
  try {
    return { clients, resources: provision ? await provisionLocalResources(clients) : await lookUpResources(clients) };
  } catch (error) {
    clients.destroy();
    throw new OpsError(
      'failed',
      `cannot reach the local pipeline of ${layout.root} (${(error as Error).message}); is it still running?`,
      { cause: error },
    );
  }
}

/** The running pipeline's emulators, or undefined when no pipeline runs on the data dir. */
export async function attachToPipeline(layout: DataDirLayout): Promise<LocalSession | undefined> {
  const running = runningPipeline(layout);
  if (!running) return undefined;
  if (!running.endpoints) {
    throw new OpsError(
      'conflict',
      `the local pipeline (${running.command}, pid ${running.pid}) of ${layout.root} is still starting; try again in a moment`,
    );
  }
  const { clients, resources } = await connect(layout, running.endpoints, false);
  return {
    layout,
    clients,
    resources,
    mode: 'attached',
    tablesKept: true,
    close: async () => clients.destroy(),
  };
}

/** Attaches to the running pipeline, or starts the emulators over the data dir for this command. */
export async function openLocalSession(layout: DataDirLayout, command: string): Promise<LocalSession> {
  const attached = await attachToPipeline(layout);
  if (attached) return attached;
  ensureDataDir(layout);
  const persisted = existsSync(layout.emulators);
  let lock;
  try {
    lock = acquireRuntimeLock(layout, { command, persist: persisted });
  } catch (error) {
    if (error instanceof RuntimeLockedError) throw new OpsError('conflict', error.message, { cause: error });
    throw error;
  }
  const cleanups: (() => Promise<void> | void)[] = [() => lock.release()];
  const close = async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  };
  try {
    const emulators = await startEmulators({ ...(persisted ? { persistDir: layout.emulators } : {}), s3Dir: layout.lake });
    cleanups.unshift(() => emulators.stop());
    const { clients, resources } = await connect(layout, emulators.endpoints, true);
    cleanups.unshift(() => clients.destroy());
    lock.update({ endpoints: emulators.endpoints });
    return { layout, clients, resources, mode: 'started', tablesKept: persisted, close };
  } catch (error) {
    await close();
    throw error;
  }
}
