/** Step Functions runs of the workflows: list, show (state by state), start, and follow to the end. */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  type ExecutionStatus,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { randomBytes } from 'node:crypto';
import { WORKFLOWS, type WorkflowName } from '../../shared/workflow-substitutions';
import { OpsError, UsageError } from '../errors';
import { readHistory } from '../history';
import type { RunFilter, WaitOptions } from '../operations';
import { WORKFLOW_NAMES, type RunDetail, type RunStatus, type RunSummary, type WorkflowStart } from '../types';
import { call, type AwsContext } from './context';
import { WORKFLOW_OUTPUTS, stackOutput } from './stack';

export const parseWorkflowName = (value: string): WorkflowName => {
  if ((WORKFLOW_NAMES as readonly string[]).includes(value)) return value as WorkflowName;
  throw new UsageError(`workflow ${JSON.stringify(value)} is unknown; use one of ${WORKFLOW_NAMES.join(', ')}`);
};

export const stateMachineArnOf = (ctx: AwsContext, workflow: WorkflowName): string =>
  stackOutput(ctx.stack, WORKFLOW_OUTPUTS[workflow].stateMachine, `find the ${workflow} workflow`);

const availableWorkflows = (ctx: AwsContext): WorkflowName[] =>
  WORKFLOW_NAMES.filter((w) => Boolean(ctx.stack.outputs[WORKFLOW_OUTPUTS[w].stateMachine]));

const durationOf = (start: Date | undefined, stop: Date | undefined): number | null =>
  start && stop ? Math.max(0, stop.getTime() - start.getTime()) : null;

interface ExecutionFields {
  readonly executionArn?: string | undefined;
  readonly name?: string | undefined;
  readonly status?: string | undefined;
  readonly startDate?: Date | undefined;
  readonly stopDate?: Date | undefined;
}

const summaryOf = (workflow: WorkflowName, e: ExecutionFields): RunSummary => ({
  workflow,
  id: e.name ?? e.executionArn?.split(':').pop() ?? '?',
  executionArn: e.executionArn ?? '?',
  status: (e.status ?? 'RUNNING') as RunStatus,
  startedAt: (e.startDate ?? new Date(0)).toISOString(),
  stoppedAt: e.stopDate?.toISOString() ?? null,
  durationMs: durationOf(e.startDate, e.stopDate),
});

export async function listRuns(ctx: AwsContext, filter: RunFilter = {}): Promise<RunSummary[]> {
  const limit = filter.limit ?? 50;
  const workflows = filter.workflow ? [filter.workflow] : availableWorkflows(ctx);
  if (workflows.length === 0) stateMachineArnOf(ctx, WORKFLOW_NAMES[0]!);
  const runs: RunSummary[] = [];
  for (const workflow of workflows) {
    const stateMachineArn = stateMachineArnOf(ctx, workflow);
    let nextToken: string | undefined;
    let taken = 0;
    page: do {
      const out = await call(ctx, `list runs of the ${workflow} workflow`, () =>
        ctx.clients.sfn.send(
          new ListExecutionsCommand({
            stateMachineArn,
            maxResults: Math.min(100, limit),
            ...(filter.status ? { statusFilter: filter.status as ExecutionStatus } : {}),
            ...(nextToken ? { nextToken } : {}),
          }),
        ),
      );
      // Newest first: the first run older than --since ends the listing of this workflow.
      for (const e of out.executions ?? []) {
        if (filter.since && e.startDate && e.startDate < filter.since) break page;
        runs.push(summaryOf(workflow, e));
        if (++taken >= limit) break page;
      }
      nextToken = out.nextToken;
    } while (nextToken);
  }
  return runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, limit);
}

/** The last run of a workflow, or null if it never ran. */
export async function lastRun(ctx: AwsContext, workflow: WorkflowName): Promise<RunSummary | null> {
  const runs = await listRuns(ctx, { workflow, limit: 1 });
  return runs[0] ?? null;
}

const workflowOfStateMachine = (ctx: AwsContext, stateMachineArn: string): WorkflowName | undefined =>
  WORKFLOW_NAMES.find((w) => ctx.stack.outputs[WORKFLOW_OUTPUTS[w].stateMachine] === stateMachineArn) ??
  WORKFLOW_NAMES.find((w) => stateMachineArn.endsWith(`:stateMachine:${WORKFLOWS[w].stateMachineName}`));

