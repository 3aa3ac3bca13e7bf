/**
 * Athena's `startQueryExecution.sync` and `getQueryResults` for the local runner, on DuckDB. Results
 * come back in Athena's exact shape (strings in VarCharValue, a header row, ColumnInfo with Athena
 * type names), so the report code that parses them is the code that runs in AWS.
 */
import { randomUUID } from 'node:crypto';
import type { LakeDatabase, QueryResult } from '../../adapters/local/duckdb-athena';
import { StockpipeError } from '../../core/errors';

/** Athena returns at most 1,000 rows per GetQueryResults page. */
const MAX_PAGE = 1000;

/** Thrown like Step Functions does when a `.sync` query ends FAILED: States.TaskFailed, the execution as cause. */
export class AthenaTaskFailed extends StockpipeError {
  override readonly name = 'States.TaskFailed';
}

export const athenaType = (duckdbType: string): string => {
  const t = duckdbType.toUpperCase();
  if (t.startsWith('DECIMAL')) return t.toLowerCase();
  if (t.startsWith('TIMESTAMP')) return 'timestamp';
  const map: Record<string, string> = {
    VARCHAR: 'varchar',
    BIGINT: 'bigint',
    HUGEINT: 'bigint',
    UBIGINT: 'bigint',
    INTEGER: 'integer',
    UINTEGER: 'bigint',
    SMALLINT: 'smallint',
    TINYINT: 'tinyint',
    DOUBLE: 'double',
    FLOAT: 'real',
    BOOLEAN: 'boolean',
    DATE: 'date',
  };
  return map[t] ?? 'varchar';
};

/** A value as Athena prints it: timestamps `yyyy-MM-dd HH:mm:ss.SSS`, everything else as text. */
export function athenaText(value: unknown, type: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (type === 'timestamp' && typeof value === 'string') return value.replace('T', ' ').replace(/Z$/, '');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

interface StoredQuery {
  readonly result: QueryResult;
  readonly types: string[];
}

export class LocalAthena {
  private readonly queries = new Map<string, StoredQuery>();

  constructor(private readonly db: LakeDatabase) {}

  async startQueryExecutionSync(params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const sql = params.QueryString;
    if (typeof sql !== 'string' || sql.trim() === '')
      throw new AthenaTaskFailed(`QueryString=${JSON.stringify(sql)}: must be a non-empty string`);
    const id = randomUUID();
    const submitted = new Date();
    const execution = (state: string, extra: Record<string, unknown>) => ({
      QueryExecutionId: id,
      Query: sql,
      StatementType: 'DML',
      WorkGroup: params.WorkGroup,
      QueryExecutionContext: params.QueryExecutionContext,
      Status: {
        State: state,
        SubmissionDateTime: submitted.toISOString(),
        CompletionDateTime: new Date().toISOString(),
        ...extra,
      },
    });
    let result: QueryResult;
    try {
      result = await this.db.query(sql, { measureBytes: true });
    } catch (e) {
      throw new AthenaTaskFailed(
        JSON.stringify({ QueryExecution: execution('FAILED', { StateChangeReason: (e as Error).message }) }),
      );
    }
    this.queries.set(id, { result, types: result.columns.map((c) => athenaType(c.type)) });
    return {
      QueryExecution: {
        ...execution('SUCCEEDED', {}),
        Statistics: { DataScannedInBytes: result.bytesRead ?? 0, EngineExecutionTimeInMillis: Date.now() - submitted.getTime() },
      },
    };
  }

  getQueryResults(params: Record<string, unknown>): Record<string, unknown> {
    const id = params.QueryExecutionId;
    const stored = typeof id === 'string' ? this.queries.get(id) : undefined;
    if (!stored)
      throw Object.assign(new Error(`QueryExecutionId=${JSON.stringify(id)}: no such query in this execution`), {
        name: 'Athena.InvalidRequestException',
      });
    const max = typeof params.MaxResults === 'number' ? Math.min(params.MaxResults, MAX_PAGE) : MAX_PAGE;
    const start = typeof params.NextToken === 'string' ? Number(params.NextToken) : 0;
    const { result, types } = stored;
    const names = result.columns.map((c) => c.name);
    // The header row counts against the first page, as in Athena.
    const header = start === 0 ? [{ Data: names.map((n) => ({ VarCharValue: n })) }] : [];
    const end = Math.min(result.rows.length, start + max - header.length);
    const rows = result.rows.slice(start, end).map((row) => ({
      Data: names.map((n, i) => {
        const text = athenaText(row[n], types[i]!);
        return text === undefined ? {} : { VarCharValue: text };
      }),
    }));
    return {
      ResultSet: {
        Rows: [...header, ...rows],
        ResultSetMetadata: {
          ColumnInfo: names.map((n, i) => ({
            Name: n,
            Label: n,
            Type: types[i],
            Nullable: 'UNKNOWN',
            CaseSensitive: types[i] === 'varchar',
          })),
        },
      },
      UpdateCount: 0,
      ...(end < result.rows.length ? { NextToken: String(end) } : {}),
    };
  }
}
