/** `stockpipe query "<SQL>"`: SQL over the local lake with embedded DuckDB, as Athena over S3. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { QueryResult } from '../../adapters/local/duckdb-athena';
import { RESOURCE } from '../../shared/names';
import { layoutOf, outputFor, withCommonOptions, type CommonOptions } from '../options';
import { CliError, renderTable, type CliIo } from '../output';

const cell = (value: unknown): string =>
  value === null || value === undefined ? 'NULL' : typeof value === 'object' ? JSON.stringify(value) : String(value);

export const renderQueryResult = (result: QueryResult): string =>
  renderTable(
    result.columns.map((c) => ({
      header: c.name,
      value: (row: Record<string, unknown>) => cell(row[c.name]),
      align: /INT|DOUBLE|DECIMAL|FLOAT|REAL|NUMERIC/.test(c.type) ? ('right' as const) : ('left' as const),
    })),
    result.rows,
  );

export function registerQuery(program: Command, io: CliIo): void {
  const command = program
    .command('query')
    .description(
      `run SQL on the local lake: tables ${RESOURCE.rawTable} (raw ticks) and ${RESOURCE.curatedTable} (compacted Parquet)`,
    )
    .argument('<sql>', 'the query, e.g. "SELECT symbol, AVG(volume) AS avg_volume FROM stock_data_table GROUP BY symbol"')
    .addHelpText(
      'after',
      '\nThe lake is the one the last local run left in the data dir; Athena SQL runs unchanged (DuckDB with Trino settings).',
    );
  withCommonOptions(command).action(async (sql: string, options: CommonOptions) => {
    const out = outputFor(io, options);
    const layout = layoutOf(options);
    if (sql.trim() === '')
      throw new CliError(
        'the query is empty; pass SQL in quotes, e.g. stockpipe query "SELECT COUNT(*) FROM stock_data_table"',
        2,
      );
    if (!existsSync(join(layout.lake, RESOURCE.rawBucket))) {
      out.note(`the lake in ${layout.lake} is empty: run stockpipe run (or stockpipe start) first; querying empty tables`);
    }
    const { LakeQueryError, openLakeDatabase } = await import('../../adapters/local/duckdb-athena');
    const database = await openLakeDatabase({ s3Dir: layout.lake, bucket: RESOURCE.rawBucket });
    try {
      let result: QueryResult;
      try {
        result = await database.query(sql);
      } catch (error) {
        if (!(error instanceof LakeQueryError)) throw error;
        // DuckDB's message spans lines (candidates, the SQL with a caret): its first line says it.
        const first = error.message.split('\n')[0]!.trim();
        throw new CliError(
          `${first} (the tables are ${RESOURCE.rawTable}, raw ticks, and ${RESOURCE.curatedTable}, compacted)`,
          1,
        );
      }
      out.result({ columns: result.columns, rows: result.rows }, () => {
        out.note(`${result.rows.length} row${result.rows.length === 1 ? '' : 's'}`);
        return result.columns.length === 0 ? '' : renderQueryResult(result);
      });
    } finally {
      database.close();
    }
  });
}
