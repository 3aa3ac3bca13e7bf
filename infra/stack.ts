/**
 * The stockpipe stack. It only composes the constructs of infra/constructs, one per concern, and
 * publishes the physical names the CLI and operators need as outputs keyed by RESOURCE keys.
 */
import * as path from 'node:path';
import { Aspects, CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ENV, RESOURCE } from '../src/shared/names';
import type { InfraConfig } from './config';
import { IamAudit } from './iam-audit';
import { acknowledgeKeyGrantWildcards } from './nag';
import { Analysis } from './constructs/analysis';
import { Analytics } from './constructs/analytics';
import { Encryption } from './constructs/encryption';
import { HANDLER_ENTRY, REPO_ROOT, type HandlerName } from './constructs/function';
import { Ingestion } from './constructs/ingestion';
import { Observability } from './constructs/observability';
import { Processing } from './constructs/processing';
import { RawStorage } from './constructs/raw-storage';
import { Tables } from './constructs/tables';
import { MaintenanceWorkflow } from './constructs/maintenance-workflow';
import { ReportWorkflow } from './constructs/report-workflow';
import type { WorkflowFunction } from '../src/shared/workflow-substitutions';

export interface StockpipeStackProps extends StackProps {
  readonly config: InfraConfig;
  /**
   * Entry files by function, absolute paths; tests point these at small fixtures.
   * @default - the handlers under src/ (HANDLER_ENTRY)
   */
  readonly entries?: Partial<Record<HandlerName | WorkflowFunction, string>>;
}

/** Stack outputs, keyed by the RESOURCE key of what they name. */
export type StackOutputKey = keyof typeof RESOURCE;

