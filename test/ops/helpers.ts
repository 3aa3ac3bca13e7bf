/** Shared set-up of the ops tests: a stack's outputs, clients with mocked control planes, an opened AWS target. */
import {
  DescribeStacksCommand,
  type CloudFormationClient,
  type DescribeStacksCommandOutput,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsOperations } from '../../src/ops/aws/operations';
import { opsClientsFrom, type OpsClients } from '../../src/ops/aws/clients';
import { createClients, type AwsClients } from '../../src/shared/clients';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const SM_MAINTENANCE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:stockpipe-lake-maintenance`;
export const SM_REPORT = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:stockpipe-daily-report`;

/** Outputs of a deployed stack, as infra/stack.ts names them (plus the workflow construct's). */
export const OUTPUTS: Record<string, string> = {
  stream: 'Stockpipe-IngestionStream1234',
  scheduleRule: 'Stockpipe-IngestionScheduleABCD',
  rawBucket: 'stockpipe-rawstorage-lake-xyz',
  priceTable: 'Stockpipe-TablesPrices',
  signalStateTable: 'Stockpipe-TablesSignalState',
  alertTable: 'Stockpipe-TablesAlerts',
  invalidQueue: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/Stockpipe-InvalidRecords`,
  processingDlq: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/Stockpipe-ProcessingDlq`,
  analysisDlq: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/Stockpipe-AnalysisDlq`,
  alertTopic: `arn:aws:sns:${REGION}:${ACCOUNT}:Stockpipe-Alerts`,
  opsTopic: `arn:aws:sns:${REGION}:${ACCOUNT}:Stockpipe-Ops`,
  glueDatabase: 'stockpipe',
  rawTable: 'stock_data_table',
  curatedTable: 'stock_data_curated',
  athenaWorkgroup: 'stockpipe',
  maintenanceStateMachine: SM_MAINTENANCE,
  reportStateMachine: SM_REPORT,
  maintenanceRule: 'Stockpipe-WorkflowMaintenanceSchedule',
  reportRule: 'Stockpipe-WorkflowReportSchedule',
  analysisFunction: 'Stockpipe-AnalysisFunction-1A2B3C',
};

export const describeStacksAnswer = (
  outputs: Record<string, string> = OUTPUTS,
  status: StackStatus = 'UPDATE_COMPLETE',
): Partial<DescribeStacksCommandOutput> => ({
  Stacks: [
    {
      StackName: 'Stockpipe',
      StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Stockpipe/1`,
      StackStatus: status,
      CreationTime: new Date('2026-01-01T00:00:00Z'),
      Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    },
  ],
});

const mockCloudFormation = (client: CloudFormationClient) => mockClient(client);

export interface MockedTarget {
  ops: AwsOperations;
  clients: OpsClients;
  cfn: ReturnType<typeof mockCloudFormation>;
}

/**
 * Opens the AWS target on `data` clients (emulator-backed, or plain ones to be mocked) with
 * CloudFormation mocked to answer OUTPUTS. Control-plane clients are mocked per instance by the caller.
 */
export async function openTarget(
  data: AwsClients = createClients({ region: REGION }),
  options: { now?: () => Date; outputs?: Record<string, string>; sleep?: (ms: number) => Promise<void> } = {},
): Promise<MockedTarget> {
  const clients = opsClientsFrom(data, REGION);
  const cfn = mockCloudFormation(clients.cloudformation);
  cfn.on(DescribeStacksCommand).resolves(describeStacksAnswer(options.outputs));
  const ops = await AwsOperations.open({
    clients,
    region: REGION,
    cacheDir: null,
    ...(options.now ? { now: options.now } : {}),
    sleep: options.sleep ?? (async () => undefined),
  });
  return { ops, clients, cfn };
}

/** An SDK service error as the SDK throws it. */
export function awsError(name: string, message: string, status = 400): Error {
  const e = new Error(message) as Error & { $metadata: object; $fault: string };
  e.name = name;
  e.$metadata = { httpStatusCode: status };
  e.$fault = 'client';
  return e;
}
