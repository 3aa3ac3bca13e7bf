/**
 * `stockpipe signals` and `stockpipe verify` with `--target aws`, Athena, CloudFormation and the alert
 * table mocked per client class (no emulator exists for Athena): the requests sent, what is printed,
 * and the exit codes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { foldSignals, initialSignalState, type Alert } from '../../src/core/signals';
import { SignalsResultSchema, VerifyResultSchema } from '../../src/ops/types';
import { crossoverSql } from '../../src/report/signals-query';
import { OUTPUTS, REGION, describeStacksAnswer } from '../ops/helpers';
import { sp500Daily } from '../support/signal-lake';
import { cli, tempDataDir } from './helpers';

const cfn = mockClient(CloudFormationClient);
const athena = mockClient(AthenaClient);
const ddb = mockClient(DynamoDBDocumentClient);
let cacheHome: string;
let cwdDir: string;

// 2004's crossovers of the S&P 500's daily closes.
const ALERTS = foldSignals(initialSignalState('SPX'), sp500Daily().slice(0, 1500)).alerts.filter(
  (a) => a.timestamp >= '2004-01-01' && a.timestamp < '2005-01-01',
);

const athenaAnswers = (alerts: readonly Alert[]) => {
  const names = ['symbol', 'side', 'timestamp', 'price', 'sma5', 'sma20'];
  const text = (a: Alert) =>
    [a.symbol, a.side, a.timestamp.replace('T', ' ').replace('Z', ''), a.price, a.sma5, a.sma20].map(String);
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-cli' });
  athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
  athena.on(GetQueryResultsCommand).resolves({
    ResultSet: {
      ResultSetMetadata: {
        ColumnInfo: names.map((Name, i) => ({
          Name,
          Type: ['varchar', 'varchar', 'timestamp', 'double', 'double', 'double'][i]!,
        })),
      },
      Rows: [names, ...alerts.map(text)].map((cells) => ({ Data: cells.map((VarCharValue) => ({ VarCharValue })) })),
    },
  });
};

const ledgerItem = (a: Alert, status: 'PENDING' | 'PUBLISHED') => ({
  ...a,
  alert_key: `${a.timestamp}#${a.side}`,
  status,
  claimed_at: a.timestamp,
  ...(status === 'PUBLISHED' ? { published_at: a.timestamp } : {}),
});

beforeEach(() => {
  cfn.reset();
  athena.reset();
  ddb.reset();
  cfn.on(DescribeStacksCommand).resolves(describeStacksAnswer());
  cacheHome = mkdtempSync(join(tmpdir(), 'stockpipe-cache-'));
  cwdDir = tempDataDir();
});
afterEach(() => {
  rmSync(cacheHome, { recursive: true, force: true });
  rmSync(cwdDir, { recursive: true, force: true });
});
afterAll(() => {
  cfn.restore();
  athena.restore();
  ddb.restore();
});

const aws = (args: readonly string[]) =>
  cli([...args, '--target', 'aws', '--region', REGION], { env: { XDG_CACHE_HOME: cacheHome } });

describe('signals --target aws', () => {
  it('runs the crossover query in the Athena workgroup of the stack and prints its rows', async () => {
    athenaAnswers(ALERTS);
    const run = await aws(['signals', '--from', '2004-01-01', '--to', '2004-12-31', '--json']);
    expect(run.code).toBe(0);
    const rows = SignalsResultSchema.parse(JSON.parse(run.stdout));
    expect(rows.map((r) => [r.side, r.timestamp])).toEqual(ALERTS.map((a) => [a.side, a.timestamp]));
    expect(athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([
      {
        QueryString: crossoverSql({ from: '2004-01-01', to: '2004-12-31' }),
        WorkGroup: OUTPUTS.athenaWorkgroup,
        QueryExecutionContext: { Database: OUTPUTS.glueDatabase },
      },
    ]);
  });
});

describe('verify --target aws', () => {
  it('exits 1 listing the extra alert and the crossover whose alert is still PENDING', async () => {
    athenaAnswers(ALERTS);
    const invented: Alert = { ...ALERTS[0]!, timestamp: '2004-07-04T21:00:00.000Z' };
    ddb.on(ScanCommand).resolves({
      Items: [...ALERTS.map((a, i) => ledgerItem(a, i === 1 ? 'PENDING' : 'PUBLISHED')), ledgerItem(invented, 'PUBLISHED')],
    });
    const pending = { symbol: 'SPX', side: ALERTS[1]!.side, timestamp: ALERTS[1]!.timestamp };
    const extra = { symbol: 'SPX', side: invented.side, timestamp: invented.timestamp };

    const run = await aws(['verify', '--from', '2004-01-01', '--to', '2004-12-31', '--json']);
    expect(run.code).toBe(1);
    expect(VerifyResultSchema.parse(JSON.parse(run.stdout))).toEqual({
      matched: ALERTS.length - 1,
      missing: [pending],
      extra: [extra],
      pending: [pending],
    });
    expect(run.stderr).toBe(
      `error: the alerts of stack Stockpipe in ${REGION} from 2004-01-01 to 2004-12-31 differ from the crossovers in the lake: 1 missing, 1 extra\n`,
    );
    expect(ddb.commandCalls(ScanCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: OUTPUTS.alertTable,
        FilterExpression: '#ts >= :since',
        ExpressionAttributeNames: { '#ts': 'timestamp' },
        ExpressionAttributeValues: { ':since': '2004-01-01T00:00:00.000Z' },
      },
    ]);

    const text = await aws(['verify', '--from', '2004-01-01', '--to', '2004-12-31']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`PENDING: alerts claimed but not confirmed sent (not counted as sent)\nMARKET TIME`);
    expect(text.stdout).toContain(
      `EXTRA: alerts sent with no crossover in the lake\nMARKET TIME               SYMBOL  SIDE\n${invented.timestamp}  SPX     ${invented.side}\n`,
    );
  });

  it('exits 0 when every PUBLISHED alert is a crossover and every crossover sent one', async () => {
    athenaAnswers(ALERTS);
    ddb.on(ScanCommand).resolves({ Items: ALERTS.map((a) => ledgerItem(a, 'PUBLISHED')) });
    const run = await aws(['verify', '--json']);
    expect(run.code).toBe(0);
    expect(VerifyResultSchema.parse(JSON.parse(run.stdout))).toEqual({
      matched: ALERTS.length,
      missing: [],
      extra: [],
      pending: [],
    });
  });
});
