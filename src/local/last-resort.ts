/**
 * What a running local pipeline must still do when its process dies of an error nothing handled:
 * leave one line in its runtime log and give back the data dir's lock. The stream journal and the
 * checkpoints are written as the pipeline goes, so nothing else is needed for the next start to go
 * on where this one stopped. The CLI's entry point calls `runLastResorts` from its
 * `uncaughtException` and `unhandledRejection` handlers, then exits.
 */
type LastResort = (error: unknown) => void;

const lastResorts = new Set<LastResort>();

/** Registers `action`; returns the function that removes it (a clean stop calls it). */
export function onLastResort(action: LastResort): () => void {
  lastResorts.add(action);
  return () => lastResorts.delete(action);
}

/** Runs every registered action; one that fails does not keep the others from running. */
export function runLastResorts(error: unknown): number {
  let ran = 0;
  for (const action of [...lastResorts]) {
    try {
      action(error);
      ran++;
    } catch {
      // Nothing more can be done for this one: the process is going down.
    }
    lastResorts.delete(action);
  }
  return ran;
}
