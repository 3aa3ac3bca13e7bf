/** The report Lambda: plans the daily report's queries and builds the report from their results. */
import { createClients } from '../shared/clients';
import { resourceFromEnv } from '../shared/config';
import { tracer, withPowertools } from '../shared/powertools';
import { DynamoDbDayAlertReader } from '../adapters/aws/dynamodb-day-alert-reader';
import { makeReportHandler } from './report-task';

const { dynamodb, documents } = createClients();
tracer.captureAWSv3Client(dynamodb);

export const handler = withPowertools(
  makeReportHandler({ alerts: new DynamoDbDayAlertReader(documents, resourceFromEnv('alertTable')) }),
);
