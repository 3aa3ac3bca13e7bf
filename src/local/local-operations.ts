/**
 * The operating commands on the local target: the schedule's state file and the outbox of the data
 * dir. They work whether or not a pipeline is running; a running one picks up a schedule change at
 * its next fire.
 */
import { Cron } from 'croner';
import { readOutbox } from '../adapters/local/outbox-notifier';
import type { AlertFilter, AlertRow, CliOperations, RuleName, ScheduleChange, ScheduleStatus } from '../cli/operations';
import { CliError } from '../cli/output';
import { RESOURCE } from '../shared/names';
import { stateFile, type DataDirLayout } from './data-dir';
import { runningPipeline } from './runtime-lock';
import { ScheduleStateFile } from './schedule';

/** The stack's ingest rule; the local schedule plays it with croner. */
const INGEST_EXPRESSION = 'rate(1 minute)';

export class LocalOperations implements CliOperations {
  readonly target = 'local' as const;
  private readonly state: ScheduleStateFile;

  constructor(
    private readonly layout: DataDirLayout,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.state = new ScheduleStateFile(stateFile(layout, 'schedule'));
  }

  get where(): string {
    return this.layout.root;
  }

  private checkRule(rule: RuleName): void {
    if (rule !== 'ingest') {
      throw new CliError(`the local runtime has no ${rule} schedule (locally the workflows run on demand); use --rule ingest`, 2);
    }
  }

  /** When a running pipeline's schedule fires next: exact at real-time speed, a bound when accelerated. */
  private nextTrigger(enabled: boolean): { at: string | null; approximate: boolean } {
    const running = runningPipeline(this.layout);
    if (!enabled || !running?.schedule) return { at: null, approximate: false };
    const { speed, pattern } = running.schedule;
    if (speed === 1) {
      const job = new Cron(pattern, { paused: true, timezone: 'Etc/UTC' });
      const at = job.nextRun(this.now());
      job.stop();
      return { at: at?.toISOString() ?? null, approximate: false };
    }
    return { at: new Date(this.now().getTime() + 60_000 / speed).toISOString(), approximate: true };
  }

  async scheduleStatus(rule: RuleName): Promise<ScheduleStatus> {
    this.checkRule(rule);
    const { enabled } = this.state.read();
    const next = this.nextTrigger(enabled);
    return {
      rule,
      name: RESOURCE.scheduleRule,
      state: enabled ? 'ENABLED' : 'DISABLED',
      expression: INGEST_EXPRESSION,
      nextTrigger: next.at,
      nextTriggerApproximate: next.approximate,
    };
  }

  async setSchedule(rule: RuleName, enabled: boolean): Promise<ScheduleChange> {
    const before = await this.scheduleStatus(rule);
    const target = enabled ? 'ENABLED' : 'DISABLED';
    if (before.state === target) return { ...before, previousState: before.state, changed: false };
    this.state.write(enabled, this.now());
    return { ...(await this.scheduleStatus(rule)), previousState: before.state, changed: true };
  }

  /** The newest `limit` (default 1000) alerts of the outbox, in time order. */
  async listAlerts(filter: AlertFilter = {}): Promise<AlertRow[]> {
    const messages = readOutbox(this.layout.outbox, filter);
    return messages.slice(Math.max(0, messages.length - (filter.limit ?? 1000))).map((m) => ({
      symbol: m.alert.symbol,
      side: m.alert.side,
      timestamp: m.alert.timestamp,
      price: m.alert.price,
      sma5: m.alert.sma5,
      sma20: m.alert.sma20,
      status: 'PUBLISHED',
      publishedAt: m.publishedAt,
    }));
  }
}
