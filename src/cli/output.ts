/**
 * How every command talks to the terminal, as the AWS CLI and gh do: data on stdout (a table or text,
 * or with `--json` exactly one JSON document per result), everything else on stderr (notes, warnings,
 * and progress only when stderr is a terminal). Expected errors are one line that says what to do
 * next, never a stack trace; exit codes are 0 ok, 1 failure, 2 usage.
 */
import { StockpipeError, type ExitCode as CoreExitCode } from '../core/errors';

/** What the process ends with: 0, or a failure's exit code (src/core/errors.ts). */
export type ExitCode = 0 | CoreExitCode;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stderrIsTTY: boolean;
  /** Whether stdout is a terminal (colours); unset counts as not. */
  readonly stdoutIsTTY?: boolean;
  readonly stdinIsTTY: boolean;
  /** Columns of the terminal, for the live status line. */
  readonly columns: number;
  /** Resolves when the user asks the process to stop (Ctrl-C, SIGTERM), with the signal's name. */
  readonly interrupted: () => Promise<string>;
  /** Asks a yes/no question on the terminal. */
  readonly confirm: (question: string) => Promise<boolean>;
  /** Opens a file in the system's viewer (`report --open`); unset where nothing can be opened. */
  readonly open?: (path: string) => Promise<void>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A failure the user can act on: the message says what happened and what to do. */
export class CliError extends StockpipeError {
  override readonly name = 'CliError';

  constructor(message: string, exitCode: CoreExitCode = 1) {
    super(message, { exitCode });
  }
}

export class Output {
  private progressShown = false;

  constructor(
    readonly io: CliIo,
    readonly json: boolean,
  ) {}

  /** The command's result: JSON (one line) with --json, else the text. */
  result(value: unknown, text: () => string): void {
    this.endProgress();
    if (this.json) this.io.stdout(JSON.stringify(value) + '\n');
    else {
      const body = text();
      if (body !== '') this.io.stdout(body.endsWith('\n') ? body : body + '\n');
    }
  }

  /** One event of a stream of results (an alert while `start` runs): a JSON line, or a text line. */
  event(value: unknown, text: string): void {
    this.endProgress();
    this.io.stdout(this.json ? JSON.stringify(value) + '\n' : text + '\n');
  }

  note(text: string): void {
    this.endProgress();
    this.io.stderr(text + '\n');
  }

  warn(text: string): void {
    this.note(`warning: ${text}`);
  }

  /** A line that rewrites itself, on a terminal only. */
  progress(text: string): void {
    if (!this.io.stderrIsTTY) return;
    const width = Math.max(20, this.io.columns - 1);
    this.io.stderr(`\r\x1b[2K${text.length > width ? text.slice(0, width - 1) + '…' : text}`);
    this.progressShown = true;
  }

  endProgress(): void {
    if (!this.progressShown) return;
    this.io.stderr('\r\x1b[2K');
    this.progressShown = false;
  }
}

export const progressBar = (done: number, total: number, width = 24): string => {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}%`;
};

export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string;
  readonly align?: 'left' | 'right';
}

export function renderTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

/** The exit code and the one line an error is shown as. */
export function describeError(error: unknown, debug: boolean): { exitCode: CoreExitCode; lines: string[] } {
  if (!(error instanceof Error)) return { exitCode: 1, lines: [`error: ${String(error)}`] };
  const exitCode: CoreExitCode = error instanceof StockpipeError ? error.exitCode : 1;
  const lines = [`error: ${error.message}`];
  // Errors of our own code carry their own class name; a plain Error or TypeError is a bug.
  const unexpected =
    error.constructor === Error || error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError;
  if (debug && error.stack) lines.push(error.stack);
  else if (unexpected) lines.push('(unexpected; run again with STOCKPIPE_DEBUG=1 for details)');
  return { exitCode, lines };
}
