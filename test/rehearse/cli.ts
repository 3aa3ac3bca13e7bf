/**
 * The CLI stage: the ops CLI (the `stockpipe` bin) run as a user runs it against the deployed stack
 * (`--target aws --stack --region`, the endpoint from AWS_ENDPOINT_URL), each command checked by what
 * it printed and, where it changes something, by asking moto. A fresh cache dir per rehearsal: the
 * CLI caches stack outputs for an hour, and an earlier moto's would be stale.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DescribeRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { buildCli } from '../build-cli';
import { motoClientConfig, type StageResult } from './functions';
import { readWholeStream } from './kinesis-read';
import { idOf, type Deployed } from './template-values';

export interface CliArgs {
  readonly root: string;
  readonly endpoint: string;
  readonly stack: string;
  readonly region: string;
  readonly deployed: Deployed;
}

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const log = (message: string) => console.error(`rehearsal: ${message}`);

function runCli(a: CliArgs, env: NodeJS.ProcessEnv, args: readonly string[]): Promise<CliRun> {
  const bin = path.join(a.root, 'bin', 'stockpipe.cjs');
  const target = ['--target', 'aws', '--stack', a.stack, '--region', a.region];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args, ...target], { cwd: env.HOME, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout, stderr: stderr.replace(/^.*NodeVersionSupportWarning[\s\S]*?a\.co\/\S+\n?/m, '') }),
    );
  });
}

/** The first JSON document of a run's stdout. */
const json = <T>(r: CliRun): T => JSON.parse(r.stdout) as T;

interface Step {
  readonly name: string;
  readonly args: readonly string[];
  /** Why the run is not what a user should see, or undefined. */
  readonly check: (r: CliRun) => string | undefined | Promise<string | undefined>;
  /** Printed after the result: what moto only imitates here. */
  readonly note?: string;
}

async function kinesisRecordCount(a: CliArgs): Promise<number> {
  const kinesis = new KinesisClient(motoClientConfig(a.endpoint, a.region));
  const name = a.deployed.physical.get(idOf(a.deployed.template, 'AWS::Kinesis::Stream', 'IngestionStream'))!;
  return (await readWholeStream(kinesis, name)).length;
}

const exitedOk = (r: CliRun): string | undefined =>
  r.code === 0 ? undefined : `exit ${r.code}: ${(r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' | ')}`;

