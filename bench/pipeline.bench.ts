/**
 * End-to-end benchmark of the local pipeline (emulators, Kinesis mapping, processing, DynamoDB
 * stream, analysis, outbox), all in this one process:
 * - throughput: 100 synthetic symbols x 1,000 samples written as fast as the stream takes them,
 *   timed from the first write until both streams are drained;
 * - requests: every SDK request of the processing and analysis functions, counted by service and
 *   operation by a client middleware (src/local/functions/request-tally.ts), the local DynamoDB
 *   stream capture's own reads apart; S3 PUTs per 1,000 ticks at 1, 10 and 100 symbols;
 * - tick-to-alert latency: a paced run well below that throughput (so the figure is the pipeline's,
 *   not a queue's), from the moment the producer writes a tick until its alert is in the outbox,
 *   with the batching window at 0 and at the stack's setting;
 * - the CLI's start: `stockpipe --help` against `node -e 0`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PipelineCounters } from '../src/local';
import { startLocalPipeline, type LocalPipeline } from '../src/local';
import { capacityKindOf, RequestTally } from '../src/local/functions/request-tally';
import { SyntheticSource, syntheticSymbols } from '../src/producer/synthetic-source';
import { STREAM_MAPPING_DEFAULTS } from '../src/shared/stream-settings';
import type { BenchModule } from './bench-section';

const BATCH_SIZE = STREAM_MAPPING_DEFAULTS.batchSize;
const SHARDS = 2;
/**
 * The second throughput run, old against new: the batch size of the mappings until now (Lambda's
 * own default). At 100 symbols its batches hold about one tick per symbol, so the analysis makes its
 * two requests per symbol for each tick.
 */
const PREVIOUS = { batchSize: 100 } as const;
/** The third: one shard, the stack's default and what `stockpipe run` uses. */
const ONE_SHARD = { shards: 1 } as const;
const REPO = join(__dirname, '..');

interface Sizes {
  readonly symbols: number;
  readonly samples: number;
  /** Symbols x samples of the S3 PUT runs at fewer symbols. */
  readonly putRuns: readonly (readonly [number, number])[];
  readonly pacedSymbols: number;
  readonly pacedSamples: number;
  readonly pacedCadenceMs: number;
  /** The same rate in smaller bursts (fewer symbols, shorter cadence), batching window 0. */
  readonly smallBursts: { readonly symbols: number; readonly samples: number; readonly cadenceMs: number };
}

const FULL: Sizes = {
  symbols: 100,
  samples: 1000,
  putRuns: [
    [1, 3000],
    [10, 300],
  ],
  pacedSymbols: 50,
  pacedSamples: 80,
  pacedCadenceMs: 500,
  smallBursts: { symbols: 10, samples: 400, cadenceMs: 100 },
};
const QUICK: Sizes = {
  symbols: 10,
  samples: 60,
  putRuns: [
    [1, 200],
    [10, 20],
  ],
  pacedSymbols: 5,
  pacedSamples: 30,
  pacedCadenceMs: 100,
  smallBursts: { symbols: 2, samples: 150, cadenceMs: 20 },
};

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const perThousand = (n: number, ticks: number) => round((n / Math.max(1, ticks)) * 1000, 1);

interface RunResult {
  readonly counters: PipelineCounters;
  readonly requests: RequestTally;
  readonly seconds: number;
  readonly latency: ReturnType<LocalPipeline['latency']>;
}

