/**
 * The one base of stockpipe's own errors (as Powertools' errors.ts is for its utilities): every error
 * carries its `cause` and the exit code a command ends with when it reaches the CLI, so the CLI maps
 * errors in one place and a plain Error or TypeError stands out as a bug.
 */

/** 1: the operation failed; 2: the command was used wrongly (bad option, bad input file, missing confirmation). */
export type ExitCode = 1 | 2;

export class StockpipeError extends Error {
  override readonly name: string = 'StockpipeError';
  readonly exitCode: ExitCode;

  constructor(message: string, options?: { cause?: unknown; exitCode?: ExitCode }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options?.exitCode ?? 1;
  }
}
