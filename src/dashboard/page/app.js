/* global window, document, fetch, EventSource, URLSearchParams, LightweightCharts */
// The dashboard page: one chart (lightweight-charts), the alert log and the health panel, all from
// the JSON API of src/dashboard/server.ts; refreshed when the server's event stream says the data
// changed. `window.stockpipe` exposes what the browser tests read (marker and point counts).
'use strict';

(function main() {
  const { createChart, LineSeries, createSeriesMarkers, TickMarkType } = LightweightCharts;
  const ET = 'America/New_York';
  const css = (name) => window.getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const colors = { price: css('--price'), sma5: css('--sma5'), sma20: css('--sma20'), buy: css('--buy'), sell: css('--sell') };

  const format = (options) => new Intl.DateTimeFormat('en-US', { timeZone: ET, hourCycle: 'h23', ...options });
  const full = format({ year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  const marks = {
    [TickMarkType.Year]: format({ year: 'numeric' }),
    [TickMarkType.Month]: format({ month: 'short', year: 'numeric' }),
    [TickMarkType.DayOfMonth]: format({ month: 'short', day: 'numeric' }),
    [TickMarkType.Time]: format({ hour: '2-digit', minute: '2-digit' }),
    [TickMarkType.TimeWithSeconds]: format({ hour: '2-digit', minute: '2-digit', second: '2-digit' }),
  };
  const etTime = (iso) => `${full.format(new Date(iso))}`;
  const seconds = (iso) => Math.floor(Date.parse(iso) / 1000);
  const money = (n) => (n === null || n === undefined ? '–' : Number(n).toFixed(2));

  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') node.className = v;
      else if (k.startsWith('data-')) node.setAttribute(k, v);
      else node[k] = v;
    }
    for (const child of children) node.append(child instanceof window.Node ? child : document.createTextNode(String(child)));
    return node;
  };

  const chart = createChart($('chart'), {
    autoSize: true,
    layout: { background: { color: 'transparent' }, textColor: css('--muted') },
    grid: { vertLines: { color: css('--line') }, horzLines: { color: css('--line') } },
    rightPriceScale: { borderColor: css('--line') },
    timeScale: {
      borderColor: css('--line'),
      timeVisible: true,
      secondsVisible: false,
      // Room right of the newest tick, so its marker is not under the price labels.
      rightOffset: 8,
      tickMarkFormatter: (time, type) => (marks[type] || marks[TickMarkType.DayOfMonth]).format(new Date(time * 1000)),
    },
    localization: { timeFormatter: (time) => `${full.format(new Date(time * 1000))} ET` },
  });
  const line = (color, width, title) =>
    chart.addSeries(LineSeries, { color, lineWidth: width, title, priceLineVisible: false, lastValueVisible: title === 'price' });
  const priceSeries = line(colors.price, 2, 'price');
  const sma5Series = line(colors.sma5, 1, 'SMA-5');
  const sma20Series = line(colors.sma20, 1, 'SMA-20');
  const markers = createSeriesMarkers(priceSeries, []);

  const state = { symbol: null, chosen: false, series: null, selectedAlert: null, loads: 0, updates: 0 };
  window.stockpipe = {
    get symbol() {
      return state.symbol;
    },
    get loads() {
      return state.loads;
    },
    get updates() {
      return state.updates;
    },
    markerCount: () => markers.markers().length,
    markerSides: () => markers.markers().map((m) => m.text),
    pointCount: () => priceSeries.data().length,
    smaPointCount: () => [sma5Series.data().length, sma20Series.data().length],
    alertRows: () => document.querySelectorAll('#alerts tbody tr[data-symbol]').length,
  };

  const api = async (path) => {
    const res = await fetch(path, { headers: { Accept: 'application/json' } });
    const body = await res.json();
    if (!res.ok) throw new Error(body.error || `${path}: HTTP ${res.status}`);
    return body;
  };

  function drawSeries(series) {
    // lightweight-charts wants strictly increasing times (seconds); the API sends one point per timestamp.
    const points = [];
    let last = -Infinity;
    for (const p of series.points) {
      const time = seconds(p.timestamp);
      if (time <= last) continue;
      last = time;
      points.push({ ...p, time });
    }
    const previous = state.series && state.series.symbol === series.symbol ? state.series.points.length : -1;
    priceSeries.setData(points.map((p) => ({ time: p.time, value: p.price })));
    sma5Series.setData(points.map((p) => (p.sma5 === null ? { time: p.time } : { time: p.time, value: p.sma5 })));
    sma20Series.setData(points.map((p) => (p.sma20 === null ? { time: p.time } : { time: p.time, value: p.sma20 })));
    markers.setMarkers(
      series.markers.map((a) => ({
        time: seconds(a.timestamp),
        position: a.side === 'BUY' ? 'belowBar' : 'aboveBar',
        shape: a.side === 'BUY' ? 'arrowUp' : 'arrowDown',
        color: a.side === 'BUY' ? colors.buy : colors.sell,
        text: a.side,
      })),
    );
    // Fit, with a few empty bars left of the first tick so its time label is not cut by the edge.
    if (previous === -1 && points.length > 0) {
      const margin = Math.max(3, Math.ceil(points.length * 0.03));
      chart.timeScale().setVisibleLogicalRange({ from: -margin, to: points.length - 1 + 8 });
    }
    state.series = series;
    const lastPoint = series.points[series.points.length - 1];
    $('last').textContent = lastPoint
      ? `${series.symbol} ${money(lastPoint.price)} at ${etTime(lastPoint.timestamp)} ET · ${series.points.length} ticks · ${series.markers.length} alerts`
      : `${series.symbol}: no ticks yet`;
  }

  async function loadSeries(symbol) {
    const series = await api(`/api/series?symbol=${encodeURIComponent(symbol)}`);
    if (symbol !== state.symbol) return;
    drawSeries(series);
  }

  function selectSymbol(symbol) {
    if (!symbol) return Promise.resolve();
    state.symbol = symbol;
    $('symbol').value = symbol;
    return loadSeries(symbol);
  }

  function fillSymbols(symbols) {
    const picker = $('symbol');
    const filter = $('filter-symbol');
    const current = state.symbol;
    const chosenFilter = filter.value;
    picker.replaceChildren(
      ...symbols.map((s) =>
        el(
          'option',
          { value: s.symbol },
          s.alerts > 0 ? `${s.symbol} · ${s.alerts} alert${s.alerts === 1 ? '' : 's'}` : s.symbol,
        ),
      ),
    );
    filter.replaceChildren(
      el('option', { value: '' }, 'all'),
      ...symbols.map((s) => el('option', { value: s.symbol }, s.symbol)),
    );
    filter.value = chosenFilter;
    // Until the user picks one, the chart follows the top of the list (most alerts), which changes while a pipeline runs.
    const keep = state.chosen && current && symbols.some((s) => s.symbol === current);
    const symbol = keep ? current : symbols[0] ? symbols[0].symbol : null;
    if (symbol) picker.value = symbol;
    return symbol;
  }

  function jumpTo(alert) {
    state.chosen = true;
    state.selectedAlert = `${alert.symbol}|${alert.timestamp}|${alert.side}`;
    for (const row of document.querySelectorAll('#alerts tbody tr')) {
      row.classList.toggle('selected', row.dataset.key === state.selectedAlert);
    }
    return selectSymbol(alert.symbol).then(() => {
      const points = (state.series && state.series.points) || [];
      const index = points.findIndex((p) => p.timestamp === alert.timestamp);
      if (index >= 0) chart.timeScale().setVisibleLogicalRange({ from: index - 30, to: index + 30 });
    });
  }

  function fillAlerts(alerts) {
    const body = $('alerts').tBodies[0];
    body.replaceChildren(
      ...(alerts.length === 0
        ? [el('tr', {}, el('td', { class: 'empty', colSpan: 7 }, 'No alert yet: they appear here as the analysis sends them.'))]
        : alerts.map((a) => {
            const key = `${a.symbol}|${a.timestamp}|${a.side}`;
            const row = el(
              'tr',
              {
                'data-symbol': a.symbol,
                'data-key': key,
                class: key === state.selectedAlert ? 'selected' : '',
                title: 'show on the chart',
              },
              el('td', {}, etTime(a.timestamp)),
              el('td', {}, a.symbol),
              el('td', { class: a.side === 'BUY' ? 'buy' : 'sell' }, a.side),
              el('td', {}, money(a.price)),
              el('td', {}, money(a.sma5)),
              el('td', {}, money(a.sma20)),
              el('td', {}, a.status === 'PUBLISHED' ? 'sent' : a.status),
            );
            row.addEventListener('click', () => void jumpTo(a));
            return row;
          })),
    );
    $('alert-count').textContent = `${alerts.length} shown, newest first`;
  }

  function fillHealth(health) {
    const rows = health.perMinute.slice(-10).reverse();
    const n = (v) => (v === null ? '–' : String(v));
    $('minutes').tBodies[0].replaceChildren(
      ...rows.map((m) =>
        el(
          'tr',
          {},
          el('td', {}, format({ hour: '2-digit', minute: '2-digit', timeZone: undefined }).format(new Date(m.minute))),
          el('td', {}, n(m.in)),
          el('td', {}, n(m.processed)),
          el('td', {}, n(m.deadLettered)),
        ),
      ),
    );
    $('dlq').replaceChildren(
      ...(health.dlq.length === 0
        ? [el('li', { class: 'muted' }, 'not readable now (see the notes below)')]
        : health.dlq.map((q) =>
            el(
              'li',
              {},
              `${q.queue}: `,
              el('b', { class: q.visible + q.inFlight > 0 ? 'bad' : 'ok' }, `${q.visible} waiting`),
              q.inFlight ? `, ${q.inFlight} in flight` : '',
            ),
          )),
    );
    $('runs').tBodies[0].replaceChildren(
      ...(health.runs.length === 0
        ? [el('tr', {}, el('td', { class: 'empty', colSpan: 3 }, 'no run yet'))]
        : health.runs.map((r) =>
            el(
              'tr',
              {},
              el('td', {}, r.workflow),
              el('td', {}, new Date(r.startedAt).toLocaleTimeString()),
              el('td', { class: `status-${r.status}` }, r.status),
            ),
          )),
    );
    const r = health.lastReport;
    $('report').replaceChildren(
      r === null
        ? el('span', { class: 'muted' }, 'no daily report stored yet')
        : el(
            'span',
            {},
            `${r.date}: `,
            r.differences === 0
              ? el('span', { class: 'ok' }, `${r.matched} alerts sent = ${r.recomputed} crossovers recomputed, no difference`)
              : el('span', { class: 'bad' }, `${r.differences} differences (${r.matched} matched of ${r.recomputed} recomputed)`),
          ),
    );
    $('notes').replaceChildren(...health.notes.map((t) => el('li', {}, t)));
  }

  async function refresh() {
    const side = $('filter-side').value;
    const symbolFilter = $('filter-symbol').value;
    const query = new URLSearchParams();
    if (symbolFilter) query.set('symbol', symbolFilter);
    if (side) query.set('side', side);
    const [symbols, alerts] = await Promise.all([api('/api/symbols'), api(`/api/alerts?${query}`)]);
    const symbol = fillSymbols(symbols.symbols);
    fillAlerts(alerts.alerts);
    if (symbol) {
      state.symbol = symbol;
      $('symbol').value = symbol;
      await loadSeries(symbol);
    }
    state.loads++;
    api('/api/health').then(fillHealth, (e) => $('notes').replaceChildren(el('li', {}, `health: ${e.message}`)));
  }

  $('symbol').addEventListener('change', (e) => {
    state.chosen = true;
    void selectSymbol(e.target.value);
  });
  $('filter-symbol').addEventListener('change', () => void refresh());
  $('filter-side').addEventListener('change', () => void refresh());

  api('/api/info').then((info) => {
    $('where').textContent = `${info.target === 'aws' ? 'AWS' : 'local'} · ${info.where}`;
  });

  // One refresh at a time; an update that comes during one makes one more after it.
  let running = false;
  let again = false;
  const update = () => {
    state.updates++;
    if (running) {
      again = true;
      return;
    }
    running = true;
    refresh()
      .catch((e) => $('notes').replaceChildren(el('li', {}, `refresh: ${e.message}`)))
      .finally(() => {
        running = false;
        $('live').textContent = `live · ${new Date().toLocaleTimeString()}`;
        if (again) {
          again = false;
          update();
        }
      });
  };
  const live = new EventSource('/api/events');
  live.addEventListener('open', () => {
    $('live').textContent = 'live';
    $('live').className = 'live on';
  });
  live.addEventListener('error', () => {
    $('live').textContent = 'reconnecting…';
    $('live').className = 'live off';
  });
  live.addEventListener('update', update);
})();
