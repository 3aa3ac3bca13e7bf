/**
 * The local stand-in for Athena: embedded DuckDB over the local lake, which s3rver keeps as plain
 * files (src/local/lake-files.ts). It exposes the Glue tables of the stack as views with the same
 * names and columns: `stock_data_table` (raw NDJSON, partitioned by `dt`, with `symbol` a column; raw
 * objects of the older per-symbol layout are read too) and `stock_data_curated` (compacted Parquet,
 * Hive-partitioned by `symbol` and `dt`, strings as in Glue). `stockpipe query` and the local
 * workflow runner's Athena tasks both go through here.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { localPartitionGlob } from './lake-files';
import { LAKE, RESOURCE } from '../../shared/names';
import { StockpipeError } from '../../core/errors';

/**
 * The whole Athena (Trino) -> DuckDB shim: session settings that give DuckDB Trino's semantics where
 * the two differ for the SQL the project runs. Queries themselves run unchanged.
 */
export const TRINO_COMPATIBLE_SETTINGS: readonly string[] = [
  // Trino's timestamps have no zone; DuckDB would render TIMESTAMPTZ in the machine's zone.
  "SET TimeZone = 'UTC'",
  // Trino divides integers as integers (7 / 2 = 3); DuckDB's `/` would give 3.5.
  'SET integer_division = true',
  // Trino sorts NULLs last in both directions.
  "SET default_null_order = 'nulls_last'",
];

/** The tick columns of both tables (the Glue tables' columns) with their DuckDB types. */
const TICK_COLUMNS: readonly (readonly [string, string])[] = [
  ['timestamp', 'TIMESTAMP'],
  ['price', 'DOUBLE'],
  ['open', 'DOUBLE'],
  ['high', 'DOUBLE'],
  ['low', 'DOUBLE'],
  ['previous_close', 'DOUBLE'],
  ['volume', 'BIGINT'],
  ['source', 'VARCHAR'],
];

const quoteLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const quoteIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const SELECT_LIST = ['symbol', ...TICK_COLUMNS.map(([c]) => c), 'dt'].map(quoteIdent).join(', ');
const HIVE_TYPES = "hive_partitioning = true, hive_types = {'symbol': 'VARCHAR', 'dt': 'VARCHAR'}, hive_types_autocast = false";
const DAY_HIVE_TYPES = "hive_partitioning = true, hive_types = {'dt': 'VARCHAR'}, hive_types_autocast = false";

const jsonColumns = (columns: readonly (readonly [string, string])[]): string =>
  `{${columns.map(([c, t]) => `${quoteLiteral(c)}: ${quoteLiteral(t)}`).join(', ')}}`;

interface TableSource {
  readonly name: string;
  /** The table's files: each glob with its reader; the view is the union of those that match files. */
  readonly parts: readonly { readonly glob: string; readonly select: (glob: string) => string }[];
  /** The view's query over the union of its present parts. */
  readonly view: (union: string) => string;
}

const emptyView = (name: string): string =>
  `CREATE OR REPLACE VIEW ${quoteIdent(name)} AS SELECT CAST(NULL AS VARCHAR) AS symbol, ` +
  TICK_COLUMNS.map(([c, t]) => `CAST(NULL AS ${t}) AS ${quoteIdent(c)}`).join(', ') +
  ', CAST(NULL AS VARCHAR) AS dt WHERE false';

export interface LakeDatabaseOptions {
  /** The S3 stand-in's folder (s3rver's `directory`). */
  readonly s3Dir: string;
  readonly bucket: string;
  /** @default { raw: RESOURCE.rawTable, curated: RESOURCE.curatedTable } */
  readonly tables?: { readonly raw: string; readonly curated: string };
}

export interface QueryColumn {
  readonly name: string;
  readonly type: string;
}

export interface QueryResult {
  readonly columns: readonly QueryColumn[];
  /** JSON-safe: BIGINT as a number when it is exact, else a string; TIMESTAMP as ISO-8601 UTC; DATE as YYYY-MM-DD. */
  readonly rows: Record<string, unknown>[];
  /** Bytes DuckDB read from the lake files, when asked for with `measureBytes`. */
  readonly bytesRead?: number;
}

export interface QueryOptions {
  /** Count the bytes read from files (DuckDB's file-system log; slower). */
  readonly measureBytes?: boolean;
}

export interface LakeDatabase {
  query(sql: string, options?: QueryOptions): Promise<QueryResult>;
  close(): void;
}

/** A query DuckDB refused or failed: the message is DuckDB's, prefixed with what was being done. */
export class LakeQueryError extends StockpipeError {
  override readonly name = 'LakeQueryError';
}

function toJsonSafe(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Date) return type === 'DATE' ? value.toISOString().slice(0, 10) : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map((v) => toJsonSafe(v, ''));
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toJsonSafe(v, '')]));
  }
  return value;
}

