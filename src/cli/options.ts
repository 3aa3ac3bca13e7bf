/** Options several commands share, and the parsers of option values (a bad value is a usage error). */
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_DATA_DIR, dataDirLayout, type DataDirLayout } from '../local/data-dir';
import { Output, type CliIo } from './output';

export interface CommonOptions {
  readonly json?: boolean;
  readonly dataDir: string;
}

export function withCommonOptions(command: Command): Command {
  return command
    .option('--json', 'machine-readable output: one JSON document on stdout')
    .option('--data-dir <dir>', 'the local data dir (lake, outbox, state, logs)', DEFAULT_DATA_DIR);
}

export const outputFor = (io: CliIo, options: { json?: boolean }): Output => new Output(io, Boolean(options.json));

export const layoutOf = (options: CommonOptions): DataDirLayout => dataDirLayout(options.dataDir);

export function positiveInteger(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1)
      throw new InvalidArgumentError(`${name} must be a whole number of at least 1, got ${JSON.stringify(value)}`);
    return n;
  };
}

export function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 65535)
    throw new InvalidArgumentError(`a port must be a number from 1 to 65535, got ${JSON.stringify(value)}`);
  return n;
}

/** A clock speed: a factor of real time (360 = an hour of market time in 10 s), or "max" where allowed. */
export function speed(allowMax: boolean) {
  return (value: string): number | 'max' => {
    if (allowMax && value === 'max') return 'max';
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n > 1_000_000) {
      throw new InvalidArgumentError(
        `speed must be a factor of real time above 0 (e.g. 1, 60, 360)${allowMax ? ' or max' : ''}, got ${JSON.stringify(value)}`,
      );
    }
    return n;
  };
}

/** `A,B,C` (symbols) or a number (how many synthetic symbols). */
export function symbolList(value: string): string[] | number {
  if (/^\d+$/.test(value.trim())) return positiveInteger('--symbols')(value);
  const symbols = value
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  if (symbols.length === 0) throw new InvalidArgumentError('--symbols needs symbols like AAPL,MSFT or a count like 20');
  return [...new Set(symbols)];
}

const DURATION = /^(\d+)\s*(m|min|h|d|w)$/i;
const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30m`, `2h`, `1d`, `1w` before now, or an ISO date/time. */
export function since(now: () => Date = () => new Date()) {
  return (value: string): Date => {
    const duration = DURATION.exec(value.trim());
    if (duration) return new Date(now().getTime() - Number(duration[1]) * UNIT_MS[duration[2]!.toLowerCase()]!);
    const at = Date.parse(value);
    if (Number.isNaN(at))
      throw new InvalidArgumentError(
        `--since takes a duration like 30m, 2h, 1d or an ISO time like 2024-01-02T15:00:00Z, got ${JSON.stringify(value)}`,
      );
    return new Date(at);
  };
}
