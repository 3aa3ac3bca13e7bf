/**
 * One symbol's day as an inline SVG chart for the daily report: the price, SMA-5 and SMA-20 (their
 * values come with the points, computed over the ticks before the day too), and a marker at each of
 * the day's alerts. Rendered on the server as plain SVG (no script, no external resource), so the
 * page shows it when opened from S3, a mail link or a file. Pure: points in, markup out.
 */

export interface ChartPoint {
  readonly timestamp: string;
  readonly price: number;
  readonly sma5: number | null;
  readonly sma20: number | null;
}

export interface ChartMarker {
  readonly side: 'BUY' | 'SELL';
  readonly timestamp: string;
  readonly price: number;
  /** Drawn hollow: claimed, never sent. */
  readonly sent?: boolean;
}

export interface SvgChartInput {
  readonly symbol: string;
  readonly points: readonly ChartPoint[];
  readonly markers: readonly ChartMarker[];
  /** @default 720 */
  readonly width?: number;
  /** @default 220 */
  readonly height?: number;
}

export const CHART_COLORS = { price: '#1d232b', sma5: '#d98200', sma20: '#1f6fd1', buy: '#11783c', sell: '#b3261e' } as const;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
const num = (n: number): string => (Math.round(n * 10) / 10).toString();

const marketClock = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
/** A tick's time as New York market time, e.g. "09:30". */
export const marketTime = (iso: string): string => marketClock.format(new Date(iso));

/** Nice round steps for the price axis: 1, 2 or 5 times a power of ten. */
export function priceTicks(low: number, high: number, count = 4): number[] {
  if (!(high > low)) return [low];
  const raw = (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Polylines of the non-null runs of one line (an SMA starts once its window is full). */
function paths(points: readonly { x: number; y: number | null }[]): string[] {
  const runs: string[] = [];
  let current: string[] = [];
  for (const p of points) {
    if (p.y === null) {
      if (current.length) runs.push(current.join(' '));
      current = [];
    } else current.push(`${num(p.x)},${num(p.y)}`);
  }
  if (current.length) runs.push(current.join(' '));
  return runs;
}

export function renderSvgChart(input: SvgChartInput): string {
  const width = input.width ?? 720;
  const height = input.height ?? 220;
  const pad = { left: 56, right: 12, top: 22, bottom: 26 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const label = `${input.symbol}: price, SMA-5 and SMA-20 of the day, ${input.markers.length} alert${input.markers.length === 1 ? '' : 's'}`;
  const open = `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(label)}"><title>${esc(label)}</title>`;
  if (input.points.length === 0) {
    return `${open}<text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-size="13" fill="#5b6673">no ticks of ${esc(input.symbol)} in the compacted lake for this day</text></svg>`;
  }

  const times = input.points.map((p) => Date.parse(p.timestamp));
  const t0 = Math.min(...times, ...input.markers.map((m) => Date.parse(m.timestamp)));
  const t1 = Math.max(...times, ...input.markers.map((m) => Date.parse(m.timestamp)));
  const values = [
    ...input.points.flatMap((p) => [p.price, p.sma5, p.sma20].filter((v): v is number => v !== null)),
    ...input.markers.map((m) => m.price),
  ];
  let low = Math.min(...values);
  let high = Math.max(...values);
  const margin = (high - low) * 0.08 || Math.abs(high) * 0.01 || 1;
  low -= margin;
  high += margin;
  const x = (iso: string) => (t1 === t0 ? pad.left + plotW / 2 : pad.left + ((Date.parse(iso) - t0) / (t1 - t0)) * plotW);
  const y = (v: number) => pad.top + (1 - (v - low) / (high - low)) * plotH;

  const grid = priceTicks(low, high)
    .map(
      (v) =>
        `<line x1="${pad.left}" x2="${width - pad.right}" y1="${num(y(v))}" y2="${num(y(v))}" stroke="#e4e8ee"/><text x="${pad.left - 6}" y="${num(y(v) + 4)}" text-anchor="end" font-size="11" fill="#5b6673">${v.toFixed(2)}</text>`,
    )
    .join('');
  const first = input.points[0]!.timestamp;
  const last = input.points[input.points.length - 1]!.timestamp;
  const axis =
    `<text x="${pad.left}" y="${height - 8}" font-size="11" fill="#5b6673">${marketTime(first)} ET</text>` +
    (last !== first
      ? `<text x="${width - pad.right}" y="${height - 8}" text-anchor="end" font-size="11" fill="#5b6673">${marketTime(last)} ET</text>`
      : '');
  // A run of one point draws no visible line (an SMA-20 that exists only at the day's last tick): a dot shows it.
  const line = (key: 'price' | 'sma5' | 'sma20', strokeWidth: number) =>
    paths(input.points.map((p) => ({ x: x(p.timestamp), y: key === 'price' ? y(p.price) : p[key] === null ? null : y(p[key]!) })))
      .map((pts) => {
        if (!pts.includes(' ')) {
          const [cx, cy] = pts.split(',');
          return `<circle class="${key}" cx="${cx}" cy="${cy}" r="3" fill="${CHART_COLORS[key]}"/>`;
        }
        return `<polyline class="${key}" points="${pts}" fill="none" stroke="${CHART_COLORS[key]}" stroke-width="${strokeWidth}" stroke-linejoin="round"/>`;
      })
      .join('');
  const markers = input.markers
    .map((m) => {
      const mx = x(m.timestamp);
      const my = y(m.price);
      const buy = m.side === 'BUY';
      const color = buy ? CHART_COLORS.buy : CHART_COLORS.sell;
      // BUY: a triangle pointing up below the price; SELL: pointing down above it.
      const tip = buy ? my + 4 : my - 4;
      const base = buy ? tip + 10 : tip - 10;
      const fill = m.sent === false ? 'none' : color;
      const text = buy ? base + 11 : base - 3;
      return `<g class="marker ${buy ? 'buy' : 'sell'}"><title>${m.side} at ${m.price.toFixed(2)}, ${marketTime(m.timestamp)} ET${m.sent === false ? ' (not sent)' : ''}</title><path d="M${num(mx)},${num(tip)} L${num(mx - 6)},${num(base)} L${num(mx + 6)},${num(base)} Z" fill="${fill}" stroke="${color}" stroke-width="1.5"/><text x="${num(mx)}" y="${num(text)}" text-anchor="middle" font-size="10" font-weight="600" fill="${color}">${m.side}</text></g>`;
    })
    .join('');
  const legend = `<g font-size="11" fill="#5b6673"><text x="${pad.left}" y="14" font-weight="600" fill="#1d232b">${esc(input.symbol)}</text><line x1="${pad.left + 60}" x2="${pad.left + 78}" y1="10" y2="10" stroke="${CHART_COLORS.price}" stroke-width="2"/><text x="${pad.left + 82}" y="14">price</text><line x1="${pad.left + 120}" x2="${pad.left + 138}" y1="10" y2="10" stroke="${CHART_COLORS.sma5}" stroke-width="1.5"/><text x="${pad.left + 142}" y="14">SMA-5</text><line x1="${pad.left + 186}" x2="${pad.left + 204}" y1="10" y2="10" stroke="${CHART_COLORS.sma20}" stroke-width="1.5"/><text x="${pad.left + 208}" y="14">SMA-20</text></g>`;
  return `${open}${grid}${axis}${legend}${line('sma20', 1.5)}${line('sma5', 1.5)}${line('price', 2)}${markers}</svg>`;
}
