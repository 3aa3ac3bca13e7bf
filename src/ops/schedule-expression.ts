/**
 * When an EventBridge schedule expression fires next. `cron(...)` is exact (UTC, AWS's six fields);
 * `rate(...)` fires relative to the moment the rule was created or last enabled, which AWS does not
 * report, so for a rate the answer is the latest time it can be (now + rate) and is flagged approximate.
 */
import { Cron } from 'croner';

export interface NextTrigger {
  readonly at: Date | null;
  readonly approximate: boolean;
}

const RATE_UNIT_MS: Readonly<Record<string, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export function nextTrigger(expression: string | null | undefined, now: Date = new Date()): NextTrigger {
  if (!expression) return { at: null, approximate: false };
  const rate = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/i.exec(expression.trim());
  if (rate) {
    const unit = rate[2]!.toLowerCase().replace(/s$/, '');
    return { at: new Date(now.getTime() + Number(rate[1]) * RATE_UNIT_MS[unit]!), approximate: true };
  }
  const cron = /^cron\((.+)\)$/i.exec(expression.trim());
  if (cron) {
    const fields = cron[1]!.trim().split(/\s+/);
    if (fields.length !== 6) return { at: null, approximate: false };
    // AWS: minutes hours day-of-month month day-of-week year, `?` = any, weekdays 1-7 from Sunday
    // (what croner calls alternativeWeekdays). croner reads `?` as "now", so it becomes `*`.
    const pattern = ['0', ...fields.map((f) => (f === '?' ? '*' : f))].join(' ');
    try {
      const job = new Cron(pattern, { timezone: 'UTC', mode: '7-part', alternativeWeekdays: true, paused: true });
      const at = job.nextRun(now);
      job.stop();
      return { at, approximate: false };
    } catch {
      return { at: null, approximate: false };
    }
  }
  return { at: null, approximate: false };
}
