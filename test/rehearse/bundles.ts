/**
 * Runs a function's bundle from cdk.out in this process, as a warm Lambda container would: the module
 * is loaded once (its top-level clients live on), each invocation runs with the environment
 * CloudFormation resolved for the function, and every AWS request the invocation sends is recorded as
 * an IAM action for the least-privilege check. Invocations run one at a time: process.env is global.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { callOfRequest, type RecordedCall } from './policy';

// The CommonJS module object (the one the bundles require), not the frozen ESM namespace.
const http = createRequire(__filename)('node:http') as typeof import('node:http');

const S3_ACTIONS: Record<string, string> = {
  GET: 's3:GetObject',
  HEAD: 's3:GetObject',
  PUT: 's3:PutObject',
  DELETE: 's3:DeleteObject',
};

/** The IAM action of one SDK request, or undefined for a request that is not an AWS call. */
export function actionOfRequest(
  method: string,
  urlPath: string,
  headers: Record<string, string>,
  body: string,
): string | undefined {
  const auth = headers.authorization ?? '';
  const service = /Credential=[^/]+\/\d+\/[^/]+\/([^/]+)\//.exec(auth)?.[1];
  if (!service) return undefined;
  const iamService = service === 'monitoring' ? 'cloudwatch' : service;
  const target = headers['x-amz-target'];
  if (target) return `${iamService}:${target.split('.').pop()}`;
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body)?.[1];
  if (action) return `${iamService}:${action}`;
  if (service === 's3') {
    const [pathOnly, query = ''] = urlPath.split('?');
    const keyless = pathOnly!.split('/').filter(Boolean).length <= 1;
    if (method === 'GET' && keyless) return 's3:ListBucket';
    if (method === 'POST' && /(^|&)delete(=|&|$)/.test(query)) return 's3:DeleteObject';
    return S3_ACTIONS[method];
  }
  return `${iamService}:${method}`;
}

interface Recording {
  readonly fn: BundledFunction;
  readonly account: string;
}

/** The function of the invocation whose async context a request is sent from. */
const recording = new AsyncLocalStorage<Recording>();
let installed = false;

/** Patches http.request once: a request sent outside an invocation (the harness's own) is not recorded. */
function installRecorder(): void {
  if (installed) return;
  installed = true;
  const original = http.request;
  const patched = function (this: unknown, ...args: Parameters<typeof http.request>) {
    const req = original.apply(this, args);
    const into = recording.getStore();
    if (!into) return req;
    const region = /Credential=[^/]+\/\d+\/([^/]+)\//;
    const chunks: Buffer[] = [];
    const write = req.write.bind(req);
    const end = req.end.bind(req);
    req.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (chunk) chunks.push(Buffer.from(chunk as string));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof req.write;
    req.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as string));
      const headers = Object.fromEntries(Object.entries(req.getHeaders()).map(([k, v]) => [k.toLowerCase(), String(v)]));
      const body = Buffer.concat(chunks).toString('utf8');
      const action = actionOfRequest(req.method, req.path, headers, body);
      if (action) {
        into.fn.sent.add(action);
        const scope = { region: region.exec(headers.authorization ?? '')?.[1] ?? '', account: into.account };
        const call = callOfRequest(action, req.path, body, scope);
        into.fn.calls.set(JSON.stringify(call), call);
      }
      return (end as (...a: unknown[]) => typeof req)(chunk, ...rest);
    }) as typeof req.end;
    return req;
  };
  (http as { request: unknown }).request = patched;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

export interface BundledFunction {
  /** The template's logical id without CDK's hash suffix, e.g. IngestionProducerFunction. */
  readonly label: string;
  readonly logicalId: string;
  readonly physicalName: string;
  readonly arn: string;
  readonly roleId: string;
  readonly bundle: string;
  /** The environment CloudFormation resolved for the function (GetFunctionConfiguration). */
  readonly environment: Readonly<Record<string, string>>;
  /** Every IAM action its invocations sent so far. */
  readonly sent: Set<string>;
  /** The same calls with the resources they act on, unique. */
  readonly calls: Map<string, RecordedCall>;
  invocations: number;
}

export interface InvokeOptions {
  /** The clock the invocation sees (Date.now), e.g. a scheduled run of some minutes ago. */
  readonly clockMs?: number;
}

export class BundleRunner {
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * @param account the account id of the ARNs the recorded calls act on
   * @param base environment on top of each function's own (the endpoint, region, dummy credentials)
   * @param logFile where the functions' stdout (their log lines and metrics) goes, to keep the
   *   rehearsal's own output readable
   */
  constructor(
    private readonly account: string,
    private readonly base: Readonly<Record<string, string>>,
    private readonly logFile?: string,
  ) {
    installRecorder();
  }

  /** One invocation; resolves with what the handler returned and rejects with what it threw. */
  invoke(fn: BundledFunction, event: unknown, options: InvokeOptions = {}): Promise<unknown> {
    const run = this.queue.then(() => this.invokeNow(fn, event, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async invokeNow(fn: BundledFunction, event: unknown, options: InvokeOptions): Promise<unknown> {
    if (!fs.existsSync(fn.bundle)) throw new Error(`no bundle at ${fn.bundle}`);
    const saved = process.env;
    process.env = { ...saved, ...fn.environment, ...this.base };
    const realNow = Date.now;
    if (options.clockMs !== undefined) {
      const offset = options.clockMs - realNow();
      Date.now = () => realNow() + offset;
    }
    fn.invocations++;
    const write = process.stdout.write.bind(process.stdout);
    const logFile = this.logFile;
    if (logFile) {
      process.stdout.write = ((chunk: string | Uint8Array) => {
        fs.appendFileSync(logFile, chunk);
        return true;
      }) as typeof process.stdout.write;
    }
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(fn.bundle) as { handler: Handler };
      const context = {
        functionName: fn.physicalName,
        invokedFunctionArn: fn.arn,
        awsRequestId: `rehearsal-${fn.invocations}`,
        getRemainingTimeInMillis: () => 60_000,
      };
      return await recording.run({ fn, account: this.account }, () => mod.handler(event, context));
    } finally {
      process.stdout.write = write;
      Date.now = realNow;
      process.env = saved;
    }
  }
}
