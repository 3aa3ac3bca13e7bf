/**
 * `stockpipe signals` / `verify` on AWS: the crossover query (src/report/signals-query.ts) run in the
 * stack's Athena workgroup, over the Glue database the stack names. The workgroup enforces its own
 * result location and scan limit, so the request names neither. No emulator exists for Athena: the
 * tests mock the client and assert these requests.
 */
import { GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { resultSetRows } from '../../report/athena-results';
import { crossoverSql } from '../../report/signals-query';
import { OpsError } from '../errors';
import type { SignalFilter } from '../operations';
import { signalRowsOf } from '../signals';
import type { SignalRow } from '../types';
import { call, type AwsContext } from './context';
import { stackOutput } from './stack';

/** Polls start at this interval and double up to ATHENA_POLL_MAX_MS. */
export const ATHENA_POLL_MS = 500;
export const ATHENA_POLL_MAX_MS = 5000;
/** A query still running after this long is left to run, and reported. */
export const ATHENA_TIMEOUT_MS = 10 * 60_000;

async function waitForQuery(ctx: AwsContext, id: string, workgroup: string): Promise<void> {
  const started = ctx.now().getTime();
  let pause = ATHENA_POLL_MS;
  for (;;) {
    const out = await call(ctx, `follow Athena query ${id}`, () =>
      ctx.clients.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id })),
    );
    const state = out.QueryExecution?.Status?.State;
    if (state === 'SUCCEEDED') return;
    if (state === 'FAILED' || state === 'CANCELLED') {
      const reason = out.QueryExecution?.Status?.StateChangeReason ?? 'Athena gave no reason';
      throw new OpsError(
        'failed',
        `the crossover query (Athena query ${id} in workgroup ${workgroup}) ${state}: ${reason}; check that the lake's partitions are registered (stockpipe workflow run maintenance)`,
      );
    }
    if (ctx.now().getTime() - started > ATHENA_TIMEOUT_MS) {
      throw new OpsError(
        'failed',
        `Athena query ${id} in workgroup ${workgroup} is still ${state ?? 'QUEUED'} after ${ATHENA_TIMEOUT_MS / 60_000} minutes; narrow it with --symbol or --to, or look it up in the Athena console`,
      );
    }
    await ctx.sleep(pause);
    pause = Math.min(pause * 2, ATHENA_POLL_MAX_MS);
  }
}

export async function recomputeSignals(ctx: AwsContext, filter: SignalFilter = {}): Promise<SignalRow[]> {
  const sql = crossoverSql(filter);
  const workgroup = stackOutput(ctx.stack, 'athenaWorkgroup', 'recompute the crossovers in Athena');
  const database = stackOutput(ctx.stack, 'glueDatabase', 'recompute the crossovers in Athena');
  const started = await call(ctx, `start the crossover query in Athena workgroup ${workgroup}`, () =>
    ctx.clients.athena.send(
      new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: workgroup, QueryExecutionContext: { Database: database } }),
    ),
  );
  const id = started.QueryExecutionId;
  if (!id) throw new OpsError('failed', `Athena started the crossover query in workgroup ${workgroup} without a query id`);
  await waitForQuery(ctx, id, workgroup);

  const rows: Record<string, unknown>[] = [];
  let token: string | undefined;
  do {
    const page = await call(ctx, `read the results of Athena query ${id}`, () =>
      ctx.clients.athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token, MaxResults: 1000 })),
    );
    rows.push(...resultSetRows(page.ResultSet ?? {}, 'crossovers'));
    token = page.NextToken;
  } while (token);
  return signalRowsOf(rows, `Athena (query ${id})`);
}
