/**
 * Least privilege without IAM enforcement: the SDK commands a bundle sent, as IAM actions, checked
 * against the Allow statements of its role in the synthesized template. Pure: no moto, no SDK.
 */

export interface Statement {
  readonly Effect?: string;
  readonly Action?: string | readonly string[];
  readonly Resource?: unknown;
}
interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}
export interface TemplateLike {
  readonly Resources: Record<string, Resource>;
}

/** Commands whose IAM action is not `<service>:<command name>`. */
const ACTION_OF: Readonly<Record<string, string>> = {
  's3:ListObjectsV2': 's3:ListBucket',
  's3:ListObjects': 's3:ListBucket',
  's3:HeadObject': 's3:GetObject',
  's3:HeadBucket': 's3:ListBucket',
  's3:DeleteObjects': 's3:DeleteObject',
  's3:CreateMultipartUpload': 's3:PutObject',
  's3:UploadPart': 's3:PutObject',
  's3:CompleteMultipartUpload': 's3:PutObject',
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
};

/** The IAM action that authorizes an API call recorded as `<service>:<operation>`. */
export const actionOfCall = (call: string): string => ACTION_OF[call] ?? call;

/** `DynamoDBClient` + `PutItemCommand` -> `dynamodb:PutItem`. */
export function iamAction(clientName: string, commandName: string): string {
  const service = clientName
    .replace(/Client$/, '')
    .toLowerCase()
    .replace(/^eventbridge$/, 'events')
    .replace(/^sfn$/, 'states');
  const raw = `${service}:${commandName.replace(/Command$/, '')}`;
  return ACTION_OF[raw] ?? raw;
}

const actionsOf = (s: Statement): string[] => ([] as string[]).concat((s.Action as string | string[] | undefined) ?? []);

function matches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return re.test(action);
}

