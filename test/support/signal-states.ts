/** An indicator state at its bounds: every list as long as the analysis lets it grow. */
import { MAX_CHECKPOINTS, MAX_RECENT_TIMESTAMPS } from '../../src/analysis/analyse-batch';
import type { SymbolAnalysisState } from '../../src/core/ports';
import { LONG_WINDOW } from '../../src/core/signals';

/** The i-th tick time of a 30-second cadence, with milliseconds that differ from tick to tick. */
export const tickTime = (i: number) => new Date(Date.UTC(2024, 4, 6, 13, 30) + i * 30_000 + ((i * 337) % 1000)).toISOString();

export const fullSignalState = (symbol: string): SymbolAnalysisState => ({
  state: {
    symbol,
    lastTimestamp: tickTime(99),
    prices: Array.from({ length: LONG_WINDOW }, (_, i) => 101.5 + ((i * 7) % 13) / 8),
    relation: -1,
  },
  recentTimestamps: Array.from({ length: MAX_RECENT_TIMESTAMPS }, (_, i) => tickTime(100 - MAX_RECENT_TIMESTAMPS + i)),
  checkpoints: Array.from({ length: MAX_CHECKPOINTS }, (_, i) => ({
    through: tickTime(100 - MAX_CHECKPOINTS + i),
    readAt: Date.parse(tickTime(100 - MAX_CHECKPOINTS + i)) + 1_234 + i,
  })),
  skipped: { '2024-05-06': { late: 3, duplicate: 1 } },
});
