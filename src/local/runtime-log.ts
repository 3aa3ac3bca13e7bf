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
  /** Why the log file stopped taking entries (a full disk, say), once it has. */
  private fileError: string | undefined;

  constructor(
    logsDir: string,
    private readonly listener?: (entry: LogEntry) => void,
  ) {
    mkdirSync(logsDir, { recursive: true });
    this.file = join(logsDir, `runtime-${new Date().toISOString().slice(0, 10)}.log`);
  }

  write(level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
    const entry: LogEntry = { time: new Date().toISOString(), level, event, ...fields };
    try {
      appendFileSync(this.file, JSON.stringify(entry) + '\n');
      this.fileError = undefined;
    } catch (error) {
      // Logging must never be what stops the pipeline: say once that the file is out, and carry on
      // with the listener (stderr), which gets every entry while the file cannot take them.
      const first = this.fileError === undefined;
      this.fileError = error instanceof Error ? error.message : String(error);
      if (first) {
        this.listener?.({
          time: entry.time,
          level: 'error',
          event: 'runtime log unwritable',
          file: this.file,
          error: this.fileError,
        });
      }
      if (level === 'info') this.listener?.(entry);
    }
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
