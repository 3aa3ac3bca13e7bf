/**
 * The one place AWS SDK clients are made. Handlers, the local runtime, the CLI and the tests all get
 * their clients here, so the settings that the local stand-ins need live in one file, each with its why.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient, errorTypeRegistries as sqsErrorTypeRegistries } from '@aws-sdk/client-sqs';
import { AwsQueryProtocol } from '@aws-sdk/core/protocols';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DEFAULTS } from './names';

export type ServiceName = 'kinesis' | 'dynamodb' | 's3' | 'sqs' | 'sns';

export interface ClientConfig {
  /** @default process.env.AWS_REGION, then us-east-1 */
  readonly region?: string;
  /**
   * Endpoint per service. Set for the local stand-ins; unset in AWS, where the SDK also honours
   * AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> by itself.
   */
  readonly endpoints?: Partial<Record<ServiceName, string>>;
  /**
   * Talk to sqslite: it speaks only the query/XML protocol that SDK v3 SQS dropped for JSON.
   * @default false
   */
  readonly sqsQueryProtocol?: boolean;
}

export interface AwsClients {
  readonly kinesis: KinesisClient;
  readonly dynamodb: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  destroy(): void;
}

// Stand-ins accept any signature; fixed dummy credentials mean no test ever reads a real AWS profile.
const STAND_IN_CREDENTIALS = { accessKeyId: 'x', secretAccessKey: 'x' };
// s3rver checks the key id: it knows only its built-in S3RVER/S3RVER pair.
const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export function createClients(config: ClientConfig = {}): AwsClients {
  const region = config.region ?? process.env.AWS_REGION ?? DEFAULTS.region;
  const endpoints = config.endpoints ?? {};
  const base = (service: ServiceName) =>
    endpoints[service] ? { region, endpoint: endpoints[service], credentials: STAND_IN_CREDENTIALS } : { region };

  // kinesalite answers HTTP/1.1 only; the Kinesis client's default HTTP/2 handler fails every call
  // with ERR_HTTP2_ERROR against it. HTTP/1.1 is also fine for Kinesis in AWS.
  const kinesis = new KinesisClient({ ...base('kinesis'), requestHandler: new NodeHttpHandler() });

  const dynamodb = new DynamoDBClient(base('dynamodb'));
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });

  const s3 = new S3Client({
    ...base('s3'),
    ...(endpoints.s3 ? { credentials: S3RVER_CREDENTIALS } : {}),
    // s3rver serves buckets by path, not by virtual host.
    forcePathStyle: Boolean(endpoints.s3),
    // Without WHEN_REQUIRED the SDK sends flexible checksums in aws-chunked framing, which s3rver
    // stores verbatim: silent corruption of every object. AWS accepts either.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  // A queue URL carries the real SQS host, and the SQS client follows it unless told not to: with an
  // endpoint given (a stand-in, or AWS_ENDPOINT_URL for moto) every call must go to that endpoint.
  const sqsEndpointGiven = Boolean(endpoints.sqs ?? process.env.AWS_ENDPOINT_URL_SQS ?? process.env.AWS_ENDPOINT_URL);
  const sqs = new SQSClient({
    ...base('sqs'),
    ...(sqsEndpointGiven ? { useQueueUrlAsEndpoint: false } : {}),
    ...(config.sqsQueryProtocol
      ? {
          // Relies on SDK internals (the protocol override); test/integration/clients.test.ts fails
          // loudly if an SDK upgrade breaks it.
          protocol: new AwsQueryProtocol({
            defaultNamespace: 'com.amazonaws.sqs',
            xmlNamespace: 'http://queue.amazonaws.com/doc/2012-11-05/',
            version: '2012-11-05',
            errorTypeRegistries: sqsErrorTypeRegistries,
          }),
        }
      : {}),
  });

  const sns = new SNSClient(base('sns'));

  return {
    kinesis,
    dynamodb,
    documents,
    s3,
    sqs,
    sns,
    destroy() {
      for (const client of [kinesis, documents, dynamodb, s3, sqs, sns]) client.destroy();
    },
  };
}
