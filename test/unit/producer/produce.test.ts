import type { Tick } from '../../../src/core/tick';
import { runProducer, samplesPerInvocation } from '../../../src/producer/produce';
import { QuoteSourceError, type QuoteSource } from '../../../src/core/ports-quotes';
import { ReplaySource } from '../../../src/producer/replay-source';
import { SyntheticSource } from '../../../src/producer/synthetic-source';

/** A clock that only moves when the code under test sleeps or a sample takes time. */
const fakeClock = () => {
  let t = 1_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
};

const memorySink = () => {
  const puts: Tick[][] = [];
  return { puts, put: async (ticks: readonly Tick[]) => void puts.push([...ticks]) };
};

describe('samplesPerInvocation', () => {
  it('takes 60/cadence samples per once-a-minute invocation', () => {
    expect(samplesPerInvocation(30)).toBe(2);
    expect(samplesPerInvocation(60)).toBe(1);
    expect(samplesPerInvocation(15)).toBe(4);
    expect(samplesPerInvocation(1)).toBe(60);
  });

  it.each([0, -30, 7, 90])('refuses a cadence of %p seconds', (cadence) => {
    expect(() => samplesPerInvocation(cadence)).toThrow(`cadence ${cadence} s must be a positive divisor of 60`);
  });
});

describe('runProducer', () => {
  it('takes the samples a cadence apart, at a fixed rate, and writes each sample once', async () => {
    const clock = fakeClock();
    const sampledAt: number[] = [];
    const synthetic = new SyntheticSource({ seed: 3 });
    const source: QuoteSource = {
      name: 'synthetic',
      sample: async (symbols) => {
        sampledAt.push(clock.now());
        clock.advance(200); // the fetch takes 200 ms
        return synthetic.sample(symbols);
      },
    };
    const sink = memorySink();
    const result = await runProducer({
      source,
      sink,
      symbols: ['SYN000', 'SYN001'],
      samples: 3,
      cadenceMs: 30_000,
      sleep: clock.sleep,
      now: clock.now,
    });
    expect(result).toEqual({ samples: 3, ticks: 6, exhausted: false });
    expect(sampledAt).toEqual([1_000, 31_000, 61_000]);
    expect(clock.sleeps).toEqual([29_800, 29_800]);
    expect(sink.puts.map((p) => p.map((t) => t.symbol))).toEqual([
      ['SYN000', 'SYN001'],
      ['SYN000', 'SYN001'],
      ['SYN000', 'SYN001'],
    ]);
  });

  it('writes nothing of a sample whose fetch fails and lets the error out; earlier samples stay written', async () => {
    const clock = fakeClock();
    const synthetic = new SyntheticSource();
    let calls = 0;
    const source: QuoteSource = {
      name: 'yahoo',
      sample: async (symbols) => {
        calls += 1;
        if (calls === 2) throw new QuoteSourceError('yahoo', 'rate-limited', 'yahoo is rate-limiting this client');
        return synthetic.sample(symbols);
      },
    };
    const sink = memorySink();
    await expect(
      runProducer({ source, sink, symbols: ['SYN000'], samples: 3, cadenceMs: 30_000, sleep: clock.sleep, now: clock.now }),
    ).rejects.toThrow('yahoo is rate-limiting this client');
    expect(calls).toBe(2);
    expect(sink.puts).toHaveLength(1);
  });

  it('lets a sink failure out and takes no further sample', async () => {
    const clock = fakeClock();
    const source = new SyntheticSource();
    const sample = jest.spyOn(source, 'sample');
    const sink = { put: jest.fn(async () => Promise.reject(new Error('stream is gone'))) };
    await expect(
      runProducer({ source, sink, symbols: ['SYN000'], samples: 2, cadenceMs: 1_000, sleep: clock.sleep, now: clock.now }),
    ).rejects.toThrow('stream is gone');
    expect(sample).toHaveBeenCalledTimes(1);
    expect(sink.put).toHaveBeenCalledTimes(1);
  });

  it('stops when a replay is exhausted, without sleeping after the last sample', async () => {
    const clock = fakeClock();
    const source = ReplaySource.fromCsv('symbol,date,price\nA,2000-01-03,1\nB,2000-01-03,2\nA,2000-01-04,3\n');
    const sink = memorySink();
    const result = await runProducer({
      source,
      sink,
      symbols: ['A', 'B'],
      samples: 10,
      cadenceMs: 5_000,
      sleep: clock.sleep,
      now: clock.now,
    });
    expect(result).toEqual({ samples: 2, ticks: 3, exhausted: true });
    expect(clock.sleeps).toEqual([5_000]);
    expect(sink.puts.map((p) => p.length)).toEqual([2, 1]);
  });

  it('does not call the sink for an empty sample', async () => {
    const clock = fakeClock();
    const source: QuoteSource = { name: 'replay', sample: async () => [] };
    const sink = memorySink();
    const result = await runProducer({
      source,
      sink,
      symbols: ['A'],
      samples: 2,
      cadenceMs: 0,
      sleep: clock.sleep,
      now: clock.now,
    });
    expect(result).toEqual({ samples: 2, ticks: 0, exhausted: false });
    expect(sink.puts).toHaveLength(0);
  });

  it('reports progress after each written sample', async () => {
    const clock = fakeClock();
    const progress: unknown[] = [];
    await runProducer({
      source: new SyntheticSource(),
      sink: memorySink(),
      symbols: ['SYN000', 'SYN001', 'SYN002'],
      samples: 2,
      cadenceMs: 10,
      sleep: clock.sleep,
      now: clock.now,
      onSample: (s) => progress.push(s),
    });
    expect(progress).toEqual([
      { index: 0, ticks: 3 },
      { index: 1, ticks: 3 },
    ]);
  });

  it('refuses impossible runs before sampling', async () => {
    const base = { source: new SyntheticSource(), sink: memorySink(), symbols: ['SYN000'], samples: 1, cadenceMs: 0 };
    await expect(runProducer({ ...base, samples: 0 })).rejects.toThrow('samples 0 must be a whole number of at least 1');
    await expect(runProducer({ ...base, cadenceMs: -1 })).rejects.toThrow('cadenceMs -1 must be a number of at least 0');
    await expect(runProducer({ ...base, symbols: [] })).rejects.toThrow('symbols must list at least one symbol');
  });
});
