/**
 * The producer's loop: take `samples` samples `cadenceMs` apart and write each one to the sink.
 * A sample is written only once it is complete, so a failed fetch writes nothing of its sample.
 */
import type { DeadLetterSink, TickSink } from '../core/ports';
import type { QuoteSource } from '../core/ports-quotes';
import { deadLetterOfQuote, refusesQuotes, type RefusedQuote } from './quote-source';

/** EventBridge schedules fire at most once a minute. */
const SCHEDULE_PERIOD_SECONDS = 60;

/** Samples one scheduled invocation takes: a 30 s cadence gives 2 samples a minute. */
export function samplesPerInvocation(cadenceSeconds: number): number {
  if (!(cadenceSeconds > 0) || SCHEDULE_PERIOD_SECONDS % cadenceSeconds !== 0) {
    throw new RangeError(
      `cadence ${cadenceSeconds} s must be a positive divisor of ${SCHEDULE_PERIOD_SECONDS}: the schedule fires once a minute and takes 60/cadence samples`,
    );
  }
  return SCHEDULE_PERIOD_SECONDS / cadenceSeconds;
}

export interface ProducerRun {
  readonly source: QuoteSource;
  readonly sink: TickSink;
  readonly symbols: readonly string[];
  readonly samples: number;
  readonly cadenceMs: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * Where quotes the source refused alone go (the Yahoo source refuses a quote the tick schema
   * refuses, and the sample goes on without it), as dead letters with their reason.
   * @default none: they are only told to `onRefused`
   */
  readonly invalidRecords?: DeadLetterSink;
  /** Told about the quotes each sample refused, before they are dead-lettered. */
  readonly onRefused?: (refused: readonly RefusedQuote[]) => void;
  /** Called after each written sample, e.g. for progress. */
  readonly onSample?: (sample: { readonly index: number; readonly ticks: number }) => void;
}

export interface ProducerResult {
  /** Samples taken (fewer than asked when a replay ran out). */
  readonly samples: number;
  readonly ticks: number;
  /** The source has nothing more to give. */
  readonly exhausted: boolean;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Samples are spaced at a fixed rate from the first one (sample k at start + k * cadenceMs), so the
 * time a fetch and a write take does not push later samples back. Errors of the source or the sink
 * propagate; samples already written stay written.
 */
export async function runProducer(run: ProducerRun): Promise<ProducerResult> {
  const { source, sink, symbols, samples, cadenceMs } = run;
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`samples ${samples} must be a whole number of at least 1`);
  if (!Number.isFinite(cadenceMs) || cadenceMs < 0) throw new RangeError(`cadenceMs ${cadenceMs} must be a number of at least 0`);
  if (symbols.length === 0) throw new RangeError('symbols must list at least one symbol');
  const sleep = run.sleep ?? defaultSleep;
  const now = run.now ?? Date.now;

  const start = now();
  let taken = 0;
  let ticks = 0;
  for (let index = 0; index < samples; index += 1) {
    if (index > 0) {
      const wait = start + index * cadenceMs - now();
      if (wait > 0) await sleep(wait);
    }
    const sample = await source.sample(symbols);
    if (sample.length > 0) await sink.put(sample);
    const refused = refusesQuotes(source) ? source.takeRefused() : [];
    if (refused.length > 0) {
      run.onRefused?.(refused);
      await run.invalidRecords?.send(refused.map(deadLetterOfQuote));
    }
    taken += 1;
    ticks += sample.length;
    run.onSample?.({ index, ticks: sample.length });
    if (source.exhausted?.()) return { samples: taken, ticks, exhausted: true };
  }
  return { samples: taken, ticks, exhausted: false };
}
