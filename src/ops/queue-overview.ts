/**
 * Every dead-letter queue with its depth, read one by one: a queue that cannot be read (a missing
 * grant, a deleted queue) becomes a row with its error instead of failing the whole list.
 */
import { QUEUE_NAMES, type QueueDepth, type QueueName, type QueueOverview } from './types';

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export async function overviewOfQueues(
  read: (queue: QueueName) => Promise<{ url: string; visible: number; inFlight: number }>,
  urlOf: (queue: QueueName) => string | null,
): Promise<QueueOverview[]> {
  const settled = await Promise.allSettled(QUEUE_NAMES.map((queue) => read(queue)));
  return QUEUE_NAMES.map((queue, i): QueueOverview => {
    const outcome = settled[i]!;
    if (outcome.status === 'fulfilled') return { queue, ...outcome.value, error: null };
    let url: string | null;
    try {
      url = urlOf(queue);
    } catch {
      url = null;
    }
    return { queue, url, visible: null, inFlight: null, error: message(outcome.reason) };
  });
}

/** The queues that could be read; each one that could not adds a warning naming it. */
export function readableDepths(overview: readonly QueueOverview[], warnings: string[]): QueueDepth[] {
  const depths: QueueDepth[] = [];
  for (const row of overview) {
    if (row.error !== null || row.url === null || row.visible === null || row.inFlight === null) {
      warnings.push(`dead-letter queue ${row.queue}: ${row.error ?? 'no depth'}`);
    } else {
      depths.push({ queue: row.queue, url: row.url, visible: row.visible, inFlight: row.inFlight });
    }
  }
  return depths;
}
