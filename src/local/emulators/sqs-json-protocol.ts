/**
 * The local SQS front door: sqslite speaks only SQS's query/XML protocol, while boto3, the AWS CLI
 * and SDK v3's default SQS client speak the JSON protocol (`X-Amz-Target: AmazonSQS.<Action>`,
 * `application/x-amz-json-1.0`). Without this, `stockpipe up --expose` answered them with
 * `415 Unsupported Media Type`.
 *
 * A JSON request is carried out with the SDK's own SQS command through the query-protocol client
 * (so the SDK does the translation both ways, shape for shape), and its output is written back as
 * JSON. Any other request (the query protocol the pipeline's own clients speak) is passed through to
 * sqslite untouched, Host header included, since sqslite builds queue URLs from it.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as sqsCommands from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createClients } from '../../shared/clients';

const TARGET_PREFIX = 'AmazonSQS.';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
/** sqslite finds a queue by its URL and only knows `http://localhost:<any port>/queues/<name>`. */
const QUEUE_URL = /^https?:\/\/[^/]+\/queues\//;

export interface SqsFrontDoor {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the front door on `host:port` (0 picks a free one), in front of sqslite at `backendPort`. */
export async function startSqsFrontDoor(backendPort: number, port: number, host: string): Promise<SqsFrontDoor> {
  const backendOrigin = `http://localhost:${backendPort}`;
  const { sqs, destroy } = createClients({ endpoints: { sqs: backendOrigin }, sqsQueryProtocol: true });
  const server: Server = createServer((req, res) => {
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string' && target.startsWith(TARGET_PREFIX)) {
      void answerJson(sqs, backendOrigin, target.slice(TARGET_PREFIX.length), req, res);
    } else {
      passThrough(backendPort, req, res);
    }
  });
  const listening = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
  return {
    port: listening,
    close: () =>
      new Promise<void>((resolve) => {
        destroy();
        // Keep-alive sockets of a client would otherwise hold close() open.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function passThrough(backendPort: number, req: IncomingMessage, res: ServerResponse): void {
  const upstream = httpRequest(
    { host: '127.0.0.1', port: backendPort, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`local SQS stand-in unreachable: ${error.message}`);
  });
  req.pipe(upstream);
}

type CommandClass = new (input: unknown) => Parameters<SQSClient['send']>[0];

/** The SDK command class of a JSON-protocol action, e.g. `SendMessage` → `SendMessageCommand`. */
export function commandFor(action: string): CommandClass | undefined {
  if (!/^[A-Z][A-Za-z]+$/.test(action)) return undefined;
  const found = (sqsCommands as Record<string, unknown>)[`${action}Command`];
  return typeof found === 'function' ? (found as CommandClass) : undefined;
}

async function answerJson(
  sqs: SQSClient,
  backendOrigin: string,
  action: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const frontOrigin = `http://localhost:${(req.socket.address() as AddressInfo).port}`;
  try {
    const Command = commandFor(action);
    if (!Command) throw jsonError(400, 'InvalidAction', `${action} is not an SQS action the local stand-in knows`);
    const body = await readBody(req);
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body);
    } catch {
      throw jsonError(400, 'SerializationException', 'the request body is not valid JSON');
    }
    const output = (await sqs.send(new Command(requestToSdk(input, backendOrigin)))) as unknown as Record<string, unknown>;
    const { $metadata: _metadata, ...rest } = output;
    send(res, 200, responseFromSdk(rest, frontOrigin));
  } catch (error) {
    const status = statusOf(error);
    const name = error instanceof Error ? error.name : 'InternalFailure';
    const message = error instanceof Error ? error.message : String(error);
    send(
      res,
      status,
      { __type: `com.amazonaws.sqs#${name}`, message },
      { 'x-amzn-query-error': `${name};${status < 500 ? 'Sender' : 'Receiver'}` },
    );
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': JSON_CONTENT_TYPE, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

function jsonError(status: number, name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

function statusOf(error: unknown): number {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 400 ? status : 500;
}

/**
 * JSON input → SDK input: queue URLs pointed at sqslite (which matches `localhost` only), and the
 * base64 text of binary message attributes decoded to the bytes the SDK expects.
 */
export function requestToSdk(input: unknown, backendOrigin: string): unknown {
  return mapTree(input, (key, value) => {
    if (key === 'QueueUrl' && typeof value === 'string') return value.replace(QUEUE_URL, `${backendOrigin}/queues/`);
    if (key === 'BinaryValue' && typeof value === 'string') return Buffer.from(value, 'base64');
    if (key === 'BinaryListValues' && Array.isArray(value))
      return value.map((v) => (typeof v === 'string' ? Buffer.from(v, 'base64') : v));
    return undefined;
  });
}

/** SDK output → JSON: bytes as base64, queue URLs as the caller reaches them (through this door). */
export function responseFromSdk(output: unknown, frontOrigin: string): unknown {
  return mapTree(output, (key, value) => {
    if ((key === 'QueueUrl' || key === 'QueueUrls') && value !== undefined) {
      const rewrite = (url: unknown) => (typeof url === 'string' ? url.replace(QUEUE_URL, `${frontOrigin}/queues/`) : url);
      return Array.isArray(value) ? value.map(rewrite) : rewrite(value);
    }
    if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
    return undefined;
  });
}

/** Copies a JSON-like tree; `replace` returns a new value for a key, or undefined to keep walking. */
function mapTree(node: unknown, replace: (key: string, value: unknown) => unknown): unknown {
  if (Array.isArray(node)) return node.map((item) => mapTree(item, replace));
  if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (value === undefined) continue;
    const replaced = replace(key, value);
    copy[key] = replaced !== undefined ? replaced : mapTree(value, replace);
  }
  return copy;
}
