/**
 * `npm run chaos`: N rounds (default 20) of kill -9 at a random moment of a persisted run, then the
 * same command again, plus a full-disk round and a read-only-lake round; each compared with the
 * uninterrupted run of the same seed (harness.ts). Sizes: CHAOS_ROUNDS, CHAOS_SYMBOLS (20),
 * CHAOS_SAMPLES (500), CHAOS_SEED (1). Not part of `npm run bench` (it takes a while): run.ts
 * runs it only when asked (`--only chaos`).
 */
import { join } from 'node:path';
import type { BenchContext, BenchSection } from './bench-section';
import { mulberry32 } from '../src/producer/synthetic-source';
import {
  dirBytes,
  freshDir,
  fullDiskRound,
  inspect,
  isClean,
  killRound,
  readOnlyLakeRound,
  runArgs,
  runCli,
  soakRound,
  type SoakResult,
  type ChaosSize,
  type Comparison,
  type RoundResult,
} from './chaos/harness';

const envNumber = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}=${raw} must be a whole number of at least 0`);
  return n;
};

const problem = (r: RoundResult): boolean =>
  r.skipped === undefined && (!r.comparison || !isClean(r.comparison) || r.notes.some((n) => /CRASHED|NO summary/.test(n)));

export interface ChaosTotals {
  readonly ran: number;
  readonly clean: number;
  readonly ticksLost: number;
  readonly alertsMissing: number;
  readonly spurious: number;
  readonly duplicated: number;
  readonly pending: number;
  readonly skipped: readonly string[];
}

export function totals(rounds: readonly RoundResult[]): ChaosTotals {
  const ran = rounds.filter((r) => r.skipped === undefined);
  const sum = (f: (c: Comparison) => number) => ran.reduce((n, r) => n + (r.comparison ? f(r.comparison) : 0), 0);
  return {
    ran: ran.length,
    clean: ran.filter((r) => !problem(r)).length,
    ticksLost: sum((c) => c.ticksLost + c.ticksChanged + c.ticksExtra),
    alertsMissing: sum((c) => c.alertsMissing),
    spurious: sum((c) => c.spurious),
    duplicated: sum((c) => c.duplicated),
    pending: sum((c) => c.pending),
    skipped: rounds.filter((r) => r.skipped !== undefined).map((r) => `${r.name}: ${r.skipped}`),
  };
}

export const totalsLine = (t: ChaosTotals): string =>
  `chaos: ${t.clean}/${t.ran} rounds, ticks lost ${t.ticksLost}, alerts missing ${t.alertsMissing}, ` +
  `spurious ${t.spurious}, duplicated ${t.duplicated}, pending ${t.pending}`;

export interface ChaosPlan {
  readonly size: ChaosSize;
  readonly killRounds: number;
  readonly faultRounds: boolean;
  /** Ticks of the soak round (memory over a long run); 0 skips it. @default 0 */
  readonly soakTicks?: number;
}

/** Runs the plan; `log` gets a line per round. */
export async function runChaos(plan: ChaosPlan, workDir: string, log: (line: string) => void) {
  const { size } = plan;
  const random = mulberry32(size.seed * 7919 + 17);
  const baselineDir = freshDir(join(workDir, 'baseline'));
  const base = await runCli(runArgs(size, baselineDir));
  if (base.code !== 0) throw new Error(`the uninterrupted run exited ${base.code}: ${base.stderr.trim().slice(-400)}`);
  const baseline = await inspect(baselineDir);
  const baselineBytes = dirBytes(baselineDir);
  log(
    `baseline: ${baseline.ticks.size} ticks, ${baseline.alerts.length} alerts in ${(base.ms / 1000).toFixed(1)} s, ` +
      `${(baselineBytes / 2 ** 20).toFixed(1)} MiB on disk`,
  );
  const rounds: RoundResult[] = [];
  const record = (r: RoundResult, k: string) => {
    rounds.push(r);
    const c = r.comparison;
    log(
      `${k} ${r.name}: ` +
        (r.skipped
          ? `skipped (${r.skipped})`
          : `ticks lost ${c!.ticksLost}, changed ${c!.ticksChanged}, extra ${c!.ticksExtra}; alerts missing ${c!.alertsMissing}, ` +
            `spurious ${c!.spurious}, duplicated ${c!.duplicated}; pending ${c!.pending}; raw rows ${c!.rawRows}; ${r.notes.join('; ')}`),
    );
  };
  for (let k = 1; k <= plan.killRounds; k++) {
    const killAfter = Math.round(500 + random() * Math.max(1000, base.ms - 500));
    record(await killRound(size, freshDir(join(workDir, `kill-${k}`)), baseline, killAfter), `round ${k}/${plan.killRounds}`);
  }
  if (plan.faultRounds) {
    // A disk of 40% of what the run needs fills up partway through.
    record(await fullDiskRound(size, freshDir(join(workDir, 'disk')), baseline, baselineBytes * 0.4), 'fault');
    const afterMs = Math.round(base.ms * (0.2 + 0.5 * random()));
    record(await readOnlyLakeRound(size, freshDir(join(workDir, 'read-only')), baseline, afterMs), 'fault');
  }
  let soak: SoakResult | undefined;
  if (plan.soakTicks) {
    soak = await soakRound(plan.soakTicks, freshDir(join(workDir, 'soak')));
    log(
      `soak: ${soak.ticks} ticks in ${soak.seconds} s (${soak.ticksPerSecond}/s), RSS ${soak.rssStartMiB} MiB at start, ` +
        `${soak.rssEndMiB} MiB at the end (max ${soak.rssMaxMiB}), drained ${soak.drained}`,
    );
  }
  return { baseline, baselineMs: base.ms, rounds, totals: totals(rounds), soak };
}

export default async function chaos(context: BenchContext): Promise<BenchSection> {
  const size: ChaosSize = {
    symbols: envNumber('CHAOS_SYMBOLS', context.quick ? 10 : 20),
    samples: envNumber('CHAOS_SAMPLES', context.quick ? 200 : 500),
    seed: envNumber('CHAOS_SEED', 1),
  };
  const plan: ChaosPlan = {
    size,
    killRounds: envNumber('CHAOS_ROUNDS', context.quick ? 3 : 20),
    faultRounds: true,
    soakTicks: envNumber('CHAOS_SOAK_TICKS', context.quick ? 0 : 500_000),
  };
  const result = await runChaos(plan, context.workDir, context.log);
  const line = totalsLine(result.totals);
  context.log(line);
  const rows = result.rounds.map((r, i) => {
    const c = r.comparison;
    return r.skipped
      ? `| ${i + 1} | ${r.name} | skipped: ${r.skipped} | | | | | |`
      : `| ${i + 1} | ${r.name} | ${c!.ticksLost + c!.ticksChanged + c!.ticksExtra} | ${c!.alertsMissing} | ${c!.spurious} | ${c!.duplicated} | ${c!.pending} | ${r.notes.join('; ')} |`;
  });
  const markdown = [
    `\`${line}\``,
    '',
    `Each round: a persisted \`stockpipe run --source synthetic --symbols ${size.symbols} --samples ${size.samples} --seed ${size.seed} --until-drained --persist\` ` +
      `is hurt, then the same command runs again; the data dir is compared with an uninterrupted run of the same seed ` +
      `(${result.baseline.ticks.size} ticks, ${result.baseline.alerts.length} alerts, ${(result.baselineMs / 1000).toFixed(1)} s). ` +
      'Ticks: the price table, key and price. Alerts: the outbox, by symbol, time and side. Pending: ledger entries left PENDING.',
    '',
    '| round | fault | ticks lost or changed | alerts missing | spurious | duplicated | pending | what happened |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    ...(result.totals.skipped.length > 0 ? ['', `Skipped here: ${result.totals.skipped.join('; ')}.`] : []),
    ...(result.soak
      ? [
          '',
          `Soak: \`run --source synthetic --symbols 100 --persist\`, ${result.soak.ticks.toLocaleString('en-US')} ticks in ` +
            `${result.soak.seconds} s (${result.soak.ticksPerSecond} ticks/s); resident memory ${result.soak.rssStartMiB} MiB ` +
            `20 s in, ${result.soak.rssEndMiB} MiB at the end, ${result.soak.rssMaxMiB} MiB at most.`,
        ]
      : []),
  ].join('\n');
  const t = result.totals;
  if (t.clean < t.ran) process.exitCode = 1;
  if (process.env.CI === 'true' && t.skipped.length > 0) {
    process.exitCode = 1;
    context.log(`CI=true: rounds may not be skipped (${t.skipped.join('; ')})`);
  }
  return {
    title: 'Chaos: kill -9, a full disk and a read-only lake',
    markdown,
    figures: {
      ...(result.soak ? { soakRssStartMiB: result.soak.rssStartMiB, soakRssEndMiB: result.soak.rssEndMiB } : {}),
      rounds: `${t.clean}/${t.ran}`,
      ticksLost: t.ticksLost,
      alertsMissing: t.alertsMissing,
      spurious: t.spurious,
      duplicated: t.duplicated,
      pending: t.pending,
    },
  };
}
