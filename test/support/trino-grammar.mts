/**
 * Parses SQL texts with Trino's grammar (dt-sql-parser's TrinoSQL, generated from Trino's ANTLR
 * grammar) in a process of its own, run with tsx: the package ships ESM with extensionless imports,
 * which neither jest's CommonJS runtime nor plain Node loads. Reads a JSON array of SQL texts on stdin
 * and prints a JSON array holding, per text, its syntax errors ("line:column message").
 */
import { readFileSync } from 'node:fs';
import { TrinoSQL } from 'dt-sql-parser/dist/parser/trino';

const texts = JSON.parse(readFileSync(0, 'utf8')) as string[];
const parser = new TrinoSQL();
const errors = texts.map((sql) => parser.validate(sql).map((e) => `${e.startLine}:${e.startColumn} ${e.message}`));
process.stdout.write(JSON.stringify(errors));
