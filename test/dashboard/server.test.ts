/**
 * The dashboard's HTTP server on a local data dir laid out as the pipeline leaves it (raw lake
 * objects as s3rver stores them, the outbox): the JSON endpoints, the checks of what a request may
 * name, and the refusal of any Host but the printed loopback address (DNS rebinding).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDashboardData } from '../../src/dashboard/local-data';
import { startDashboardServer, type DashboardServer } from '../../src/dashboard/server';
import { dataDirLayout } from '../../src/local';

let dir: string;
let server: DashboardServer;

// Real monthly closes of IBM, 2000-2001 (data/stocks.csv), one object per month as processing writes them.
const IBM = [
  100.52, 92.11, 106.11, 99.95, 96.31, 98.33, 100.74, 118.62, 101.19, 88.5, 84.12, 87.35, 108.5, 91.6, 89.19, 106.34, 111.41,
  104.51, 98.07, 87.52, 82.82, 89.48, 100.61, 109.36,
];
const at = (i: number) => new Date(Date.UTC(2000, i, 1, 21)).toISOString();

function writeDataDir(root: string): void {
  const layout = dataDirLayout(root);
  IBM.forEach((price, i) => {
    const day = at(i).slice(0, 10);
    const folder = join(layout.lake, 'stockpipe-lake', 'raw', 'symbol=IBM', `dt=${day}`);
    mkdirSync(folder, { recursive: true });
    const tick = {
      symbol: 'IBM',
      timestamp: at(i),
      price,
      open: price,
      high: price,
      low: price,
      previous_close: IBM[i - 1] ?? price,
      volume: 0,
      source: 'replay',
    };
    writeFileSync(join(folder, `shardId-000000000000-${i}.ndjson._S3rver_object`), JSON.stringify(tick) + '\n');
  });
  const msft = join(layout.lake, 'stockpipe-lake', 'raw', 'symbol=MSFT', 'dt=2000-01-01');
  mkdirSync(msft, { recursive: true });
  writeFileSync(
    join(msft, 'shardId-000000000001-1.ndjson._S3rver_object'),
    JSON.stringify({ symbol: 'MSFT', timestamp: at(0), price: 39.81 }) + '\n',
  );
  mkdirSync(layout.outbox, { recursive: true });
  const alert = (side: 'BUY' | 'SELL', i: number, publishedAt: string) =>
    JSON.stringify({
      topic: 'arn:aws:sns:us-east-1:000000000000:stockpipe-alerts',
      publishedAt,
      subject: `${side} IBM`,
      message: '',
      alert: { symbol: 'IBM', side, timestamp: at(i), price: IBM[i], sma5: 1, sma20: 1 },
    });
  // Published out of market order (two shards): the log is in market order, newest first.
  writeFileSync(
    join(layout.outbox, 'alerts-2026-01-01.jsonl'),
    [alert('BUY', 23, '2026-01-01T10:00:00.000Z'), alert('SELL', 20, '2026-01-01T10:00:01.000Z')].join('\n') + '\n',
  );
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stockpipe-dashboard-'));
  writeDataDir(dir);
  server = await startDashboardServer({ data: new LocalDashboardData(dataDirLayout(dir)), port: 0 });
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw request, so the test chooses the Host header (fetch would set it). */
const raw = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
  new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers, setHost: !('Host' in headers) }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
const get = async (path: string) => {
  const r = await raw(path);
  return { status: r.status, body: JSON.parse(r.body) as Record<string, unknown> };
};

