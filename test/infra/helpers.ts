/**
 * Synthesis helpers of the infra tests. cdk-nag 3 findings do not surface as annotations: synthesis
 * throws "Validation failed" after writing the assembly and validation-report.json, so a test
 * synthesises once and reads both the template and the findings from the output directory.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Validations, type CfnElement, type Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../infra/config';
import { addNagChecks } from '../../infra/nag';
import { StockpipeStack } from '../../infra/stack';

export const FIXTURE_ENTRY = path.join(__dirname, 'fixtures', 'handler.ts');

export interface NagFinding {
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
}

export interface Synthesized {
  readonly outdir: string;
  readonly findings: readonly NagFinding[];
  template(stack: Stack): Template;
  /** The raw template JSON, for walking every resource. */
  json(stack: Stack): TemplateJson;
}

export interface TemplateJson {
  readonly Resources: Record<
    string,
    { readonly Type: string; readonly Properties?: Record<string, unknown>; readonly DeletionPolicy?: string }
  >;
  readonly Outputs?: Record<string, { readonly Value: unknown }>;
}

interface ValidationReport {
  readonly pluginReports: readonly {
    readonly violations: readonly {
      readonly ruleName: string;
      readonly severity: string;
      readonly violatingConstructs: readonly { readonly constructPath: string }[];
    }[];
  }[];
}

const outdirs: string[] = [];

/** An app synthesising into its own temporary directory, removed after the test file. */
export const newApp = (): App => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockpipe-cdk-'));
  outdirs.push(outdir);
  return new App({ outdir });
};

afterAll(() => {
  for (const dir of outdirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Synthesises an app whose nag checks are already added; a failure other than nag's is rethrown. */
export function synthesize(app: App): Synthesized {
  const reportFile = path.join(app.outdir, 'validation-report.json');
  try {
    app.synth();
  } catch (error) {
    // aws-cdk-lib names the error ValidationFailed; its message is the printed report.
    const failedValidation = (error as Error).name === 'ValidationFailed' || /Validation failed/.test((error as Error).message);
    if (!failedValidation || !fs.existsSync(reportFile)) throw error;
  }
  const report: ValidationReport = fs.existsSync(reportFile)
    ? (JSON.parse(fs.readFileSync(reportFile, 'utf8')) as ValidationReport)
    : { pluginReports: [] };
  const findings = report.pluginReports.flatMap((p) =>
    p.violations.flatMap((v) =>
      v.violatingConstructs.map((c) => ({ rule: v.ruleName, severity: v.severity, path: c.constructPath })),
    ),
  );
  const json = (stack: Stack): TemplateJson =>
    JSON.parse(fs.readFileSync(path.join(app.outdir, stack.templateFile), 'utf8')) as TemplateJson;
  return { outdir: app.outdir, findings, json, template: (stack) => Template.fromJSON(json(stack)) };
}

/** The whole stack with nag checks, from raw context-style settings. */
export function synthStack(
  raw: Record<string, unknown> = {},
  entries?: ConstructorParameters<typeof StockpipeStack>[2]['entries'],
): { readonly stack: StockpipeStack; readonly out: Synthesized } {
  const app = newApp();
  const stack = new StockpipeStack(app, 'Stockpipe', { config: parseConfig(raw), entries });
  addNagChecks(app);
  return { stack, out: synthesize(app) };
}

/** Every fixture entry: the construct tests do not need the real handlers' bundles. */
export const FIXTURE_ENTRIES = {
  producer: FIXTURE_ENTRY,
  processing: FIXTURE_ENTRY,
  analysis: FIXTURE_ENTRY,
  findPartitions: FIXTURE_ENTRY,
  compaction: FIXTURE_ENTRY,
  registerPartitions: FIXTURE_ENTRY,
  report: FIXTURE_ENTRY,
};

type WithResource = { readonly node: { readonly defaultChild?: unknown } };

export interface Inspector {
  readonly template: Template;
  readonly json: TemplateJson;
  /** The logical id of a construct's CloudFormation resource. */
  id(construct: WithResource): string;
  /** `Fn::GetAtt <id>.Arn` of a construct's resource. */
  arn(construct: WithResource): { 'Fn::GetAtt': [string, string] };
  /** [logical id, resource] of every resource of a type. */
  resourcesOf(type: string): [string, TemplateJson['Resources'][string]][];
}

export function inspect(stack: Stack, out: Synthesized): Inspector {
  const json = out.json(stack);
  const id = (construct: WithResource): string => stack.getLogicalId(construct.node.defaultChild as CfnElement);
  return {
    template: out.template(stack),
    json,
    id,
    arn: (construct) => ({ 'Fn::GetAtt': [id(construct), 'Arn'] }),
    resourcesOf: (type) => Object.entries(json.Resources).filter(([, r]) => r.Type === type),
  };
}

/** Acknowledgements recorded on a construct and its children, as { id, reason }. */
export function acknowledgementsUnder(
  scope: IConstruct,
  except: IConstruct | readonly IConstruct[] = [],
): { id: string; reason: string }[] {
  const skipped = ([] as IConstruct[]).concat(except);
  const outside = (c: IConstruct) => skipped.every((s) => c !== s && !`${c.node.path}/`.startsWith(`${s.node.path}/`));
  return scope.node
    .findAll()
    .filter(outside)
    .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
    .flatMap((m) => Object.entries(m.data as Record<string, string>))
    .map(([id, reason]) => ({ id: id.replace(/^annotation::/i, ''), reason }));
}

/** A bucket of the stack: public access blocked, SSE-S3 encrypted, unversioned and retained. */
export function expectPrivateEncryptedRetained(bucket: { DeletionPolicy?: unknown; Properties?: Record<string, unknown> }): void {
  expect(bucket.DeletionPolicy).toBe('Retain');
  expect(bucket.Properties).toMatchObject({
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    },
    BucketEncryption: {
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    },
  });
  expect(bucket.Properties?.VersioningConfiguration).toBeUndefined();
}
