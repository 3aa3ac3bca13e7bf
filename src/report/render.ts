/** The daily report as a self-contained HTML page (inline CSS, no script) and as JSON. */
import { wasSent, type DailyReport, type ReportAlert, type SymbolReport } from '../core/report';
import { renderSvgChart, type ChartPoint } from './svg-chart';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const money = (n: number | null): string => (n === null ? '–' : n.toFixed(2));
const pct = (n: number | null): string => (n === null ? '–' : `${n > 0 ? '+' : ''}${n.toFixed(2)}%`);
const int = (n: number | null): string => (n === null ? '–' : n.toLocaleString('en-US'));
const time = (iso: string): string => (iso ? `${iso.slice(11, 19)}` : '–');
const cls = (n: number | null): string => (n === null || n === 0 ? '' : n > 0 ? ' class="up"' : ' class="down"');

const alertCell = (a: ReportAlert): string =>
  wasSent(a)
    ? `<span class="${a.side === 'BUY' ? 'buy' : 'sell'}">${a.side} ${money(a.price)} at ${time(a.timestamp)}</span>`
    : `<span class="pending">${a.side} ${money(a.price)} at ${time(a.timestamp)} (${escapeHtml(a.status)}, not sent)</span>`;

/** Late and duplicate ticks (a report stored before they were counted has neither). */
const notFolded = (s: SymbolReport): string => {
  const late = s.lateTicks ?? 0;
  const duplicate = s.duplicateTicks ?? 0;
  return late + duplicate === 0 ? '–' : `<span class="pending">${late} late, ${duplicate} duplicate</span>`;
};

function symbolRow(s: SymbolReport): string {
  const alerts = s.alerts.length ? s.alerts.map(alertCell).join('<br>') : '–';
  return `<tr><th scope="row">${escapeHtml(s.symbol)}</th><td>${int(s.ticks)}</td><td>${money(s.open)}</td><td>${money(s.high)}</td><td>${money(s.low)}</td><td>${money(s.close)}</td><td>${money(s.previousClose ?? null)}</td><td${cls(s.changePercent)}>${pct(s.changePercent)}</td><td>${int(s.volume)}</td><td${cls(s.largestMove.changePercent)}>${pct(s.largestMove.changePercent)} at ${time(s.largestMove.at)}</td><td>${int(s.anomalies)}</td><td>${notFolded(s)}</td><td>${alerts}</td></tr>`;
}

