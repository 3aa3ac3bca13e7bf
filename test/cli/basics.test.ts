import { rmSync } from 'node:fs';
import { cli, tempDataDir } from './helpers';

let dataDir: string;
beforeEach(() => {
  dataDir = tempDataDir();
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('stockpipe CLI basics', () => {
  it('lists every command in --help and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['start', 'run', 'replay', 'up', 'alerts', 'query', 'schedule']) expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(run.stderr).toBe('');
  });

  it('has --help with --json on every command', async () => {
    for (const command of [['start'], ['run'], ['replay'], ['up'], ['alerts'], ['query'], ['schedule', 'status'], ['schedule', 'enable'], ['schedule', 'disable']]) {
      const run = await cli([...command, '--help']);
      expect({ command, code: run.code }).toEqual({ command, code: 0 });
      expect(run.stdout).toContain('--json');
      expect(run.stdout).toContain('--data-dir <dir>');
    }
  });

  it('exits 2 with a message for usage mistakes: unknown command, bad option value, missing argument', async () => {
    const unknown = await cli(['strat']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("error: unknown command 'strat'");
    expect(unknown.stderr).toContain('(Did you mean start?)');

    const badValue = await cli(['run', '--samples', '0', '--data-dir', dataDir]);
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toContain('--samples must be a whole number of at least 1, got "0"');

    const badChoice = await cli(['run', '--source', 'bloomberg']);
    expect(badChoice.code).toBe(2);
    expect(badChoice.stderr).toContain("argument 'bloomberg' is invalid. Allowed choices are replay, synthetic, yahoo, csv.");

    const missing = await cli(['query']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'sql'");
  });

  it('prints the version and exits 0', async () => {
    const run = await cli(['--version']);
    expect(run).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it('turns the local schedule off and on, reports it, and wants --yes to disable without a terminal', async () => {
    const status = await cli(['schedule', 'status', '--json', '--data-dir', dataDir]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual({
      rule: 'ingest',
      name: 'stockpipe-ingest-schedule',
      state: 'ENABLED',
      expression: 'rate(1 minute)',
      nextTrigger: null,
      nextTriggerApproximate: false,
    });

    const unconfirmed = await cli(['schedule', 'disable', '--data-dir', dataDir]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toBe('error: disabling the schedule stops ingestion: confirm with --yes\n');

    const declined = await cli(['schedule', 'disable', '--data-dir', dataDir], { stdinIsTTY: true });
    expect(declined.code).toBe(1);
    expect(declined.stderr).toBe('error: not disabled (not confirmed)\n');

    const disabled = await cli(['schedule', 'disable', '--yes', '--json', '--data-dir', dataDir]);
    expect(disabled.code).toBe(0);
    expect(JSON.parse(disabled.stdout)).toMatchObject({ state: 'DISABLED', previousState: 'ENABLED', changed: true });
    const again = await cli(['schedule', 'disable', '--yes', '--data-dir', dataDir]);
    expect(again.stdout).toBe('already disabled: ingest schedule (stockpipe-ingest-schedule, rate(1 minute)): DISABLED\n');
    expect(JSON.parse((await cli(['schedule', 'status', '--json', '--data-dir', dataDir])).stdout).state).toBe('DISABLED');

    const enabled = await cli(['schedule', 'enable', '--json', '--data-dir', dataDir]);
    expect(JSON.parse(enabled.stdout)).toMatchObject({ state: 'ENABLED', previousState: 'DISABLED', changed: true });
  });

  it('says which target and rule work locally', async () => {
    const aws = await cli(['schedule', 'status', '--target', 'aws']);
    expect(aws.code).toBe(2);
    expect(aws.stderr).toContain('error: --target aws is not available in this version yet');
    const rule = await cli(['schedule', 'status', '--rule', 'report', '--data-dir', dataDir]);
    expect(rule.code).toBe(2);
    expect(rule.stderr).toBe('error: the local runtime has no report schedule (locally the workflows run on demand); use --rule ingest\n');
  });

  it('answers an empty data dir with empty results and a hint, not an error', async () => {
    const alerts = await cli(['alerts', '--data-dir', dataDir]);
    expect(alerts.code).toBe(0);
    expect(alerts.stdout).toBe('');
    expect(alerts.stderr).toContain('no alerts in');
    expect(JSON.parse((await cli(['alerts', '--json', '--data-dir', dataDir])).stdout)).toEqual([]);

    const query = await cli(['query', 'SELECT COUNT(*) AS n FROM stock_data_table', '--json', '--data-dir', dataDir]);
    expect(query.code).toBe(0);
    expect(JSON.parse(query.stdout)).toEqual({ columns: [{ name: 'n', type: 'BIGINT' }], rows: [{ n: 0 }] });
    expect(query.stderr).toContain('is empty: run stockpipe run (or stockpipe start) first');
  });

  it('reports a bad query as one line with exit code 1', async () => {
    const run = await cli(['query', 'SELECT nope FROM stock_data_table', '--data-dir', dataDir]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
    expect(run.stderr).toMatch(/error: query failed: .*nope/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
