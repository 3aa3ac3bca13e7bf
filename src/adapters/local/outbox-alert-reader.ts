/**
 * The day's alerts for the report workflow from the local outbox: used when the alert table of the
 * last run is gone (a run without --persist keeps its tables in memory), since the outbox records
 * every alert that was published, which is what the table would have held as PUBLISHED.
 */
import { readOutbox } from './outbox-notifier';
import type { ReportAlert } from '../../core/report';
import type { DayAlertReader } from '../../core/ports-report';

export class OutboxAlertReader implements DayAlertReader {
  constructor(private readonly outboxDir: string) {}

  async alertsOfDay(date: string): Promise<ReportAlert[]> {
    return readOutbox(this.outboxDir)
      .map((m) => m.alert)
      .filter((a) => a.timestamp.startsWith(date))
      .map((a) => ({
        symbol: a.symbol,
        side: a.side,
        timestamp: a.timestamp,
        price: a.price,
        sma5: a.sma5,
        sma20: a.sma20,
        status: 'PUBLISHED',
      }))
      .sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.symbol < b.symbol ? -1 : 1));
  }
}
