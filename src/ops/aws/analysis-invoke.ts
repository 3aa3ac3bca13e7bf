/**
 * Replaying the analysis dead letters on AWS: the stream records go to the analysis function itself
 * (Lambda Invoke, RequestResponse, a DynamoDBStreamEvent as payload), named by the stack output
 * `analysisFunction`; its batchItemFailures (or its error) say what failed again. See src/ops/replay.ts
 * for why not through the Kinesis stream.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { AnalysisInvocation } from '../replay';
import { call, type AwsContext } from './context';
import { stackOutput } from './stack';

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

export async function invokeAnalysisFunction(ctx: AwsContext, event: DynamoDBStreamEvent): Promise<AnalysisInvocation> {
  const functionName = stackOutput(ctx.stack, 'analysisFunction', 'replay the analysis dead letters');
  const out = await call(ctx, `invoke function ${functionName}`, () =>
    ctx.clients.lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: Buffer.from(JSON.stringify(event), 'utf8'),
      }),
    ),
  );
  const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
  const body = parse(text) as
    { errorType?: unknown; errorMessage?: unknown; batchItemFailures?: { itemIdentifier?: unknown }[] } | null | undefined;
  const all = event.Records.map((r) => r.dynamodb?.SequenceNumber ?? '');
  if (out.FunctionError) {
    const what =
      body && typeof body === 'object'
        ? `${String(body.errorType ?? 'Error')}: ${String(body.errorMessage ?? '')}`
        : text || 'no detail';
    return { failed: all, error: `function ${functionName} failed (${out.FunctionError}): ${what}` };
  }
  if (out.StatusCode !== undefined && out.StatusCode >= 300)
    return { failed: all, error: `function ${functionName} answered status ${out.StatusCode}` };
  // An empty answer (or null) means the whole batch succeeded, as for the event-source mapping.
  const failures = Array.isArray(body?.batchItemFailures) ? body.batchItemFailures : [];
  return { failed: failures.map((f) => String(f.itemIdentifier ?? '')) };
}
