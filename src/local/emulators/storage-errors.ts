/**
 * dynalite (3.2) and kinesalite (3.3) throw any error of an action that has no HTTP status from
 * inside a leveldb callback: a full disk (`IO error: ... No space left on device`) or an unwritable
 * data dir is an uncaught exception that kills the whole process, and the request gets no answer.
 * This wraps each of their action modules, before the emulator loads them, so that such an error
 * answers the request with a 500 naming the cause instead: the SDK retries it, and the caller
 * (producer, processing, analysis) reports its records as failed, to be retried and then
 * dead-lettered like any other fault.
 *
 * Import this module before `dynalite` and `kinesalite` (emulators.ts does): it refuses to wrap an
 * emulator that is already loaded, since that one holds its unwrapped actions.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

type Callback = (error: unknown, data?: unknown) => void;
type Action = (store: unknown, data: unknown, callback: Callback) => void;

const requireHere = createRequire(__filename);

/** The error an emulator sends for a failure of its own storage: an HTTP 500 the SDK retries. */
export function storageFailure(service: string, errorType: string, cause: unknown): Error & { statusCode: number; body: object } {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const message = `the local ${service} could not use its files: ${detail}`;
  return Object.assign(new Error(message), { statusCode: 500, body: { __type: errorType, message } });
}

function wrapActions(packageName: string, service: string, errorType: string): number {
  const index = requireHere.resolve(packageName);
  if (requireHere.cache[index]) {
    throw new Error(`storage-errors must be imported before ${packageName} (${packageName} is already loaded)`);
  }
  const folder = join(dirname(index), 'actions');
  let wrapped = 0;
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.js'))) {
    const path = join(folder, file);
    const action = requireHere(path) as Action;
    requireHere.cache[path]!.exports = ((store, data, callback) => {
      action(store, data, (error, result) => {
        const hasStatus = (error as { statusCode?: unknown } | null)?.statusCode !== undefined;
        callback(error && !hasStatus ? storageFailure(service, errorType, error) : error, result);
      });
    }) satisfies Action;
    wrapped++;
  }
  return wrapped;
}

export const WRAPPED_EMULATOR_ACTIONS = {
  dynalite: wrapActions('dynalite', 'DynamoDB', 'com.amazonaws.dynamodb.v20120810#InternalServerError'),
  kinesalite: wrapActions('kinesalite', 'Kinesis', 'InternalFailure'),
};
