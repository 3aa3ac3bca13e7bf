import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../infra/config';
import { Workflows } from '../../infra/constructs/workflow';
import { addNagChecks } from '../../infra/nag';
import { StockpipeStack } from '../../infra/stack';
import { RESOURCE } from '../../src/shared/names';
import { placeholdersIn, WORKFLOWS } from '../../src/shared/workflow-substitutions';
import { FIXTURE_ENTRIES, inspect, newApp, synthesize, type Inspector, type Synthesized } from './helpers';

let stack: StockpipeStack;
let workflows: Workflows;
let out: Synthesized;
let t: Inspector;

beforeAll(() => {
  const app = newApp();
  stack = new StockpipeStack(app, 'Stockpipe', { config: parseConfig({}), entries: FIXTURE_ENTRIES });
  workflows = stack.workflows;
  addNagChecks(app);
  out = synthesize(app);
  t = inspect(stack, out);
});

const root = join(__dirname, '..', '..');

describe('Workflows construct', () => {
  it('has no unacknowledged cdk-nag finding', () => {
    expect(out.findings.filter((f) => f.path.includes('/Workflow/'))).toEqual([]);
  });

  it.each([
    ['maintenance', () => workflows.maintenance],
    ['report', () => workflows.report],
  ] as const)('%s: definition from the ASL file with every placeholder substituted', (name, machine) => {
    const sm = t.json.Resources[t.id(machine())]!.Properties!;
    expect(sm.DefinitionS3Location).toBeDefined();
    const used = placeholdersIn(readFileSync(join(root, WORKFLOWS[name].file), 'utf8'));
    expect(used.length).toBeGreaterThan(5);
    expect(Object.keys(sm.DefinitionSubstitutions as object).sort()).toEqual(expect.arrayContaining(used));
    for (const key of used)
      expect([key, (sm.DefinitionSubstitutions as Record<string, unknown>)[key]]).toEqual([key, expect.anything()]);
  });

  it('logs ALL events without execution data and traces with X-Ray', () => {
    for (const machine of [workflows.maintenance, workflows.report]) {
      expect(t.json.Resources[t.id(machine)]!.Properties).toMatchObject({
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      });
    }
  });

  it('schedules maintenance hourly and the report on weekdays at 21:30 UTC, with an empty input', () => {
    t.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { Ref: t.id(workflows.maintenance) }, Input: '{}' })],
    });
    t.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(30 21 ? * MON-FRI *)',
      Targets: [Match.objectLike({ Arn: { Ref: t.id(workflows.report) }, Input: '{}' })],
    });
  });

  it("scopes the report role's Athena actions to the workgroup and its S3 writes to reports/", () => {
    const policies = t
      .resourcesOf('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties!.Roles).includes(t.id(workflows.report.role as never)));
    const statements = policies.flatMap(
      ([, p]) => (p.Properties!.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement,
    );
    const athena = statements.find((s) => ([] as string[]).concat(s.Action).includes('athena:StartQueryExecution'))!;
    expect(JSON.stringify(athena.Resource)).toContain(`:workgroup/${RESOURCE.athenaWorkgroup}`);
    const put = statements.find((s) => s.Action === 's3:PutObject')!;
    expect(JSON.stringify(put.Resource)).toContain('/reports/*');
    expect(statements.some((s) => ([] as string[]).concat(s.Action).some((a) => a === '*' || a.endsWith(':*')))).toBe(false);
  });

  it('gives each workflow function its own role and the environment it reads', () => {
    t.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'stockpipe: compacts one raw partition to Parquet',
      MemorySize: 1024,
      Timeout: 240,
      Environment: { Variables: Match.objectLike({ STOCKPIPE_RAW_BUCKET: { Ref: t.id(stack.rawStorage.bucket) } }) },
    });
    const roles = new Set(Object.values(workflows.functions).map((f) => t.id(f.role as never)));
    expect(roles.size).toBe(4);
  });

  it('alarms on failed executions of both workflows', () => {
    t.template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsFailed' }, 2);
  });
});
