/**
 * Creates the pipeline's resources on the local stand-ins, with the same keys and names as the CDK
 * stack, and returns what the functions need to find them. Idempotent: existing resources are kept.
 */
import { CreateTableCommand, DescribeTableCommand, ResourceInUseException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  ResourceInUseException as StreamInUse,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../shared/clients';
import type { PipelineResources } from '../../shared/config';
import { ATTR, RESOURCE } from '../../shared/names';

export interface LocalResources extends PipelineResources {
  readonly processingDlqUrl: string;
  readonly region: string;
  readonly accountId: string;
}

export interface ProvisionOptions {
  /** @default 2 */
  readonly shardCount?: number;
  /** Overrides of the default names, e.g. to give each test its own. */
  readonly names?: Partial<typeof RESOURCE>;
}

const LOCAL_ACCOUNT = '000000000000';

async function ensureStream(kinesis: KinesisClient, name: string, shards: number) {
  try {
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  } catch (e) {
    if (!(e instanceof StreamInUse)) throw e;
  }
  for (let i = 0; i < 50; i++) {
    const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`local stream ${name} did not become ACTIVE`);
}

async function ensureTable(dynamodb: DynamoDBClient, name: string, hash: string, range?: string) {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: hash, KeyType: 'HASH' },
          ...(range ? [{ AttributeName: range, KeyType: 'RANGE' as const }] : []),
        ],
        AttributeDefinitions: [
          { AttributeName: hash, AttributeType: 'S' },
          ...(range ? [{ AttributeName: range, AttributeType: 'S' as const }] : []),
        ],
      }),
    );
  } catch (e) {
    if (!(e instanceof ResourceInUseException)) throw e;
  }
  // dynalite answers CREATING first, ACTIVE on the next DescribeTable.
  for (let i = 0; i < 50; i++) {
    const out = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
    if (out.Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`local table ${name} did not become ACTIVE`);
}

async function ensureBucket(s3: S3Client, name: string) {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: name }));
  } catch {
    try {
      await s3.send(new CreateBucketCommand({ Bucket: name }));
    } catch (error) {
      // The bucket's folder is there but s3rver could not read its metadata (a run that filled
      // the disk while creating it): the folder is the bucket, so go on with it.
      const code = (error as { name?: string }).name;
      if (code !== 'BucketAlreadyExists' && code !== 'BucketAlreadyOwnedByYou') throw error;
    }
  }
}

const ensureQueue = async (sqs: SQSClient, name: string): Promise<string> => {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (!out.QueueUrl) throw new Error(`local queue ${name} has no URL`);
  return out.QueueUrl;
};

export async function provisionLocalResources(clients: AwsClients, options: ProvisionOptions = {}): Promise<LocalResources> {
  const names = { ...RESOURCE, ...options.names };
  const region = await clients.kinesis.config.region();
  await Promise.all([
    ensureStream(clients.kinesis, names.stream, options.shardCount ?? 2),
    ensureTable(clients.dynamodb, names.priceTable, ATTR.symbol, ATTR.timestamp),
    ensureTable(clients.dynamodb, names.signalStateTable, ATTR.symbol),
    ensureTable(clients.dynamodb, names.alertTable, ATTR.symbol, ATTR.alertKey),
    ensureBucket(clients.s3, names.rawBucket),
  ]);
  const [invalidQueueUrl, processingDlqUrl, analysisDlqUrl] = await Promise.all(
    [names.invalidQueue, names.processingDlq, names.analysisDlq].map((q) => ensureQueue(clients.sqs, q)),
  );
  return {
    streamName: names.stream,
    rawBucket: names.rawBucket,
    priceTable: names.priceTable,
    signalStateTable: names.signalStateTable,
    alertTable: names.alertTable,
    invalidQueueUrl: invalidQueueUrl!,
    processingDlqUrl: processingDlqUrl!,
    analysisDlqUrl: analysisDlqUrl!,
    alertTopicArn: `arn:aws:sns:${region}:${LOCAL_ACCOUNT}:${names.alertTopic}`,
    region,
    accountId: LOCAL_ACCOUNT,
  };
}
