/**
 * The cdk-nag gate itself: the helper reports what AwsSolutions finds (errors and warnings) on a
 * deliberately non-compliant throwaway stack, acknowledgements need reasons, and the IAM audit stops
 * synthesis on an unexplained `Resource: "*"` or a *FullAccess policy.
 */
import { Aspects, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IamAudit } from '../../infra/iam-audit';
import { acknowledge, addNagChecks } from '../../infra/nag';
import { acknowledgementsUnder, newApp, synthesize } from './helpers';

const leakyStack = (decorate?: (bucket: s3.Bucket) => void) => {
  const app = newApp();
  const stack = new Stack(app, 'Throwaway');
  const bucket = new s3.Bucket(stack, 'Leaky');
  new dynamodb.Table(stack, 'Unrecoverable', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
  });
  decorate?.(bucket);
  addNagChecks(app);
  return synthesize(app);
};

describe('nag findings helper', () => {
  test('reports every AwsSolutions error and warning of a non-compliant bucket and table', () => {
    const { findings } = leakyStack();
    expect([...findings].sort((a, b) => a.rule.localeCompare(b.rule))).toEqual([
      { rule: 'AwsSolutions-DDB3', severity: 'warning', path: 'Throwaway/Unrecoverable/Resource' },
      { rule: 'AwsSolutions-S1', severity: 'error', path: 'Throwaway/Leaky/Resource' },
      { rule: 'AwsSolutions-S10', severity: 'error', path: 'Throwaway/Leaky/Resource' },
    ]);
  });

  test('an acknowledged finding is no longer reported, the others still are', () => {
    const { findings } = leakyStack((bucket) => acknowledge(bucket, 'AwsSolutions-S1', 'A throwaway bucket that nobody reads.'));
    expect(findings.map((f) => f.rule).sort()).toEqual(['AwsSolutions-DDB3', 'AwsSolutions-S10']);
  });

  test('acknowledge refuses a finding without a real reason', () => {
    const stack = new Stack(newApp(), 'Throwaway');
    expect(() => acknowledge(stack, 'AwsSolutions-S1', 'because')).toThrow(
      'acknowledgement of AwsSolutions-S1 on Throwaway needs a reason of at least 20 characters, got "because"',
    );
  });
});

describe('IAM audit', () => {
  const auditedStack = () => {
    const app = newApp();
    const stack = new Stack(app, 'Audited');
    Aspects.of(stack).add(new IamAudit());
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    return { app, stack, role };
  };

  test('synthesis stops on an action allowed on Resource "*" without a documented reason', () => {
    const { app, role } = auditedStack();
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    expect(() => app.synth()).toThrow(
      'Audited/Role/DefaultPolicy allows s3:GetObject on Resource "*": scope it to ARNs, or add the action with its reason to WILDCARD_RESOURCE_ACTIONS in infra/iam-audit.ts',
    );
  });

  test('synthesis stops on a *FullAccess managed policy', () => {
    const { app, role } = auditedStack();
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonS3FullAccess'));
    expect(() => app.synth()).toThrow(/Audited\/Role\/Resource carries a \*FullAccess managed policy/);
  });

  test('a documented wildcard is acknowledged for cdk-nag with its reason', () => {
    const { app, role } = auditedStack();
    role.addToPolicy(new iam.PolicyStatement({ actions: ['xray:PutTraceSegments'], resources: ['*'] }));
    addNagChecks(app);
    const { findings } = synthesize(app);
    expect(findings).toEqual([]);
    const acknowledged = acknowledgementsUnder(role.node.findChild('DefaultPolicy'));
    expect(acknowledged).toEqual([
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'xray:PutTraceSegments: X-Ray supports no resource-level permissions; active tracing sends segments with it.',
      },
    ]);
  });
});
