/**
 * Fixtures of the per-construct tests (test/infra/constructs/): a bare `Stack` like Data Solutions
 * Framework's construct tests use, the few resources a construct takes as dependencies, and the
 * template of that stack. Functions point at the fixture handler, which bundles in milliseconds.
 */
import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ATTR } from '../../src/shared/names';
import type { Inspector, TemplateJson } from './helpers';

export { FIXTURE_ENTRY } from './helpers';

/** A bare stack and lazily created dependencies, each made once. */
export function bareStack() {
  const stack = new Stack();
  const once = <T>(make: () => T): (() => T) => {
    let value: T | undefined;
    return () => (value ??= make());
  };
  return {
    stack,
    key: once(() => new kms.Key(stack, 'FixtureKey')),
    lake: once(() => new s3.Bucket(stack, 'FixtureLake')),
    bucket: once(() => new s3.Bucket(stack, 'FixtureBucket')),
    stream: once(() => new kinesis.Stream(stack, 'FixtureStream')),
    queue: once(() => new sqs.Queue(stack, 'FixtureQueue')),
    topic: once(() => new sns.Topic(stack, 'FixtureTopic')),
    opsTopic: once(() => new sns.Topic(stack, 'FixtureOpsTopic')),
    table: once(
      () =>
        new dynamodb.Table(stack, 'FixtureTable', {
          partitionKey: { name: ATTR.symbol, type: dynamodb.AttributeType.STRING },
          stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
        }),
    ),
    stateTable: once(
      () =>
        new dynamodb.Table(stack, 'FixtureStateTable', {
          partitionKey: { name: ATTR.symbol, type: dynamodb.AttributeType.STRING },
        }),
    ),
  };
}

/** The bare stack's template, with the same inspection helpers as the stack-level tests. */
export function inspectBare(stack: Stack): Inspector {
  const template = Template.fromStack(stack);
  const json = template.toJSON() as TemplateJson;
  const id: Inspector['id'] = (construct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
  return {
    template,
    json,
    id,
    arn: (construct) => ({ 'Fn::GetAtt': [id(construct), 'Arn'] }),
    resourcesOf: (type) => Object.entries(json.Resources).filter(([, r]) => r.Type === type),
  };
}

/** The statements of the policies attached to a role. */
export function statementsOfRole(
  t: Inspector,
  role: { readonly node: { readonly defaultChild?: unknown } },
): { Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  return t
    .resourcesOf('AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties!.Roles).includes(t.id(role)))
    .flatMap(
      ([, p]) => (p.Properties!.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement,
    );
}