describe('the dashboard server', () => {
  it('listens on 127.0.0.1 and prints that address with its port', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
  });

  it('refuses a Host header that is not the printed address:port, whatever the path', async () => {
    for (const host of [
      'evil.example',
      `evil.example:${server.port}`,
      `localhost:${server.port}`,
      `127.0.0.1:${server.port + 1}`,
      '127.0.0.1',
    ]) {
      const r = await raw('/api/symbols', { Host: host });
      expect({ host, status: r.status }).toEqual({ host, status: 403 });
      expect(JSON.parse(r.body).error).toContain(`is not 127.0.0.1:${server.port}`);
    }
    expect((await raw('/', { Host: 'rebound.example' })).status).toBe(403);
    expect((await raw('/api/symbols', { Host: `127.0.0.1:${server.port}` })).status).toBe(200);
  });

  it('reads only: a POST is 405, an unknown path 404', async () => {
    expect((await raw('/api/symbols', {}, 'POST')).status).toBe(405);
    expect((await raw('/api/query?sql=SELECT%201')).status).toBe(404);
  });

  it('serves the page, its script and the chart library with a same-origin content policy', async () => {
    const page = await raw('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="chart"');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect((await raw('/app.js')).body).toContain('createSeriesMarkers');
    expect((await raw('/vendor/lightweight-charts.js')).body.length).toBeGreaterThan(100_000);
  });

  it('/api/symbols lists symbols with alerts first, with their ticks and last price', async () => {
    expect(await get('/api/symbols')).toEqual({
      status: 200,
      body: {
        symbols: [
          { symbol: 'IBM', ticks: 24, alerts: 2, lastPrice: 109.36, lastTimestamp: at(23) },
          { symbol: 'MSFT', ticks: 1, alerts: 0, lastPrice: 39.81, lastTimestamp: at(0) },
        ],
      },
    });
  });

  it('/api/series gives the ticks in market order with SMA-5 and SMA-20, and the alerts as markers', async () => {
    const { status, body } = await get('/api/series?symbol=IBM');
    expect(status).toBe(200);
    const points = body.points as { price: number; sma5: number | null; sma20: number | null }[];
    expect(points.map((p) => p.price)).toEqual(IBM);
    const last20 = IBM.slice(-20).reduce((a, b) => a + b, 0) / 20;
    const last5 = IBM.slice(-5).reduce((a, b) => a + b, 0) / 5;
    expect(points[23]!.sma20).toBeCloseTo(last20, 10);
    expect(points[23]!.sma5).toBeCloseTo(last5, 10);
    expect(points[18]!.sma20).toBeNull();
    expect((body.markers as { side: string; timestamp: string }[]).map((m) => [m.side, m.timestamp])).toEqual([
      ['SELL', at(20)],
      ['BUY', at(23)],
    ]);
  });

  it('/api/alerts lists newest first (market time) and filters by side', async () => {
    const all = await get('/api/alerts');
    expect((all.body.alerts as { timestamp: string }[]).map((a) => a.timestamp)).toEqual([at(23), at(20)]);
    const sells = await get('/api/alerts?symbol=IBM&side=SELL');
    expect((sells.body.alerts as { side: string }[]).map((a) => a.side)).toEqual(['SELL']);
  });

  it('refuses a parameter that is not a symbol or a side, naming field, value and reason', async () => {
    expect(await get("/api/series?symbol=read_csv('/etc/passwd')")).toEqual({
      status: 400,
      body: expect.objectContaining({
        field: 'symbol',
        value: "read_csv('/etc/passwd')",
        reason: expect.stringContaining('is not a symbol'),
      }),
    });
    expect((await get('/api/series')).body).toMatchObject({ field: 'symbol', reason: expect.stringContaining('is required') });
    expect((await get('/api/alerts?side=HOLD')).body).toMatchObject({
      field: 'side',
      value: 'HOLD',
      reason: 'must be BUY or SELL',
    });
  });

  it('/api/health without a running pipeline says the queues are not readable and counts processed ticks from the lake', async () => {
    const { status, body } = await get('/api/health');
    expect(status).toBe(200);
    const minutes = body.perMinute as { in: number | null; processed: number; deadLettered: number | null }[];
    expect(minutes).toHaveLength(15);
    // The fixture's 25 objects were all written just now.
    expect(minutes.reduce((sum, m) => sum + m.processed, 0)).toBe(25);
    expect(minutes.every((m) => m.in === null && m.deadLettered === null)).toBe(true);
    expect(body.dlq).toEqual([]);
    expect(body.runs).toEqual([]);
    expect(body.lastReport).toBeNull();
    expect(body.notes).toEqual([
      expect.stringContaining('counted inside the running pipeline only'),
      expect.stringMatching(/^dead-letter queues: no local pipeline runs on /),
    ]);
  });

  it('/api/events sends an update at once and another when the data changes', async () => {
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/api/events' }, (res) => {
        expect(res.headers['content-type']).toContain('text/event-stream');
        res.on('data', (c: Buffer) => {
          seen.push(
            ...c
              .toString()
              .split('\n\n')
              .filter((e) => e.startsWith('event: update')),
          );
          if (seen.length === 1) {
            writeFileSync(join(dataDirLayout(dir).outbox, 'alerts-2026-01-02.jsonl'), '\n');
          }
          if (seen.length === 2) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on('error', (e) => (seen.length >= 2 ? resolve() : reject(e)));
      req.end();
    });
    expect(seen).toHaveLength(2);
  });
});
