/**
 * The daily report as data: per symbol, the day's open/high/low/close, the change against the previous
 * close, volume, number of ticks, largest move and anomalies (from the compacted table), and its
 * BUY/SELL alerts (from the alert table), sent (PUBLISHED) and not sent (PENDING) apart. Pure: the
 * rows come in already typed; rendering is elsewhere. What each figure is made of: docs/OPERATIONS.md.
 */
import { ANOMALY_THRESHOLD_PERCENT, changeHundredths } from './enrich';
import { reconcileAlerts, type SignalEntry } from './reconcile';
import type { SkippedTicks } from './ports';
import type { Alert, Side } from './signals';

/** One symbol's day as the `symbols` query returns it (src/report/queries.ts). */
export interface SymbolDayRow {
  readonly symbol: string;
  readonly ticks: number;
  /** The first tick's `open`. */
  readonly open_price: number;
  /** The last tick's price. */
  readonly close_price: number;
  /** Highest of the ticks' `high` and prices. */
  readonly high_price: number;
  /** Lowest of the ticks' `low` and prices. */
  readonly low_price: number;
  /** The first tick's `previous_close`: the close of the day before. */
  readonly previous_close: number;
  /** The day's volume by what `volume` means for the ticks' source (core/volume.ts). */
  readonly volume: number;
  readonly first_tick: string;
  readonly last_tick: string;
  readonly largest_move_at: string;
  readonly largest_move_price: number;
  readonly largest_move_percent: number;
  /** Moves (not polls) beyond the anomaly threshold. */
  readonly anomalies: number;
}

export interface AnomalyRow {
  readonly symbol: string;
  readonly timestamp: string;
  readonly price: number;
  readonly previous_close: number;
  readonly change_percent: number;
}

/** A crossover recomputed from the lake, as the `signals` query returns it (src/report/signals-query.ts). */
export interface CrossoverRow {
  readonly symbol: string;
  readonly side: Side;
  readonly timestamp: string;
  readonly price: number;
  readonly sma5: number;
  readonly sma20: number;
}

/**
 * The day's alerts sent (PUBLISHED) against the day's crossovers recomputed from the compacted table.
 * A PENDING alert was not sent, so its crossover is missing.
 */
export interface ReportReconciliation {
  /** Crossovers recomputed from the lake for the day. */
  readonly recomputed: number;
  /** Alerts sent that are also crossovers. */
  readonly matched: number;
  /** Crossovers with no alert sent. */
  readonly missing: readonly SignalEntry[];
  /** Alerts sent with no crossover. */
  readonly extra: readonly SignalEntry[];
  /** missing + extra: 0 when the day's alerts are what the data says. */
  readonly differences: number;
}

export function reconcileDay(alerts: readonly ReportAlert[], crossovers: readonly CrossoverRow[]): ReportReconciliation {
  const entry = (e: { symbol: string; side: Side; timestamp: string }): SignalEntry => ({
    symbol: e.symbol,
    side: e.side,
    timestamp: e.timestamp,
  });
  const { matched, missing, extra } = reconcileAlerts(alerts.filter(wasSent).map(entry), crossovers.map(entry));
  return { recomputed: crossovers.length, matched, missing, extra, differences: missing.length + extra.length };
}

export interface ReportAlert extends Alert {
  /** The ledger's status: PUBLISHED (sent) or PENDING (claimed, never sent). */
  readonly status: string;
}

/** Only a PUBLISHED alert was sent; PENDING (or anything else) was not. */
export const wasSent = (alert: ReportAlert): boolean => alert.status === 'PUBLISHED';

export interface SymbolReport {
  readonly symbol: string;
  readonly ticks: number;
  readonly open: number | null;
  readonly close: number | null;
  readonly high: number | null;
  readonly low: number | null;
  readonly previousClose: number | null;
  /** Close against the previous close, in percent at two decimals. */
  readonly changePercent: number | null;
  /** The day's volume (cumulative sources: the last tick's; per-bar sources: the sum). */
  readonly volume: number | null;
  readonly firstTick: string;
  readonly lastTick: string;
  /** Empty values (null, '') when the symbol has alerts but no compacted ticks that day. */
  readonly largestMove: { readonly at: string; readonly price: number | null; readonly changePercent: number | null };
  readonly anomalies: number;
  /** Ticks of the day the analysis did not fold in order: written after it had passed them. */
  readonly lateTicks: number;
  /** Second ticks for a timestamp the symbol already had, with other values. */
  readonly duplicateTicks: number;
  /** Every alert of the day, sent or not (see `status`). */
  readonly alerts: readonly ReportAlert[];
}

