/**
 * One pipeline Lambda function the way every stockpipe function is built: Node 22 on arm64, bundled by
 * the locally installed esbuild (never Docker), its own role and its own log group, so that each
 * function's permissions are exactly what its construct grants it.
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { RESOURCE } from '../../src/shared/names';
import { acknowledge } from '../nag';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Entry files of the pipeline's functions, relative to the repository root. */
export const HANDLER_ENTRY = {
  producer: 'src/producer/handler.ts',
  processing: 'src/processing/handler.ts',
  analysis: 'src/analysis/handler.ts',
} as const;

export type HandlerName = keyof typeof HANDLER_ENTRY;

export const RUNTIME = lambda.Runtime.NODEJS_22_X;

export interface PipelineFunctionProps {
  /** Absolute path of the TypeScript entry file that exports `handler`. */
  readonly entry: string;
  readonly description: string;
  /** Environment of the function, on top of the Powertools settings every function gets. */
  readonly environment: Readonly<Record<string, string>>;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Applies to the log group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Retries of a failed asynchronous invocation (EventBridge invokes asynchronously).
   * @default - Lambda's default of 2
   */
  readonly asyncRetryAttempts?: number;
}

export class PipelineFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // An own role instead of the default one: the default attaches the AWS managed
    // AWSLambdaBasicExecutionRole, which may write to every log group of the account.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      // Adds the X-Ray statement on Resource "*" that infra/iam-audit.ts explains.
      tracing: lambda.Tracing.ACTIVE,
      retryAttempts: props.asyncRetryAttempts,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: RESOURCE.service,
        POWERTOOLS_METRICS_NAMESPACE: RESOURCE.metricsNamespace,
        // Stack traces in the logs then point into the TypeScript sources, through the bundled map.
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.CJS,
        target: 'node22',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // The SDK is bundled, not taken from the runtime: the version the tests ran is the one deployed.
        externalModules: [],
        bundleAwsSDK: true,
        mainFields: ['module', 'main'],
        logLevel: LogLevel.WARNING,
      },
    });

    acknowledge(
      this.function,
      'AwsSolutions-L1',
      'The project targets the Node.js 22 runtime on purpose: tooling, tests and the esbuild target are Node 22.',
    );
  }
}
