/**
 * The local runtime's log: one JSON line per event in `<data-dir>/logs/runtime-<date>.log` (what
 * CloudWatch Logs would hold), with warnings and errors also handed to a listener so the CLI can
 * show them on stderr.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type LogLevel = 'info' | 'warn' | 'error';

export interface LogEntry {
  readonly time: string;
  readonly level: LogLevel;
  readonly event: string;
  readonly [field: string]: unknown;
}

const errorFields = (error: unknown): Record<string, unknown> =>
  error instanceof Error ? { error: `${error.name}: ${error.message}` } : { error: String(error) };

export class RuntimeLog {
  readonly file: string;

  constructor(
    logsDir: string,
    private readonly listener?: (entry: LogEntry) => void,
  ) {
    mkdirSync(logsDir, { recursive: true });
    this.file = join(logsDir, `runtime-${new Date().toISOString().slice(0, 10)}.log`);
  }

  write(level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
    const entry: LogEntry = { time: new Date().toISOString(), level, event, ...fields };
    appendFileSync(this.file, JSON.stringify(entry) + '\n');
    if (level !== 'info') this.listener?.(entry);
  }

  info(event: string, fields?: Record<string, unknown>): void {
    this.write('info', event, fields);
  }

  warn(event: string, fields?: Record<string, unknown>): void {
    this.write('warn', event, fields);
  }

  error(event: string, error: unknown, fields: Record<string, unknown> = {}): void {
    this.write('error', event, { ...fields, ...errorFields(error) });
  }
}