export interface DailyReport {
  readonly date: string;
  readonly generatedAt: string;
  readonly anomalyThresholdPercent: number;
  readonly symbols: readonly SymbolReport[];
  /** The largest anomalies of the day (at most the query's limit; `totals.anomalies` counts them all). */
  readonly anomalies: readonly AnomalyRow[];
  /** The day's alerts checked against the recomputed crossovers (absent in reports stored before it existed). */
  readonly reconciliation?: ReportReconciliation;
  readonly totals: {
    readonly symbols: number;
    readonly ticks: number;
    /** Alerts sent (PUBLISHED); `buy` + `sell` = `alerts`. */
    readonly alerts: number;
    readonly buy: number;
    readonly sell: number;
    /** Alerts claimed but never sent (not PUBLISHED). */
    readonly pending: number;
    readonly anomalies: number;
    readonly lateTicks: number;
    readonly duplicateTicks: number;
  };
}

export interface DailyReportInput {
  readonly date: string;
  readonly generatedAt: string;
  readonly symbolRows: readonly SymbolDayRow[];
  readonly anomalyRows: readonly AnomalyRow[];
  readonly alerts: readonly ReportAlert[];
  /** The day's alerts against the recomputed crossovers (reconcileDay); a report without it has none. */
  readonly reconciliation?: ReportReconciliation;
  /** Per symbol, the day's ticks the analysis did not fold in order (none when absent). */
  readonly skipped?: ReadonlyMap<string, SkippedTicks>;
}

const byTime = <T extends { timestamp: string }>(a: T, b: T): number =>
  a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0;

function emptyDay(symbol: string, alerts: readonly ReportAlert[], skipped: SkippedTicks): SymbolReport {
  // Alerts without compacted ticks: the day's partition was not compacted yet.
  return {
    symbol,
    ticks: 0,
    open: null,
    close: null,
    high: null,
    low: null,
    previousClose: null,
    changePercent: null,
    volume: null,
    firstTick: '',
    lastTick: '',
    largestMove: { at: '', price: null, changePercent: null },
    anomalies: 0,
    lateTicks: skipped.late,
    duplicateTicks: skipped.duplicate,
    alerts,
  };
}

export function buildDailyReport(input: DailyReportInput): DailyReport {
  const alertsBySymbol = new Map<string, ReportAlert[]>();
  for (const alert of input.alerts) {
    if (alert.timestamp.slice(0, 10) !== input.date) continue;
    alertsBySymbol.set(alert.symbol, [...(alertsBySymbol.get(alert.symbol) ?? []), alert]);
  }
  const skipped = input.skipped ?? new Map<string, SkippedTicks>();
  const symbols = new Set([...input.symbolRows.map((r) => r.symbol), ...alertsBySymbol.keys(), ...skipped.keys()]);
  const rows = new Map(input.symbolRows.map((r) => [r.symbol, r]));

  const reports: SymbolReport[] = [...symbols].sort().map((symbol) => {
    const alerts = (alertsBySymbol.get(symbol) ?? []).sort(byTime);
    const r = rows.get(symbol);
    const notFolded = skipped.get(symbol) ?? { late: 0, duplicate: 0 };
    if (!r) return emptyDay(symbol, alerts, notFolded);
    return {
      symbol,
      ticks: r.ticks,
      open: r.open_price,
      close: r.close_price,
      high: r.high_price,
      low: r.low_price,
      previousClose: r.previous_close,
      changePercent: changeHundredths(r.close_price, r.previous_close) / 100,
      volume: r.volume,
      firstTick: r.first_tick,
      lastTick: r.last_tick,
      largestMove: { at: r.largest_move_at, price: r.largest_move_price, changePercent: r.largest_move_percent },
      anomalies: r.anomalies,
      lateTicks: notFolded.late,
      duplicateTicks: notFolded.duplicate,
      alerts,
    };
  });

  const allAlerts = reports.flatMap((s) => s.alerts);
  const sent = allAlerts.filter(wasSent);
  return {
    date: input.date,
    generatedAt: input.generatedAt,
    anomalyThresholdPercent: ANOMALY_THRESHOLD_PERCENT,
    symbols: reports,
    anomalies: [...input.anomalyRows],
    ...(input.reconciliation ? { reconciliation: input.reconciliation } : {}),
    totals: {
      symbols: reports.length,
      ticks: reports.reduce((n, s) => n + s.ticks, 0),
      alerts: sent.length,
      buy: sent.filter((a) => a.side === 'BUY').length,
      sell: sent.filter((a) => a.side === 'SELL').length,
      pending: allAlerts.length - sent.length,
      anomalies: reports.reduce((n, s) => n + s.anomalies, 0),
      lateTicks: reports.reduce((n, s) => n + s.lateTicks, 0),
      duplicateTicks: reports.reduce((n, s) => n + s.duplicateTicks, 0),
    },
  };
}

