/** What the pipeline commands show while the local runtime runs: alerts, runtime warnings, the live line. */
import type { OutboxMessage } from '../adapters/local/outbox-notifier';
import type { LogEntry, PipelineCounters } from '../local';
import { CliError, type CliIo, type Output } from './output';

/** Colours on stdout: only on a terminal, and never with NO_COLOR set to anything (https://no-color.org). */
export const useColour = (io: Pick<CliIo, 'stdoutIsTTY' | 'env'>): boolean =>
  Boolean(io.stdoutIsTTY) && (io.env.NO_COLOR === undefined || io.env.NO_COLOR === '');

const SIDE_COLOUR = { BUY: '\u001b[32m', SELL: '\u001b[31m' } as const;
const RESET = '\u001b[0m';

/** One alert as a line: BUY in green and SELL in red when `colour`. */
export const alertLine = (m: OutboxMessage, colour = false): string => {
  const a = m.alert;
  const cross = a.side === 'BUY' ? 'crossed above' : 'crossed below';
  const line = `${a.side.padEnd(4)} ${a.symbol.padEnd(6)} ${a.timestamp.slice(0, 16).replace('T', ' ')}  at ${a.price.toFixed(2).padStart(9)}  SMA-5 ${a.sma5.toFixed(2)} ${cross} SMA-20 ${a.sma20.toFixed(2)}`;
  return colour ? `${SIDE_COLOUR[a.side]}${line}${RESET}` : line;
};

/** Shows each distinct runtime warning or error once (a failing source would repeat it every fire). */
export function logPrinter(out: Output): (entry: LogEntry) => void {
  const seen = new Set<string>();
  return (entry) => {
    const detail = typeof entry.error === 'string' ? entry.error.replace(/^\w*Error: /, '') : '';
    const text = detail ? `${entry.event}: ${detail}` : entry.event;
    if (seen.has(text)) return;
    seen.add(text);
    out.warn(`${text} (details: the runtime log, logs/runtime-<date>.log in the data dir)`);
  };
}

export const statusLine = (c: PipelineCounters, extra: string): string =>
  `ticks ${c.produced} | processed ${c.processed} | dead-lettered ${c.deadLettered} | alerts ${c.alerts}${extra ? ` | ${extra}` : ''}`;

/** Rejects when the user presses Ctrl-C, so a command stops its pipeline cleanly before exiting 1. */
export const interruption = (io: CliIo): Promise<never> =>
  io.interrupted().then((signal) => {
    throw new CliError(
      `interrupted (${signal}): the pipeline was stopped before the source was done; what was read is processed, the rest is left`,
      1,
    );
  });

/**
 * Runs a command's work on a started pipeline with a progress line, until the work ends or the user
 * presses Ctrl-C; the pipeline is stopped (and what it read delivered) either way.
 */
export async function runToCompletion(
  io: CliIo,
  out: Output,
  pipeline: { stop(): Promise<unknown> },
  progress: () => string,
  work: () => Promise<void>,
): Promise<void> {
  const ticker = setInterval(() => out.progress(progress()), 200);
  try {
    const running = work();
    running.catch(() => undefined); // when interrupted, its failure after the stop is expected
    await Promise.race([running, interruption(io)]);
  } finally {
    clearInterval(ticker);
    out.endProgress();
    await pipeline.stop();
  }
}

/**
 * Where yahoo-finance2's notices go: to stderr as warnings, except its notice that it wants Node 22,
 * which says nothing to do for a CLI user (the tooling supports Node 20 on purpose).
 */
export const yahooLog =
  (out: Output) =>
  (message: string): void => {
    if (/Unsupported environment/.test(message)) return;
    out.warn(`yahoo: ${message}`);
  };

/** Ticks per second of a growing count, smoothed over the last few readings (for the status line). */
export function rateMeter(): (count: number) => number {
  let lastCount = 0;
  let lastAt = performance.now();
  let rate = 0;
  return (count) => {
    const now = performance.now();
    rate = 0.7 * rate + 0.3 * (((count - lastCount) * 1000) / Math.max(1, now - lastAt));
    lastCount = count;
    lastAt = now;
    return rate;
  };
}
