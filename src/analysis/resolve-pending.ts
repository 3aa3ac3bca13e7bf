/**
 * No alert left behind: an alert claimed (PENDING) whose invocation died before it marked it
 * PUBLISHED is sent and marked here, instead of waiting for a redelivery that may never come (its
 * batch may have been checkpointed or dead-lettered). Which ones: those whose claim (lease) ran out,
 * so no live invocation is publishing them; or, with `force`, every PENDING one, for a caller that
 * knows no invocation can be running (the local runtime at start-up, under its data-dir lock).
 *
 * Sent once more only when it has to be: a notifier that can tell whether the alert went out (the
 * local outbox) is asked first, and an alert it already holds is only marked. SNS cannot tell, so on
 * AWS an alert that died between SNS and the mark is sent a second time, with the same subject and
 * alert key: the at-least-once window the ledger documents.
 */
import type { AlertLedger, AlertNotifier, PendingAlert } from '../core/ports';
import type { Alert } from '../core/signals';

export interface PendingResolverDeps {
  readonly pending: () => Promise<readonly PendingAlert[]>;
  readonly ledger: AlertLedger;
  readonly notifier: AlertNotifier;
  readonly now?: () => number;
}

export interface PendingResolution {
  /** PENDING entries seen, and of those the ones left alone because a live claim holds them. */
  readonly pending: number;
  readonly held: number;
  /** Sent now, then marked. */
  readonly published: number;
  /** Found already sent (the notifier says so): marked only. */
  readonly markedOnly: number;
  readonly failed: readonly { readonly alert: Alert; readonly reason: string }[];
}

export async function resolvePendingAlerts(
  deps: PendingResolverDeps,
  options: { force?: boolean } = {},
): Promise<PendingResolution> {
  const now = deps.now ?? Date.now;
  const pending = await deps.pending();
  let held = 0;
  let published = 0;
  let markedOnly = 0;
  const failed: { alert: Alert; reason: string }[] = [];
  for (const entry of pending) {
    const { claimedAt: _claimedAt, leaseUntil, ...alert } = entry;
    const leaseLive = leaseUntil !== undefined && leaseUntil > now();
    if (leaseLive && !options.force) {
      held++;
      continue;
    }
    try {
      if (leaseLive) await deps.ledger.release(alert);
      if ((await deps.ledger.claim(alert)) === 'already-published') continue;
      if (deps.notifier.wasDelivered && (await deps.notifier.wasDelivered(alert))) {
        markedOnly++;
      } else {
        try {
          await deps.notifier.publish(alert);
        } catch (e) {
          await deps.ledger.release(alert).catch(() => undefined);
          throw e;
        }
        published++;
      }
      await deps.ledger.markPublished(alert);
    } catch (e) {
      failed.push({ alert, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  return { pending: pending.length, held, published, markedOnly, failed };
}
