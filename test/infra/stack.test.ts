/**
 * The whole stack as `npm run deploy` builds it (the real handlers, default settings plus an alert
 * email), synthesised once: the cdk-nag verdict, the functions and their bundles, their environment
 * and the stack outputs. The other resources are asserted in pipeline.test.ts and operations.test.ts.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { ENV, RESOURCE } from '../../src/shared/names';
import type { StockpipeStack } from '../../infra/stack';
import { inspect, synthStack, type Inspector, type Synthesized, type TemplateJson } from './helpers';

let stack: StockpipeStack;
let out: Synthesized;
let template: Template;
let json: TemplateJson;
let id: Inspector['id'];
let resourcesOf: Inspector['resourcesOf'];

beforeAll(() => {
  ({ stack, out } = synthStack({ alertEmail: 'alerts@example.com' }));
  ({ template, json, id, resourcesOf } = inspect(stack, out));
});

describe('cdk-nag', () => {
  test('AwsSolutions reports no unacknowledged finding on the stack', () => {
    expect(out.findings).toEqual([]);
  });
});

describe('functions', () => {
  test('all seven (three pipeline, four workflow) run Node 22 on arm64 with active tracing, JSON logs and their own log group and role', () => {
    const functions = resourcesOf('AWS::Lambda::Function');
    expect(functions).toHaveLength(7);
    const roles = new Set<string>();
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
      });
      roles.add(JSON.stringify(fn.Properties?.Role));
    }
    expect(roles.size).toBe(7);
    // Seven function roles, two state-machine roles, two roles EventBridge uses to start the workflows.
    template.resourceCountIs('AWS::IAM::Role', 11);
    // Seven function log groups and two state-machine log groups.
    template.resourceCountIs('AWS::Logs::LogGroup', 9);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('each function asset was bundled by local esbuild, with a source map, and loads with its environment', () => {
    const assets = JSON.parse(fs.readFileSync(path.join(out.outdir, `${stack.artifactId}.assets.json`), 'utf8')) as {
      files: Record<string, { source: { path: string } }>;
    };
    const functions = resourcesOf('AWS::Lambda::Function');
    for (const [logical, fn] of functions) {
      const key = (fn.Properties?.Code as { S3Key: string }).S3Key;
      const asset = assets.files[key.replace(/\.zip$/, '')];
      expect(asset).toBeDefined();
      const dir = path.join(out.outdir, asset?.source.path ?? 'missing');
      const bundle = path.join(dir, 'index.js');
      expect(fs.statSync(bundle).size).toBeGreaterThan(1000);
      expect(fs.existsSync(path.join(dir, 'index.js.map'))).toBe(true);

      const variables = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      const env = Object.fromEntries(
        Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : `resolved-at-deploy-${k}`]),
      );
      const loaded = execFileSync(
        process.execPath,
        ['-e', 'const m = require(process.argv[1]); process.stdout.write(typeof m.handler)', bundle],
        {
          env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', ...env },
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      expect({ logical, loaded }).toEqual({ logical, loaded: 'function' });
    }
  });
});

describe('function environments', () => {
  test('the producer gets stream, symbols, cadence and source from ENV names and is not retried by Lambda', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 90,
      Environment: {
        Variables: {
          [ENV.streamName]: { Ref: id(stack.ingestion.stream) },
          [ENV.symbols]: 'AAPL',
          [ENV.cadenceSeconds]: '30',
          [ENV.quoteSource]: 'yahoo',
          POWERTOOLS_SERVICE_NAME: RESOURCE.service,
          POWERTOOLS_METRICS_NAMESPACE: RESOURCE.metricsNamespace,
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: id(stack.ingestion.producer.function) },
      MaximumRetryAttempts: 0,
    });
  });

  test('the processor is told the lake, the price table, the invalid-records queue and the TTL', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.rawBucket]: { Ref: id(stack.rawStorage.bucket) },
          [ENV.priceTable]: { Ref: id(stack.tables.prices) },
          [ENV.invalidQueueUrl]: { Ref: id(stack.processing.invalidRecords) },
          [ENV.ttlDays]: '30',
        }),
      },
    });
  });

  test('the analyser is told both tables, the alert topic ARN and its DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.signalStateTable]: { Ref: id(stack.tables.signalState) },
          [ENV.alertTable]: { Ref: id(stack.tables.alerts) },
          [ENV.alertTopicArn]: { Ref: id(stack.analysis.alertTopic) },
          [ENV.analysisDlqUrl]: { Ref: id(stack.analysis.deadLetters) },
        }),
      },
    });
  });
});

describe('outputs', () => {
  test('the stack publishes one output per RESOURCE key it creates, plus the dashboard', () => {
    expect(Object.keys(json.Outputs ?? {}).sort()).toEqual(
      [
        'alertTable',
        'alertTopic',
        'analysisDlq',
        'analysisFunction',
        'athenaWorkgroup',
        'curatedTable',
        'dashboard',
        'glueDatabase',
        'invalidQueue',
        'maintenanceRule',
        'maintenanceStateMachine',
        'opsTopic',
        'priceTable',
        'processingDlq',
        'rawBucket',
        'rawTable',
        'reportRule',
        'reportStateMachine',
        'scheduleRule',
        'signalStateTable',
        'stream',
      ].sort(),
    );
    template.hasOutput('stream', { Value: { Ref: id(stack.ingestion.stream) } });
    template.hasOutput('glueDatabase', { Value: RESOURCE.glueDatabase });
    template.hasOutput('maintenanceStateMachine', { Value: { Ref: id(stack.maintenance.stateMachine) } });
    template.hasOutput('reportRule', { Value: { Ref: id(stack.report.schedule) } });
    template.hasOutput('analysisFunction', { Value: { Ref: id(stack.analysis.function.function) } });
  });
});