const fixed = (n: number | null): string => (n === null ? '-' : n.toFixed(2));
const signed = (n: number | null): string => (n === null ? '-' : `${n > 0 ? '+' : ''}${n.toFixed(2)}`);
const count = (n: number | null): string => (n === null ? '-' : n.toLocaleString('en-US'));

const alertText = (a: ReportAlert): string =>
  `${a.side} ${fixed(a.price)} at ${a.timestamp.slice(11, 16)}${wasSent(a) ? '' : ` (${a.status}, not sent)`}`;

const entryText = (e: SignalEntry): string => `${e.symbol} ${e.side} at ${e.timestamp}`;

/** The reconciliation in words: one line when the alerts agree with the data, else every difference. */
export function reconciliationLines(r: ReportReconciliation): string[] {
  if (r.differences === 0)
    return [`Reconciliation: ${r.matched} alerts sent = ${r.recomputed} crossovers recomputed from the lake, no difference.`];
  return [
    `Reconciliation: ${r.differences} differences: ${r.matched} alerts sent match, ${r.missing.length} crossovers have no alert sent, ${r.extra.length} alerts sent have no crossover (of ${r.recomputed} recomputed from the lake).`,
    ...r.missing.map((e) => `  missing: ${entryText(e)} (crossover, no alert sent)`),
    ...r.extra.map((e) => `  extra: ${entryText(e)} (alert sent, no crossover)`),
  ];
}

/** The e-mail the report workflow publishes: one line per symbol and where the full report is. */
export function reportSummary(
  report: DailyReport,
  location: { json: string; html: string; /** A link that opens the page (presigned URL, file path). */ page?: string },
): { subject: string; message: string } {
  const t = report.totals;
  // A report stored before pending alerts were counted apart has no `pending`.
  const pending = t.pending > 0 ? `, ${t.pending} pending (never sent)` : '';
  const subject = `stockpipe daily report ${report.date}: ${t.symbols} symbols, ${t.alerts} alerts${t.pending > 0 ? `, ${t.pending} pending` : ''}`;
  const lines = report.symbols.map((s) => {
    const alerts = s.alerts.map(alertText).join(', ');
    return (
      `${s.symbol}: ${s.ticks} ticks, open ${fixed(s.open)} high ${fixed(s.high)} low ${fixed(s.low)} close ${fixed(s.close)} ` +
      `(${signed(s.changePercent)}% vs previous close ${fixed(s.previousClose ?? null)}), volume ${count(s.volume)}, anomalies ${s.anomalies}` +
      (s.lateTicks + s.duplicateTicks > 0 ? `, not folded: ${s.lateTicks} late, ${s.duplicateTicks} duplicate` : '') +
      (alerts ? `; alerts: ${alerts}` : '')
    );
  });
  const message = [
    `stockpipe daily report for ${report.date} (UTC)`,
    `${t.symbols} symbols, ${t.ticks} ticks, ${t.buy} BUY and ${t.sell} SELL alerts sent${pending}, ${t.anomalies} anomalies (moves beyond ${report.anomalyThresholdPercent}% of the previous close).`,
    '',
    ...lines,
    ...(t.lateTicks + t.duplicateTicks > 0
      ? [
          '',
          `Ticks not folded in order: ${t.lateTicks} late (written after the analysis had passed their time), ${t.duplicateTicks} duplicate (a second tick for a time already seen); see stockpipe status.`,
        ]
      : []),
    ...(report.reconciliation ? ['', ...reconciliationLines(report.reconciliation)] : []),
    '',
    ...(location.page ? [`Open the report page: ${location.page}`] : []),
    `Full report: ${location.html}`,
    `As JSON: ${location.json}`,
  ].join('\n');
  return { subject: subject.slice(0, 100), message };
}