async function runPipeline(
  dataDir: string,
  options: {
    symbols: number;
    samples: number;
    cadenceMs?: number;
    batchingWindowMs: number;
    batchSize?: number;
    shards?: number;
    log?: (line: string) => void;
  },
): Promise<RunResult> {
  mkdirSync(dataDir, { recursive: true });
  const requests = new RequestTally();
  const pipeline = await startLocalPipeline({
    dataDir,
    command: 'bench',
    producer: { source: new SyntheticSource({ seed: 1 }), symbols: syntheticSymbols(options.symbols) },
    mapping: { batchSize: options.batchSize ?? BATCH_SIZE, batchingWindowMs: options.batchingWindowMs },
    shardCount: options.shards ?? SHARDS,
    measureLatency: true,
    requests,
  });
  const progress = options.log
    ? setInterval(() => options.log!(`  ${pipeline.counters().processed} ticks processed`), 15_000)
    : undefined;
  try {
    const started = performance.now();
    await pipeline.produce({ samples: options.samples, ...(options.cadenceMs ? { cadenceMs: options.cadenceMs } : {}) });
    await pipeline.drain(3_600_000);
    const seconds = (performance.now() - started) / 1000;
    const counters = pipeline.counters();
    if (counters.processed !== counters.produced)
      throw new Error(`only ${counters.processed} of ${counters.produced} ticks were processed`);
    return { counters, requests, seconds, latency: pipeline.latency() };
  } finally {
    if (progress) clearInterval(progress);
    await pipeline.stop();
  }
}