function reconciliationHtml(report: DailyReport): string {
  const r = report.reconciliation;
  if (!r) return '';
  if (r.differences === 0)
    return `<h2>Reconciliation</h2>\n<p class="ok">${int(r.matched)} alerts sent = ${int(r.recomputed)} crossovers recomputed from the lake: no difference.</p>`;
  const rows = [
    ...r.missing.map((e) => ({ e, kind: 'missing', what: 'crossover, no alert sent' })),
    ...r.extra.map((e) => ({ e, kind: 'extra', what: 'alert sent, no crossover' })),
  ]
    .map(
      ({ e, kind, what }) =>
        `<tr><th scope="row">${escapeHtml(e.symbol)}</th><td>${e.side}</td><td>${time(e.timestamp)}</td><td class="difference">${kind}</td><td>${what}</td></tr>`,
    )
    .join('');
  return `<h2>Reconciliation</h2>
<p class="difference">${int(r.differences)} differences: ${int(r.matched)} alerts sent match, ${r.missing.length} crossovers have no alert sent, ${r.extra.length} alerts sent have no crossover (of ${int(r.recomputed)} crossovers recomputed from the lake).</p>
<table><thead><tr><th>Symbol</th><th>Side</th><th>Time (UTC)</th><th>Difference</th><th>What</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** One chart per symbol of the report: the day's prices with SMA-5/SMA-20 and its alerts. */
function chartsHtml(report: DailyReport, charts: ReadonlyMap<string, readonly ChartPoint[]>): string {
  const figures = report.symbols.map((s) => {
    const svg = renderSvgChart({
      symbol: s.symbol,
      points: charts.get(s.symbol) ?? [],
      markers: s.alerts.map((a) => ({ side: a.side, timestamp: a.timestamp, price: a.price, sent: wasSent(a) })),
    });
    return `<figure id="chart-${escapeHtml(s.symbol)}">${svg}</figure>`;
  });
  return `<h2>Charts</h2>
<p class="note">Price, SMA-5 and SMA-20 of the day (the averages include the ticks before the day), New York market time; &#9650; BUY and &#9660; SELL at each alert (hollow: not sent).</p>
${figures.join('\n')}`;
}

export function renderReportHtml(report: DailyReport, charts?: ReadonlyMap<string, readonly ChartPoint[]>): string {
  const t = report.totals;
  const anomalies = report.anomalies.length
    ? `<table><thead><tr><th>Symbol</th><th>Time (UTC)</th><th>Price</th><th>Previous close</th><th>Change</th></tr></thead><tbody>${report.anomalies
        .map(
          (a) =>
            `<tr><th scope="row">${escapeHtml(a.symbol)}</th><td>${time(a.timestamp)}</td><td>${money(a.price)}</td><td>${money(a.previous_close)}</td><td${cls(a.change_percent)}>${pct(a.change_percent)}</td></tr>`,
        )
        .join(
          '',
        )}</tbody></table>${report.anomalies.length < t.anomalies ? `<p>The ${report.anomalies.length} largest of ${int(t.anomalies)} anomalies.</p>` : ''}`
    : '<p>No anomaly.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>stockpipe daily report ${escapeHtml(report.date)}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d232b}
h1{font-size:1.5rem}table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{padding:.35rem .6rem;border-bottom:1px solid #dde2e8;text-align:right;vertical-align:top}
th[scope=row],thead th:first-child{text-align:left}thead th{background:#f3f5f8}.up{color:#11783c}.down{color:#b3261e}.buy{color:#11783c;font-weight:600}.sell{color:#b3261e;font-weight:600}
.pending{color:#8a5a00;font-style:italic}.difference{color:#b3261e;font-weight:600}.ok{color:#11783c}
.totals{display:flex;gap:2rem;flex-wrap:wrap}figure{margin:.5rem 0 1rem}svg.chart{max-width:100%;height:auto;border:1px solid #dde2e8;border-radius:4px}.note{color:#5b6673;font-size:.85rem}.totals div{font-size:1.2rem}.totals small{display:block;color:#5b6673;font-size:.8rem}
</style></head><body>
<h1>stockpipe daily report &middot; ${escapeHtml(report.date)} (UTC)</h1>
<div class="totals"><div>${int(t.symbols)}<small>symbols</small></div><div>${int(t.ticks)}<small>ticks</small></div><div>${t.buy}<small>BUY alerts sent</small></div><div>${t.sell}<small>SELL alerts sent</small></div>${t.pending > 0 ? `<div class="pending">${t.pending}<small>alerts pending (never sent)</small></div>` : ''}<div>${int(t.anomalies)}<small>anomalies (&gt; ${report.anomalyThresholdPercent}% vs previous close)</small></div>${(t.lateTicks ?? 0) + (t.duplicateTicks ?? 0) > 0 ? `<div class="pending">${t.lateTicks ?? 0} / ${t.duplicateTicks ?? 0}<small>ticks not folded: late / duplicate</small></div>` : ''}</div>
<h2>Symbols</h2>
<table class="symbols"><thead><tr><th>Symbol</th><th>Ticks</th><th>Open</th><th>High</th><th>Low</th><th>Close</th><th>Previous close</th><th>Change</th><th>Volume</th><th>Largest move</th><th>Anomalies</th><th title="ticks the analysis did not fold in order">Not folded</th><th>Alerts</th></tr></thead>
<tbody>${report.symbols.map(symbolRow).join('\n')}</tbody></table>
${charts ? chartsHtml(report, charts) : ''}
${reconciliationHtml(report)}
<h2>Anomalies</h2>
${anomalies}
<p><small>Open: the first tick's open; high and low: over the ticks' high, low and prices; close: the last price; change: close against the previous close; volume: the last tick's for a source whose volume is cumulative for the day (yahoo), the sum of the bars otherwise; anomalies: moves, not polls. Generated ${escapeHtml(report.generatedAt)} from the compacted lake (${escapeHtml(report.date)} partitions only) and the alert table.</small></p>
</body></html>
`;
}

export const renderReportJson = (report: DailyReport): string => JSON.stringify(report, null, 2) + '\n';
