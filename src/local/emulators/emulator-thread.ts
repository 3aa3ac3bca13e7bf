/**
 * The emulators in a worker thread of their own, so that they and the functions that call them use
 * two cores: in one thread, dynalite's request handling (its expression parser, number arithmetic
 * and leveldb) competes with the SDK clients and the functions for the same core. Same options and
 * same `Emulators` as startEmulators; the thread runs the built dist/emulators-worker.cjs.
 *
 * Where that file is not built (tests started from the TypeScript sources before `npm run build`),
 * the emulators start in this thread instead, and `inWorker` says so. Data on disk and the data-dir
 * lock are unchanged: the lock belongs to the process, and the thread only serves the ports.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { startEmulators, type EmulatedService, type EmulatorOptions, type Emulators } from './emulators';

export type EmulatorThreadMessage =
  | { readonly kind: 'started'; readonly endpoints: Record<EmulatedService, string> }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'failed'; readonly message: string; readonly stack: string };

export interface ThreadedEmulators extends Emulators {
  /** False when the emulators run in the calling thread (no built worker found). */
  readonly inWorker: boolean;
}

/** dist/emulators-worker.cjs, seen from the bundle (dist/) or from the sources (src/local/emulators/). */
export function emulatorWorkerFile(): string | undefined {
  const candidates = [join(__dirname, 'emulators-worker.cjs'), join(__dirname, '..', '..', '..', 'dist', 'emulators-worker.cjs')];
  return candidates.find((file) => existsSync(file));
}

const threadError = (m: { message: string; stack: string }) => {
  const error = new Error(`the emulators' thread: ${m.message}`);
  if (m.stack) error.stack = `${error.message}\n${m.stack.split('\n').slice(1).join('\n')}`;
  return error;
};

export async function startEmulatorThread(options: EmulatorOptions = {}): Promise<ThreadedEmulators> {
  const file = emulatorWorkerFile();
  if (!file) return { ...(await startEmulators(options)), inWorker: false };

  const worker = new Worker(file, { workerData: options });
  let exited = false;
  const exit = new Promise<number>((resolve) =>
    worker.once('exit', (code) => {
      exited = true;
      resolve(code);
    }),
  );
  const next = () =>
    new Promise<EmulatorThreadMessage>((resolve, reject) => {
      const onMessage = (m: EmulatorThreadMessage) => {
        cleanup();
        resolve(m);
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`the emulators' thread exited with code ${code} before answering`));
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
    });

  const first = await next().catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  if (first.kind !== 'started') {
    await worker.terminate();
    throw first.kind === 'failed' ? threadError(first) : new Error(`the emulators' thread answered ${first.kind}`);
  }
  // An error the thread did not handle ends the thread, and with it every emulator: say so loudly.
  worker.on('error', (error) => {
    process.emitWarning(`the emulators' thread failed: ${error.message}`);
  });
  // The thread keeps the process alive only while the emulators are in use; stop() ends it.
  return {
    endpoints: first.endpoints,
    inWorker: true,
    async stop() {
      if (exited) return;
      const answer = next();
      worker.postMessage({ kind: 'stop' });
      const m = await answer.catch((error: unknown) => ({ kind: 'failed' as const, message: String(error), stack: '' }));
      await Promise.race([exit, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      if (!exited) await worker.terminate();
      if (m.kind === 'failed') throw threadError(m);
    },
  };
}
