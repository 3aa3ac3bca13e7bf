/**
 * The local EventBridge rule wired to the producer function. The schedule invokes the producer's own
 * factory (free of Powertools, see src/producer/produce-sample.ts); its waits between samples run on
 * the scaled clock, and a stop cuts the wait and ends the invocation.
 */
import { StockpipeError } from '../../core/errors';
import { makeProducerHandler, type ProducerDeps } from '../../producer/produce-sample';
import { LocalSchedule, ScaledClock, ScheduleStateFile } from './schedule';
import type { Sleeper } from './sleeper';

/** Thrown out of a producer's wait when the pipeline stops; not an error of the producer. */
export class StopRequested extends StockpipeError {
  override readonly name = 'StopRequested';
}

/** A sleep that the pipeline's stop cuts short: the sleeper wakes, and the caller ends with StopRequested. */
export const stoppableSleep =
  (stopping: Sleeper, isStopped: () => boolean, realMs: (ms: number) => number = (ms) => ms) =>
  async (ms: number): Promise<void> => {
    await stopping.sleep(realMs(ms));
    if (isStopped()) throw new StopRequested('the pipeline is stopping');
  };

export interface ProducerScheduleOptions {
  readonly producer: Pick<ProducerDeps, 'source' | 'sink' | 'symbols' | 'cadenceSeconds' | 'invalidRecords'>;
  /** Market time per real time (1: real time). */
  readonly speed: number;
  /** @default EVERY_MINUTE */
  readonly pattern?: string;
  /** The rule's enabled/disabled state file. */
  readonly stateFile: string;
  readonly stopping: Sleeper;
  readonly isStopped: () => boolean;
  /** A failed invocation; a stop is not one. */
  readonly onError: (error: unknown) => void;
}

export function startProducerSchedule(options: ProducerScheduleOptions): LocalSchedule {
  const clock = new ScaledClock(options.speed);
  const invoke = makeProducerHandler({
    ...options.producer,
    now: () => clock.now(),
    sleep: stoppableSleep(options.stopping, options.isStopped, (ms) => clock.realMs(ms)),
  });
  const schedule = new LocalSchedule({
    state: new ScheduleStateFile(options.stateFile),
    clock,
    ...(options.pattern ? { pattern: options.pattern } : {}),
    invoke: async () => {
      await invoke();
    },
    onError: (error) => {
      if (!(error instanceof StopRequested)) options.onError(error);
    },
  });
  schedule.start();
  return schedule;
}
