/**
 * Builds the `stockpipe` binary (scripts/build-cli.mjs) from src/ as it is now. What spawns the
 * binary builds it first (the tests through jest's globalSetup, the chaos benchmark, the
 * rehearsal), so that an edit of src/ is never tested against the output of an older build.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const BUILD_SCRIPT = join(__dirname, '..', 'scripts', 'build-cli.mjs');

export function buildCli(): void {
  execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export default buildCli;
