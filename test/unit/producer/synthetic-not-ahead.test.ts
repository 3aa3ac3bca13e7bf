import type { Tick } from '../../../src/core/tick';
import { runProducer } from '../../../src/producer/produce';
import { SyntheticSource } from '../../../src/producer/synthetic-source';

describe('the synthetic source never stamps a tick ahead of the clock', () => {
  it.each([30, 20, 15, 60])(
    'as the producer function runs it (start at the current slot), with a %i s cadence',
    async (cadenceSeconds) => {
      const cadenceMs = cadenceSeconds * 1000;
      // The invocation comes some time into its slot; each fetch takes a while.
      for (const into of [0, 1, cadenceMs - 1, 7_321]) {
        let clock = Date.parse('2026-03-02T14:30:00.000Z') + into;
        const source = new SyntheticSource({ cadenceSeconds, start: new Date(Math.floor(clock / cadenceMs) * cadenceMs) });
        const aheadBy: number[] = [];
        await runProducer({
          source,
          sink: {
            put: async (ticks: readonly Tick[]) => {
              for (const t of ticks) aheadBy.push(Date.parse(t.timestamp) - clock);
            },
          },
          symbols: ['AAPL', 'MSFT'],
          samples: 60 / cadenceSeconds,
          cadenceMs,
          now: () => clock,
          sleep: async (ms) => void (clock += ms),
        });
        expect(aheadBy).toHaveLength((60 / cadenceSeconds) * 2);
        expect(Math.max(...aheadBy)).toBeLessThanOrEqual(0);
      }
    },
  );

  it('starts in the past by default (2024-01-02T14:30:00Z)', async () => {
    const [tick] = await new SyntheticSource().sample(['AAPL']);
    expect(tick!.timestamp).toBe('2024-01-02T14:30:00.000Z');
    expect(Date.parse(tick!.timestamp)).toBeLessThan(Date.now());
  });
});
