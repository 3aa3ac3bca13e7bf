/**
 * The health panel's data, the same on both targets: dead-letter depths, the last workflow runs and
 * the reconciliation of the newest stored report. A part that cannot be read becomes a note, so one
 * missing permission or a stopped pipeline does not blank the panel.
 */
import type { DailyReport } from '../core/report';
import type { Operations, StoredReport } from '../ops/operations';
import type { QueueDepth, RunSummary } from '../ops/types';
import type { DashboardHealth } from './data';
import type { MinuteCounts } from './series';

export interface HealthParts {
  readonly dlq: () => Promise<readonly QueueDepth[]>;
  readonly runs: () => Promise<readonly RunSummary[]>;
  /** The newest stored report as JSON; a not-found error means there is none yet. */
  readonly report: () => Promise<StoredReport>;
}

/** How many runs the panel lists. */
export const HEALTH_RUNS = 8;

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export async function healthOf(
  parts: HealthParts,
  extra: { perMinute: readonly MinuteCounts[]; now: Date; notes?: readonly string[] },
): Promise<DashboardHealth> {
  const notes = [...(extra.notes ?? [])];
  const [dlq, runs, report] = await Promise.all([
    parts.dlq().catch((e: unknown) => {
      notes.push(`dead-letter queues: ${message(e)}`);
      return [] as readonly QueueDepth[];
    }),
    parts.runs().catch((e: unknown) => {
      notes.push(`workflow runs: ${message(e)}`);
      return [] as readonly RunSummary[];
    }),
    parts.report().catch((e: unknown) => {
      if ((e as { kind?: string }).kind !== 'not-found') notes.push(`last report: ${message(e)}`);
      return undefined;
    }),
  ]);
  let lastReport: DashboardHealth['lastReport'] = null;
  if (report) {
    try {
      const parsed = JSON.parse(report.body.toString('utf8')) as DailyReport;
      const r = parsed.reconciliation;
      lastReport = r
        ? { date: parsed.date, recomputed: r.recomputed, matched: r.matched, differences: r.differences }
        : { date: parsed.date, recomputed: 0, matched: 0, differences: 0 };
    } catch (e) {
      notes.push(`last report: ${report.location} is not valid JSON (${message(e)})`);
    }
  }
  return {
    generatedAt: extra.now.toISOString(),
    perMinute: extra.perMinute,
    dlq: dlq.map((q) => ({ queue: q.queue, visible: q.visible, inFlight: q.inFlight })),
    runs: runs.slice(0, HEALTH_RUNS).map((r) => ({
      workflow: r.workflow,
      id: r.id,
      status: r.status,
      startedAt: r.startedAt,
      stoppedAt: r.stoppedAt,
    })),
    lastReport,
    notes,
  };
}

/** The parts from an Operations (the local target's: its status has the queue depths). */
export function healthFrom(
  operations: Operations,
  extra: { perMinute: readonly MinuteCounts[]; now: Date; notes?: readonly string[] },
): Promise<DashboardHealth> {
  return healthOf(
    {
      dlq: async () => {
        const status = await operations.status();
        const stopped = status.warnings.find((w) => w.startsWith('no local pipeline runs'));
        if (stopped) throw new Error(stopped);
        return status.dlq;
      },
      runs: () => operations.listRuns({ limit: HEALTH_RUNS }),
      report: () => operations.getReport({ format: 'json' }),
    },
    extra,
  );
}
