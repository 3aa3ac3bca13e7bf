import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { localSubstitutions, loadLocalDefinition } from '../../src/local/workflow/run';
import { taskResources } from '../../src/local/workflow/local-tasks';
import {
  placeholdersIn,
  substitutePlaceholders,
  WORKFLOWS,
  workflowSubstitutions,
  type WorkflowName,
} from '../../src/shared/workflow-substitutions';

const ROOT = join(__dirname, '..', '..');
const FILES = readdirSync(join(ROOT, 'statemachines'))
  .filter((f) => f.endsWith('.asl.json'))
  .sort();
const LOCAL = {
  rawBucket: 'stockpipe-lake',
  alertTable: 'stockpipe-alerts',
  signalStateTable: 'stockpipe-signal-state',
  alertTopicArn: 'arn:aws:sns:us-east-1:000000000000:stockpipe-alerts',
  region: 'us-east-1',
  accountId: '000000000000',
};
const CLOUD = workflowSubstitutions({
  functionArns: {
    findPartitions: 'arn:aws:lambda:eu-west-1:123456789012:function:find',
    compaction: 'arn:aws:lambda:eu-west-1:123456789012:function:compact',
    registerPartitions: 'arn:aws:lambda:eu-west-1:123456789012:function:register',
    report: 'arn:aws:lambda:eu-west-1:123456789012:function:report',
  },
  lakeBucket: 'lake-bucket',
  glueDatabase: 'stockpipe',
  athenaWorkgroup: 'stockpipe',
  alertTopicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts',
  opsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops',
});

interface State {
  Type: string;
  Resource?: string;
  Next?: string;
  Default?: string;
  End?: boolean;
  TimeoutSeconds?: number;
  MaxConcurrency?: number;
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Choices?: { Next: string }[];
  ItemProcessor?: { States: Record<string, State> };
  Branches?: { States: Record<string, State> }[];
}
interface Definition {
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, State>;
}

const allStates = (states: Record<string, State>): [string, State][] =>
  Object.entries(states).flatMap(([name, s]) => [
    [name, s] as [string, State],
    ...(s.ItemProcessor ? allStates(s.ItemProcessor.States) : []),
    ...(s.Branches ?? []).flatMap((b) => allStates(b.States)),
  ]);

describe('state machine definitions (statemachines/*.asl.json)', () => {
  it('are exactly the two workflows', () => {
    expect(FILES).toEqual(
      Object.values(WORKFLOWS)
        .map((w) => w.file.replace('statemachines/', ''))
        .sort(),
    );
  });

  it.each(FILES)('%s passes asl-validator as written and once substituted', (file) => {
    const text = readFileSync(join(ROOT, 'statemachines', file), 'utf8');
    for (const definition of [JSON.parse(text), JSON.parse(substitutePlaceholders(text, CLOUD, file))]) {
      const result = aslValidator(definition);
      expect(result.errorsText('\n')).toBe('');
      expect(result.isValid).toBe(true);
    }
  });

  it('uses only placeholders that workflowSubstitutions() provides, and every one it provides is used', () => {
    const used = new Set(FILES.flatMap((f) => placeholdersIn(readFileSync(join(ROOT, 'statemachines', f), 'utf8'))));
    expect([...used].sort()).toEqual(Object.keys(CLOUD).sort());
    expect(Object.keys(localSubstitutions(LOCAL)).sort()).toEqual(Object.keys(CLOUD).sort());
  });

  it('a placeholder without a value fails the substitution, naming it', () => {
    expect(() => substitutePlaceholders('{"Resource": "${NoSuchThing}", "B": "${LakeBucket}"}', CLOUD, 'x.asl.json')).toThrow(
      'x.asl.json uses placeholder(s) ${NoSuchThing} that workflowSubstitutions() does not provide',
    );
  });

  it.each(Object.keys(WORKFLOWS) as WorkflowName[])(
    '%s: the local runner substitutes every placeholder and maps every task',
    (name) => {
      const { text, definition } = loadLocalDefinition(name, LOCAL);
      expect(placeholdersIn(text)).toEqual([]);
      const resources = taskResources(definition.States as never);
      expect(resources.size).toBeGreaterThanOrEqual(5);
    },
  );

  describe.each(FILES)('%s', (file) => {
    const definition = JSON.parse(
      substitutePlaceholders(readFileSync(join(ROOT, 'statemachines', file), 'utf8'), CLOUD, file),
    ) as Definition;
    const states = allStates(definition.States);

    it('bounds the execution and every task with a timeout', () => {
      expect(definition.TimeoutSeconds).toBeGreaterThan(0);
      const tasks = states.filter(([, s]) => s.Type === 'Task');
      expect(tasks.length).toBeGreaterThan(0);
      for (const [name, s] of tasks) expect([name, s.TimeoutSeconds! > 0]).toEqual([name, true]);
    });

    it('retries every Lambda task on transient Lambda errors, a bounded number of times', () => {
      for (const [name, s] of states.filter(([, s]) => s.Resource === 'arn:aws:states:::lambda:invoke')) {
        expect([name, s.Retry?.[0]?.ErrorEquals]).toEqual([
          name,
          expect.arrayContaining(['Lambda.ServiceException', 'Lambda.TooManyRequestsException']),
        ]);
        for (const r of s.Retry ?? []) expect(r.MaxAttempts).toBeLessThanOrEqual(6);
      }
    });

    it('catches every failure of a top-level task, Map or Parallel into NotifyOps, which publishes to the ops topic', () => {
      const work = Object.entries(definition.States).filter(
        ([name, s]) => ['Task', 'Map', 'Parallel'].includes(s.Type) && name !== 'NotifyOps',
      );
      for (const [name, s] of work)
        expect([name, s.Catch]).toEqual([name, [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'NotifyOps' }]]);
      const notify = definition.States.NotifyOps!;
      expect(notify.Resource).toBe('arn:aws:states:::sns:publish');
      expect((notify as unknown as { Parameters: { TopicArn: string } }).Parameters.TopicArn).toBe(CLOUD.OpsTopicArn);
      expect(definition.States[notify.Next!]!.Type).toBe('Fail');
    });

    it('has bounded Map concurrency', () => {
      const maps = states.filter(([, s]) => s.Type === 'Map');
      expect(maps.length).toBe(1);
      for (const [, s] of maps) expect(s.MaxConcurrency).toBeGreaterThanOrEqual(1);
      for (const [, s] of maps) expect(s.MaxConcurrency).toBeLessThanOrEqual(10);
    });

    it('has no loop: every path from StartAt ends', () => {
      const visiting = new Set<string>();
      const done = new Set<string>();
      const visit = (name: string) => {
        if (done.has(name)) return;
        if (visiting.has(name)) throw new Error(`loop through ${name}`);
        visiting.add(name);
        const s = definition.States[name]!;
        for (const next of [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)])
          if (next) visit(next);
        visiting.delete(name);
        done.add(name);
      };
      expect(() => visit(definition.StartAt)).not.toThrow();
      expect([...done].sort()).toEqual(Object.keys(definition.States).sort());
    });
  });
});