export class StockpipeStack extends Stack {
  readonly config: InfraConfig;
  readonly removalPolicy: RemovalPolicy;
  readonly maintenance: MaintenanceWorkflow;
  readonly report: ReportWorkflow;
  readonly encryption: Encryption;
  readonly rawStorage: RawStorage;
  readonly tables: Tables;
  readonly ingestion: Ingestion;
  readonly processing: Processing;
  readonly analysis: Analysis;
  readonly analytics: Analytics;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: StockpipeStackProps) {
    const { config, entries, ...stackProps } = props;
    super(scope, id, { description: 'stockpipe: serverless stock-market pipeline', ...stackProps });
    this.config = config;
    Aspects.of(this).add(new IamAudit());
    const removalPolicy = (this.removalPolicy =
      config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN);
    const entry = (name: HandlerName) => entries?.[name] ?? path.join(REPO_ROOT, HANDLER_ENTRY[name]);
    const logRetention = config.logRetentionDays;
    const streamSettings = {
      batchSize: config.batchSize,
      batchingWindowSeconds: config.batchingWindowSeconds,
      retryAttempts: config.retryAttempts,
      maxRecordAgeSeconds: config.maxRecordAgeSeconds,
    };

    this.encryption = new Encryption(this, 'Encryption', { removalPolicy });
    const key = this.encryption.key;
    this.rawStorage = new RawStorage(this, 'RawStorage', {
      rawRetentionDays: config.rawRetentionDays,
      removalPolicy,
    });
    this.tables = new Tables(this, 'Tables', {
      removalPolicy,
      deletionProtection: config.deletionProtection,
    });

    this.ingestion = new Ingestion(this, 'Ingestion', {
      producerEntry: entry('producer'),
      symbols: config.symbols,
      cadenceSeconds: config.cadenceSeconds,
      quoteSource: config.quoteSource,
      prices: this.tables.prices,
      scheduleEnabled: config.scheduleEnabled,
      streamMode: config.streamMode,
      shardCount: config.shardCount,
      logRetention,
      removalPolicy,
    });
    this.processing = new Processing(this, 'Processing', {
      ...streamSettings,
      parallelizationFactor: config.parallelizationFactor,
      key,
      stream: this.ingestion.stream,
      lake: this.rawStorage.bucket,
      prices: this.tables.prices,
      entry: entry('processing'),
      ttlDays: config.ttlDays,
      logRetention,
      removalPolicy,
    });
    // A quote the tick schema refuses goes, with its reason, to the queue of refused records, alone:
    // the sample goes on with the other symbols (src/producer/produce.ts).
    this.processing.invalidRecords.grantSendMessages(this.ingestion.producer.function);
    this.ingestion.producer.function.addEnvironment(ENV.invalidQueueUrl, this.processing.invalidRecords.queueUrl);
    acknowledgeKeyGrantWildcards(this.ingestion.producer.function.role!, 'sending to the encrypted invalid-records queue');
    this.analysis = new Analysis(this, 'Analysis', {
      ...streamSettings,
      key,
      prices: this.tables.prices,
      signalState: this.tables.signalState,
      alerts: this.tables.alerts,
      entry: entry('analysis'),
      alertEmail: config.alertEmail,
      logRetention,
      removalPolicy,
    });
    this.analytics = new Analytics(this, 'Analytics', {
      lake: this.rawStorage.bucket,
      accessLogs: this.rawStorage.accessLogs,
      bytesScannedCutoffMb: config.athenaBytesScannedCutoffMb,
      removalPolicy,
    });
    this.observability = new Observability(this, 'Observability', {
      key,
      opsEmail: config.opsEmail,
      stream: this.ingestion.stream,
      functions: {
        Producer: this.ingestion.producer.function,
        Processing: this.processing.function.function,
        Analysis: this.analysis.function.function,
      },
      sporadicErrorFunctions: ['Producer'],
      streamFunctions: {
        Processing: this.processing.function.function,
        Analysis: this.analysis.function.function,
      },
      deadLetterQueues: {
        InvalidRecords: this.processing.invalidRecords,
        ProcessingDlq: this.processing.deadLetters,
        AnalysisDlq: this.analysis.deadLetters,
      },
      alertTopic: this.analysis.alertTopic,
      iteratorAgeAlarmSeconds: config.iteratorAgeAlarmSeconds,
    });

    // Both workflows used to be one construct, Stockpipe/Workflow. A construct named 'Default' is left
    // out of logical IDs, so these two paths keep the logical ID of every workflow resource: deployed
    // state machines, their history and their retained log groups are not replaced.
    const workflowCommon = { opsTopic: this.observability.opsTopic, logRetention, removalPolicy };
    this.maintenance = new MaintenanceWorkflow(this, 'Workflow', {
      ...workflowCommon,
      lake: this.rawStorage.bucket,
      ...(entries ? { entries } : {}),
    });
    this.report = new ReportWorkflow(new Construct(this, 'Default'), 'Workflow', {
      signalState: this.tables.signalState,
      ...workflowCommon,
      lake: this.rawStorage.bucket,
      athenaResults: this.analytics.results,
      alerts: this.tables.alerts,
      alertTopic: this.analysis.alertTopic,
      ...(entries?.report ? { entry: entries.report } : {}),
    });
    this.observability.monitorStateMachine('Maintenance', this.maintenance.stateMachine);
    this.observability.monitorStateMachine('Report', this.report.stateMachine);

    this.outputs({
      stream: this.ingestion.stream.streamName,
      scheduleRule: this.ingestion.schedule.ruleName,
      rawBucket: this.rawStorage.bucket.bucketName,
      priceTable: this.tables.prices.tableName,
      signalStateTable: this.tables.signalState.tableName,
      alertTable: this.tables.alerts.tableName,
      invalidQueue: this.processing.invalidRecords.queueUrl,
      processingDlq: this.processing.deadLetters.queueUrl,
      analysisDlq: this.analysis.deadLetters.queueUrl,
      alertTopic: this.analysis.alertTopic.topicArn,
      opsTopic: this.observability.opsTopic.topicArn,
      glueDatabase: this.analytics.databaseName,
      rawTable: RESOURCE.rawTable,
      curatedTable: RESOURCE.curatedTable,
      athenaWorkgroup: this.analytics.workgroupName,
      maintenanceStateMachine: this.maintenance.stateMachine.stateMachineArn,
      reportStateMachine: this.report.stateMachine.stateMachineArn,
      maintenanceRule: this.maintenance.schedule.ruleName,
      reportRule: this.report.schedule.ruleName,
      analysisFunction: this.analysis.function.function.functionName,
    });
    new CfnOutput(this, 'dashboard', {
      description: 'CloudWatch dashboard of the pipeline',
      value: this.observability.dashboard.dashboardName,
    });
  }

  /** Adds outputs named by RESOURCE keys; the workflow adds its own the same way. */
  outputs(values: Partial<Record<StackOutputKey, string>>): void {
    for (const [name, value] of Object.entries(values)) {
      new CfnOutput(this, name, { value });
    }
  }
}
