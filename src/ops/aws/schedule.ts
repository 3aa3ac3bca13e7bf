/** The EventBridge rules behind `stockpipe schedule`: the ingest schedule and the two workflow schedules. */
import { DescribeRuleCommand, DisableRuleCommand, EnableRuleCommand } from '@aws-sdk/client-eventbridge';
import { nextTrigger } from '../schedule-expression';
import type { RuleName, ScheduleChange, ScheduleStatus } from '../types';
import { call, type AwsContext } from './context';
import { RULE_OUTPUTS, stackOutput } from './stack';

export const ruleNameOf = (ctx: AwsContext, rule: RuleName): string =>
  stackOutput(ctx.stack, RULE_OUTPUTS[rule], `find the ${rule} schedule rule`);

export async function describeSchedule(ctx: AwsContext, rule: RuleName): Promise<ScheduleStatus> {
  const name = ruleNameOf(ctx, rule);
  const out = await call(ctx, `describe rule ${name}`, () =>
    ctx.clients.eventbridge.send(new DescribeRuleCommand({ Name: name })),
  );
  // ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS is enabled too; a schedule rule never has it.
  const state = out.State === 'DISABLED' ? 'DISABLED' : 'ENABLED';
  const next = state === 'ENABLED' ? nextTrigger(out.ScheduleExpression, ctx.now()) : { at: null, approximate: false };
  return {
    rule,
    name,
    state,
    expression: out.ScheduleExpression ?? null,
    nextTrigger: next.at?.toISOString() ?? null,
    nextTriggerApproximate: next.approximate,
  };
}

/** Enables or disables a rule; a rule already in that state is left alone (changed: false). */
export async function setSchedule(ctx: AwsContext, rule: RuleName, enabled: boolean): Promise<ScheduleChange> {
  const before = await describeSchedule(ctx, rule);
  const target = enabled ? 'ENABLED' : 'DISABLED';
  if (before.state === target) return { ...before, previousState: before.state, changed: false };
  const verb = enabled ? 'enable' : 'disable';
  await call(ctx, `${verb} rule ${before.name}`, () =>
    ctx.clients.eventbridge.send(
      enabled ? new EnableRuleCommand({ Name: before.name }) : new DisableRuleCommand({ Name: before.name }),
    ),
  );
  const next = enabled ? nextTrigger(before.expression, ctx.now()) : { at: null, approximate: false };
  return {
    ...before,
    state: target,
    nextTrigger: next.at?.toISOString() ?? null,
    nextTriggerApproximate: next.approximate,
    previousState: before.state,
    changed: true,
  };
}
