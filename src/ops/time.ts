/** Time options of the operating commands: `--since 24h`, `--since 2024-01-02`, `--date 2024-01-02`. */
import { UsageError } from './errors';

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `--since`: a duration back from now (`90s`, `30m`, `24h`, `1d`, `2w`) or an ISO date/time.
 * Returns the instant it names; a bad value is a usage error naming the option and the value.
 */
export function parseSince(value: string, now: Date = new Date(), option = '--since'): Date {
  const text = value.trim();
  const duration = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(text);
  if (duration) {
    const ms = Number(duration[1]) * UNIT_MS[duration[2]!.toLowerCase()]!;
    return new Date(now.getTime() - ms);
  }
  if (DAY.test(text) || /^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const at = new Date(DAY.test(text) ? `${text}T00:00:00Z` : text);
    if (!Number.isNaN(at.getTime())) return at;
  }
  throw new UsageError(
    `${option} ${JSON.stringify(value)} is not a duration or a date; use e.g. 30m, 24h, 1d, 2w, or 2024-01-02 / 2024-01-02T15:00:00Z`,
  );
}

/** `--date`: one UTC day, YYYY-MM-DD, that exists in the calendar. */
export function parseDay(value: string, option = '--date'): string {
  const text = value.trim();
  if (DAY.test(text)) {
    const at = new Date(`${text}T00:00:00Z`);
    if (!Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === text) return text;
  }
  throw new UsageError(`${option} ${JSON.stringify(value)} is not a day; use YYYY-MM-DD, e.g. 2024-01-02`);
}

/** Yesterday's UTC day: what a daily report run on demand covers by default. */
export const previousDay = (now: Date = new Date()): string => new Date(now.getTime() - UNIT_MS.d!).toISOString().slice(0, 10);

/** "3m 20s", "1h 05m", "2d 04h": a duration short enough for a table cell. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(s < 10 ? 1 : 0)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${String(h % 24).padStart(2, '0')}h`;
}
