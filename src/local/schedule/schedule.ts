/**
 * The local stand-in for the EventBridge rule that runs the producer: a cron pattern (croner) on a
 * clock that may run faster than real time, so `stockpipe start --speed 360` replays a minute of
 * market time every 1/6 s with the very same rule and producer as in AWS.
 *
 * The rule's enabled/disabled state lives in `<data-dir>/state/schedule.json` and is read on every
 * fire, so `stockpipe schedule disable` in another terminal pauses a running pipeline; while the
 * rule is disabled its fires are skipped and counted. A fire that comes while the previous
 * invocation still runs is skipped too (the producer's samples of one source must not interleave).
 */
import { Cron } from 'croner';
import { readJsonFile, writeJsonFile } from '../data-dir';
import { Sleeper } from './sleeper';

/** EventBridge's rate(1 minute) as a 6-part cron pattern: second 0 of every minute. */
export const EVERY_MINUTE = '0 * * * * *';

export interface ScheduleState {
  readonly enabled: boolean;
  readonly updatedAt: string;
}

/** The rule's persisted state; a data dir without the file has the rule enabled, as the stack's default. */
export class ScheduleStateFile {
  constructor(readonly path: string) {}

  read(): ScheduleState {
    const state = readJsonFile<Partial<ScheduleState>>(this.path);
    if (state === undefined) return { enabled: true, updatedAt: new Date(0).toISOString() };
    if (typeof state.enabled !== 'boolean') {
      throw new Error(`${this.path} has no boolean "enabled"; run stockpipe schedule enable (or disable) to rewrite it`);
    }
    return { enabled: state.enabled, updatedAt: state.updatedAt ?? new Date(0).toISOString() };
  }

  write(enabled: boolean, now: Date = new Date()): ScheduleState {
    const state = { enabled, updatedAt: now.toISOString() };
    writeJsonFile(this.path, state);
    return state;
  }
}

/** Real time scaled by `speed`: the local market clock. */
export class ScaledClock {
  private readonly realStart = Date.now();

  constructor(
    readonly speed: number,
    private readonly virtualStart: number = Date.now(),
  ) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`clock speed ${speed} must be a positive number`);
  }

  now(): number {
    return this.virtualStart + (Date.now() - this.realStart) * this.speed;
  }

  /** Real milliseconds that `virtualMs` of this clock take. */
  realMs(virtualMs: number): number {
    return virtualMs / this.speed;
  }
}

export interface LocalScheduleOptions {
  readonly state: ScheduleStateFile;
  /** The rule's target: one producer invocation. */
  readonly invoke: () => Promise<void>;
  /** @default EVERY_MINUTE */
  readonly pattern?: string;
  /** @default a real-time clock */
  readonly clock?: ScaledClock;
  readonly onError?: (error: unknown) => void;
}

export interface ScheduleStats {
  fires: number;
  invocations: number;
  skippedDisabled: number;
  skippedBusy: number;
  failures: number;
}

export class LocalSchedule {
  readonly stats: ScheduleStats = { fires: 0, invocations: 0, skippedDisabled: 0, skippedBusy: 0, failures: 0 };
  private readonly cron: Cron;
  private readonly clock: ScaledClock;
  private readonly sleeper = new Sleeper();
  private stopped = false;
  private loop: Promise<void> | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: LocalScheduleOptions) {
    // Paused: croner only computes the fire times, on the scaled clock; the loop below keeps time.
    this.cron = new Cron(options.pattern ?? EVERY_MINUTE, { paused: true, timezone: 'Etc/UTC' });
    this.clock = options.clock ?? new ScaledClock(1);
  }

  /** When the rule fires next, on the schedule's clock (null if the pattern never fires again). */
  nextFire(): Date | null {
    return this.cron.nextRun(new Date(this.clock.now()));
  }

  start(): void {
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    let next = this.nextFire();
    while (next && !this.stopped) {
      // A timer may wake a little early: sleep again rather than fire before the minute.
      const wait = this.clock.realMs(next.getTime() - this.clock.now());
      if (wait > 0) {
        await this.sleeper.sleep(Math.max(1, wait));
        continue;
      }
      this.fire();
      // Fires missed while the process was busy are not made up, as EventBridge does not.
      next = this.cron.nextRun(new Date(Math.max(this.clock.now(), next.getTime())));
    }
  }

  private fire(): void {
    this.stats.fires++;
    let enabled: boolean;
    try {
      enabled = this.options.state.read().enabled;
    } catch (error) {
      this.stats.failures++;
      this.options.onError?.(error);
      return;
    }
    if (!enabled) {
      this.stats.skippedDisabled++;
      return;
    }
    if (this.running) {
      this.stats.skippedBusy++;
      return;
    }
    this.stats.invocations++;
    this.running = this.options
      .invoke()
      .catch((error: unknown) => {
        this.stats.failures++;
        this.options.onError?.(error);
      })
      .finally(() => {
        this.running = undefined;
      });
  }

  /** No further fires; waits for an invocation under way to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.sleeper.wakeAll();
    this.cron.stop();
    await this.loop;
    await this.running;
  }
}
