/**
 * The contract between `bench/run.ts` and the benchmark modules: every `bench/*.bench.ts` file
 * default-exports a function that runs its benchmark and returns one section of docs/BENCHMARKS.md.
 */

export interface BenchContext {
  /** Progress lines (stderr); the runner prints the sections themselves. */
  readonly log: (line: string) => void;
  /** A scratch folder of this module's own, deleted after the run. */
  readonly workDir: string;
  /** `npm run bench -- --quick`: smaller sizes, for checking that a benchmark still runs. */
  readonly quick: boolean;
}

export interface BenchSection {
  /** Heading of the section (without #). */
  readonly title: string;
  /** Markdown body: a table of figures and a line on how they were measured. */
  readonly markdown: string;
  /** The headline figures, printed by the runner and kept machine-readable. */
  readonly figures: Readonly<Record<string, number | string>>;
}

export type BenchModule = (context: BenchContext) => Promise<BenchSection>;
