/**
 * The local stand-ins of the stack's three EventBridge rules. Each keeps its enabled/disabled state in
 * a file of the data dir, read at every fire, so `stockpipe schedule disable` in another terminal
 * acts on a running pipeline:
 * - ingest: the producer's schedule (schedule.ts), rate(1 minute) on the runtime's clock;
 * - maintenance: `stockpipe start` runs the maintenance workflow once an hour of its clock;
 * - report: `stockpipe start` makes the daily report once the replay is done (no clock expression).
 */
import { stateFile, type DataDirLayout } from '../data-dir';
import { ScheduleStateFile } from './schedule';
import { RESOURCE } from '../../shared/names';

/** The stack's three rules (the ops commands' RULE_NAMES). */
export type RuleName = 'ingest' | 'maintenance' | 'report';

export interface LocalRule {
  readonly name: string;
  readonly expression: string | null;
  readonly stateName: string;
}

export const LOCAL_RULES: Readonly<Record<RuleName, LocalRule>> = {
  ingest: { name: RESOURCE.scheduleRule, expression: 'rate(1 minute)', stateName: 'schedule' },
  maintenance: { name: RESOURCE.maintenanceRule, expression: 'rate(1 hour)', stateName: 'schedule-maintenance' },
  report: { name: RESOURCE.reportRule, expression: null, stateName: 'schedule-report' },
};

export const ruleState = (layout: DataDirLayout, rule: RuleName): ScheduleStateFile =>
  new ScheduleStateFile(stateFile(layout, LOCAL_RULES[rule].stateName));

/** Real milliseconds between maintenance runs of `stockpipe start`: an hour of its clock, at least 10 s. */
export const maintenanceEveryMs = (speed: number): number => Math.max(10_000, 3_600_000 / speed);
