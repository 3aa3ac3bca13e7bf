/**
 * The property test's sense of time: a seeded PRNG, a logical clock, and a scheduler that completes
 * pending calls in a random (seeded) order. No real timer runs: a call awaits `turn()`, and the
 * scheduler resolves one pending turn at a time, picked at random, after the microtasks of the last
 * one have settled (one setImmediate). So one seed gives one interleaving, replayable.
 */

/** A seeded PRNG (mulberry32), as test/integration/analysis-order.test.ts. */
export const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

export type Random = () => number;

/** A whole number in lo..hi, both included. */
export const between = (random: Random, lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));

export const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

export const shuffled = <T>(items: readonly T[], random: Random): T[] => {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

/** Epoch ms that only the test moves: processing's `written_at`, the analysis's `now`, the ledger's lease. */
export class LogicalClock {
  private ms = Date.parse('2024-06-03T00:00:00.000Z');
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += Math.max(0, Math.floor(ms));
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class StepLimitExceeded extends Error {
  override readonly name = 'StepLimitExceeded';
}

export class Scheduler {
  private readonly pending: (() => void)[] = [];
  steps = 0;

  constructor(
    private readonly random: Random,
    private readonly clock: LogicalClock,
    private readonly maxSteps: number,
  ) {}

  /** Resolves at a random later step: a call in flight, completing in no set order with the others. */
  turn(): Promise<void> {
    return new Promise<void>((resolve) => this.pending.push(resolve));
  }

  /** Runs `work` to its end, completing pending calls one at a time in random order. */
  async run<T>(work: Promise<T>): Promise<T> {
    let finished = false;
    const done = work.finally(() => {
      finished = true;
    });
    done.catch(() => undefined);
    for (;;) {
      await settle();
      if (finished) return done;
      if (this.pending.length === 0) throw new Error('deadlock: nothing in flight and the pipeline has not finished');
      if (++this.steps > this.maxSteps) {
        throw new StepLimitExceeded(`the pipeline did not drain within ${this.maxSteps} scheduler steps`);
      }
      const [next] = this.pending.splice(Math.floor(this.random() * this.pending.length), 1);
      this.clock.advance(this.random() * 4);
      next!();
    }
  }
}
