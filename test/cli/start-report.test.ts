/**
 * `stockpipe start` runs the workflows beside the pipeline: the daily report appears once the replay
 * is processed, without any command, and says where it is; Ctrl-C still stops everything cleanly.
 * (The binary's own Ctrl-C timing is in binary.test.ts.)
 */
import { existsSync, rmSync } from 'node:fs';
import { dataDirLayout } from '../../src/local/data-dir';
import { listLocalRuns } from '../../src/local/workflow/history';
import { cli, tempDataDir } from './helpers';

describe('stockpipe start and the workflows', () => {
  const dataDir = tempDataDir();
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints the daily report of the replay and where it is, after compacting the lake, and stops with exit code 0', async () => {
    const run = await cli(['start', '--symbols', 'AAPL,MSFT', '--speed', '3600', '--then', 'none', '--data-dir', dataDir], {
      interruptWhen: ({ stdout }) => stdout.includes('open it with: npx stockpipe report'),
    });
    expect(run.code).toBe(0);
    const report = /^stockpipe daily report for (\d{4}-\d{2}-\d{2}) \(UTC\)$/m.exec(run.stdout);
    expect(report).not.toBeNull();
    const day = report![1]!;
    // The report covers the last replayed day that had an alert, so it shows one; the replay's last
    // month is intraday (8 synthetic trading-hour ticks a day), so the day has 8 ticks per symbol.
    expect(run.stdout).toMatch(/^2 symbols, 16 ticks, \d+ BUY and \d+ SELL alerts/m);
    expect(run.stdout).not.toMatch(/^2 symbols, 16 ticks, 0 BUY and 0 SELL alerts/m);
    // The day's alerts checked against the crossovers recomputed from the lake.
    expect(run.stdout).toMatch(
      /^Reconciliation: ([1-9]\d*) alerts sent = \1 crossovers recomputed from the lake, no difference\.$/m,
    );
    expect(run.stdout).toContain(`Full report: s3://stockpipe-lake/reports/dt=${day}/report.html`);
    const onDisk = /\(on disk: (.+\.html\._S3rver_object); open it with: npx stockpipe report --date (\S+) --open\)/.exec(
      run.stdout,
    );
    expect(onDisk?.[2]).toBe(day);
    expect(existsSync(onDisk![1]!)).toBe(true);

    const runs = listLocalRuns(dataDirLayout(dataDir).root);
    expect(runs.filter((r) => r.workflow === 'report').map((r) => r.status)).toEqual(['SUCCEEDED']);
    // The maintenance run before the report; a periodic one may have been cut short by the stop.
    expect(runs.filter((r) => r.workflow === 'maintenance' && r.status === 'SUCCEEDED').length).toBeGreaterThanOrEqual(1);
    expect(run.stdout).toMatch(/^stopped: (\d+) ticks in, \1 processed, 0 dead-lettered/m);
  }, 90_000);
});
