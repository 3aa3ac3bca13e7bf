/**
 * The entry of the emulators' worker thread (emulator-thread.ts): starts the emulators with the
 * options it was given, answers with their endpoints, and stops them when told. Built into
 * dist/emulators-worker.cjs by scripts/build-cli.mjs, since a worker thread loads plain JavaScript.
 */
// A thread has its own `process` warning listeners: the same filter as the CLI's (sqslite and the SDK warn here).
import '../../cli/quiet-runtime';
import { parentPort, workerData } from 'node:worker_threads';
import { startEmulators, type EmulatorOptions } from './emulators';
import type { EmulatorThreadMessage } from './emulator-thread';

const port = parentPort;
if (!port) throw new Error('emulators-worker runs as a worker thread (see emulator-thread.ts)');
const send = (message: EmulatorThreadMessage) => port.postMessage(message);
const failure = (error: unknown) =>
  error instanceof Error ? { message: error.message, stack: error.stack ?? '' } : { message: String(error), stack: '' };

startEmulators(workerData as EmulatorOptions).then(
  (emulators) => {
    send({ kind: 'started', endpoints: emulators.endpoints });
    port.on('message', (message: { kind: 'stop' }) => {
      if (message.kind !== 'stop') return;
      emulators.stop().then(
        () => {
          send({ kind: 'stopped' });
          port.close();
        },
        (error: unknown) => send({ kind: 'failed', ...failure(error) }),
      );
    });
  },
  (error: unknown) => {
    send({ kind: 'failed', ...failure(error) });
    port.close();
  },
);
