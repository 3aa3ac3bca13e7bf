/** The summary `run`, `replay` and `start` print at the end: its JSON shape is RunSummary. */
import type { LocalPipeline } from '../local';

export interface RunSummary {
  /** The quote source: replay, synthetic, yahoo or csv (start: the source it ended on). */
  readonly source: string;
  readonly symbols: readonly string[];
  /** Samples the producer took (one tick per symbol per sample, fewer when a replay runs out). */
  readonly samples: number;
  /** Records that entered the pipeline: ticks written to the stream plus CSV rows refused at the source. */
  readonly in: number;
  readonly produced: number;
  readonly rejectedAtSource: number;
  /** Ticks stored in the price table and the lake. */
  readonly processed: number;
  /** Records dead-lettered: refused CSV rows, invalid records, batches the stream mapping gave up on. */
  readonly deadLettered: number;
  readonly invalid: number;
  readonly processingFailed: number;
  /** Records still in the stream when the pipeline stopped (0 after --until-drained). */
  readonly pending: number;
  readonly alerts: number;
  /** Ticks the analysis did not fold in order, by kind (`stockpipe status` lists them per symbol). */
  readonly lateTicks: number;
  readonly duplicateTicks: number;
  /** Raw objects written to the lake. */
  readonly s3Objects: number;
  readonly analysisFailed: number;
  readonly drained: boolean;
  readonly elapsedSeconds: number;
  /** Ticks processed (stored) per second of elapsed time. */
  readonly ticksPerSecond: number;
  readonly dataDir: string;
}

export function summarize(
  pipeline: LocalPipeline,
  run: { source: string; symbols: readonly string[]; samples: number; drained: boolean; elapsedMs: number },
): RunSummary {
  const c = pipeline.counters();
  const recordsIn = c.produced + c.rejectedAtSource;
  const elapsedSeconds = Math.round(run.elapsedMs) / 1000;
  return {
    source: run.source,
    symbols: run.symbols,
    samples: run.samples,
    in: recordsIn,
    produced: c.produced,
    rejectedAtSource: c.rejectedAtSource,
    processed: c.processed,
    deadLettered: c.deadLettered,
    invalid: c.invalid,
    processingFailed: c.processingFailed,
    pending: Math.max(0, recordsIn - c.processed - c.deadLettered),
    alerts: c.alerts,
    lateTicks: c.lateTicks,
    duplicateTicks: c.duplicateTicks,
    s3Objects: c.s3Objects,
    analysisFailed: c.analysisFailed,
    drained: run.drained,
    elapsedSeconds,
    ticksPerSecond: elapsedSeconds > 0 ? Math.round((c.processed / elapsedSeconds) * 10) / 10 : 0,
    dataDir: pipeline.layout.root,
  };
}

export const renderSummary = (s: RunSummary): string =>
  [
    `ticks in        ${s.in}${s.rejectedAtSource > 0 ? ` (${s.rejectedAtSource} CSV rows refused at the source)` : ''}`,
    `processed       ${s.processed}`,
    `dead-lettered   ${s.deadLettered}${s.deadLettered > 0 ? ` (invalid ${s.invalid}, failed batches ${s.processingFailed}, refused rows ${s.rejectedAtSource})` : ''}`,
    ...(s.pending > 0 ? [`still in stream ${s.pending} (run with --until-drained to wait for them)`] : []),
    `alerts          ${s.alerts}`,
    ...(s.lateTicks + s.duplicateTicks > 0
      ? [`not folded      ${s.lateTicks} late, ${s.duplicateTicks} duplicate tick(s) (stockpipe status lists them per symbol)`]
      : []),
    `S3 objects      ${s.s3Objects}`,
    `elapsed         ${s.elapsedSeconds.toFixed(1)} s (${s.ticksPerSecond} ticks/s)`,
    `data dir        ${s.dataDir}  (try: stockpipe alerts, stockpipe query "SELECT symbol, COUNT(*) FROM stock_data_table GROUP BY symbol")`,
  ].join('\n');
