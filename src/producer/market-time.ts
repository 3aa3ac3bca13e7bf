/** Turns the dates historical price files use into the ISO UTC timestamps ticks carry. */
import { err, ok, type Result } from '../core/result';

const MONTHS: Readonly<Record<string, number>> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

/**
 * A date without a time is a daily (or monthly) closing price, so it is stamped with the US market
 * close: 16:00 New York is 21:00 UTC in winter (20:00 in summer; one fixed hour keeps every row of a
 * file on the same wall-clock time, which is what ordering and the `dt` partition need).
 */
export const MARKET_CLOSE_UTC = 'T21:00:00.000Z';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_DAY_YEAR = /^([A-Za-z]{3})[A-Za-z]*\.? (\d{1,2}),? (\d{4})$/;
const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?$/i;

const FORMATS = 'a date like 2000-01-03 or Jan 3 2000, or an ISO-8601 timestamp with a zone like 2000-01-03T14:30:00Z';

const calendarDay = (year: number, month: number, day: number): Result<string, string> => {
  const date = new Date(Date.UTC(year, month, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month || date.getUTCDate() !== day) {
    return err('is not a day of the calendar');
  }
  return ok(`${date.toISOString().slice(0, 10)}${MARKET_CLOSE_UTC}`);
};

/** "Jan 1 2000", "2000-01-03" (both at market close) or an ISO timestamp with a zone -> ISO UTC. */
export function parseMarketTime(value: string): Result<string, string> {
  const text = value.trim();
  if (text === '') return err('is required');

  const iso = ISO_DATE.exec(text);
  if (iso) return calendarDay(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]));

  const mdy = MONTH_DAY_YEAR.exec(text);
  if (mdy) {
    const month = MONTHS[mdy[1]!.toLowerCase()];
    if (month === undefined) return err(`has an unknown month "${mdy[1]}"; expected ${FORMATS}`);
    return calendarDay(Number(mdy[3]), month, Number(mdy[2]));
  }

  const full = ISO_DATE_TIME.exec(text);
  if (full) {
    const zone = full[3];
    if (!zone) return err('has no time zone: add Z (UTC) or an offset like -05:00, a local time would be a guess');
    const [year, month, day] = full[1]!.split('-').map(Number) as [number, number, number];
    const dayOk = calendarDay(year, month - 1, day);
    if (!dayOk.ok) return dayOk;
    const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
    const millis = Date.parse(`${full[1]}T${full[2]}${offset}`);
    if (Number.isNaN(millis)) return err(`is not a valid time; expected ${FORMATS}`);
    return ok(new Date(millis).toISOString());
  }
  return err(`is not a date; expected ${FORMATS}`);
}
