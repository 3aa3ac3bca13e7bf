/**
 * The dashboard and the report page in a real browser (Debian's Chromium through playwright-core):
 * loaded for a data dir after a replay, markers counted through the chart's own API and checked
 * against the data API, an alert row that selects its symbol, an alert that arrives live while a
 * pipeline runs, and one chart per symbol in the stored report. Screenshots go to test-output/browser/.
 */
import { readFileSync, rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { LocalDashboardData } from '../../src/dashboard/local-data';
import { startDashboardServer, type DashboardServer } from '../../src/dashboard/server';
import { dataDirLayout, startLocalPipeline } from '../../src/local';
import { ReplaySource } from '../../src/producer/replay-source';
import { browserAvailability, CHROMIUM, launchChromium, screenshotPath } from '../support/browser';
import { cli, tempDataDir } from '../cli/helpers';

const availability = browserAvailability();
const describeInBrowser = availability.run ? describe : describe.skip;

if (!availability.run && availability.failInCi) {
  it('runs the browser tests on CI (CI=true)', () => {
    throw new Error(`CI=true and no Chromium at ${CHROMIUM}: .ci/run installs it (apt-get install -y chromium)`);
  });
}

interface PageApi {
  symbol: string | null;
  loads: number;
  markerCount(): number;
  markerSides(): string[];
  pointCount(): number;
  smaPointCount(): [number, number];
  alertRows(): number;
}
const api = <T>(page: Page, read: (s: PageApi) => T): Promise<T> =>
  page.evaluate((fn) => {
    const s = (globalThis as unknown as { stockpipe: PageApi }).stockpipe;
    return new Function('s', `return (${fn})(s)`)(s) as T;
  }, read.toString());

const loaded = (page: Page) =>
  page.waitForFunction(() => {
    const s = (globalThis as unknown as { stockpipe?: PageApi }).stockpipe;
    return Boolean(s && s.loads > 0);
  });

describeInBrowser('in Chromium', () => {
  let browser: Browser;
  const replayed = tempDataDir();
  let server: DashboardServer;

  beforeAll(async () => {
    browser = await launchChromium();
    const run = await cli(['run', '--source', 'replay', '--until-drained', '--json', '--data-dir', replayed]);
    expect(run.code).toBe(0);
    server = await startDashboardServer({ data: new LocalDashboardData(dataDirLayout(replayed)), port: 0 });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await browser?.close();
    rmSync(replayed, { recursive: true, force: true });
  });

  const fetchJson = async <T>(path: string): Promise<T> => (await fetch(new URL(path, server.url))).json() as Promise<T>;

  it('loads the dashboard of a replayed data dir on the symbol with the most alerts, with price, both SMAs and its BUY and SELL markers', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await loaded(page);
    const { symbols } = await fetchJson<{ symbols: { symbol: string; alerts: number; ticks: number }[] }>('/api/symbols');
    expect(symbols[0]!.alerts).toBeGreaterThan(0);
    expect(await api(page, (s) => s.symbol)).toBe(symbols[0]!.symbol);
    const series = await fetchJson<{ points: { sma5: number | null; sma20: number | null }[]; markers: { side: string }[] }>(
      `/api/series?symbol=${symbols[0]!.symbol}`,
    );
    expect(await api(page, (s) => s.pointCount())).toBe(series.points.length);
    // Each SMA line starts once its window is full: 4 and 19 ticks after the first.
    expect(await api(page, (s) => s.smaPointCount())).toEqual([
      series.points.filter((p) => p.sma5 !== null).length,
      series.points.filter((p) => p.sma20 !== null).length,
    ]);
    expect(series.points.filter((p) => p.sma20 !== null).length).toBe(series.points.length - 19);
    expect(await api(page, (s) => s.markerCount())).toBe(series.markers.length);
    const sides = await api(page, (s) => s.markerSides());
    expect(sides.filter((x) => x === 'BUY').length).toBe(series.markers.filter((m) => m.side === 'BUY').length);
    expect(new Set(sides)).toEqual(new Set(['BUY', 'SELL']));
    expect(await page.locator('#chart canvas').count()).toBeGreaterThan(0);
    await page.screenshot({ path: screenshotPath('dashboard-after-replay'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('clicking an alert of another symbol selects that symbol and its markers', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.url);
    await loaded(page);
    const first = await api(page, (s) => s.symbol);
    const row = page.locator(`#alerts tbody tr[data-symbol]:not([data-symbol="${first}"])`).first();
    const other = await row.getAttribute('data-symbol');
    expect(other).not.toBe(first);
    await row.click();
    await page.waitForFunction((symbol) => (globalThis as unknown as { stockpipe: PageApi }).stockpipe.symbol === symbol, other);
    expect(await page.locator('#symbol').inputValue()).toBe(other);
    const series = await fetchJson<{ markers: unknown[] }>(`/api/series?symbol=${other}`);
    await page.waitForFunction(
      (n) => (globalThis as unknown as { stockpipe: PageApi }).stockpipe.markerCount() === n,
      series.markers.length,
    );
    expect(await page.locator('#alerts tbody tr.selected').count()).toBe(1);
    await page.screenshot({ path: screenshotPath('dashboard-alert-selected'), fullPage: true });
    await page.close();
  });

  it('shows an alert that arrives while a pipeline runs, without a reload', async () => {
    const live = tempDataDir();
    const liveServer = await startDashboardServer({ data: new LocalDashboardData(dataDirLayout(live)), port: 0, pollMs: 250 });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await page.goto(liveServer.url);
      await loaded(page);
      expect(await api(page, (s) => s.alertRows())).toBe(0);
      await page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));
      const source = ReplaySource.fromFile();
      const pipeline = await startLocalPipeline({
        dataDir: live,
        command: 'test',
        producer: { source, symbols: source.symbols(), cadenceSeconds: 30 },
      });
      try {
        const producing = pipeline.produce({ cadenceMs: 20 });
        await page.waitForFunction(() => (globalThis as unknown as { stockpipe: PageApi }).stockpipe.alertRows() > 0, null, {
          timeout: 60_000,
        });
        await page.waitForFunction(() => (globalThis as unknown as { stockpipe: PageApi }).stockpipe.markerCount() > 0);
        expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
        await page.screenshot({ path: screenshotPath('dashboard-live'), fullPage: true });
        await producing;
        await pipeline.drain();
      } finally {
        await pipeline.stop();
      }
    } finally {
      await page.close();
      await liveServer.close();
      rmSync(live, { recursive: true, force: true });
    }
  }, 120_000);

  it('the stored daily report renders one SVG chart per symbol, with the day’s markers', async () => {
    const maintenance = await cli(['workflow', 'run', 'maintenance', '--json', '--data-dir', replayed]);
    expect(maintenance.code).toBe(0);
    // The day of the newest alert: its chart has a marker.
    const alerts = JSON.parse((await cli(['alerts', '--json', '--data-dir', replayed])).stdout) as {
      symbol: string;
      timestamp: string;
    }[];
    const day = alerts
      .map((a) => a.timestamp.slice(0, 10))
      .sort()
      .at(-1)!;
    const dayAlerts = alerts.filter((a) => a.timestamp.startsWith(day)).length;
    const made = await cli(['workflow', 'run', 'report', '--date', day, '--wait', '--json', '--data-dir', replayed]);
    expect(made).toMatchObject({ code: 0 });
    const report = await cli(['report', '--date', day, '--json', '--data-dir', replayed, '--out', `${replayed}/r.html`]);
    expect(report.code).toBe(0);
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`file://${replayed}/r.html`);
    const symbols = await page.locator('table.symbols tbody tr').count();
    expect(symbols).toBe(5);
    expect(await page.locator('svg.chart').count()).toBe(symbols);
    expect(await page.locator('svg.chart g.marker').count()).toBe(dayAlerts);
    // The replayed file has one close per month, so each day's price is a single dot.
    expect(await page.locator('svg.chart .price').count()).toBe(symbols);
    const html = readFileSync(`${replayed}/r.html`, 'utf8');
    expect(html).not.toContain('<script');
    await page.screenshot({ path: screenshotPath('report'), fullPage: true });
    await page.close();
  });
});
