import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { ReportWorkflow } from '../../../infra/constructs/report-workflow';
import { ENV, RESOURCE } from '../../../src/shared/names';
import { placeholdersIn, WORKFLOWS } from '../../../src/shared/workflow-substitutions';
import { bareStack, FIXTURE_ENTRY, inspectBare, statementsOfRole } from '../bare';
import type { Inspector } from '../helpers';

const root = join(__dirname, '..', '..', '..');
let workflow: ReportWorkflow;
let fx: ReturnType<typeof bareStack>;
let t: Inspector;

const build = (fixtures = bareStack(), timeUtc?: string) =>
  new ReportWorkflow(fixtures.stack, 'Report', {
    lake: fixtures.lake(),
    athenaResults: fixtures.bucket(),
    alerts: fixtures.table(),
    signalState: fixtures.stateTable(),
    alertTopic: fixtures.topic(),
    opsTopic: fixtures.opsTopic(),
    entry: FIXTURE_ENTRY,
    ...(timeUtc ? { timeUtc } : {}),
  });

beforeAll(() => {
  fx = bareStack();
  workflow = build(fx);
  t = inspectBare(fx.stack);
});

describe('ReportWorkflow', () => {
  it('takes its definition from the ASL file with every placeholder substituted', () => {
    const sm = t.json.Resources[t.id(workflow.stateMachine)]!.Properties!;
    expect(sm.DefinitionS3Location).toBeDefined();
    const used = placeholdersIn(readFileSync(join(root, WORKFLOWS.report.file), 'utf8'));
    expect(used.length).toBeGreaterThan(5);
    expect(Object.keys(sm.DefinitionSubstitutions as object).sort()).toEqual(expect.arrayContaining(used));
    for (const key of used)
      expect([key, (sm.DefinitionSubstitutions as Record<string, unknown>)[key]]).toEqual([key, expect.anything()]);
    expect(sm.DefinitionSubstitutions).toMatchObject({
      AthenaWorkgroup: RESOURCE.athenaWorkgroup,
      GlueDatabase: RESOURCE.glueDatabase,
      AlertTopicArn: { Ref: t.id(fx.topic()) },
      ReportFunctionArn: t.arn(workflow.function.function),
    });
  });

  it('logs ALL events without execution data and traces with X-Ray', () => {
    expect(t.json.Resources[t.id(workflow.stateMachine)]!.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
  });

  it('is scheduled on weekdays at 21:30 UTC with an empty input, or at the time given', () => {
    t.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(30 21 ? * MON-FRI *)',
      Targets: [Match.objectLike({ Arn: { Ref: t.id(workflow.stateMachine) }, Input: '{}' })],
    });
    const other = bareStack();
    build(other, '20:05');
    inspectBare(other.stack).template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(5 20 ? * MON-FRI *)',
    });
    expect(() => build(bareStack(), '9:30')).toThrow('reportTimeUtc="9:30": must be a UTC time written HH:MM');
  });

  it("scopes the role's Athena actions to the workgroup and its S3 writes to reports/", () => {
    const statements = statementsOfRole(t, workflow.stateMachine.role);
    const athena = statements.find((s) => ([] as string[]).concat(s.Action).includes('athena:StartQueryExecution'))!;
    expect(JSON.stringify(athena.Resource)).toContain(`:workgroup/${RESOURCE.athenaWorkgroup}`);
    const put = statements.find((s) => s.Action === 's3:PutObject')!;
    expect(JSON.stringify(put.Resource)).toContain('/reports/*');
    expect(statements.some((s) => ([] as string[]).concat(s.Action).some((a) => a === '*' || a.endsWith(':*')))).toBe(false);
  });

  it('lets Athena read the compacted table and the raw one (the reconciliation reads the day raw), objects and catalog', () => {
    const statements = statementsOfRole(t, workflow.stateMachine.role);
    const get = statements.find((s) => s.Action === 's3:GetObject')!;
    expect(JSON.stringify(get.Resource)).toContain('/curated/*');
    expect(JSON.stringify(get.Resource)).toContain('/raw/*');
    const glue = statements.find((s) => ([] as string[]).concat(s.Action).includes('glue:GetPartitions'))!;
    expect(JSON.stringify(glue.Resource)).toContain(`/${RESOURCE.curatedTable}`);
    expect(JSON.stringify(glue.Resource)).toContain(`/${RESOURCE.rawTable}`);
  });

  it('gives the function its own role, and only Scan on the alert table and on the signal-state table', () => {
    t.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'stockpipe: plans and builds the daily report',
      MemorySize: 512,
      Timeout: 90,
      Environment: {
        Variables: Match.objectLike({
          [ENV.alertTable]: { Ref: t.id(fx.table()) },
          [ENV.signalStateTable]: { Ref: t.id(fx.stateTable()) },
        }),
      },
    });
    const dynamo = statementsOfRole(t, workflow.function.role).filter((s) =>
      ([] as string[]).concat(s.Action).some((a) => a.startsWith('dynamodb:')),
    );
    expect(dynamo).toEqual([
      expect.objectContaining({ Action: 'dynamodb:Scan', Resource: t.arn(fx.table()) }),
      expect.objectContaining({ Action: 'dynamodb:Scan', Resource: t.arn(fx.stateTable()) }),
    ]);
  });

  it('lets the function read the report pages it presigns the mail link for, and nothing else of the lake', () => {
    const s3 = statementsOfRole(t, workflow.function.role).filter((s) =>
      ([] as string[]).concat(s.Action).some((a) => a.startsWith('s3:')),
    );
    expect(s3).toHaveLength(1);
    expect(s3[0]!.Action).toBe('s3:GetObject');
    expect(JSON.stringify(s3[0]!.Resource)).toMatch(/"\/reports\/\*"\]\]\}$/);
  });
});
