/**
 * What a tick's `volume` means depends on where the tick came from, and so does the day's volume:
 * - `day-cumulative`: the shares traded so far that day (Yahoo's `regularMarketVolume`); every poll
 *   repeats what the earlier ones counted, so the day's volume is that of the day's last tick.
 * - `per-bar`: the shares traded in the tick's own bar (a CSV row, a replayed daily row, a synthetic
 *   step); the day's volume is the sum over the day's ticks.
 * Keyed by the tick's `source`. A source not in the table (a record put by hand, `source: "cli"`) is
 * read per bar, the meaning of a volume that stands alone.
 */
import type { QuoteSourceName } from './ports-quotes';

export type VolumeMeaning = 'day-cumulative' | 'per-bar';

export const VOLUME_MEANING: Readonly<Record<QuoteSourceName, VolumeMeaning>> = {
  yahoo: 'day-cumulative',
  replay: 'per-bar',
  csv: 'per-bar',
  synthetic: 'per-bar',
};

export const DEFAULT_VOLUME_MEANING: VolumeMeaning = 'per-bar';

export const volumeMeaning = (source: string): VolumeMeaning =>
  Object.prototype.hasOwnProperty.call(VOLUME_MEANING, source)
    ? VOLUME_MEANING[source as QuoteSourceName]
    : DEFAULT_VOLUME_MEANING;

/** The sources whose volume is cumulative for the day, sorted (the report's SQL lists them). */
export const dayCumulativeSources = (): string[] =>
  (Object.keys(VOLUME_MEANING) as QuoteSourceName[]).filter((s) => VOLUME_MEANING[s] === 'day-cumulative').sort();
