#!/usr/bin/env node
/**
 * Builds the `stockpipe` binary: src/cli/main.ts and the project code it imports, bundled by esbuild
 * into one CommonJS file, dist/stockpipe.cjs, which bin/stockpipe.cjs runs. `npm ci` runs this
 * through the `prepare` script; run it yourself with `npm run build` after changing src/. It also
 * builds dist/emulators-worker.cjs, the entry of the thread the local runtime runs its emulators in.
 *
 * The packages stay outside the bundle and are loaded from node_modules as usual; the ESM-only ones
 * (@middy/core, croner, aws-local-stepfunctions, hyparquet-writer) through Node's require(esm), which
 * Node >= 20.19 has. The project's modules that the commands import with `await import()` stay lazy
 * in the bundle, so `stockpipe --help` does not load the AWS SDK, the emulators or DuckDB.
 *
 * The file is written whole and then renamed into place, so that a process starting the binary
 * meanwhile (a test run beside a build) never loads half of it.
 */
import { renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = fileURLToPath(new URL('../dist/stockpipe.cjs', import.meta.url));

const bundle = (entryPoint, out) =>
  build({
    absWorkingDir: root,
    entryPoints: [entryPoint],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: 'linked',
    write: false,
    logLevel: 'warning',
  });

// The CLI, and the entry of the emulators' worker thread (src/local/emulators/emulator-thread.ts).
const results = await Promise.all([
  bundle('src/cli/main.ts', outfile),
  bundle('src/local/emulators/emulators-worker.ts', fileURLToPath(new URL('../dist/emulators-worker.cjs', import.meta.url))),
]);

mkdirSync(dirname(outfile), { recursive: true });
for (const file of results.flatMap((r) => r.outputFiles)) {
  const partial = `${file.path}.${process.pid}.partial`;
  writeFileSync(partial, file.contents);
  renameSync(partial, file.path);
}
console.log(`built ${relative(process.cwd(), outfile) || outfile} and dist/emulators-worker.cjs`);
