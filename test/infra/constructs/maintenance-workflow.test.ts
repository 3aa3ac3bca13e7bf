import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { MaintenanceWorkflow } from '../../../infra/constructs/maintenance-workflow';
import { LAKE, RESOURCE } from '../../../src/shared/names';
import { MAINTENANCE_PREFIX, placeholdersIn, WORKFLOWS } from '../../../src/shared/workflow-substitutions';
import { bareStack, FIXTURE_ENTRY, inspectBare, statementsOfRole } from '../bare';
import type { Inspector } from '../helpers';

const root = join(__dirname, '..', '..', '..');
let workflow: MaintenanceWorkflow;
let fx: ReturnType<typeof bareStack>;
let t: Inspector;

beforeAll(() => {
  fx = bareStack();
  workflow = new MaintenanceWorkflow(fx.stack, 'Maintenance', {
    lake: fx.lake(),
    opsTopic: fx.opsTopic(),
    entries: { findPartitions: FIXTURE_ENTRY, compaction: FIXTURE_ENTRY, registerPartitions: FIXTURE_ENTRY },
  });
  t = inspectBare(fx.stack);
});

describe('MaintenanceWorkflow', () => {
  it('takes its definition from the ASL file with every placeholder substituted', () => {
    const sm = t.json.Resources[t.id(workflow.stateMachine)]!.Properties!;
    expect(sm.DefinitionS3Location).toBeDefined();
    const used = placeholdersIn(readFileSync(join(root, WORKFLOWS.maintenance.file), 'utf8'));
    expect(used.length).toBeGreaterThan(5);
    expect(Object.keys(sm.DefinitionSubstitutions as object).sort()).toEqual(expect.arrayContaining(used));
    for (const key of used)
      expect([key, (sm.DefinitionSubstitutions as Record<string, unknown>)[key]]).toEqual([key, expect.anything()]);
    expect(sm.DefinitionSubstitutions).toMatchObject({
      LakeBucket: { Ref: t.id(fx.lake()) },
      OpsTopicArn: { Ref: t.id(fx.opsTopic()) },
      CompactionFunctionArn: t.arn(workflow.functions.compaction.function),
    });
  });

  it('logs ALL events without execution data and traces with X-Ray', () => {
    expect(t.json.Resources[t.id(workflow.stateMachine)]!.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
  });

  it('is scheduled hourly, enabled, with an empty input', () => {
    t.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { Ref: t.id(workflow.stateMachine) }, Input: '{}' })],
    });
  });

  it('gives each function its own role and the environment it reads', () => {
    t.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'stockpipe: compacts one raw day to Parquet, per symbol',
      MemorySize: 1024,
      Timeout: 240,
      Environment: { Variables: Match.objectLike({ STOCKPIPE_RAW_BUCKET: { Ref: t.id(fx.lake()) } }) },
    });
    const roles = new Set(Object.values(workflow.functions).map((f) => t.id(f.role)));
    expect(roles.size).toBe(3);
  });

  it('lets compaction read raw/ and write only curated/ and rejected-lines reports', () => {
    const put = statementsOfRole(t, workflow.functions.compaction.role).find((s) => s.Action === 's3:PutObject')!;
    expect(JSON.stringify(put.Resource)).toContain(`/${LAKE.curated}*`);
    expect(JSON.stringify(put.Resource)).toContain(`/${MAINTENANCE_PREFIX}rejected/*`);
    t.template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: t.id(workflow.functions.registerPartitions.role) }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: ['glue:GetTable', 'glue:BatchCreatePartition'] })]),
      },
    });
    const glue = statementsOfRole(t, workflow.functions.registerPartitions.role).find((s) =>
      ([] as string[]).concat(s.Action).includes('glue:BatchCreatePartition'),
    )!;
    expect(JSON.stringify(glue.Resource)).toContain(`:table/${RESOURCE.glueDatabase}/${RESOURCE.curatedTable}`);
    // The registrar reads the days' manifests, and nothing else of the lake.
    const s3 = statementsOfRole(t, workflow.functions.registerPartitions.role).filter((s) =>
      ([] as string[]).concat(s.Action).some((a) => a.startsWith('s3:')),
    );
    expect(s3.map((s) => [s.Action, JSON.stringify(s.Resource).includes(`/${LAKE.curatedManifests}*`)])).toEqual([
      ['s3:GetObject', true],
    ]);
  });

  it('lets the state machine invoke its functions and record runs under maintenance/runs/ only', () => {
    const statements = statementsOfRole(t, workflow.stateMachine.role);
    const put = statements.find((s) => s.Action === 's3:PutObject')!;
    expect(JSON.stringify(put.Resource)).toContain(`/${MAINTENANCE_PREFIX}runs/*`);
    const invoked = statements.filter((s) => ([] as string[]).concat(s.Action).includes('lambda:InvokeFunction'));
    expect(invoked).toHaveLength(3);
    expect(statements.some((s) => ([] as string[]).concat(s.Action).some((a) => a === '*' || a.endsWith(':*')))).toBe(false);
  });
});
