/**
 * The folder of stockpipe's package.json, where data/, statemachines/ and src/dashboard/page are.
 * It is found by walking up from this module rather than by a fixed number of `..`, since the same
 * code runs from src/shared (tsx, jest) and from dist/ (the CLI's bundle, where every module's
 * __dirname is dist/). Outside the package (a Lambda bundle, which ships none of those files) it is
 * the working directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'stockpipe';

let found: string | undefined;

export function packageRoot(): string {
  if (found !== undefined) return found;
  // An ESM bundle has no __dirname.
  let dir = typeof __dirname === 'string' ? __dirname : process.cwd();
  for (;;) {
    if (isStockpipePackage(join(dir, 'package.json'))) return (found = dir);
    const parent = dirname(dir);
    if (parent === dir) return (found = process.cwd());
    dir = parent;
  }
}

function isStockpipePackage(manifest: string): boolean {
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}
