#!/usr/bin/env node
/**
 * Completes package-lock.json with the platform-specific optional dependencies (other operating
 * systems and CPUs) that `npm install` could not record because the registry served to this project
 * does not carry every platform build of every version. Without these entries `npm ci` refuses the
 * lock ("Missing: <pkg>@ from lock file"). Each entry gets the os/cpu/libc of the package as the
 * registry publishes them, so npm skips it on other platforms without fetching anything.
 *
 * Run after any `npm install` that changes the lock: node scripts/lock-platform-optionals.mjs
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const packages = lock.packages;

const resolves = (from, name) => {
  // Node's lookup: from the dependent's folder up to the root.
  let dir = from;
  for (;;) {
    if (packages[`${dir ? `${dir}/` : ''}node_modules/${name}`]) return true;
    if (!dir) return false;
    const at = dir.lastIndexOf('node_modules/');
    dir = at <= 0 ? '' : dir.slice(0, at - 1);
  }
};

const missing = new Map();
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    if (!resolves(path, name)) missing.set(`node_modules/${name}`, { name, spec });
  }
}

for (const [path, { name, spec }] of missing) {
  if (packages[path]) continue;
  // The platform fields of the newest version the registry has: they do not change between versions.
  const meta = JSON.parse(execFileSync('npm', ['view', name, 'os', 'cpu', 'libc', '--json'], { encoding: 'utf8' }) || '{}');
  const fields = Array.isArray(meta) ? meta.at(-1) : meta;
  packages[path] = {
    version: spec.replace(/^[\^~=]/, ''),
    optional: true,
    ...(fields.os ? { os: [].concat(fields.os) } : {}),
    ...(fields.cpu ? { cpu: [].concat(fields.cpu) } : {}),
    ...(fields.libc ? { libc: [].concat(fields.libc) } : {}),
  };
  console.log(`added ${path}@${packages[path].version} (${[fields.os, fields.cpu, fields.libc].flat().filter(Boolean).join(', ')})`);
}

writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`${missing.size} platform-specific optional dependencies recorded`);
