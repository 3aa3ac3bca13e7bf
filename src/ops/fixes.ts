/**
 * The operator's fixes for `dlq replay --fixes <file>`: the output of `dlq list --json` with the
 * `payload` of some messages corrected (a JSON array), or JSON lines of `{ "messageId", "payload" }`.
 * `payload` is the tick as a JSON object or as the JSON text. Entries without a change may stay in
 * the file: a payload equal to the stored one is no fix.
 */
import { UsageError } from './errors';

interface FixEntry {
  readonly messageId?: unknown;
  readonly payload?: unknown;
}

const entriesOf = (text: string, file: string): { entry: FixEntry; where: string }[] => {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      throw new UsageError(
        `${file} is not valid JSON (${(e as Error).message}); give the output of stockpipe dlq list --json, edited, or JSON lines`,
      );
    }
    return (parsed as FixEntry[]).map((entry, i) => ({ entry, where: `${file} entry ${i + 1}` }));
  }
  return trimmed
    .split('\n')
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter(({ line }) => line !== '')
    .map(({ line, n }) => {
      try {
        return { entry: JSON.parse(line) as FixEntry, where: `${file} line ${n}` };
      } catch (e) {
        throw new UsageError(`${file} line ${n} is not valid JSON (${(e as Error).message})`);
      }
    });
};

/** Message id -> replacement payload text. `stored` (id -> payload as listed) drops entries left unchanged. */
export function parseFixes(
  text: string,
  file = 'the fixes file',
  stored: ReadonlyMap<string, string | null> = new Map(),
): Map<string, string> {
  const fixes = new Map<string, string>();
  for (const { entry, where } of entriesOf(text, file)) {
    if (entry === null || typeof entry !== 'object') throw new UsageError(`${where} is not an object with messageId and payload`);
    if (typeof entry.messageId !== 'string' || entry.messageId === '') throw new UsageError(`${where}: messageId is missing`);
    if (entry.payload === undefined || entry.payload === null)
      throw new UsageError(`${where}: payload of ${entry.messageId} is missing`);
    const payload = typeof entry.payload === 'string' ? entry.payload : JSON.stringify(entry.payload);
    if (fixes.has(entry.messageId)) throw new UsageError(`${where}: message ${entry.messageId} is fixed twice`);
    if (stored.get(entry.messageId) === payload) continue;
    fixes.set(entry.messageId, payload);
  }
  return fixes;
}
