/** When a running local pipeline's rule fires next: exact at real-time speed, a bound when accelerated. */
import { Cron } from 'croner';
import { type DataDirLayout, maintenanceEveryMs, runningPipeline } from '../../local';
import type { RuleName } from '../types';

export function nextTrigger(
  layout: DataDirLayout,
  rule: RuleName,
  enabled: boolean,
  now: Date,
): { at: string | null; approximate: boolean } {
  const running = runningPipeline(layout);
  if (!enabled || !running?.schedule) return { at: null, approximate: false };
  const { speed, pattern } = running.schedule;
  if (rule === 'report') return { at: null, approximate: false };
  if (rule === 'maintenance') {
    if (running.command !== 'start') return { at: null, approximate: false };
    return { at: new Date(now.getTime() + maintenanceEveryMs(speed)).toISOString(), approximate: true };
  }
  if (speed === 1) {
    const job = new Cron(pattern, { paused: true, timezone: 'Etc/UTC' });
    const at = job.nextRun(now);
    job.stop();
    return { at: at?.toISOString() ?? null, approximate: false };
  }
  return { at: new Date(now.getTime() + 60_000 / speed).toISOString(), approximate: true };
}
