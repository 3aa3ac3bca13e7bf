/**
 * The workflows wired into the stack (fixture handlers). What each workflow construct builds is
 * asserted on a bare stack in test/infra/constructs/{maintenance,report}-workflow.test.ts.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../infra/config';
import { addNagChecks } from '../../infra/nag';
import { StockpipeStack } from '../../infra/stack';
import { FIXTURE_ENTRIES, inspect, newApp, synthesize, type Inspector, type Synthesized } from './helpers';

let stack: StockpipeStack;
let out: Synthesized;
let t: Inspector;

beforeAll(() => {
  const app = newApp();
  stack = new StockpipeStack(app, 'Stockpipe', { config: parseConfig({}), entries: FIXTURE_ENTRIES });
  addNagChecks(app);
  out = synthesize(app);
  t = inspect(stack, out);
});

describe('workflows in the stack', () => {
  it('have no unacknowledged cdk-nag finding', () => {
    expect(out.findings.filter((f) => f.path.includes('/Workflow/'))).toEqual([]);
  });

  it('keep the logical IDs they had as one construct at Stockpipe/Workflow', () => {
    expect([t.id(stack.maintenance.stateMachine), t.id(stack.report.stateMachine)]).toEqual([
      'WorkflowMaintenanceWorkflowBDC7F10D',
      'WorkflowReportWorkflow3B438F12',
    ]);
    expect(t.id(stack.report.function.function)).toBe('WorkflowReportFunction96212FDC');
  });

  it('read the lake of the raw storage, and each of the four functions has its own role', () => {
    t.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'stockpipe: compacts one raw day to Parquet, per symbol',
      MemorySize: 1024,
      Timeout: 240,
      Environment: { Variables: Match.objectLike({ STOCKPIPE_RAW_BUCKET: { Ref: t.id(stack.rawStorage.bucket) } }) },
    });
    const functions = [...Object.values(stack.maintenance.functions), stack.report.function];
    const roles = new Set(functions.map((f) => t.id(f.role)));
    expect(roles.size).toBe(4);
  });

  it('alarm on failed executions of both workflows', () => {
    t.template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsFailed' }, 2);
  });
});