/** Median wall time of `runs` runs of a command, in seconds. */
function medianWall(command: string, args: readonly string[], runs = 5): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const out = spawnSync(command, args, { cwd: REPO, stdio: 'ignore' });
    if (out.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${out.status}`);
    times.push((performance.now() - started) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

const requestTable = (requests: RequestTally, ticks: number): string =>
  [
    '| function | service | operation | AWS-equivalent per 1,000 ticks | local-only per 1,000 ticks | DynamoDB capacity units per 1,000 ticks (AWS-equivalent) |',
    '|---|---|---|---:|---:|---:|',
    ...requests.list().map((c) => {
      const kind = c.service === 'DynamoDB' ? capacityKindOf(c.operation) : undefined;
      const units = kind ? `${perThousand(c.awsUnits, ticks)} ${kind}` : '';
      return `| ${c.caller} | ${c.service} | ${c.operation} | ${perThousand(c.aws, ticks)} | ${perThousand(c.localOnly, ticks)} | ${units} |`;
    }),
  ].join('\n');

const bench: BenchModule = async ({ log, workDir, quick }) => {
  const sizes = quick ? QUICK : FULL;
  const localWindow = STREAM_MAPPING_DEFAULTS.localBatchingWindowMs;

  log(`throughput: ${sizes.symbols} symbols x ${sizes.samples} samples, unthrottled`);
  const throughput = await runPipeline(join(workDir, 'throughput'), {
    symbols: sizes.symbols,
    samples: sizes.samples,
    batchingWindowMs: localWindow,
    log,
  });
  const ticks = throughput.counters.produced;
  log(`throughput: the same with batch size ${PREVIOUS.batchSize}`);
  const large = await runPipeline(join(workDir, 'throughput-previous'), {
    symbols: sizes.symbols,
    samples: sizes.samples,
    batchingWindowMs: localWindow,
    batchSize: PREVIOUS.batchSize,
    log,
  });
  const largeTicks = large.counters.produced;
  log(`throughput: the same with ${ONE_SHARD.shards} shard`);
  const oneShard = await runPipeline(join(workDir, 'throughput-one-shard'), {
    symbols: sizes.symbols,
    samples: sizes.samples,
    batchingWindowMs: localWindow,
    shards: ONE_SHARD.shards,
    log,
  });

  const puts: [number, number][] = [];
  for (const [symbols, samples] of sizes.putRuns) {
    log(`S3 PUTs: ${symbols} symbol(s) x ${samples} samples, unthrottled`);
    const run = await runPipeline(join(workDir, `puts-${symbols}`), { symbols, samples, batchingWindowMs: localWindow });
    puts.push([symbols, perThousand(run.requests.total({ service: 'S3', operation: 'PutObject' }).aws, run.counters.produced)]);
  }
  puts.push([sizes.symbols, perThousand(throughput.requests.total({ service: 'S3', operation: 'PutObject' }).aws, ticks)]);

  const pacedRate = (sizes.pacedSymbols * 1000) / sizes.pacedCadenceMs;
  const stackWindowMs = STREAM_MAPPING_DEFAULTS.batchingWindowSeconds * 1000;
  const paced: { windowMs: number; run: RunResult }[] = [];
  for (const windowMs of [0, stackWindowMs]) {
    log(
      `latency: ${sizes.pacedSymbols} symbols, ${pacedRate} ticks/s for ${sizes.pacedSamples} samples, batching window ${windowMs} ms`,
    );
    const run = await runPipeline(join(workDir, `latency-${windowMs}`), {
      symbols: sizes.pacedSymbols,
      samples: sizes.pacedSamples,
      cadenceMs: sizes.pacedCadenceMs,
      batchingWindowMs: windowMs,
    });
    if (!run.latency) throw new Error(`the paced run (window ${windowMs} ms) published no alert, so no latency was measured`);
    paced.push({ windowMs, run });
  }
  const small = sizes.smallBursts;
  const smallRate = (small.symbols * 1000) / small.cadenceMs;
  log(`latency: ${small.symbols} symbols, ${smallRate} ticks/s for ${small.samples} samples, batching window 0 ms`);
  const smallBursts = await runPipeline(join(workDir, 'latency-small-bursts'), {
    symbols: small.symbols,
    samples: small.samples,
    cadenceMs: small.cadenceMs,
    batchingWindowMs: 0,
  });
  if (!smallBursts.latency) throw new Error('the paced run in small bursts published no alert, so no latency was measured');
  const burstOf = (symbols: number, cadenceMs: number) => `${symbols} ticks every ${cadenceMs} ms`;
  const pacedBurst = burstOf(sizes.pacedSymbols, sizes.pacedCadenceMs);
  const smallBurst = burstOf(small.symbols, small.cadenceMs);

  log('CLI start: stockpipe --help against node -e 0 (median of 5)');
  const helpSeconds = medianWall(process.execPath, ['bin/stockpipe.cjs', '--help']);
  const nodeSeconds = medianWall(process.execPath, ['-e', '0']);

  const dynamo = throughput.requests.total({ service: 'DynamoDB' });
  const figures: Record<string, number> = {
    'throughput (ticks/s)': round(ticks / throughput.seconds, 0),
    [`throughput (ticks/s), batch size ${PREVIOUS.batchSize} (the previous default)`]: round(largeTicks / large.seconds, 0),
    [`throughput (ticks/s), ${ONE_SHARD.shards} shard`]: round(oneShard.counters.produced / oneShard.seconds, 0),
    [`analysis requests per tick, batch size ${BATCH_SIZE}`]: round(
      throughput.requests.total({ caller: 'analysis' }).aws / ticks,
      3,
    ),
    [`analysis requests per tick, batch size ${PREVIOUS.batchSize}`]: round(
      large.requests.total({ caller: 'analysis' }).aws / largeTicks,
      3,
    ),
    ...Object.fromEntries(puts.map(([symbols, n]) => [`S3 PUTs per 1,000 ticks, ${symbols} symbol(s)`, n])),
    'DynamoDB requests per tick, AWS-equivalent': round(dynamo.aws / ticks, 3),
    'DynamoDB requests per tick, local-only (stream capture)': round(dynamo.localOnly / ticks, 3),
    'DynamoDB write units per tick, AWS-equivalent': round(throughput.requests.units('write').aws / ticks, 3),
    'DynamoDB read units per tick, AWS-equivalent': round(throughput.requests.units('read').aws / ticks, 3),
    'DynamoDB write units per analysis PutItem (states, ledger claims)': round(
      throughput.requests.units('write', { caller: 'analysis', operation: 'PutItem' }).aws /
        Math.max(1, throughput.requests.total({ caller: 'analysis', operation: 'PutItem' }).aws),
      2,
    ),
    ...Object.fromEntries(
      paced.flatMap(({ windowMs, run }) => [
        [`tick-to-alert p50 (ms), window ${windowMs} ms, ${pacedBurst}`, round(run.latency!.p50Ms, 0)],
        [`tick-to-alert p99 (ms), window ${windowMs} ms, ${pacedBurst}`, round(run.latency!.p99Ms, 0)],
      ]),
    ),
    [`tick-to-alert p50 (ms), window 0 ms, ${smallBurst}`]: round(smallBursts.latency.p50Ms, 0),
    [`tick-to-alert p99 (ms), window 0 ms, ${smallBurst}`]: round(smallBursts.latency.p99Ms, 0),
    'stockpipe --help (s)': round(helpSeconds, 2),
    'node -e 0 (s)': round(nodeSeconds, 2),
    'stockpipe --help / node -e 0': round(helpSeconds / nodeSeconds, 1),
  };
  const markdown = `
| figure | value |
|---|---|
${Object.entries(figures)
  .map(([name, value]) => `| ${name} | ${value} |`)
  .join('\n')}

Requests of the throughput run (${ticks.toLocaleString('en-US')} ticks), counted by a middleware on the functions' SDK clients:

${requestTable(throughput.requests, ticks)}

The same at batch size ${PREVIOUS.batchSize} (${largeTicks.toLocaleString('en-US')} ticks):

${requestTable(large.requests, largeTicks)}

- Throughput: ${ticks.toLocaleString('en-US')} synthetic ticks (${sizes.symbols} symbols x ${sizes.samples} samples) written
  unthrottled and drained in ${round(throughput.seconds)} s (${round(large.seconds)} s at batch size ${PREVIOUS.batchSize},
  ${round(oneShard.seconds)} s on ${ONE_SHARD.shards} shard);
  ${throughput.counters.alerts} alerts. The emulators run in a worker thread of their own, the functions and their SDK
  clients in the main thread, so two cores work; in AWS each function and the services scale apart.
- S3 PUTs: one raw object per batch and trading day, every symbol in it, so the figure is about 1,000 / batch size
  whatever the number of symbols (unthrottled runs fill their batches; a paced run's batches hold what arrived in the window).
- DynamoDB: processing reads the stored ticks of its batch (BatchGetItem) and writes one BatchWriteItem per round
  (a symbol's ticks go one round after another); analysis reads the indicator states (one BatchGetItem per batch), the
  price history it needs and writes states back; the alert ledger only when there is an alert. "Local-only" are the
  reads the local DynamoDB stream capture makes to know what a write replaced: AWS's stream costs no request.
- Latency: ${paced[0]!.run.counters.produced.toLocaleString('en-US')} ticks paced at ${pacedRate} ticks/s (${pacedBurst}: the producer
  puts a sample of every symbol at once), ${paced[0]!.run.latency!.count} alerts; from the producer's PutRecords to the
  alert in the outbox; with the batching window at 0 (the pipeline's own latency) and at the stack's
  ${STREAM_MAPPING_DEFAULTS.batchingWindowSeconds} s. The same rate in smaller bursts (${smallBurst}, window 0;
  ${smallBursts.latency.count} alerts) shows what the burst costs: every tick of a burst waits for the requests of the others.
- What bounds the figures now: throughput, the two cores. In a CPU profile of the run both threads are about
  three-quarters busy: the main thread mostly in the SDK's per-request work (serialising, signing, HTTP: about a third
  of its time) and garbage collection, the emulators' thread in dynalite (its expression parser, number arithmetic and
  leveldb). So the number of shards changes little and the number of requests per tick does: the analysis function
  makes a Query of the price history and a conditional PutItem of the state per symbol and invocation; at batch size
  ${PREVIOUS.batchSize} and ${sizes.symbols} symbols a batch holds about one tick per symbol (processing writes a
  symbol's ticks one round after another), at ${BATCH_SIZE} several;
  S3 PUTs, the batch size (one object per full batch); latency at window 0, the requests between a tick and its alert
  (processing's reads, its S3 PUT and rounds of writes, the stream capture, analysis's history read and state save,
  the ledger and the outbox) queued behind those of the other symbols of its burst (two requests per symbol in the
  analysis alone) in the main thread and in dynalite, the Kinesis mapping being nudged by
  the local producer after each PutRecords (AWS polls a shard about once a second); at the stack's window, the window
  itself, on both mappings.
- CLI: wall time of \`node bin/stockpipe.cjs --help\` and of \`node -e 0\`, median of 5 runs each.
- Settings: ${SHARDS} shards, batch size ${BATCH_SIZE}, batching window ${localWindow} ms for the throughput and PUT runs, max retries 3.
`;
  return { title: 'Local pipeline: throughput, requests per tick, latency, CLI start', markdown, figures };
};

export default bench;
