/** Bounded exponential backoff with full jitter, for the partial-failure loops AWS batch APIs need. */
export interface BackoffOptions {
  /** @default 5 */
  readonly attempts?: number;
  /** @default 50 */
  readonly baseDelayMs?: number;
  /** @default 2000 */
  readonly maxDelayMs?: number;
  /** @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseDelayMs ?? 50;
  const cap = options.maxDelayMs ?? 2000;
  return Math.random() * Math.min(cap, base * 2 ** attempt);
}

/**
 * Calls `attempt` with what is still pending until nothing is, at most `attempts` times, sleeping
 * between tries. Returns what is still pending after the last try (empty on success).
 */
export async function retryPending<T>(
  pending: readonly T[],
  attempt: (items: readonly T[]) => Promise<readonly T[]>,
  options: BackoffOptions = {},
): Promise<readonly T[]> {
  const attempts = options.attempts ?? 5;
  const wait = options.sleep ?? sleep;
  let left = pending;
  for (let i = 0; i < attempts && left.length > 0; i++) {
    if (i > 0) await wait(backoffDelay(i, options));
    left = await attempt(left);
  }
  return left;
}

export const chunk = <T>(items: readonly T[], size: number): T[][] => {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
};
