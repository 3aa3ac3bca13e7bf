/**
 * What surprised a new user (issue 14), each pinned: run waits by default, coloured alert lines,
 * no silent AWS target, unknown start symbols, a report before any maintenance run, alerts in market
 * order, a dead run's owner, and the runtime-log hint.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import type { OutboxMessage } from '../../src/adapters/local/outbox-notifier';
import { alertLine, logPrinter, useColour } from '../../src/cli/pipeline-output';
import { Output, type CliIo } from '../../src/cli/output';
import { resolveTarget } from '../../src/cli/targets';
import type { RunSummary } from '../../src/cli/summary';
import { dataDirLayout } from '../../src/local';
import { cli, tempDataDir } from './helpers';

const dirs: string[] = [];
const dir = () => {
  const d = tempDataDir();
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const message = (side: 'BUY' | 'SELL', symbol: string, timestamp: string, publishedAt: string): OutboxMessage => ({
  topic: 'arn:aws:sns:us-east-1:000000000000:stockpipe-alerts',
  publishedAt,
  subject: `${side} ${symbol}`,
  message: '',
  alert: { symbol, side, timestamp, price: 10, sma5: 10.5, sma20: 10.2 },
});

describe('stockpipe run', () => {
  it('waits by default until every tick is processed and analysed', async () => {
    const run = await cli(['run', '--source', 'replay', '--symbols', 'AAPL', '--json', '--data-dir', dir()]);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as RunSummary;
    expect(summary).toMatchObject({ drained: true, in: 123, processed: 123, pending: 0 });
  }, 60_000);

  it('--no-wait leaves once the source is done and says it did not drain', async () => {
    const run = await cli(['run', '--source', 'replay', '--symbols', 'AAPL', '--no-wait', '--json', '--data-dir', dir()]);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as RunSummary).drained).toBe(false);
  }, 60_000);
});

describe('alert lines on a terminal', () => {
  const m = message('BUY', 'MSFT', '2002-02-01T21:00:00.000Z', '2026-01-01T00:00:00.000Z');
  it('are green for BUY and red for SELL when coloured, plain otherwise', () => {
    expect(alertLine(m, true)).toBe(`\u001b[32m${alertLine(m)}\u001b[0m`);
    expect(alertLine({ ...m, alert: { ...m.alert, side: 'SELL' } }, true).startsWith('\u001b[31mSELL ')).toBe(true);
    expect(alertLine(m)).not.toContain('\u001b');
  });
  it('are coloured only on a terminal and never with NO_COLOR', () => {
    expect(useColour({ stdoutIsTTY: true, env: {} })).toBe(true);
    expect(useColour({ stdoutIsTTY: true, env: { NO_COLOR: '1' } })).toBe(false);
    expect(useColour({ stdoutIsTTY: false, env: {} })).toBe(false);
    expect(useColour({ env: {} })).toBe(false);
  });
});

describe('the target of the operating commands', () => {
  const cfn = mockClient(CloudFormationClient);
  afterAll(() => cfn.restore());

  it('without --target and without a data dir is local, said on stderr, and AWS is not touched', async () => {
    cfn.reset();
    const missing = join(dir(), 'mistyped');
    const run = await cli(['schedule', 'disable', '--yes', '--data-dir', missing], { env: { AWS_REGION: 'eu-west-1' } });
    expect(run.stderr).toContain(`target: local, but there is no data dir at ${missing} yet`);
    expect(cfn.calls()).toHaveLength(0);
    const alerts = await cli(['alerts', '--data-dir', join(dir(), 'also-missing')]);
    expect(alerts.stderr).toContain('target: local');
    expect(cfn.calls()).toHaveLength(0);
  });

  it('is aws when asked with --profile, --region or --stack, or saved for the project, and says why', () => {
    const options = { dataDir: '.stockpipe' };
    expect(resolveTarget({ ...options, region: 'eu-west-1' }, {})).toMatchObject({
      target: 'aws',
      why: 'target: aws (because --region was given)',
    });
    expect(resolveTarget({ ...options, target: 'aws' }, {})).toMatchObject({ target: 'aws', why: undefined });
    const saved = resolveTarget(options, { target: 'aws', region: 'eu-west-1', stack: 'Prod' });
    expect(saved.target).toBe('aws');
    expect(saved.options).toMatchObject({ region: 'eu-west-1', stack: 'Prod' });
    expect(saved.why).toMatch(/^target: aws \(saved in .*stockpipe\.config\.json\)$/);
    expect(resolveTarget(options, {}).target).toBe('local');
    expect(resolveTarget(options, { target: 'local' }).target).toBe('local');
  });

  it('refuses a saved project setting that is not one, naming the field', async () => {
    const cwd = process.cwd();
    const project = dir();
    writeFileSync(join(project, 'stockpipe.config.json'), JSON.stringify({ target: 'prod' }));
    process.chdir(project);
    try {
      const run = await cli(['status']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('stockpipe.config.json: target="prod": must be one of local, aws');
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('stockpipe start --symbols', () => {
  it('refuses a symbol the replay does not have with exit code 2 and the known ones', async () => {
    const run = await cli(['start', '--symbols', 'TSLA,aapl', '--data-dir', dir()]);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining(
        'error: --symbols: TSLA is not in the replay data; known symbols: AAPL, AMZN, GOOG, IBM, MSFT',
      ),
    });
  });
});

describe('the local alerts and runs', () => {
  it('lists alerts in market order whatever order they were published in', async () => {
    const d = dir();
    const outbox = dataDirLayout(d).outbox;
    mkdirSync(outbox, { recursive: true });
    writeFileSync(
      join(outbox, 'alerts-2026-01-01.jsonl'),
      [
        message('BUY', 'MSFT', '2002-02-01T21:00:00.000Z', '2026-01-01T10:00:00.000Z'),
        message('SELL', 'IBM', '2001-09-01T21:00:00.000Z', '2026-01-01T10:00:01.000Z'),
      ]
        .map((x) => JSON.stringify(x))
        .join('\n') + '\n',
    );
    const run = await cli(['alerts', '--json', '--data-dir', d]);
    expect((JSON.parse(run.stdout) as { timestamp: string }[]).map((a) => a.timestamp)).toEqual([
      '2001-09-01T21:00:00.000Z',
      '2002-02-01T21:00:00.000Z',
    ]);
  });

  it('shows a run whose process was killed as ABORTED with the reason, not RUNNING for ever', async () => {
    const d = dir();
    const gone = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
    const runs = dataDirLayout(d).runs;
    mkdirSync(runs, { recursive: true });
    const run = (id: string, pid: number) => ({
      executionId: id,
      executionArn: `arn:aws:states:us-east-1:000000000000:execution:stockpipe-lake-maintenance:${id}`,
      workflow: 'maintenance',
      stateMachineName: 'stockpipe-lake-maintenance',
      status: 'RUNNING',
      owner: { pid, host: hostname() },
      input: {},
      startedAt: '2026-01-01T10:00:00.000Z',
      states: [],
      events: [],
    });
    writeFileSync(join(runs, 'maintenance-dead.json'), JSON.stringify(run('maintenance-dead', gone)));
    writeFileSync(join(runs, 'maintenance-alive.json'), JSON.stringify(run('maintenance-alive', process.pid)));
    const list = await cli(['runs', 'list', '--json', '--data-dir', d]);
    expect((JSON.parse(list.stdout) as { id: string; status: string }[]).map((r) => [r.id, r.status]).sort()).toEqual([
      ['maintenance-alive', 'RUNNING'],
      ['maintenance-dead', 'ABORTED'],
    ]);
    const show = await cli(['runs', 'show', 'maintenance-dead', '--json', '--data-dir', d]);
    expect(JSON.parse(show.stdout)).toMatchObject({
      status: 'ABORTED',
      error: 'OwnerGone',
      cause: expect.stringContaining(`pid ${gone}`),
    });
  });

  it('a report before any maintenance run compacts what it reads first and reports the day', async () => {
    const d = dir();
    expect((await cli(['run', '--source', 'replay', '--symbols', 'AAPL,MSFT', '--data-dir', d])).code).toBe(0);
    const report = await cli(['workflow', 'run', 'report', '--date', '2009-09-01', '--wait', '--json', '--data-dir', d]);
    expect(report.code).toBe(0);
    expect(report.stderr).toMatch(
      /days of the lake the report reads were not compacted yet .*: ran the maintenance workflow first \(maintenance-\S+: SUCCEEDED\)/,
    );
    const got = await cli(['report', '--date', '2009-09-01', '--json', '--data-dir', d]);
    expect(JSON.parse(got.stdout)).toMatchObject({ totals: { symbols: 2, ticks: 2 } });
    // Now compacted: a second report runs no maintenance.
    const again = await cli(['workflow', 'run', 'report', '--date', '2009-09-01', '--json', '--data-dir', d]);
    expect(again.stderr).not.toContain('ran the maintenance workflow first');
  }, 90_000);
});

describe('runtime warnings', () => {
  it('point to the runtime log file, not to a command that does not exist', () => {
    let stderr = '';
    const io = {
      stdout: () => undefined,
      stderr: (t: string) => void (stderr += t),
      stderrIsTTY: false,
      env: {},
    } as unknown as CliIo;
    logPrinter(new Output(io, false))({
      time: '',
      level: 'warn',
      event: 'producer invocation failed',
      error: 'Error: boom',
    } as never);
    expect(stderr).toBe(
      'warning: producer invocation failed: boom (details: the runtime log, logs/runtime-<date>.log in the data dir)\n',
    );
    expect(stderr).not.toContain('stockpipe logs');
  });
});