export async function rehearseCli(a: CliArgs): Promise<StageResult> {
  buildCli();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-cli-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CACHE_HOME: path.join(home, 'cache'),
    AWS_ENDPOINT_URL: a.endpoint,
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
    AWS_CONFIG_FILE: path.join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-credentials'),
    NO_COLOR: '1',
  };
  const events = new EventBridgeClient({
    region: a.region,
    endpoint: a.endpoint,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const ruleName = a.deployed.physical.get(idOf(a.deployed.template, 'AWS::Events::Rule', 'IngestionSchedule'))!;
  const ruleState = async () => (await events.send(new DescribeRuleCommand({ Name: ruleName }))).State;
  let runId = '';
  let deadLetter: { messageId: string; payload: string } | undefined;
  let recordsBeforeReplay = 0;

  const steps: Step[] = [
    {
      name: 'status',
      args: ['status'],
      check: (r) =>
        exitedOk(r) ??
        (!/schedule .*ENABLED/.test(r.stdout)
          ? 'does not show the ingest schedule ENABLED'
          : /ticks in 0\b/.test(r.stdout)
            ? 'prints 0 ticks in for a metric with no datapoints (unknown)'
            : undefined),
      note: 'moto holds no CloudWatch datapoints (the bundles emit metrics as log lines): the last hour is unknown',
    },
    {
      name: 'schedule disable',
      args: ['schedule', 'disable', '--yes'],
      check: async (r) =>
        exitedOk(r) ?? ((await ruleState()) === 'DISABLED' ? undefined : `EventBridge says ${await ruleState()}`),
    },
    {
      name: 'status (disabled)',
      args: ['status', '--json'],
      check: async (r) => {
        const why = exitedOk(r);
        if (why) return why;
        const s = json<{ schedule: { state: string }; lastHour: Record<string, number | null> }>(r);
        if (s.schedule.state !== 'DISABLED') return `status says the schedule is ${s.schedule.state}`;
        if ((await ruleState()) !== 'DISABLED') return 'EventBridge (DescribeRule) does not agree';
        if (Object.values(s.lastHour).some((v) => v === 0))
          return `lastHour ${JSON.stringify(s.lastHour)}: 0 where no datapoint exists`;
        return undefined;
      },
    },
    {
      name: 'schedule enable',
      args: ['schedule', 'enable', '--yes'],
      check: async (r) =>
        exitedOk(r) ?? ((await ruleState()) === 'ENABLED' ? undefined : `EventBridge says ${await ruleState()}`),
    },
    {
      name: 'workflow run maintenance',
      args: ['workflow', 'run', 'maintenance', '--json'],
      check: (r) => exitedOk(r) ?? (JSON.stringify(json(r)).includes('arn:aws:states') ? undefined : 'printed no execution'),
      note: 'moto only imitates Step Functions executions: StartExecution answers, nothing runs (the definitions ran on the local ASL runner in the functions stage)',
    },
    {
      name: 'runs list',
      args: ['runs', 'list', '--json'],
      check: (r) => {
        const why = exitedOk(r);
        if (why) return why;
        const runs = json<{ id: string; workflow: string }[]>(r);
        runId = runs.find((x) => x.workflow === 'maintenance')?.id ?? '';
        return runId ? undefined : `no maintenance run listed: ${r.stdout.slice(0, 200)}`;
      },
    },
    {
      name: 'runs show',
      args: [],
      check: exitedOk,
      note: "moto's execution history is canned, not the run's states",
    },
    {
      name: 'alerts',
      args: ['alerts'],
      check: (r) => exitedOk(r) ?? (/\b(BUY|SELL)\b/.test(r.stdout) ? undefined : 'lists no BUY/SELL alert'),
    },
    {
      name: 'dlq list',
      args: ['dlq', 'list', '--queue', 'invalid', '--json'],
      check: (r) => {
        const why = exitedOk(r);
        if (why) return why;
        const listed = json<{ messages?: { messageId: string; payload: string }[] } | { messageId: string; payload: string }[]>(
          r,
        );
        const messages = Array.isArray(listed) ? listed : (listed.messages ?? []);
        deadLetter = messages[0];
        return deadLetter ? undefined : 'the invalid queue lists no dead letter (processing should have put one there)';
      },
    },
    {
      name: 'dlq replay',
      args: [],
      check: async (r) => {
        const why = exitedOk(r);
        if (why) return why;
        const result = json<{ replayed?: number }>(r);
        const after = await kinesisRecordCount(a);
        if (result.replayed !== 1) return `replayed ${result.replayed ?? 'none'}: ${r.stdout.slice(0, 300)}`;
        return after === recordsBeforeReplay + 1
          ? undefined
          : `the stream holds ${after - recordsBeforeReplay} more record(s), not 1`;
      },
    },
    {
      name: 'report get',
      args: ['report', 'get'],
      check: (r) => exitedOk(r) ?? (r.stdout.trim() ? undefined : 'printed nothing'),
    },
  ];

  const failures: string[] = [];
  let passed = 0;
  try {
    for (const step of steps) {
      let args = step.args;
      if (step.name === 'runs show') args = ['runs', 'show', runId || 'none'];
      if (step.name === 'dlq replay') {
        const fixes = path.join(home, 'fixes.jsonl');
        if (deadLetter)
          fs.writeFileSync(
            fixes,
            JSON.stringify({ messageId: deadLetter.messageId, payload: fixedPayload(deadLetter.payload) }) + '\n',
          );
        recordsBeforeReplay = await kinesisRecordCount(a);
        args = ['dlq', 'replay', '--queue', 'invalid', '--fixes', fixes, '--json'];
      }
      const started = Date.now();
      const run = await runCli(a, env, args);
      let why: string | undefined;
      try {
        why = await step.check(run);
      } catch (error) {
        why = `unreadable output (${(error as Error).message}): ${run.stdout.slice(0, 200)}`;
      }
      const shown = (run.stdout.trim() || run.stderr.trim())
        .split('\n')
        .slice(0, 12)
        .map((l) => `    ${l.slice(0, 160)}`);
      log(
        `CLI ${step.name}: stockpipe ${args.join(' ')} -> ${why ? `FAILED: ${why}` : 'ok'} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
      console.error(shown.join('\n'));
      if (step.note) log(`  note: ${step.note}`);
      if (why) failures.push(`CLI ${step.name}: ${why}`);
      else passed++;
    }
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
  return { failures, lines: [`CLI ${passed}/${steps.length}`] };
}

/** The dead-lettered tick with its refused price made valid, as an operator would fix it. */
export function fixedPayload(payload: string): string {
  const tick = JSON.parse(payload) as Record<string, unknown>;
  return JSON.stringify({ ...tick, price: Math.abs(Number(tick.price)) || 1 });
}
