/**
 * The names the operating commands accept (rules, queues, workflows, run statuses), apart from the
 * schemas of ./types so that the CLI can offer them as choices without loading zod.
 */
import { WORKFLOWS, type WorkflowName } from '../shared/workflow-substitutions';

export const RULE_NAMES = ['ingest', 'report', 'maintenance'] as const;
export type RuleName = (typeof RULE_NAMES)[number];

export const QUEUE_NAMES = ['invalid', 'processing', 'analysis'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export const WORKFLOW_NAMES = Object.keys(WORKFLOWS) as WorkflowName[];

export const RUN_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
