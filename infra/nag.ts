/**
 * cdk-nag wiring. cdk-nag 3 is a CDK policy-validation plugin: an unacknowledged finding (error or
 * warning) makes `app.synth()`, and so `cdk synth` and `cdk deploy`, fail with "Validation failed".
 * Every acknowledgement goes through `acknowledge` so that each one carries a written reason.
 */
import { Stack, Token, Validations, type CfnResource } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** Applies the AwsSolutions rule pack to everything under `scope` (an App or a Stage). */
export function addNagChecks(scope: IConstruct): void {
  Validations.of(scope).addPlugins(new AwsSolutionsChecks(scope, { verbose: true }));
}

const MIN_REASON_LENGTH = 20;

/** Acknowledges one AwsSolutions finding on `scope` and everything below it. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(
      `acknowledgement of ${id} on ${scope.node.path} needs a reason of at least ${MIN_REASON_LENGTH} characters, got ${JSON.stringify(reason)}`,
    );
  }
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * The text cdk-nag prints for a resource reference inside an IAM statement, e.g.
 * `<LakeBucket1234ABCD.Arn>`: IAM5 findings are keyed by it, so acknowledgements must be too.
 */
export function arnReference(resource: CfnResource, attribute = 'Arn'): string {
  return `<${Stack.of(resource).getLogicalId(resource)}.${attribute}>`;
}

/** Acknowledges `AwsSolutions-IAM5[<finding>]` findings, one per finding, with one reason. */
export function acknowledgeWildcards(scope: IConstruct, findings: readonly string[], reason: string): void {
  for (const finding of findings) {
    if (Token.isUnresolved(finding)) throw new Error(`wildcard finding ${finding} must be plain text, not a token`);
    acknowledge(scope, `AwsSolutions-IAM5[${finding}]`, reason);
  }
}

/**
 * `grantSendMessages` / `grantPublish` on a KMS-encrypted queue or topic grant `kms:GenerateDataKey*`
 * and `kms:ReEncrypt*`: action wildcards CDK writes, on the one key's ARN only.
 */
export function acknowledgeKeyGrantWildcards(role: IConstruct, use: string): void {
  acknowledgeWildcards(
    role,
    ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*'],
    `Written by CDK's grant for ${use}; the statement is scoped to the pipeline key's ARN alone.`,
  );
}
