/**
 * A late and a duplicate tick as a user makes them: a persisted replay of real closes, then a second
 * replay with one day the first did not have (older than the last, so late) and one day it had with
 * another close (a duplicate). Both are counted, not folded, and shown by the summary and `status`.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunSummary } from '../../src/cli/summary';
import { StatusReportSchema } from '../../src/ops/types';
import { cli, tempDataDir } from './helpers';

const SP500 = join(__dirname, '..', '..', 'node_modules', 'vega-datasets', 'data', 'sp500-2000.csv');

describe('late and duplicate ticks, counted and shown', () => {
  const dataDir = tempDataDir();
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('replay, then a late day and a changed day: the late tick is counted, the changed one refused (first wins)', async () => {
    const [header, ...rows] = readFileSync(SP500, 'utf8').trim().split('\n');
    const first = join(dataDir, 'first.csv');
    writeFileSync(first, [header, ...rows.slice(0, 40)].join('\n') + '\n');
    // 2000-01-29 is a Saturday: not in the file, older than the last day replayed. Row 24 with another close.
    const changed = rows[24]!.split(',');
    changed[4] = String(Number(changed[4]) + 1);
    const second = join(dataDir, 'second.csv');
    writeFileSync(second, [header, rows[18]!.replace(/^\d{4}-\d{2}-\d{2}/, '2000-01-29'), changed.join(',')].join('\n') + '\n');
    expect(rows[18]!.startsWith('2000-01-28')).toBe(true);

    const replay = async (file: string) => {
      const run = await cli([
        'replay',
        '--file',
        file,
        '--symbol',
        'SPX',
        '--speed',
        'max',
        '--persist',
        '--json',
        '--data-dir',
        dataDir,
      ]);
      expect(run.code).toBe(0);
      return JSON.parse(run.stdout) as RunSummary;
    };
    expect(await replay(first)).toMatchObject({ processed: 40, lateTicks: 0, duplicateTicks: 0 });
    // The late tick is stored and counted late; the changed one is refused (first wins), not counted as folded.
    expect(await replay(second)).toMatchObject({ processed: 1, invalid: 1, lateTicks: 1, duplicateTicks: 0, alerts: 0 });

    const status = StatusReportSchema.parse(JSON.parse((await cli(['status', '--json', '--data-dir', dataDir])).stdout));
    expect(status.analysis).toEqual({
      lateTicks: 1,
      duplicateTicks: 0,
      skippedBySymbol: [{ symbol: 'SPX', late: 1, duplicate: 0 }],
      pendingAlerts: 0,
      stalePendingAlerts: [],
    });
    expect(status.warnings).toContainEqual(expect.stringMatching(/^analysis: as it stood when the last run stopped, at /));
    const text = await cli(['status', '--data-dir', dataDir]);
    expect(text.stdout).toContain('analysis    late ticks 1, duplicate ticks 0 (SPX 1/0), pending alerts 0');

    // The daily reports of the two days count them too, after the run (from what it left in the data dir).
    expect((await cli(['workflow', 'run', 'maintenance', '--data-dir', dataDir])).code).toBe(0);
    expect((await cli(['workflow', 'run', 'report', '--date', '2000-01-29', '--data-dir', dataDir])).code).toBe(0);
    const late = await cli(['report', 'get', '--date', '2000-01-29', '--data-dir', dataDir]);
    expect(late.stdout).toMatch(/SPX: [^\n]*, not folded: 1 late, 0 duplicate/);
    // The changed day keeps the close stored first: the report, the table and the fold agree.
    expect((await cli(['workflow', 'run', 'report', '--date', changed[0]!, '--data-dir', dataDir])).code).toBe(0);
    const kept = await cli(['report', 'get', '--date', changed[0]!, '--data-dir', dataDir]);
    expect(kept.stdout).not.toContain('not folded');
    expect(kept.stdout).toContain(`close ${Number(rows[24]!.split(',')[4]).toFixed(2)}`);
  }, 180_000);
});
