/**
 * `npm run bench`: runs every `bench/*.bench.ts` module (see bench-section.ts for the contract), prints
 * each section and writes docs/BENCHMARKS.md. `-- --only <name>` runs one module (e.g. `pipeline`)
 * and replaces only its section; `-- --quick` uses smaller sizes and writes nothing.
 */
import '../src/cli/quiet-runtime';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchModule, BenchSection } from './bench-section';

const BENCH_DIR = __dirname;
const DOC = join(BENCH_DIR, '..', 'docs', 'BENCHMARKS.md');
const SUFFIX = '.bench.ts';

const begin = (name: string) => `<!-- bench:${name} -->`;
const end = (name: string) => `<!-- /bench:${name} -->`;

interface Args {
  readonly only: string | undefined;
  readonly quick: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? argv[onlyAt + 1] : undefined;
  if (onlyAt >= 0 && !only) throw new Error('--only needs a module name, e.g. --only pipeline');
  return { only, quick: argv.includes('--quick') };
}

const machine = (): string => {
  const cpu = cpus();
  // The load average says how much else ran on the machine while it was measured.
  return `Node ${process.version} on ${process.platform}/${process.arch}, ${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, load average ${loadavg()[0]!.toFixed(1)} when it ended`;
};

const renderSection = (name: string, section: BenchSection): string =>
  `${begin(name)}\n## ${section.title}\n\n${section.markdown.trim()}\n\n_Measured ${new Date().toISOString().slice(0, 10)}: ${machine()}._\n${end(name)}`;

const HEADER = `# Benchmarks

Measured with \`npm run bench\` on the local runtime (in-process emulators, no network). Each section
comes from one \`bench/*.bench.ts\` module and is rewritten when that module runs again. Figures are
those of one laptop-class machine: compare them with each other, not with AWS.
`;

/** Keeps the sections of the existing document that were not run this time, in their order. */
function mergeDocument(existing: string, rendered: Map<string, string>): string {
  const sections = new Map<string, string>();
  const pattern = /<!-- bench:([\w-]+) -->[\s\S]*?<!-- \/bench:\1 -->/g;
  for (const match of existing.matchAll(pattern)) sections.set(match[1]!, match[0]);
  for (const [name, text] of rendered) sections.set(name, text);
  return `${HEADER}\n${[...sections.values()].join('\n\n')}\n`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const names = readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith(SUFFIX))
    .map((f) => f.slice(0, -SUFFIX.length))
    .sort();
  // Opt-in modules run only when named: the chaos rounds take tens of minutes (`npm run chaos`).
  const OPT_IN = new Set(['chaos']);
  const selected = args.only ? names.filter((n) => n === args.only) : names.filter((n) => !OPT_IN.has(n));
  if (selected.length === 0) {
    throw new Error(
      args.only ? `no bench/${args.only}${SUFFIX}; available: ${names.join(', ')}` : 'no bench/*.bench.ts module found',
    );
  }

  const rendered = new Map<string, string>();
  for (const name of selected) {
    const workDir = mkdtempSync(join(tmpdir(), `stockpipe-bench-${name}-`));
    process.stderr.write(`bench ${name}: running${args.quick ? ' (quick)' : ''}...\n`);
    try {
      const loaded = (await import(join(BENCH_DIR, `${name}${SUFFIX}`))) as { default?: BenchModule };
      if (typeof loaded.default !== 'function') throw new Error(`bench/${name}${SUFFIX} has no default-exported bench function`);
      const section = await loaded.default({
        log: (line) => process.stderr.write(`  ${name}: ${line}\n`),
        workDir,
        quick: args.quick,
      });
      rendered.set(name, renderSection(name, section));
      process.stdout.write(`\n## ${section.title}\n`);
      for (const [figure, value] of Object.entries(section.figures)) process.stdout.write(`  ${figure}: ${value}\n`);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }

  if (args.quick) {
    process.stderr.write('quick run: docs/BENCHMARKS.md left as it was\n');
    return;
  }
  const existing = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '';
  writeFileSync(DOC, mergeDocument(existing, rendered));
  process.stderr.write(`wrote ${DOC}\n`);
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
