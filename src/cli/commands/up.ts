/**
 * `stockpipe up --expose`: the local pipeline with its emulators on fixed loopback ports, so any AWS
 * SDK or the AWS CLI can feed the stream and read the table, bucket and queues, until Ctrl-C.
 */
import { Option, type Command } from 'commander';
import type { EmulatedService, LocalPipeline } from '../../local';
import { DEFAULTS } from '../../shared/names';
import { layoutOf, outputFor, port, speed, withCommonOptions, type CommonOptions } from '../options';
import { CliError, type CliIo } from '../output';
import { alertLine, logPrinter, useColour, yahooLog } from '../pipeline-output';

/** The documented ports of `up --expose`; each can be changed with --<service>-port. */
export const EXPOSED_PORTS: Readonly<Record<EmulatedService, number>> = {
  kinesis: 45670,
  dynamodb: 45671,
  s3: 45672,
  sqs: 45673,
};

interface UpOptions extends CommonOptions {
  readonly expose?: boolean;
  readonly kinesisPort?: number;
  readonly dynamodbPort?: number;
  readonly s3Port?: number;
  readonly sqsPort?: number;
  readonly source?: 'replay' | 'synthetic' | 'yahoo';
  readonly speed: number;
  readonly persist?: boolean;
}

/** What `up` prints once ready; with --json, this object on one line. */
export interface UpInfo {
  readonly endpoints: Readonly<Record<EmulatedService, string>>;
  readonly region: string;
  readonly stream: string;
  readonly tables: { readonly prices: string; readonly signalState: string; readonly alerts: string };
  readonly bucket: string;
  readonly queues: { readonly invalid: string; readonly processing: string; readonly analysis: string };
  /** Kinesis, DynamoDB and SQS take any key; the S3 stand-in only its own. */
  readonly credentials: {
    readonly default: { accessKeyId: string; secretAccessKey: string };
    readonly s3: { accessKeyId: string; secretAccessKey: string };
  };
  readonly dataDir: string;
}

export function upInfo(pipeline: LocalPipeline): UpInfo {
  const r = pipeline.resources;
  return {
    endpoints: pipeline.endpoints,
    region: r.region,
    stream: r.streamName,
    tables: { prices: r.priceTable, signalState: r.signalStateTable, alerts: r.alertTable },
    bucket: r.rawBucket,
    queues: { invalid: r.invalidQueueUrl, processing: r.processingDlqUrl, analysis: r.analysisDlqUrl },
    credentials: {
      default: { accessKeyId: 'x', secretAccessKey: 'x' },
      s3: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    },
    dataDir: pipeline.layout.root,
  };
}

const renderInfo = (i: UpInfo): string => {
  const e = i.endpoints;
  const tick = `{"symbol":"AAPL","timestamp":"${new Date().toISOString().slice(0, 19)}Z","price":190.5,"open":189,"high":191,"low":188.5,"previous_close":189.2,"volume":1000,"source":"cli"}`;
  return [
    `local pipeline up; emulators on loopback (region ${i.region}):`,
    `  kinesis   ${e.kinesis}   stream ${i.stream}`,
    `  dynamodb  ${e.dynamodb}   tables ${i.tables.prices}, ${i.tables.signalState}, ${i.tables.alerts}`,
    `  s3        ${e.s3}   bucket ${i.bucket} (access key S3RVER, secret S3RVER)`,
    `  sqs       ${e.sqs}   queues ${i.queues.invalid}, ${i.queues.processing}, ${i.queues.analysis}`,
    'Any access key works for kinesis, dynamodb and sqs. Try:',
    `  aws --endpoint-url ${e.kinesis} --region ${i.region} kinesis put-record --stream-name ${i.stream} --partition-key AAPL --cli-binary-format raw-in-base64-out --data '${tick}'`,
    `  aws --endpoint-url ${e.dynamodb} --region ${i.region} dynamodb scan --table-name ${i.tables.prices}`,
    'Ctrl-C stops.',
  ].join('\n');
};

export function registerUp(program: Command, io: CliIo): void {
  const command = program
    .command('up')
    .description('run the local pipeline and let any AWS SDK or the AWS CLI reach its stream, tables, bucket and queues')
    .option(
      '--expose',
      `listen on the documented fixed ports (kinesis ${EXPOSED_PORTS.kinesis}, dynamodb ${EXPOSED_PORTS.dynamodb}, s3 ${EXPOSED_PORTS.s3}, sqs ${EXPOSED_PORTS.sqs}) instead of free ones`,
    )
    .option('--kinesis-port <port>', 'port of the Kinesis endpoint', port)
    .option('--dynamodb-port <port>', 'port of the DynamoDB endpoint', port)
    .option('--s3-port <port>', 'port of the S3 endpoint', port)
    .option('--sqs-port <port>', 'port of the SQS endpoint', port)
    .addOption(
      new Option('--source <source>', 'also run the scheduled producer on this source').choices(['replay', 'synthetic', 'yahoo']),
    )
    .option('--speed <factor>', 'speed of the schedule when --source is given', speed(false), 1)
    .option('--persist', 'keep stream and tables on disk in the data dir');
  withCommonOptions(command).action(async (options: UpOptions) => {
    const out = outputFor(io, options);
    const fixed = options.expose ? EXPOSED_PORTS : { kinesis: 0, dynamodb: 0, s3: 0, sqs: 0 };
    const ports = {
      kinesis: options.kinesisPort ?? fixed.kinesis,
      dynamodb: options.dynamodbPort ?? fixed.dynamodb,
      s3: options.s3Port ?? fixed.s3,
      sqs: options.sqsPort ?? fixed.sqs,
    };
    const [{ startLocalPipeline }, { createQuoteSource }, { ReplaySource }, { syntheticSymbols }] = await Promise.all([
      import('../../local'),
      import('../../producer/create-source'),
      import('../../producer/replay-source'),
      import('../../producer/synthetic-source'),
    ]);
    const source = options.source ? createQuoteSource(options.source, { seed: 1, log: yahooLog(out) }) : undefined;
    const symbols =
      source instanceof ReplaySource
        ? source.symbols()
        : options.source === 'synthetic'
          ? syntheticSymbols(5)
          : [...DEFAULTS.symbols];
    let pipeline: LocalPipeline;
    try {
      pipeline = await startLocalPipeline({
        dataDir: layoutOf(options).root,
        persist: Boolean(options.persist),
        command: 'up',
        ports,
        ...(source ? { producer: { source, symbols }, schedule: { speed: options.speed } } : {}),
        onAlert: (m) => out.event({ type: 'alert', ...m.alert, publishedAt: m.publishedAt }, alertLine(m, useColour(io))),
        onLog: logPrinter(out),
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new CliError(
          `a port is already in use (${(error as Error).message}); stop what uses it or choose others with --kinesis-port, --dynamodb-port, --s3-port, --sqs-port`,
          1,
        );
      }
      throw error;
    }
    const info = upInfo(pipeline);
    out.event(info, renderInfo(info));
    const signal = await io.interrupted();
    out.note(`${signal}: stopping...`);
    await pipeline.stop();
    out.note('stopped');
  });
}