/** The Allow/Deny statements attached to a role: its inline policies and every AWS::IAM::Policy naming it. */
export function statementsOfRole(template: TemplateLike, roleId: string): Statement[] {
  const out: Statement[] = [];
  const role = template.Resources[roleId];
  for (const p of (role?.Properties?.Policies as { PolicyDocument?: { Statement?: Statement[] } }[] | undefined) ?? []) {
    out.push(...(p.PolicyDocument?.Statement ?? []));
  }
  for (const r of Object.values(template.Resources)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    const roles = (r.Properties?.Roles as unknown[] | undefined) ?? [];
    if (!roles.some((x) => JSON.stringify(x) === JSON.stringify({ Ref: roleId }))) continue;
    out.push(...((r.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? []));
  }
  return out;
}

/** Whether an Allow names the action (resources are not compared: they are tokens until deploy). */
export function allows(statements: readonly Statement[], action: string): boolean {
  const allowed = statements.filter((s) => s.Effect === 'Allow').some((s) => actionsOf(s).some((a) => matches(a, action)));
  const denied = statements
    .filter((s) => s.Effect === 'Deny' && s.Resource === '*')
    .some((s) => actionsOf(s).some((a) => matches(a, action)));
  return allowed && !denied;
}

/** The actions among `sent` that no statement allows, sorted and unique. */
export function missingActions(statements: readonly Statement[], sent: Iterable<string>): string[] {
  return [...new Set([...sent].map(actionOfCall))].filter((a) => !allows(statements, a)).sort();
}

/**
 * Removes one action from every statement of a role (REHEARSE_DROP_GRANT=role-id:action), as a person
 * would by hand; a statement left with no action is removed. Throws when the role never had it, so a
 * typo cannot make the rehearsal pass.
 */
export function dropGrant(template: TemplateLike, roleId: string, action: string): TemplateLike {
  const copy = JSON.parse(JSON.stringify(template)) as TemplateLike;
  let dropped = 0;
  const prune = (doc: { Statement?: Statement[] } | undefined) => {
    if (!doc?.Statement) return;
    doc.Statement = doc.Statement.flatMap((s) => {
      const actions = actionsOf(s);
      const kept = actions.filter((a) => a.toLowerCase() !== action.toLowerCase());
      dropped += actions.length - kept.length;
      if (kept.length === actions.length) return [s];
      return kept.length === 0 ? [] : [{ ...s, Action: kept.length === 1 ? kept[0] : kept }];
    });
  };
  const role = copy.Resources[roleId];
  if (!role || role.Type !== 'AWS::IAM::Role') throw new Error(`REHEARSE_DROP_GRANT: no role ${roleId} in the template`);
  for (const p of (role.Properties?.Policies as { PolicyDocument?: { Statement?: Statement[] } }[] | undefined) ?? [])
    prune(p.PolicyDocument);
  for (const r of Object.values(copy.Resources)) {
    const roles = (r.Properties?.Roles as unknown[] | undefined) ?? [];
    if (r.Type === 'AWS::IAM::Policy' && roles.some((x) => JSON.stringify(x) === JSON.stringify({ Ref: roleId }))) {
      prune(r.Properties?.PolicyDocument as { Statement?: Statement[] });
    }
  }
  if (dropped === 0) throw new Error(`REHEARSE_DROP_GRANT: role ${roleId} has no statement naming ${action}`);
  return copy;
}

/** `"<role-id>:<action>"`, e.g. `ProcessingFunctionRole1234:kinesis:PutRecords`, split at the first colon. */
export function parseDropGrant(value: string): { roleId: string; action: string } {
  const at = value.indexOf(':');
  if (at <= 0 || !value.slice(at + 1).includes(':')) {
    throw new Error(`REHEARSE_DROP_GRANT=${value}: expected <role logical id>:<service>:<Action>`);
  }
  return { roleId: value.slice(0, at), action: value.slice(at + 1) };
}

/** One failure line per function whose sent actions its role does not allow. */
export function policyFailures(
  checks: readonly { fn: string; statements: readonly Statement[]; sent: readonly string[] }[],
): string[] {
  return checks.flatMap(({ fn, statements, sent }) => {
    const missing = missingActions(statements, sent);
    return missing.length ? [`${fn}: role does not allow ${missing.join(', ')}`] : [];
  });
}

/** One API call a bundle sent: the IAM action, the ARNs it acts on, and the S3 list prefix if any. */
export interface RecordedCall {
  readonly action: string;
  /** Every resource IAM checks for the call; `*` for actions without resource-level permissions. */
  readonly resources: readonly string[];
  readonly s3Prefix?: string;
}

/** A statement whose Resource values are resolved ARNs (or patterns) rather than template tokens. */
export interface ResolvedStatement {
  readonly Effect: string;
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

const list = (v: string | readonly string[]): readonly string[] => (typeof v === 'string' ? [v] : v);

/**
 * Whether a statement's conditions hold for a call. Only what the stack's function roles use is
 * understood (`StringLike` on `s3:prefix`); any other condition is taken to hold, so the check can
 * miss a denial there but never reports one that IAM would not make.
 */
function conditionsHold(s: ResolvedStatement, call: RecordedCall): boolean {
  const prefixes = s.Condition?.StringLike?.['s3:prefix'];
  if (!prefixes) return true;
  return call.s3Prefix !== undefined && list(prefixes).some((p) => matches(p, call.s3Prefix!));
}

const statementCovers = (s: ResolvedStatement, action: string, resource: string, call: RecordedCall): boolean =>
  s.Action.some((a) => matches(a, action)) &&
  s.Resource.some((r) => r === '*' || resource === '*' || matches(r, resource)) &&
  conditionsHold(s, call);

/**
 * What IAM would deny of the calls, one line each: an action no Allow covers for one of its resources
 * (or its S3 prefix), or that an explicit Deny covers. Sorted and unique.
 */
export function deniedCalls(statements: readonly ResolvedStatement[], calls: Iterable<RecordedCall>): string[] {
  const out = new Set<string>();
  for (const call of calls) {
    const action = actionOfCall(call.action);
    for (const resource of call.resources) {
      const allowed = statements.some((s) => s.Effect === 'Allow' && statementCovers(s, action, resource, call));
      const denied = statements.some((s) => s.Effect === 'Deny' && statementCovers(s, action, resource, call));
      if (allowed && !denied) continue;
      const where = resource === '*' ? '' : ` on ${resource}`;
      out.add(`${action}${where}${call.s3Prefix !== undefined ? ` (prefix ${JSON.stringify(call.s3Prefix)})` : ''}`);
    }
  }
  return [...out].sort();
}

export interface RequestScope {
  readonly region: string;
  readonly account: string;
}

const jsonBody = (body: string): Record<string, unknown> => {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return {};
  }
};

const queryParam = (text: string, name: string): string | undefined => {
  const m = new RegExp(`(?:^|&)${name}=([^&]*)`).exec(text);
  return m ? decodeURIComponent(m[1]!.replace(/\+/g, ' ')) : undefined;
};

function dynamodbResources(body: Record<string, unknown>, at: RequestScope): string[] {
  const table = (name: string) => `arn:aws:dynamodb:${at.region}:${at.account}:table/${name}`;
  const names: string[] = [];
  if (typeof body.TableName === 'string') {
    names.push(typeof body.IndexName === 'string' ? `${body.TableName}/index/${body.IndexName}` : body.TableName);
  }
  if (body.RequestItems && typeof body.RequestItems === 'object') names.push(...Object.keys(body.RequestItems));
  for (const item of (body.TransactItems as Record<string, { TableName?: string }>[] | undefined) ?? []) {
    for (const op of Object.values(item)) if (op.TableName) names.push(op.TableName);
  }
  if (typeof body.StreamArn === 'string') return [body.StreamArn];
  return names.length ? [...new Set(names)].map(table) : ['*'];
}

/** Glue calls that name their table `Name` rather than `TableName`. */
const GLUE_TABLE_BY_NAME = new Set(['glue:GetTable', 'glue:DeleteTable']);

function glueResources(action: string, body: Record<string, unknown>, at: RequestScope): string[] {
  const base = `arn:aws:glue:${at.region}:${at.account}`;
  const out = [`${base}:catalog`];
  const db = body.DatabaseName;
  const tableName = GLUE_TABLE_BY_NAME.has(action) ? body.Name : body.TableName;
  if (typeof db === 'string') {
    out.push(`${base}:database/${db}`);
    if (typeof tableName === 'string') out.push(`${base}:table/${db}/${tableName}`);
  }
  return out;
}

function s3Call(action: string, urlPath: string, body: string): RecordedCall {
  const [pathOnly = '', query = ''] = urlPath.split('?');
  const [bucket, ...key] = pathOnly.split('/').filter(Boolean).map(decodeURIComponent);
  if (action === 's3:ListBucket') {
    return { action, resources: [`arn:aws:s3:::${bucket}`], s3Prefix: queryParam(query, 'prefix') ?? '' };
  }
  if (action === 's3:DeleteObject' && /(^|&)delete(=|&|$)/.test(query)) {
    const keys = [...body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!);
    return { action, resources: keys.map((k) => `arn:aws:s3:::${bucket}/${k}`) };
  }
  return { action, resources: [`arn:aws:s3:::${bucket}/${key.join('/')}`] };
}

/**
 * The resources an SDK request acts on, as IAM sees them, for the services the bundles call (path-style
 * S3, as against moto's address). Other services' calls are checked against `*`.
 */
export function callOfRequest(action: string, urlPath: string, body: string, at: RequestScope): RecordedCall {
  const service = action.split(':')[0];
  const json = jsonBody(body);
  switch (service) {
    case 'dynamodb':
      return { action, resources: dynamodbResources(json, at) };
    case 'kinesis': {
      const name = typeof json.StreamName === 'string' ? json.StreamName : undefined;
      const arn = typeof json.StreamARN === 'string' ? json.StreamARN : undefined;
      return { action, resources: [arn ?? (name ? `arn:aws:kinesis:${at.region}:${at.account}:stream/${name}` : '*')] };
    }
    case 'sqs': {
      const url = typeof json.QueueUrl === 'string' ? json.QueueUrl : queryParam(body, 'QueueUrl');
      return { action, resources: [url ? `arn:aws:sqs:${at.region}:${at.account}:${url.split('/').pop()}` : '*'] };
    }
    case 'sns':
      return { action, resources: [queryParam(body, 'TopicArn') ?? (typeof json.TopicArn === 'string' ? json.TopicArn : '*')] };
    case 'glue':
      return { action, resources: glueResources(action, json, at) };
    case 's3':
      return s3Call(action, urlPath, body);
    default:
      return { action, resources: ['*'] };
  }
}
