/** The `--json` shapes of `stockpipe signals` and `stockpipe verify` (re-exported by ./types). */
import { z } from 'zod';

const isoTime = z.iso.datetime({ offset: true });

/** One crossover recomputed from the lake's ticks (`stockpipe signals --json` lists them, by symbol then time). */
export const SignalRowSchema = z.object({
  symbol: z.string(),
  side: z.enum(['BUY', 'SELL']),
  timestamp: isoTime,
  price: z.number(),
  sma5: z.number(),
  sma20: z.number(),
});
export type SignalRow = z.infer<typeof SignalRowSchema>;

export const SignalsResultSchema = z.array(SignalRowSchema);

/** An alert or a crossover as `stockpipe verify` compares them: symbol, side and market time. */
export const SignalEntrySchema = z.object({
  symbol: z.string(),
  side: z.enum(['BUY', 'SELL']),
  timestamp: isoTime,
});

/**
 * `stockpipe verify --json`: published alerts against the recomputed crossovers. missing: crossovers
 * that sent no alert; extra: alerts with no crossover; pending: alerts claimed but not confirmed sent
 * (not counted as sent, so their crossovers are missing too). Agreement: no missing and no extra.
 */
export const VerifyResultSchema = z.object({
  matched: z.number().int().nonnegative(),
  missing: z.array(SignalEntrySchema),
  extra: z.array(SignalEntrySchema),
  pending: z.array(SignalEntrySchema),
});
export type VerifyResult = z.infer<typeof VerifyResultSchema>;
