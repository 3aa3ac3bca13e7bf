/** A report's day, checked before it is spliced into SQL (the report queries and the crossover query share it). */
import { DaySchema } from '../compaction/layout';
import { StockpipeError } from '../core/errors';

export class InvalidReportDate extends StockpipeError {
  override readonly name = 'InvalidReportDate';
}

/** The day as a SQL literal, only once it is a real calendar day (it is spliced into the SQL). */
export function checkedDay(date: unknown): string {
  const parsed = DaySchema.safeParse(date);
  if (!parsed.success)
    throw new InvalidReportDate(`report date=${JSON.stringify(date) ?? 'undefined'}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}