export async function openLakeDatabase(options: LakeDatabaseOptions): Promise<LakeDatabase> {
  const tables = options.tables ?? { raw: RESOURCE.rawTable, curated: RESOURCE.curatedTable };
  const sources: TableSource[] = [
    {
      name: tables.raw,
      parts: [
        {
          glob: localPartitionGlob(options.s3Dir, options.bucket, LAKE.raw, '.ndjson', ['dt']),
          select: (glob) =>
            `SELECT ${SELECT_LIST}, filename FROM read_ndjson(${quoteLiteral(glob)}, ${DAY_HIVE_TYPES}, filename = true, columns = ${jsonColumns([['symbol', 'VARCHAR'], ...TICK_COLUMNS])})`,
        },
        {
          // A lake written before the day layout: raw/symbol=<S>/dt=<D>/.
          glob: localPartitionGlob(options.s3Dir, options.bucket, LAKE.raw, '.ndjson'),
          select: (glob) =>
            `SELECT ${SELECT_LIST}, filename FROM read_ndjson(${quoteLiteral(glob)}, ${HIVE_TYPES}, filename = true, columns = ${jsonColumns(TICK_COLUMNS)})`,
        },
      ],
      // At least once: a batch archived and then retried (the table write failed, or the process was
      // killed before the checkpoint) may be archived again under its new first sequence number.
      // Readers get each symbol + timestamp once, the first archived (object names sort in arrival order).
      view: (union) =>
        `SELECT ${SELECT_LIST} FROM (${union}) ` +
        // dt is implied by the timestamp; naming it lets a `dt = ...` filter prune files below the window.
        `QUALIFY row_number() OVER (PARTITION BY symbol, dt, "timestamp" ORDER BY parse_filename(filename), filename) = 1`,
    },
    {
      name: tables.curated,
      parts: [
        {
          glob: localPartitionGlob(options.s3Dir, options.bucket, LAKE.curated, '.parquet'),
          select: (glob) => `SELECT ${SELECT_LIST} FROM read_parquet(${quoteLiteral(glob)}, ${HIVE_TYPES})`,
        },
      ],
      view: (union) => union,
    },
  ];

  // No extension is ever downloaded: json and parquet are built into the binary.
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  let connection: DuckDBConnection;
  try {
    connection = await instance.connect();
    for (const setting of TRINO_COMPATIBLE_SETTINGS) await connection.run(setting);
  } catch (e) {
    instance.closeSync();
    throw e;
  }
  // A reader over a glob that matches nothing fails ("No files found"), so a table without files is
  // an empty view with the same columns; re-checked before each query, as files come and go.
  const present = new Map<string, string>();
  const refreshViews = async () => {
    for (const source of sources) {
      const parts: string[] = [];
      for (const part of source.parts) {
        const count = await connection.runAndReadAll(`SELECT count(*) FROM glob(${quoteLiteral(part.glob)})`);
        if (Number(count.getRowsJS()[0]?.[0] ?? 0) > 0) parts.push(part.select(part.glob));
      }
      const shape = parts.join(' UNION ALL ');
      if (present.get(source.name) === shape) continue;
      await connection.run(
        parts.length > 0 ? `CREATE OR REPLACE VIEW ${quoteIdent(source.name)} AS ${source.view(shape)}` : emptyView(source.name),
      );
      present.set(source.name, shape);
    }
  };

  let closed = false;
  return {
    async query(sql, queryOptions = {}) {
      if (closed) throw new LakeQueryError('the lake database is closed');
      await refreshViews();
      if (queryOptions.measureBytes) {
        await connection.run("CALL enable_logging('FileSystem')");
        await connection.run('CALL truncate_duckdb_logs()');
      }
      let reader;
      try {
        reader = await connection.runAndReadAll(sql);
      } catch (e) {
        throw new LakeQueryError(`query failed: ${(e as Error).message}`, { cause: e });
      } finally {
        if (queryOptions.measureBytes) await connection.run('CALL disable_logging()');
      }
      const names = reader.columnNames();
      const types = reader.columnTypes().map(String);
      const rows = reader
        .getRowsJS()
        .map((row) => Object.fromEntries(names.map((name, i) => [name, toJsonSafe(row[i], types[i]!)])));
      const result: QueryResult = { columns: names.map((name, i) => ({ name, type: types[i]! })), rows };
      if (!queryOptions.measureBytes) return result;
      const bytes = await connection.runAndReadAll(
        "SELECT COALESCE(SUM(CAST(bytes AS BIGINT)), 0) FROM duckdb_logs_parsed('FileSystem') WHERE op = 'READ'",
      );
      return { ...result, bytesRead: Number(bytes.getRowsJS()[0]?.[0] ?? 0) };
    },
    close() {
      if (closed) return;
      closed = true;
      connection.closeSync();
      instance.closeSync();
    },
  };
}
