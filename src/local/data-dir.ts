/**
 * The local runtime's data dir (`.stockpipe/` by default): everything the offline pipeline keeps
 * between commands lives under it, in one layout that every local component reads from here.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const DEFAULT_DATA_DIR = '.stockpipe';

export interface DataDirLayout {
  readonly root: string;
  /** The S3 stand-in's folder (`<lake>/<bucket>/<key>`): always on disk, so DuckDB can read it after a run. */
  readonly lake: string;
  /** Kinesis and DynamoDB stand-ins' files, only with --persist. */
  readonly emulators: string;
  /** Local SNS: one JSON line per published message, `alerts-<publish date>.jsonl`. */
  readonly outbox: string;
  /** Small JSON state files: schedule, stream checkpoints, the runtime lock, the last run. */
  readonly state: string;
  readonly logs: string;
  /** Step Functions execution histories (the workflow runner writes them). */
  readonly runs: string;
  /** The local Glue catalog (the workflow runner writes it). */
  readonly catalog: string;
}

export function dataDirLayout(dataDir: string = DEFAULT_DATA_DIR): DataDirLayout {
  const root = resolve(dataDir);
  return {
    root,
    lake: join(root, 'lake'),
    emulators: join(root, 'emulators'),
    outbox: join(root, 'outbox'),
    state: join(root, 'state'),
    logs: join(root, 'logs'),
    runs: join(root, 'runs'),
    catalog: join(root, 'catalog'),
  };
}

export const stateFile = (layout: DataDirLayout, name: string): string => join(layout.state, `${name}.json`);

/** The analysis's late/duplicate ticks and PENDING alerts, as they stood when the last run stopped. */
export const ANALYSIS_HEALTH_FILE = 'analysis-health';

/** Per symbol and day, the late and duplicate ticks of the last run (what its report reads after it). */
export const SKIPPED_TICKS_FILE = 'skipped-ticks';

/** The persisted local DynamoDB stream's journal (src/local/emulators/dynamodb-stream-journal.ts). */
export const streamJournalFile = (layout: DataDirLayout): string => join(layout.state, 'dynamodb-stream.journal.ndjson');

/** Reads a JSON state file; undefined when it does not exist. A corrupt file is an error naming it. */
export function readJsonFile<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`${path} is not valid JSON (${(e as Error).message}); delete it to start over`, { cause: e });
  }
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
export function writeJsonFile(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, path);
}

export function ensureDataDir(layout: DataDirLayout): void {
  for (const dir of [layout.root, layout.lake, layout.outbox, layout.state, layout.logs]) mkdirSync(dir, { recursive: true });
}

/** Empties the folders that hold one run's data (lake, outbox, emulator files); state and logs stay. */
export function resetRunData(layout: DataDirLayout): void {
  for (const dir of [layout.lake, layout.outbox, layout.emulators]) rmSync(dir, { recursive: true, force: true });
  rmSync(stateFile(layout, 'checkpoints'), { force: true });
  rmSync(stateFile(layout, 'dynamodb-stream-pending'), { force: true });
  rmSync(streamJournalFile(layout), { force: true });
  rmSync(stateFile(layout, ANALYSIS_HEALTH_FILE), { force: true });
  rmSync(stateFile(layout, SKIPPED_TICKS_FILE), { force: true });
  ensureDataDir(layout);
}