async function describe(ctx: AwsContext, executionArn: string) {
  try {
    return await ctx.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if ((error as { name?: string }).name === 'ExecutionDoesNotExist') return undefined;
    return call(ctx, `describe run ${executionArn}`, () => Promise.reject(error));
  }
}

/** An execution ARN, or an execution name looked up in each workflow's state machine. */
async function resolveRun(ctx: AwsContext, ref: string) {
  if (ref.startsWith('arn:')) {
    const out = await describe(ctx, ref);
    if (out) return out;
  } else {
    for (const workflow of availableWorkflows(ctx)) {
      const arn = `${stateMachineArnOf(ctx, workflow).replace(':stateMachine:', ':execution:')}:${ref}`;
      const out = await describe(ctx, arn);
      if (out) return out;
    }
  }
  throw new OpsError(
    'not-found',
    `no run ${ref} in the workflows of stack ${ctx.stack.stackName} (${ctx.stack.region}); list them with stockpipe runs list`,
  );
}

async function history(ctx: AwsContext, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const out = await call(ctx, `read the history of run ${executionArn}`, () =>
      ctx.clients.sfn.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }),
      ),
    );
    events.push(...(out.events ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return events;
}

export async function showRun(ctx: AwsContext, ref: string): Promise<RunDetail> {
  const execution = await resolveRun(ctx, ref);
  const workflow = workflowOfStateMachine(ctx, execution.stateMachineArn ?? '');
  if (!workflow)
    throw new OpsError('not-found', `run ${ref} belongs to ${execution.stateMachineArn}, not to a stockpipe workflow`);
  const status = execution.status ?? 'RUNNING';
  const read = readHistory(await history(ctx, execution.executionArn!), status, ctx.now());
  return {
    ...summaryOf(workflow, execution),
    input: execution.input ?? null,
    output: execution.output ?? null,
    error: execution.error ?? read.executionFailure?.error ?? null,
    cause: execution.cause ?? read.executionFailure?.cause ?? null,
    failedState: read.failedState,
    states: read.states,
  };
}

/** A name Step Functions accepts (1-80 of [A-Za-z0-9-_]) that sorts by start time. */
export const executionName = (now: Date): string =>
  `cli-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;

export async function startWorkflow(
  ctx: AwsContext,
  workflow: WorkflowName,
  input: Record<string, unknown>,
): Promise<WorkflowStart> {
  const stateMachineArn = stateMachineArnOf(ctx, workflow);
  const now = ctx.now();
  const name = executionName(now);
  const text = JSON.stringify(input);
  const out = await call(ctx, `start the ${workflow} workflow`, () =>
    ctx.clients.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: text })),
  );
  return { workflow, id: name, executionArn: out.executionArn!, startedAt: (out.startDate ?? now).toISOString(), input: text };
}

/** Follows a run until it stops; reports each state as it is entered and finished. */
export async function waitForRun(ctx: AwsContext, executionArn: string, options: WaitOptions = {}): Promise<RunDetail> {
  const started = ctx.now().getTime();
  let seen = 0;
  let finishedSeen = new Set<number>();
  for (;;) {
    const run = await showRun(ctx, executionArn);
    const finished = new Set(run.states.flatMap((s, i) => (s.status === 'RUNNING' ? [] : [i])));
    options.onProgress?.({
      run,
      entered: run.states.slice(seen),
      finished: run.states.filter((_, i) => finished.has(i) && !finishedSeen.has(i)),
    });
    seen = run.states.length;
    finishedSeen = finished;
    if (run.status !== 'RUNNING') return run;
    if (ctx.now().getTime() - started > (options.timeoutMs ?? 3_600_000)) {
      throw new OpsError(
        'failed',
        `run ${run.id} is still RUNNING after ${Math.round((options.timeoutMs ?? 3_600_000) / 1000)} s; follow it with stockpipe runs show ${run.id}`,
      );
    }
    await ctx.sleep(options.pollMs ?? 3000);
  }
}
