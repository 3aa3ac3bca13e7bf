/** Timers that `wakeAll()` cuts short, so a poll loop stops at once instead of finishing its nap. */
export class Sleeper {
  private readonly waiting = new Set<() => void>();

  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiting.add(done);
    });
  }

  wakeAll(): void {
    for (const done of [...this.waiting]) done();
  }
}

/** Polls `condition` until it holds; rejects with `describe()` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean,
  timeoutMs: number,
  describe: () => string,
  intervalMs = 10,
  /** When given, the deadline counts from the last time this value changed: work that moves is waited for. */
  progress?: () => number,
): Promise<void> {
  let deadline = Date.now() + timeoutMs;
  let seen = progress?.();
  while (!condition()) {
    const now = Date.now();
    if (progress) {
      const value = progress();
      if (value !== seen) {
        seen = value;
        deadline = now + timeoutMs;
      }
    }
    if (now > deadline) throw new Error(describe());
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
