/**
 * THE one function that builds the `${Placeholder}` map of the state machines in statemachines/.
 * CDK passes it as `definitionSubstitutions`; the local runner substitutes the same map into the same
 * files, so a placeholder exists once, here, and a missing one fails both the same way.
 */
import { StockpipeError } from '../core/errors';

/** The workflows: their ASL file (relative to the repository root) and physical state-machine name. */
export const WORKFLOWS = {
  maintenance: { file: 'statemachines/lake-maintenance.asl.json', stateMachineName: 'stockpipe-lake-maintenance' },
  report: { file: 'statemachines/daily-report.asl.json', stateMachineName: 'stockpipe-daily-report' },
} as const;

export type WorkflowName = keyof typeof WORKFLOWS;

export const isWorkflowName = (name: string): name is WorkflowName => Object.hasOwn(WORKFLOWS, name);

/** The functions the workflows invoke; locally these names key the handlers, in AWS they name the Lambdas. */
export const WORKFLOW_FUNCTIONS = {
  findPartitions: 'stockpipe-find-partitions',
  compaction: 'stockpipe-compaction',
  registerPartitions: 'stockpipe-register-partitions',
  report: 'stockpipe-daily-report',
} as const;

export type WorkflowFunction = keyof typeof WORKFLOW_FUNCTIONS;

/** Where a maintenance run records what it did, inside the lake bucket (outside raw/ and curated/). */
export const MAINTENANCE_PREFIX = 'maintenance/';

export interface WorkflowResources {
  readonly functionArns: Readonly<Record<WorkflowFunction, string>>;
  readonly lakeBucket: string;
  readonly glueDatabase: string;
  readonly athenaWorkgroup: string;
  readonly alertTopicArn: string;
  readonly opsTopicArn: string;
}

/** Every placeholder of the ASL files, with the value it takes. */
export function workflowSubstitutions(r: WorkflowResources): Record<string, string> {
  return {
    FindPartitionsFunctionArn: r.functionArns.findPartitions,
    CompactionFunctionArn: r.functionArns.compaction,
    RegisterPartitionsFunctionArn: r.functionArns.registerPartitions,
    ReportFunctionArn: r.functionArns.report,
    LakeBucket: r.lakeBucket,
    MaintenancePrefix: MAINTENANCE_PREFIX,
    GlueDatabase: r.glueDatabase,
    AthenaWorkgroup: r.athenaWorkgroup,
    AlertTopicArn: r.alertTopicArn,
    OpsTopicArn: r.opsTopicArn,
  };
}

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

/** The distinct placeholder names a definition text uses, sorted. */
export const placeholdersIn = (text: string): string[] => [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();

export class SubstitutionError extends StockpipeError {
  override readonly name = 'SubstitutionError';
}

/**
 * Replaces every `${Name}` like CloudFormation's definitionSubstitutions does. A placeholder without a
 * value is an error that names it (CloudFormation would deploy the literal `${Name}` and fail at run time).
 */
export function substitutePlaceholders(text: string, values: Readonly<Record<string, string>>, source = 'definition'): string {
  const missing = placeholdersIn(text).filter((name) => !Object.hasOwn(values, name));
  if (missing.length > 0) {
    throw new SubstitutionError(
      `${source} uses placeholder(s) ${missing.map((m) => '${' + m + '}').join(', ')} that workflowSubstitutions() does not provide`,
    );
  }
  // Values go into JSON strings: escape them as JSON would.
  return text.replace(PLACEHOLDER, (_, name: string) => JSON.stringify(values[name]).slice(1, -1));
}
