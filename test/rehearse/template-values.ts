/**
 * Template values resolved the way CloudFormation resolves them, from the physical ids moto's
 * CloudFormation gave each resource. Covers the intrinsics the stack's function environments, state
 * machine substitutions and Glue inputs use. Pure: the physical ids are passed in.
 */
import type { ResolvedStatement, Statement, TemplateLike } from './policy';

export interface Deployed {
  readonly template: TemplateLike;
  /** Logical id -> physical id, from ListStackResources. */
  readonly physical: ReadonlyMap<string, string>;
  readonly region: string;
  readonly account: string;
  /** Other attributes, as `<logical id>.<attribute>` (e.g. a table's StreamArn), asked of moto. */
  readonly attributes?: ReadonlyMap<string, string>;
}

/** `Fn::GetAtt [id, Arn]` for the resource types the stack's substitutions and policies read. */
function arnOf(d: Deployed, id: string): string {
  const type = d.template.Resources[id]?.Type;
  const name = d.physical.get(id);
  if (!type || name === undefined) throw new Error(`no deployed resource ${id}`);
  switch (type) {
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${d.region}:${d.account}:function:${name}`;
    case 'AWS::S3::Bucket':
      return `arn:aws:s3:::${name}`;
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:${d.region}:${d.account}:${name.split('/').pop()}`;
    case 'AWS::Kinesis::Stream':
      return `arn:aws:kinesis:${d.region}:${d.account}:stream/${name}`;
    case 'AWS::DynamoDB::Table':
      return `arn:aws:dynamodb:${d.region}:${d.account}:table/${name}`;
    case 'AWS::KMS::Key':
      return name.startsWith('arn:') ? name : `arn:aws:kms:${d.region}:${d.account}:key/${name}`;
    case 'AWS::Events::Rule':
      return name.startsWith('arn:') ? name : `arn:aws:events:${d.region}:${d.account}:rule/${name}`;
    case 'AWS::Logs::LogGroup':
      return `arn:aws:logs:${d.region}:${d.account}:log-group:${name}:*`;
    case 'AWS::IAM::Role':
      return `arn:aws:iam::${d.account}:role/${name}`;
    case 'AWS::SNS::Topic':
    case 'AWS::StepFunctions::StateMachine':
      return name;
    default:
      throw new Error(`Fn::GetAtt ${id}.Arn: type ${type} is not resolved by the rehearsal`);
  }
}

const PSEUDO: Readonly<Record<string, (d: Deployed) => string>> = {
  'AWS::Region': (d) => d.region,
  'AWS::AccountId': (d) => d.account,
  'AWS::Partition': () => 'aws',
  'AWS::URLSuffix': () => 'amazonaws.com',
};

/** A template value with Ref, Fn::GetAtt (Arn), Fn::Join and Fn::Sub resolved. */
export function resolveValue(value: unknown, d: Deployed): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, d));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0]!;
    if (key === 'Ref') {
      const ref = String(arg);
      const pseudo = PSEUDO[ref];
      if (pseudo) return pseudo(d);
      const physical = d.physical.get(ref);
      if (physical === undefined) throw new Error(`Ref ${ref}: not deployed`);
      return physical;
    }
    if (key === 'Fn::GetAtt') {
      const [id, attribute] = arg as [string, string];
      if (attribute === 'Arn') return arnOf(d, id);
      const known = d.attributes?.get(`${id}.${attribute}`);
      if (known === undefined) throw new Error(`Fn::GetAtt ${id}.${attribute}: not resolved by the rehearsal`);
      return known;
    }
    if (key === 'Fn::Join') {
      const [sep, parts] = arg as [string, unknown[]];
      return (resolveValue(parts, d) as unknown[]).map(String).join(sep);
    }
    if (key === 'Fn::Sub') {
      const [text, vars = {}] = (typeof arg === 'string' ? [arg] : arg) as [string, Record<string, unknown>?];
      return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        if (name in vars) return String(resolveValue(vars[name], d));
        const [id, attribute] = name.split('.');
        return String(resolveValue(attribute ? { 'Fn::GetAtt': [id, attribute] } : { Ref: id }, d));
      });
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveValue(v, d)]));
}

/** The logical ids of a type, in template order. */
export const idsOfType = (template: TemplateLike, type: string): string[] =>
  Object.entries(template.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id);

/** The one resource of a type whose logical id starts with `prefix` (e.g. the price table). */
export function idOf(template: TemplateLike, type: string, prefix: string): string {
  const ids = idsOfType(template, type).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} named ${prefix}*, found ${ids.length}`);
  return ids[0]!;
}

/** A logical id without CDK's 8-character hash suffix. */
export const labelOf = (logicalId: string): string => logicalId.replace(/[0-9A-F]{8}$/, '');

/** A role's statements with their resources and conditions resolved to what IAM compares. */
export function resolvedStatements(statements: readonly Statement[], d: Deployed): ResolvedStatement[] {
  return statements.map((s) => ({
    Effect: s.Effect ?? 'Allow',
    Action: ([] as string[]).concat((s.Action as string | string[] | undefined) ?? []),
    Resource: ([] as unknown[]).concat(s.Resource ?? []).map((r) => String(resolveValue(r, d))),
    ...((s as { Condition?: unknown }).Condition
      ? { Condition: resolveValue((s as { Condition?: unknown }).Condition, d) as ResolvedStatement['Condition'] }
      : {}),
  }));
}
