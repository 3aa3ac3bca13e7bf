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
