/**
 * Starts the in-process stand-ins for Kinesis, DynamoDB, S3 and SQS on loopback ports.
 * Tests start them on free ports; `stockpipe up --expose` on fixed ones.
 * See ../shared/OFFLINE-STANDINS.md (and src/shared/clients.ts) for what each needs.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Before the emulators themselves: it wraps their actions as they load (see the module).
import './storage-errors';
import dynalite from 'dynalite';
import kinesalite from 'kinesalite';
import S3rver from 's3rver';
import { makeObjectWritesFailSafe } from './s3-store-writes';
import sqslite from 'sqslite';
import { startSqsFrontDoor } from './sqs-json-protocol';
import type { ServiceName } from '../../shared/clients';

export type EmulatedService = Exclude<ServiceName, 'sns'>;

export interface EmulatorOptions {
  /** Keep data on disk under this folder; in memory (and a temp folder for S3) when unset. */
  readonly persistDir?: string;
  /** Fixed ports per service; 0 or unset picks a free one. */
  readonly ports?: Partial<Record<EmulatedService, number>>;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /**
   * Where the S3 stand-in keeps its objects, kept after stop (the local runtime's lake, which
   * DuckDB reads after a run). @default `<persistDir>/s3`, else a temp folder removed on stop
   */
  readonly s3Dir?: string;
}

export interface Emulators {
  readonly endpoints: Record<EmulatedService, string>;
  stop(): Promise<void>;
}

const listen = (server: Server, port: number, host: string): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });

export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const host = options.host ?? '127.0.0.1';
  const ports = options.ports ?? {};
  const persist = options.persistDir;
  const dataDir = (name: string) => {
    if (!persist) return undefined;
    const dir = join(persist, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };

  const stops: (() => Promise<void>)[] = [];
  try {
    // Streams and tables become ACTIVE at once instead of after the emulators' default 500 ms.
    const kinesisServer = kinesalite({
      path: dataDir('kinesis'),
      createStreamMs: 0,
      deleteStreamMs: 0,
      updateStreamMs: 0,
      shardLimit: 100,
    });
    const kinesisPort = await listen(kinesisServer, ports.kinesis ?? 0, host);
    stops.push(() => close(kinesisServer));

    const dynamoServer = dynalite({ path: dataDir('dynamodb'), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const dynamoPort = await listen(dynamoServer, ports.dynamodb ?? 0, host);
    stops.push(() => close(dynamoServer));

    // s3rver always stores on disk: a throwaway folder unless persisting or told where.
    if (options.s3Dir) mkdirSync(options.s3Dir, { recursive: true });
    const keepS3 = Boolean(persist || options.s3Dir);
    const s3Dir = options.s3Dir ?? dataDir('s3') ?? mkdtempSync(join(tmpdir(), 'stockpipe-s3-'));
    const s3 = new S3rver({ address: host, port: ports.s3 ?? 0, silent: true, directory: s3Dir });
    makeObjectWritesFailSafe(s3);
    const { port: s3Port } = await s3.run();
    stops.push(async () => {
      await s3.close();
      if (!keepS3) rmSync(s3Dir, { recursive: true, force: true });
    });

    // sqslite builds queue URLs from the Host header and the SDK must call it `localhost`
    // (its URLs with 127.0.0.1 are not matched); it keeps its queues in memory only. It speaks the
    // query protocol alone: the front door on the SQS port also answers the JSON protocol.
    const sqs = sqslite({ logger: false });
    const sqsAddress = await sqs.listen(0, host);
    stops.push(() => sqs.close());
    const sqsDoor = await startSqsFrontDoor(Number(new URL(sqsAddress).port), ports.sqs ?? 0, host);
    stops.push(() => sqsDoor.close());
    const sqsPort = sqsDoor.port;

    return {
      endpoints: {
        kinesis: `http://${host}:${kinesisPort}`,
        dynamodb: `http://${host}:${dynamoPort}`,
        s3: `http://${host}:${s3Port}`,
        sqs: `http://localhost:${sqsPort}`,
      },
      async stop() {
        for (const stop of stops.reverse()) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop();
    throw error;
  }
}
