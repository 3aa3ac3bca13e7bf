/** Lays the hand-checked lake of test/fixtures/lake out as s3rver stores objects, for DuckDB to read. */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { localObjectPath } from '../../src/adapters/local/lake-files';

export const FIXTURE_LAKE = join(__dirname, '..', 'fixtures', 'lake');
export const FIXTURE_BUCKET = 'fixture-lake';

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });

/** A fresh s3rver-like folder holding the fixture's raw objects; returns its path. */
export function fixtureS3Dir(): string {
  const s3Dir = mkdtempSync(join(tmpdir(), 'stockpipe-fixture-s3-'));
  for (const file of filesUnder(join(FIXTURE_LAKE, 'raw'))) {
    const key = relative(FIXTURE_LAKE, file).split('\\').join('/');
    const target = localObjectPath(s3Dir, FIXTURE_BUCKET, key);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(file, target);
  }
  return s3Dir;
}
