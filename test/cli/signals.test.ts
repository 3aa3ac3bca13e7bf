/**
 * `stockpipe signals` and `stockpipe verify` on the local target: a data dir whose lake holds 1,500
 * real S&P 500 daily closes as raw NDJSON and whose outbox holds the alerts the streaming fold sends for them.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { foldSignals, formatAlert, initialSignalState, type Alert } from '../../src/core/signals';
import { dataDirLayout } from '../../src/local';
import { SignalsResultSchema, VerifyResultSchema } from '../../src/ops/types';
import { RESOURCE } from '../../src/shared/names';
import { sp500Daily, stocksCsv, writeRawLake } from '../support/signal-lake';
import { cli, tempDataDir } from './helpers';

let dataDir: string;
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

// The first 1,500 daily closes (2000-01-03 to 2005-12-19): 89 crossovers.
const SPX = sp500Daily().slice(0, 1500);
const SPX_ALERTS = foldSignals(initialSignalState('SPX'), SPX).alerts;

/** A data dir with the points in its lake and the alerts in its outbox, published a day after their market time. */
function dataDirWith(points = SPX, alerts: readonly Alert[] = SPX_ALERTS): string {
  const dir = tempDataDir();
  const layout = dataDirLayout(dir);
  writeRawLake(layout.lake, RESOURCE.rawBucket, points);
  mkdirSync(layout.outbox, { recursive: true });
  const lines = alerts.map((alert) => {
    const publishedAt = new Date(Date.parse(alert.timestamp) + 86_400_000).toISOString();
    return JSON.stringify({ topic: 'local:alerts', publishedAt, ...formatAlert(alert), alert });
  });
  writeFileSync(join(layout.outbox, 'alerts-2026-01-01.jsonl'), lines.join('\n') + (lines.length ? '\n' : ''));
  return dir;
}

const entry = (a: Alert) => ({ symbol: a.symbol, side: a.side, timestamp: a.timestamp });

describe('stockpipe signals (local)', () => {
  it('prints the crossovers recomputed from the lake, the same as the streaming fold', async () => {
    dataDir = dataDirWith();
    const run = await cli(['signals', '--json', '--data-dir', dataDir]);
    expect(run.code).toBe(0);
    const rows = SignalsResultSchema.parse(JSON.parse(run.stdout));
    expect(rows).toHaveLength(89);
    expect(rows.map((r) => [r.symbol, r.side, r.timestamp, r.price])).toEqual(
      SPX_ALERTS.map((a) => [a.symbol, a.side, a.timestamp, a.price]),
    );

    const text = await cli(['signals', '--from', '2003-03-10', '--to', '2003-03-31', '--data-dir', dataDir]);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('1 crossover from 2003-03-10 to 2003-03-31\n');
    expect(text.stdout).toBe(
      [
        'MARKET TIME               SYMBOL  SIDE   PRICE     SMA-5    SMA-20',
        '2003-03-18T21:00:00.000Z  SPX     BUY   866.45  839.7200  832.5990',
        '',
      ].join('\n'),
    );
  });

  it('filters on a symbol (upper-cased) and says when there are none', async () => {
    dataDir = dataDirWith(stocksCsv(), []);
    const ibm = await cli(['signals', '--symbol', 'ibm', '--json', '--data-dir', dataDir]);
    expect(ibm.code).toBe(0);
    const rows = SignalsResultSchema.parse(JSON.parse(ibm.stdout));
    expect(rows.map((r) => r.symbol)).toEqual(Array.from({ length: 10 }, () => 'IBM'));

    const none = await cli(['signals', '--symbol', 'IBM', '--to', '2001-01-31', '--data-dir', dataDir]);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe(`no crossovers in the lake of ${dataDir} for IBM to 2001-01-31\n`);
  });

  it('refuses a day that is not one, and a symbol that cannot be one, with exit code 2', async () => {
    dataDir = dataDirWith(SPX.slice(0, 30), []);
    const day = await cli(['signals', '--from', '2024-02-30', '--data-dir', dataDir]);
    expect(day.code).toBe(2);
    expect(day.stderr).toContain('--from "2024-02-30" is not a day; use YYYY-MM-DD');
    const symbol = await cli(['verify', '--symbol', "x' or 1=1", '--data-dir', dataDir]);
    expect(symbol.code).toBe(2);
    expect(symbol.stderr).toContain(`error: symbol="X' OR 1=1": must be 1-15 characters`);
  });
});

describe('stockpipe verify (local)', () => {
  it('exits 0 when every crossover sent one alert and no alert is without one', async () => {
    dataDir = dataDirWith();
    const run = await cli(['verify', '--json', '--data-dir', dataDir]);
    expect(run.code).toBe(0);
    expect(VerifyResultSchema.parse(JSON.parse(run.stdout))).toEqual({ matched: 89, missing: [], extra: [], pending: [] });
    expect(run.stderr).toBe("the 89 alerts sent match the lake's crossovers\n");

    const text = await cli(['verify', '--data-dir', dataDir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe('matched 89, missing 0, extra 0, pending 0\n');
  });

  it('exits 1 and lists a crossover that sent no alert and an alert with no crossover', async () => {
    const dropped = SPX_ALERTS[30]!;
    const invented: Alert = { ...SPX_ALERTS[60]!, side: SPX_ALERTS[60]!.side === 'BUY' ? 'SELL' : 'BUY' };
    const sent = [...SPX_ALERTS.filter((a) => a !== dropped), invented];
    dataDir = dataDirWith(SPX, sent);

    const run = await cli(['verify', '--json', '--data-dir', dataDir]);
    expect(run.code).toBe(1);
    const result = VerifyResultSchema.parse(JSON.parse(run.stdout));
    expect(result).toEqual({ matched: 88, missing: [entry(dropped)], extra: [entry(invented)], pending: [] });
    expect(run.stderr).toBe(`error: the alerts of ${dataDir} differ from the crossovers in the lake: 1 missing, 1 extra\n`);

    const text = await cli(['verify', '--data-dir', dataDir]);
    expect(text.code).toBe(1);
    expect(text.stdout).toBe(
      [
        'matched 88, missing 1, extra 1, pending 0',
        '',
        'MISSING: crossovers in the lake that sent no alert',
        'MARKET TIME               SYMBOL  SIDE',
        `${dropped.timestamp}  SPX     ${dropped.side}`,
        '',
        'EXTRA: alerts sent with no crossover in the lake',
        'MARKET TIME               SYMBOL  SIDE',
        `${invented.timestamp}  SPX     ${invented.side}`,
        '',
      ].join('\n'),
    );
  });

  it('compares only the days of --from/--to, with the SMAs warm from the first tick', async () => {
    const outside = SPX_ALERTS.find((a) => a.timestamp < '2003-03-10')!;
    dataDir = dataDirWith(
      SPX,
      SPX_ALERTS.filter((a) => a !== outside),
    );
    const window = await cli(['verify', '--from', '2003-03-10', '--to', '2003-12-31', '--json', '--data-dir', dataDir]);
    expect(window.code).toBe(0);
    expect(VerifyResultSchema.parse(JSON.parse(window.stdout))).toEqual({ matched: 13, missing: [], extra: [], pending: [] });
    const all = await cli(['verify', '--json', '--data-dir', dataDir]);
    expect(all.code).toBe(1);
    expect(VerifyResultSchema.parse(JSON.parse(all.stdout)).missing).toEqual([entry(outside)]);
  });
});
