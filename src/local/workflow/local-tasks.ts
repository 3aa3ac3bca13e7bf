/**
 * Maps every Task state of a definition to a local implementation, by its Resource: Lambda tasks to
 * the same handler functions the Lambdas run, Athena to DuckDB, SNS to the outbox, S3 to the S3
 * stand-in. A resource without a local implementation fails before the run starts.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { LocalAthena } from './athena-local';

export type LocalFunction = (payload: unknown) => Promise<unknown>;

export interface PublishedMessage {
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  readonly publishedAt: string;
  readonly executionId: string;
}

export interface TaskServices {
  /** Local functions by their ARN (the value of `FunctionName` after substitution). */
  readonly functions: ReadonlyMap<string, LocalFunction>;
  readonly athena: LocalAthena;
  readonly s3: S3Client;
  readonly outboxDir: string;
  readonly executionId: string;
  readonly now: () => Date;
  readonly onPublish?: (message: PublishedMessage) => void;
}

type Handler = (input: unknown) => Promise<unknown>;

interface StateDefinition {
  readonly Type: string;
  readonly Resource?: string;
  readonly ItemProcessor?: { readonly States: Record<string, StateDefinition> };
  readonly Iterator?: { readonly States: Record<string, StateDefinition> };
  readonly Branches?: readonly { readonly States: Record<string, StateDefinition> }[];
}

/** Every Task state, nested ones included, by name; names must be unique because overrides are keyed by name. */
export function taskResources(states: Record<string, StateDefinition>, found = new Map<string, string>()): Map<string, string> {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') {
      if (found.has(name))
        throw new Error(`Task state name ${name} is used twice; the local runner maps tasks by name, so names must be unique`);
      found.set(name, state.Resource ?? '');
    }
    const nested = [state.ItemProcessor ?? state.Iterator, ...(state.Branches ?? [])].filter((d) => d !== undefined);
    for (const definition of nested) taskResources(definition.States, found);
  }
  return found;
}

const params = (input: unknown, resource: string): Record<string, unknown> => {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw new Error(`${resource} expects an object of parameters, got ${JSON.stringify(input)}`);
  return input as Record<string, unknown>;
};

const textParam = (p: Record<string, unknown>, name: string, resource: string): string => {
  const value = p[name];
  if (typeof value !== 'string' || value === '')
    throw new Error(`${resource} parameter ${name}=${JSON.stringify(value)}: must be a non-empty string`);
  return value;
};

/** A function's error as Step Functions reports a Lambda error: Error = its type, Cause = Lambda's JSON. */
function lambdaError(e: unknown): Error {
  const original = e instanceof Error ? e : new Error(String(e));
  const error = new Error(JSON.stringify({ errorType: original.name, errorMessage: original.message }));
  error.name = original.name;
  return error;
}

const IMPLEMENTATIONS: Record<string, (services: TaskServices) => Handler> = {
  'arn:aws:states:::lambda:invoke': (services) => async (input) => {
    const p = params(input, 'lambda:invoke');
    const name = textParam(p, 'FunctionName', 'lambda:invoke');
    const fn = services.functions.get(name);
    if (!fn) throw Object.assign(new Error(`Function not found: ${name}`), { name: 'Lambda.ResourceNotFoundException' });
    let payload: unknown;
    try {
      payload = await fn(p.Payload ?? {});
    } catch (e) {
      throw lambdaError(e);
    }
    return { ExecutedVersion: '$LATEST', Payload: payload ?? null, StatusCode: 200 };
  },
  'arn:aws:states:::athena:startQueryExecution.sync': (services) => (input) =>
    services.athena.startQueryExecutionSync(params(input, 'athena:startQueryExecution')),
  'arn:aws:states:::athena:getQueryResults': (services) => async (input) =>
    services.athena.getQueryResults(params(input, 'athena:getQueryResults')),
  'arn:aws:states:::sns:publish': (services) => async (input) => {
    const p = params(input, 'sns:publish');
    const topicArn = textParam(p, 'TopicArn', 'sns:publish');
    const message: PublishedMessage = {
      topicArn,
      ...(typeof p.Subject === 'string' ? { subject: p.Subject } : {}),
      message: textParam(p, 'Message', 'sns:publish'),
      publishedAt: services.now().toISOString(),
      executionId: services.executionId,
    };
    mkdirSync(services.outboxDir, { recursive: true });
    appendFileSync(workflowOutboxFile(services.outboxDir, topicArn, services.now()), JSON.stringify(message) + '\n');
    services.onPublish?.(message);
    return { MessageId: `${services.executionId}-${Date.now()}` };
  },
  'arn:aws:states:::aws-sdk:s3:putObject': (services) => async (input) => {
    const p = params(input, 's3:putObject');
    const body = p.Body;
    const out = await services.s3.send(
      new PutObjectCommand({
        Bucket: textParam(p, 'Bucket', 's3:putObject'),
        Key: textParam(p, 'Key', 's3:putObject'),
        Body: typeof body === 'string' ? body : JSON.stringify(body),
        ...(typeof p.ContentType === 'string' ? { ContentType: p.ContentType } : {}),
      }),
    );
    return { ETag: out.ETag ?? '' };
  },
};

/**
 * Where the runner's SNS messages go: `<outbox>/workflow-<topic name>-<day>.jsonl`, beside (not in)
 * the alert files of the local runtime, whose reader expects alerts only.
 */
export const workflowOutboxFile = (outboxDir: string, topicArn: string, at: Date): string =>
  join(outboxDir, `workflow-${topicArn.split(':').pop() ?? 'topic'}-${at.toISOString().slice(0, 10)}.jsonl`);

export function localTaskHandlers(states: Record<string, StateDefinition>, services: TaskServices): Record<string, Handler> {
  const handlers: Record<string, Handler> = {};
  for (const [name, resource] of taskResources(states)) {
    const implementation = IMPLEMENTATIONS[resource];
    if (!implementation)
      throw new Error(
        `state ${name}: no local implementation for resource ${resource} (known: ${Object.keys(IMPLEMENTATIONS).join(', ')})`,
      );
    handlers[name] = implementation(services);
  }
  return handlers;
}
