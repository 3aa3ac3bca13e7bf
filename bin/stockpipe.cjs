#!/usr/bin/env node
// Runs the compiled CLI: dist/stockpipe.cjs, which `npm ci` builds (the prepare script) and
// `npm run build` rebuilds from src/ (scripts/build-cli.mjs).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const compiled = join(__dirname, '..', 'dist', 'stockpipe.cjs');
if (!existsSync(compiled)) {
  process.stderr.write(`error: ${compiled} is missing: run npm run build (npm ci runs it too)\n`);
  process.exit(1);
}
// Stack traces (STOCKPIPE_DEBUG=1) name the TypeScript sources; reading the source map costs time, so only then.
if (process.env.STOCKPIPE_DEBUG) process.setSourceMapsEnabled(true);
require(compiled);
