/**
 * The IAM audit of the stack, run as an Aspect at synthesis so that it also covers constructs added
 * later (the workflow): a statement may name `Resource: "*"` only for actions listed below, each with
 * the reason AWS leaves no narrower choice, and no role may carry a `*FullAccess` managed policy.
 * The cdk-nag IAM5 `Resource::*` finding of such a policy is acknowledged with those reasons.
 */
import { Stack, type IAspect } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { acknowledge } from './nag';

/** Actions allowed on `Resource: "*"`, each with why. */
export const WILDCARD_RESOURCE_ACTIONS: Readonly<Record<string, string>> = {
  'xray:PutTraceSegments': 'X-Ray supports no resource-level permissions; active tracing sends segments with it.',
  'xray:PutTelemetryRecords': 'X-Ray supports no resource-level permissions; active tracing sends telemetry with it.',
  'dynamodb:ListStreams':
    'ListStreams supports no resource-level permissions; the DynamoDB event source calls it to find the table stream (all other stream actions are scoped to the stream ARN).',
  // What CDK grants a state machine for logging and tracing (the workflow's seam), all without
  // resource-level permissions in IAM.
  'xray:GetSamplingRules': 'X-Ray supports no resource-level permissions; traced state machines read sampling rules.',
  'xray:GetSamplingTargets': 'X-Ray supports no resource-level permissions; traced state machines read sampling targets.',
  ...Object.fromEntries(
    [
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ].map((action) => [
      action,
      'CloudWatch Logs vended log delivery (state machine execution logs) supports no resource-level permissions.',
    ]),
  ),
};

interface Statement {
  readonly Effect?: string;
  readonly Action?: string | readonly string[];
  readonly Resource?: unknown;
}

const asList = <T>(value: T | readonly T[] | undefined): readonly T[] =>
  value === undefined ? [] : Array.isArray(value) ? (value as readonly T[]) : [value as T];

/** Actions of the Allow statements of a resolved policy document that apply to `Resource: "*"`. */
export function wildcardResourceActions(document: { readonly Statement?: readonly Statement[] }): string[] {
  return (document.Statement ?? [])
    .filter((s) => s.Effect === 'Allow' && asList(s.Resource).includes('*'))
    .flatMap((s) => asList(s.Action));
}

export class IamAudit implements IAspect {
  // A repeated synthesis (assertions re-synthesise) visits again; acknowledge once.
  private readonly audited = new WeakSet<IConstruct>();

  visit(node: IConstruct): void {
    if (this.audited.has(node)) return;
    this.audited.add(node);
    if (node instanceof iam.Policy) this.auditPolicy(node);
    if (node instanceof iam.CfnRole) this.auditManagedPolicies(node);
  }

  private auditPolicy(policy: iam.Policy): void {
    const actions = wildcardResourceActions(Stack.of(policy).resolve(policy.document.toJSON()) ?? {});
    if (actions.length === 0) return;
    const unexplained = actions.filter((a) => !(a in WILDCARD_RESOURCE_ACTIONS));
    if (unexplained.length > 0) {
      throw new Error(
        `${policy.node.path} allows ${unexplained.join(', ')} on Resource "*": scope it to ARNs, or add the action with its reason to WILDCARD_RESOURCE_ACTIONS in infra/iam-audit.ts`,
      );
    }
    const reasons = [...new Set(actions.map((a) => `${a}: ${WILDCARD_RESOURCE_ACTIONS[a]}`))];
    acknowledge(policy, 'AwsSolutions-IAM5[Resource::*]', reasons.join(' '));
  }

  private auditManagedPolicies(role: iam.CfnRole): void {
    const arns = JSON.stringify(Stack.of(role).resolve(role.managedPolicyArns) ?? []);
    if (/FullAccess/i.test(arns)) {
      throw new Error(`${role.node.path} carries a *FullAccess managed policy (${arns}): grant the exact actions instead`);
    }
  }
}
