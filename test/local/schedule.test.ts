import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPipeline } from '../../src/local/runtime';
import { EVERY_MINUTE, LocalSchedule, ScaledClock, ScheduleStateFile } from '../../src/local/schedule/schedule';
import { SyntheticSource } from '../../src/producer/synthetic-source';
import { cli } from '../cli/helpers';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stockpipe-schedule-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('local schedule', () => {
  it('fires once per minute of its clock: 1200x real time fires every 50 ms', async () => {
    const state = new ScheduleStateFile(join(dir, 'schedule.json'));
    const clock = new ScaledClock(1200);
    const fires: number[] = [];
    const schedule = new LocalSchedule({ state, clock, invoke: async () => void fires.push(clock.now()) });
    schedule.start();
    await wait(560);
    await schedule.stop();
    // 560 ms are 11.2 minutes of the clock: at most 12 fires (a slow machine may miss some, never add).
    expect(fires.length).toBeGreaterThanOrEqual(5);
    expect(fires.length).toBeLessThanOrEqual(12);
    const minutes = fires.map((t) => Math.floor(t / 60_000));
    expect(new Set(minutes).size).toBe(fires.length);
    expect(schedule.stats).toMatchObject({ invocations: fires.length, skippedDisabled: 0, failures: 0 });
  });

  it('reads the enabled state on every fire: disabled fires invoke nothing and are counted', async () => {
    const state = new ScheduleStateFile(join(dir, 'schedule.json'));
    state.write(false);
    let calls = 0;
    const schedule = new LocalSchedule({ state, clock: new ScaledClock(1200), invoke: async () => void calls++ });
    schedule.start();
    await wait(300);
    expect(calls).toBe(0);
    expect(schedule.stats.skippedDisabled).toBeGreaterThanOrEqual(4);
    state.write(true);
    await wait(300);
    await schedule.stop();
    expect(calls).toBeGreaterThanOrEqual(4);
  });

  it('skips a fire while the previous invocation still runs, and stop() waits for it', async () => {
    const state = new ScheduleStateFile(join(dir, 'schedule.json'));
    let finished = 0;
    const schedule = new LocalSchedule({
      state,
      clock: new ScaledClock(1200),
      invoke: () => wait(200).then(() => void finished++),
    });
    schedule.start();
    await wait(330);
    await schedule.stop();
    expect(schedule.stats.invocations).toBe(finished);
    expect(schedule.stats.skippedBusy).toBeGreaterThanOrEqual(2);
  });

  it('names a damaged state file and how to repair it', () => {
    writeFileSync(join(dir, 'schedule.json'), '{"enabled":"yes"}');
    expect(() => new ScheduleStateFile(join(dir, 'schedule.json')).read()).toThrow(
      `${join(dir, 'schedule.json')} has no boolean "enabled"; run stockpipe schedule enable (or disable) to rewrite it`,
    );
  });

  it('computes the next fire on its own clock with the EventBridge rate(1 minute) pattern', () => {
    const clock = new ScaledClock(1, Date.parse('2024-01-02T14:30:10.500Z'));
    const schedule = new LocalSchedule({
      state: new ScheduleStateFile(join(dir, 's.json')),
      clock,
      pattern: EVERY_MINUTE,
      invoke: async () => undefined,
    });
    expect(schedule.nextFire()?.toISOString()).toBe('2024-01-02T14:31:00.000Z');
  });

  it('stops the producer of a running pipeline while the schedule is disabled, and resumes it when enabled', async () => {
    const pipeline = await startLocalPipeline({
      dataDir: dir,
      producer: { source: new SyntheticSource(), symbols: ['AAA', 'BBB'] },
      schedule: { speed: 1200 },
    });
    // As a user would, from another terminal: the CLI writes the state, the running schedule reads it.
    const schedule = (verb: 'enable' | 'disable') =>
      cli(['schedule', verb, ...(verb === 'disable' ? ['--yes'] : []), '--data-dir', dir]);
    try {
      await wait(400);
      expect(pipeline.counters().produced).toBeGreaterThan(0);
      expect(await schedule('disable')).toMatchObject({ code: 0, stderr: '' });
      await wait(120); // lets an invocation under way finish
      const paused = pipeline.counters().produced;
      const skipped = pipeline.schedule!.stats.skippedDisabled;
      await wait(400);
      expect(pipeline.counters().produced).toBe(paused);
      expect(pipeline.schedule!.stats.skippedDisabled).toBeGreaterThan(skipped);
      expect(await schedule('enable')).toMatchObject({ code: 0, stderr: '' });
      await wait(400);
      expect(pipeline.counters().produced).toBeGreaterThan(paused);
    } finally {
      await pipeline.stop();
    }
  });
});
