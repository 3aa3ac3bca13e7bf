/**
 * The crossover recomputation on the AWS target against a mocked Athena (no emulator exists for it):
 * the exact requests (query text, workgroup, database from the stack's outputs), polling, paging of
 * the results, Athena's text rendering of the rows, and the failures.
 */
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type GetQueryResultsCommandOutput,
} from '@aws-sdk/client-athena';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { foldSignals, initialSignalState, type Alert } from '../../src/core/signals';
import { OpsError } from '../../src/ops/errors';
import { verifySignals } from '../../src/ops/signals';
import { SignalsResultSchema, VerifyResultSchema } from '../../src/ops/types';
import { crossoverSql, InvalidCrossoverQuery } from '../../src/report/signals-query';
import { sp500Daily } from '../support/signal-lake';
import { OUTPUTS, openTarget, type MockedTarget } from './helpers';

const ALERTS = foldSignals(initialSignalState('SPX'), sp500Daily().slice(0, 1500)).alerts.filter(
  (a) => a.timestamp >= '2003-01-01' && a.timestamp < '2004-01-01',
);

/** An Athena result page: Athena prints TIMESTAMP as `yyyy-MM-dd HH:mm:ss.SSS` and every value as text. */
function page(alerts: readonly Alert[], header: boolean, nextToken?: string): Partial<GetQueryResultsCommandOutput> {
  const text = (a: Alert) =>
    [a.symbol, a.side, a.timestamp.replace('T', ' ').replace('Z', ''), a.price, a.sma5, a.sma20].map(String);
  const names = ['symbol', 'side', 'timestamp', 'price', 'sma5', 'sma20'];
  return {
    ResultSet: {
      ResultSetMetadata: {
        ColumnInfo: names.map((Name, i) => ({
          Name,
          Type: ['varchar', 'varchar', 'timestamp', 'double', 'double', 'double'][i]!,
        })),
      },
      Rows: [...(header ? [names] : []), ...alerts.map(text)].map((cells) => ({
        Data: cells.map((VarCharValue) => ({ VarCharValue })),
      })),
    },
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

let t: MockedTarget;
let sleeps: number[];
let athena: ReturnType<typeof mockClient>;

beforeEach(async () => {
  sleeps = [];
  t = await openTarget(undefined, { sleep: async (ms) => void sleeps.push(ms) });
  athena = mockClient(t.clients.athena);
});
afterEach(() => {
  athena.restore();
  t.clients.destroy();
});

describe('recomputeSignals on AWS (Athena)', () => {
  it('runs the crossover query in the stack’s workgroup and database, polls until it succeeds, and reads every page', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athena
      .on(GetQueryResultsCommand)
      .resolvesOnce(page(ALERTS.slice(0, 5), true, 'page-2'))
      .resolves(page(ALERTS.slice(5), false));

    const rows = await t.ops.recomputeSignals({ symbol: 'SPX', from: '2003-01-01', to: '2003-12-31' });

    expect(athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([
      {
        QueryString: crossoverSql({ symbol: 'SPX', from: '2003-01-01', to: '2003-12-31' }),
        WorkGroup: OUTPUTS.athenaWorkgroup,
        QueryExecutionContext: { Database: OUTPUTS.glueDatabase },
      },
    ]);
    expect(athena.commandCalls(GetQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { QueryExecutionId: 'q-1' },
      { QueryExecutionId: 'q-1' },
      { QueryExecutionId: 'q-1' },
    ]);
    expect(sleeps).toEqual([500, 1000]);
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input)).toEqual([
      { QueryExecutionId: 'q-1', MaxResults: 1000 },
      { QueryExecutionId: 'q-1', NextToken: 'page-2', MaxResults: 1000 },
    ]);
    expect(SignalsResultSchema.parse(rows)).toEqual(
      ALERTS.map((a) => ({
        symbol: a.symbol,
        side: a.side,
        timestamp: a.timestamp,
        price: a.price,
        sma5: a.sma5,
        sma20: a.sma20,
      })),
    );
    expect(rows).toHaveLength(ALERTS.length);
    expect(ALERTS.length).toBeGreaterThan(5);
  });

  it('reports a failed query with Athena’s reason and the query id', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-2' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'TABLE_NOT_FOUND: stock_data_table' } },
    });
    const error = await t.ops.recomputeSignals().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpsError);
    expect((error as OpsError).message).toBe(
      "the crossover query (Athena query q-2 in workgroup stockpipe) FAILED: TABLE_NOT_FOUND: stock_data_table; check that the lake's partitions are registered (stockpipe workflow run maintenance)",
    );
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('sends nothing for options the query cannot be built from', async () => {
    await expect(t.ops.recomputeSignals({ symbol: "SPX' OR '1'='1" })).rejects.toThrow(InvalidCrossoverQuery);
    expect(athena.calls()).toHaveLength(0);
  });
});

describe('verifySignals on AWS', () => {
  it('counts PUBLISHED ledger entries as sent, lists PENDING ones apart, and names the missing crossover', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-3' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athena.on(GetQueryResultsCommand).resolves(page(ALERTS, true));
    const documents = mockClient(t.clients.documents);
    const item = (a: Alert, status: 'PENDING' | 'PUBLISHED') => ({
      ...a,
      alert_key: `${a.timestamp}#${a.side}`,
      status,
      claimed_at: a.timestamp,
      ...(status === 'PUBLISHED' ? { published_at: a.timestamp } : {}),
    });
    documents.on(QueryCommand).resolves({ Items: ALERTS.map((a, i) => item(a, i === 2 ? 'PENDING' : 'PUBLISHED')) });
    try {
      const result = VerifyResultSchema.parse(
        await verifySignals(t.ops, { symbol: 'SPX', from: '2003-01-01', to: '2003-12-31' }),
      );
      const pending = { symbol: 'SPX', side: ALERTS[2]!.side, timestamp: ALERTS[2]!.timestamp };
      expect(result).toEqual({ matched: ALERTS.length - 1, missing: [pending], extra: [], pending: [pending] });
      expect(documents.commandCalls(QueryCommand).map((c) => c.args[0].input)).toEqual([
        {
          TableName: OUTPUTS.alertTable,
          KeyConditionExpression: '#symbol = :symbol AND #key >= :since',
          ExpressionAttributeNames: { '#symbol': 'symbol', '#key': 'alert_key' },
          ExpressionAttributeValues: { ':symbol': 'SPX', ':since': '2003-01-01T00:00:00.000Z' },
        },
      ]);
    } finally {
      documents.restore();
    }
  });
});
