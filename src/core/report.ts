/**
 * The daily report as data: per symbol, the day's open/close/high/low, volume, number of ticks,
 * largest move and anomalies (from the compacted table), and its BUY/SELL alerts (from the alert
 * table). Pure: the rows come in already typed; rendering is elsewhere.
 */
import { ANOMALY_THRESHOLD_PERCENT } from './enrich';
import type { Alert } from './signals';

export interface SymbolDayRow {
  readonly symbol: string;
  readonly ticks: number;
  readonly open_price: number;
  readonly close_price: number;
  readonly high_price: number;
  readonly low_price: number;
  readonly total_volume: number;
  readonly last_volume: number;
  readonly first_tick: string;
  readonly last_tick: string;
  readonly largest_move_at: string;
  readonly largest_move_price: number;
  readonly largest_move_percent: number;
  readonly anomalies: number;
}

export interface AnomalyRow {
  readonly symbol: string;
  readonly timestamp: string;
  readonly price: number;
  readonly previous_close: number;
  readonly change_percent: number;
}

export interface ReportAlert extends Alert {
  readonly status: string;
}

export interface SymbolReport {
  readonly symbol: string;
  readonly ticks: number;
  readonly open: number | null;
  readonly close: number | null;
  readonly high: number | null;
  readonly low: number | null;
  readonly changePercent: number | null;
  /** Sum of the ticks' volumes. */
  readonly volume: number;
  /** Volume of the last tick (a quote source with cumulative day volume puts the day's volume here). */
  readonly lastVolume: number;
  readonly firstTick: string;
  readonly lastTick: string;
  /** Empty values (null, '') when the symbol has alerts but no compacted ticks that day. */
  readonly largestMove: { readonly at: string; readonly price: number | null; readonly changePercent: number | null };
  readonly anomalies: number;
  readonly alerts: readonly ReportAlert[];
}

export interface DailyReport {
  readonly date: string;
  readonly generatedAt: string;
  readonly anomalyThresholdPercent: number;
  readonly symbols: readonly SymbolReport[];
  /** The largest anomalies of the day (at most the query's limit; `totals.anomalies` counts them all). */
  readonly anomalies: readonly AnomalyRow[];
  readonly totals: {
    readonly symbols: number;
    readonly ticks: number;
    readonly alerts: number;
    readonly buy: number;
    readonly sell: number;
    readonly anomalies: number;
  };
}

export interface DailyReportInput {
  readonly date: string;
  readonly generatedAt: string;
  readonly symbolRows: readonly SymbolDayRow[];
  readonly anomalyRows: readonly AnomalyRow[];
  readonly alerts: readonly ReportAlert[];
}

const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits;
const byTime = <T extends { timestamp: string }>(a: T, b: T): number =>
  a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0;

export function buildDailyReport(input: DailyReportInput): DailyReport {
  const alertsBySymbol = new Map<string, ReportAlert[]>();
  for (const alert of input.alerts) {
    if (alert.timestamp.slice(0, 10) !== input.date) continue;
    alertsBySymbol.set(alert.symbol, [...(alertsBySymbol.get(alert.symbol) ?? []), alert]);
  }
  const symbols = new Set([...input.symbolRows.map((r) => r.symbol), ...alertsBySymbol.keys()]);
  const rows = new Map(input.symbolRows.map((r) => [r.symbol, r]));

  const reports: SymbolReport[] = [...symbols].sort().map((symbol) => {
    const alerts = (alertsBySymbol.get(symbol) ?? []).sort(byTime);
    const r = rows.get(symbol);
    if (!r) {
      // Alerts without compacted ticks: the day's partition was not compacted yet.
      return {
        symbol,
        ticks: 0,
        open: null,
        close: null,
        high: null,
        low: null,
        changePercent: null,
        volume: 0,
        lastVolume: 0,
        firstTick: '',
        lastTick: '',
        largestMove: { at: '', price: null, changePercent: null },
        anomalies: 0,
        alerts,
      };
    }
    return {
      symbol,
      ticks: r.ticks,
      open: r.open_price,
      close: r.close_price,
      high: r.high_price,
      low: r.low_price,
      changePercent: round(((r.close_price - r.open_price) / r.open_price) * 100, 2),
      volume: r.total_volume,
      lastVolume: r.last_volume,
      firstTick: r.first_tick,
      lastTick: r.last_tick,
      largestMove: { at: r.largest_move_at, price: r.largest_move_price, changePercent: r.largest_move_percent },
      anomalies: r.anomalies,
      alerts,
    };
  });

  const allAlerts = reports.flatMap((s) => s.alerts);
  return {
    date: input.date,
    generatedAt: input.generatedAt,
    anomalyThresholdPercent: ANOMALY_THRESHOLD_PERCENT,
    symbols: reports,
    anomalies: [...input.anomalyRows],
    totals: {
      symbols: reports.length,
      ticks: reports.reduce((n, s) => n + s.ticks, 0),
      alerts: allAlerts.length,
      buy: allAlerts.filter((a) => a.side === 'BUY').length,
      sell: allAlerts.filter((a) => a.side === 'SELL').length,
      anomalies: reports.reduce((n, s) => n + s.anomalies, 0),
    },
  };
}

const fixed = (n: number | null): string => (n === null ? '-' : n.toFixed(2));

/** The e-mail the report workflow publishes: one line per symbol and where the full report is. */
export function reportSummary(
  report: DailyReport,
  location: { json: string; html: string },
): { subject: string; message: string } {
  const t = report.totals;
  const subject = `stockpipe daily report ${report.date}: ${t.symbols} symbols, ${t.alerts} alerts`;
  const lines = report.symbols.map((s) => {
    const alerts = s.alerts.map((a) => `${a.side} ${fixed(a.price)} at ${a.timestamp.slice(11, 16)}`).join(', ');
    return (
      `${s.symbol}: ${s.ticks} ticks, open ${fixed(s.open)} close ${fixed(s.close)} (${fixed(s.changePercent)}%), ` +
      `high ${fixed(s.high)} low ${fixed(s.low)}, volume ${s.volume}, anomalies ${s.anomalies}` +
      (alerts ? `; alerts: ${alerts}` : '')
    );
  });
  const message = [
    `stockpipe daily report for ${report.date} (UTC)`,
    `${t.symbols} symbols, ${t.ticks} ticks, ${t.buy} BUY and ${t.sell} SELL alerts, ${t.anomalies} anomalies (moves beyond ${report.anomalyThresholdPercent}% of the previous close).`,
    '',
    ...lines,
    '',
    `Full report: ${location.html}`,
    `As JSON: ${location.json}`,
  ].join('\n');
  return { subject: subject.slice(0, 100), message };
}
