import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ScheduleChangeSchema, ScheduleStatusSchema, StatusReportSchema } from '../../src/ops/types';
import { cli, tempDataDir } from './helpers';

let dataDir: string;
beforeEach(() => {
  dataDir = tempDataDir();
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('stockpipe CLI basics', () => {
  const COMMANDS = [
    'start',
    'run',
    'replay',
    'up',
    'query',
    'status',
    'schedule',
    'alerts',
    'signals',
    'verify',
    'runs',
    'workflow',
    'report',
    'dlq',
    'subscribe',
    'dashboard',
  ];
  const LEAVES = [
    ['start'],
    ['run'],
    ['replay'],
    ['up'],
    ['query'],
    ['status'],
    ['schedule', 'status'],
    ['schedule', 'enable'],
    ['schedule', 'disable'],
    ['alerts'],
    ['signals'],
    ['verify'],
    ['runs', 'list'],
    ['runs', 'show'],
    ['workflow', 'run'],
    ['report', 'get'],
    ['dlq', 'list'],
    ['dlq', 'show'],
    ['dlq', 'replay'],
    ['dlq', 'purge'],
    ['subscribe'],
    ['dashboard'],
  ];
  const OPERATING = LEAVES.filter(([c]) => !['start', 'run', 'replay', 'up', 'query'].includes(c!));

  it('lists every command in --help and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    const listed = [...run.stdout.matchAll(/^ {2}(\w+) /gm)].map((m) => m[1]).filter((c) => c !== 'help');
    expect(listed).toEqual(COMMANDS);
    expect(run.stderr).toBe('');
  });

  it('has --help with --json on every command, and the target options on every operating command', async () => {
    for (const command of LEAVES) {
      const run = await cli([...command, '--help']);
      expect({ command, code: run.code }).toEqual({ command, code: 0 });
      expect(run.stdout).toContain('--json');
      expect(run.stdout).toContain('--data-dir <dir>');
      if (OPERATING.includes(command))
        for (const option of ['--target <target>', '--profile <name>', '--region <region>', '--stack <name>'])
          expect({ command, has: run.stdout.includes(option) }).toEqual({ command, has: true });
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
    expect(unconfirmed.stderr).toBe('error: disabling the ingest schedule stops ingestion: confirm with --yes\n');

    const declined = await cli(['schedule', 'disable', '--data-dir', dataDir], { stdinIsTTY: true });
    expect(declined.code).toBe(1);
    expect(declined.stderr).toBe('error: not disabled (not confirmed)\n');

    const disabled = await cli(['schedule', 'disable', '--yes', '--json', '--data-dir', dataDir]);
    expect(disabled.code).toBe(0);
    expect(JSON.parse(disabled.stdout)).toMatchObject({ state: 'DISABLED', previousState: 'ENABLED', changed: true });
    const again = await cli(['schedule', 'disable', '--yes', '--data-dir', dataDir]);
    expect(again.stdout).toBe('already disabled: ingest schedule (stockpipe-ingest-schedule, rate(1 minute)): DISABLED\n');
    expect(JSON.parse((await cli(['schedule', 'status', '--json', '--data-dir', dataDir])).stdout).state).toBe('DISABLED');

    // --yes is accepted in both directions, so a script can pass it to either.
    const enabled = await cli(['schedule', 'enable', '--yes', '--json', '--data-dir', dataDir]);
    expect(enabled.code).toBe(0);
    expect(JSON.parse(enabled.stdout)).toMatchObject({ state: 'ENABLED', previousState: 'DISABLED', changed: true });
  });

  it('keeps the local maintenance and report rules apart from the ingest rule', async () => {
    const disabled = await cli(['schedule', 'disable', '--rule', 'maintenance', '--yes', '--json', '--data-dir', dataDir]);
    expect(disabled.code).toBe(0);
    expect(ScheduleChangeSchema.parse(JSON.parse(disabled.stdout))).toEqual({
      rule: 'maintenance',
      name: 'stockpipe-maintenance-schedule',
      state: 'DISABLED',
      expression: 'rate(1 hour)',
      nextTrigger: null,
      nextTriggerApproximate: false,
      previousState: 'ENABLED',
      changed: true,
    });
    const report = await cli(['schedule', 'status', '--rule', 'report', '--json', '--data-dir', dataDir]);
    expect(ScheduleStatusSchema.parse(JSON.parse(report.stdout))).toMatchObject({
      rule: 'report',
      name: 'stockpipe-report-schedule',
      state: 'ENABLED',
      expression: null,
    });
    expect(JSON.parse((await cli(['schedule', 'status', '--json', '--data-dir', dataDir])).stdout).state).toBe('ENABLED');
  });

  it('picks the local target where the data dir exists, and refuses local with an AWS option', async () => {
    const mixed = await cli(['status', '--target', 'local', '--profile', 'prod', '--data-dir', dataDir]);
    expect(mixed).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: --profile is for --target aws; the local target is chosen with --data-dir\n',
    });
    const local = await cli(['status', '--json', '--data-dir', dataDir]);
    expect(local.code).toBe(0);
    expect(StatusReportSchema.parse(JSON.parse(local.stdout))).toMatchObject({
      target: 'local',
      where: dataDir,
      dlq: [],
      lastHour: { ticksIn: null, ticksProcessed: 0, alerts: 0 },
    });
  });

  it('says on the local target that alerts go to the outbox instead of a subscription', async () => {
    const run = await cli(['subscribe', '--email', 'ops@example.com', '--data-dir', dataDir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `error: the local target sends no mail: its alerts go to the outbox ${join(dataDir, 'outbox', 'alerts-<date>.jsonl')} (stockpipe alerts lists them); subscribe to the deployed stack's topic with --target aws\n`,
    );
  });

  it('says that the local dead-letter queues live in a running pipeline', async () => {
    const run = await cli(['dlq', 'list', '--queue', 'invalid', '--data-dir', dataDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: no local pipeline runs on .*: the dead-letter queues live in the running pipeline's memory/,
    );
    const overview = await cli(['dlq', 'list', '--data-dir', dataDir]);
    expect(overview.code).toBe(1);
    expect(overview.stderr).toMatch(/^error: no local pipeline runs on .*: the dead-letter queues live/);
    const missing = await cli(['dlq', 'replay', '--data-dir', dataDir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error: required option '--queue <queue>' not specified");
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
    // One line naming the tables, none of DuckDB's candidate list or caret drawing.
    expect(
      run.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('the lake in') && !l.startsWith('target:')),
    ).toEqual([
      expect.stringMatching(
        /^error: query failed: Binder Error: Referenced column "nope" not found in FROM clause! \(the tables are stock_data_table, raw ticks, and stock_data_curated, compacted\)$/,
      ),
    ]);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
