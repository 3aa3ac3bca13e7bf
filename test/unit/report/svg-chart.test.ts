/** The report's SVG chart builder: geometry and markup from points, no I/O. */
import { marketTime, priceTicks, renderSvgChart } from '../../../src/report/svg-chart';

const point = (timestamp: string, price: number, sma5: number | null, sma20: number | null) => ({
  timestamp,
  price,
  sma5,
  sma20,
});

describe('renderSvgChart', () => {
  const points = [
    point('2010-03-01T14:30:00.000Z', 100, null, null),
    point('2010-03-01T15:30:00.000Z', 110, 105, null),
    point('2010-03-01T16:30:00.000Z', 90, 100, 101),
  ];

  it('draws price from the left edge to the right edge, scaled so the highest value is nearest the top', () => {
    const svg = renderSvgChart({ symbol: 'IBM', points, markers: [], width: 720, height: 220 });
    const price = /<polyline class="price" points="([^"]+)"/
      .exec(svg)![1]!
      .split(' ')
      .map((p) => p.split(',').map(Number));
    expect(price.map(([x]) => x)).toEqual([56, 382, 708]);
    const ys = price.map(([, y]) => y!);
    expect(ys[1]).toBeLessThan(ys[0]!);
    expect(ys[2]).toBeGreaterThan(ys[0]!);
  });

  it('starts each SMA line where its window is full', () => {
    const svg = renderSvgChart({ symbol: 'IBM', points, markers: [] });
    expect(/<polyline class="sma5" points="([^"]+)"/.exec(svg)![1]!.split(' ')).toHaveLength(2);
    // One SMA-20 value is a dot, not a line.
    expect(svg).not.toContain('class="sma20" points');
    expect(svg).toContain('<circle class="sma20"');
  });

  it('puts a BUY marker below its price and a SELL marker above, labelled with market time', () => {
    const svg = renderSvgChart({
      symbol: 'IBM',
      points,
      markers: [
        { side: 'BUY', timestamp: points[1]!.timestamp, price: 110 },
        { side: 'SELL', timestamp: points[2]!.timestamp, price: 90 },
      ],
    });
    expect(svg).toContain('<title>BUY at 110.00, 10:30 ET</title>');
    expect(svg).toContain('<title>SELL at 90.00, 11:30 ET</title>');
    const tip = (side: string) =>
      Number(
        new RegExp(`marker ${side}"><title>[^<]*</title><path d="M[\\d.]+,([\\d.]+) L[\\d.]+,([\\d.]+)`)
          .exec(svg)!
          .slice(1, 3)
          .join(' ')
          .split(' ')[0],
      );
    const base = (side: string) =>
      Number(new RegExp(`marker ${side}"><title>[^<]*</title><path d="M[\\d.]+,[\\d.]+ L[\\d.]+,([\\d.]+)`).exec(svg)![1]);
    // BUY points up (tip above its base), SELL points down.
    expect(tip('buy')).toBeLessThan(base('buy'));
    expect(tip('sell')).toBeGreaterThan(base('sell'));
  });

  it('escapes the symbol and says when there are no ticks', () => {
    const svg = renderSvgChart({ symbol: 'A<B', points: [], markers: [] });
    expect(svg).toContain('no ticks of A&lt;B');
    expect(svg).not.toContain('A<B');
  });
});

describe('axis helpers', () => {
  it('gives round price steps of 1, 2 or 5 times a power of ten inside the range', () => {
    expect(priceTicks(101.3, 118.9)).toEqual([105, 110, 115]);
    expect(priceTicks(0.5, 0.9)).toEqual([0.5, 0.6, 0.7, 0.8, 0.9]);
  });

  it('shows New York time, daylight saving included', () => {
    expect(marketTime('2010-03-01T14:30:00.000Z')).toBe('09:30');
    expect(marketTime('2010-07-01T13:30:00.000Z')).toBe('09:30');
  });
});
