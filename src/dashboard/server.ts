/**
 * The dashboard's HTTP server (node:http, no framework: six fixed GET endpoints and four static
 * files). It listens on 127.0.0.1 only and answers only requests whose Host header is the address
 * it printed, so a web page elsewhere cannot reach it through a DNS name rebound to 127.0.0.1. The
 * API runs fixed queries: a request can name a symbol and a side, each checked, nothing else.
 *
 *   GET /api/info                      target and where
 *   GET /api/symbols                   symbols, those with alerts first
 *   GET /api/series?symbol=S           ticks with SMA-5/SMA-20 and the symbol's alerts (markers)
 *   GET /api/alerts[?symbol=S][&side=] the alert log, newest first
 *   GET /api/health                    per-minute counts, DLQ depths, last runs, last reconciliation
 *   GET /api/events                    server-sent events: `update` whenever the data changed
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { StockpipeError } from '../core/errors';
import { packageRoot } from '../shared/package-root';
import { SYMBOL_PARAM, type DashboardData } from './data';

export const DASHBOARD_HOST = '127.0.0.1';
/** The port `stockpipe dashboard` and `npm start` try first. */
export const DEFAULT_DASHBOARD_PORT = 4680;

export class DashboardError extends StockpipeError {
  override readonly name = 'DashboardError';
}

/** A request the API refuses: which parameter, its value, why. */
class BadRequest extends Error {
  constructor(
    readonly field: string,
    readonly value: string,
    readonly reason: string,
  ) {
    super(`${field}=${JSON.stringify(value)}: ${reason}`);
  }
}

const PAGE_DIR = join(packageRoot(), 'src', 'dashboard', 'page');

interface StaticFile {
  readonly path: string;
  readonly type: string;
}

const STATIC: Readonly<Record<string, StaticFile>> = {
  '/': { path: join(PAGE_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/app.js': { path: join(PAGE_DIR, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/style.css': { path: join(PAGE_DIR, 'style.css'), type: 'text/css; charset=utf-8' },
  '/vendor/lightweight-charts.js': {
    path: join(
      dirname(require.resolve('lightweight-charts/package.json')),
      'dist',
      'lightweight-charts.standalone.production.js',
    ),
    type: 'text/javascript; charset=utf-8',
  },
};

const COMMON_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  // Everything the page needs comes from this server; the chart draws on a canvas with inline styles.
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
};

export interface DashboardServerOptions {
  readonly data: DashboardData;
  /** 0 picks a free port. @default DEFAULT_DASHBOARD_PORT */
  readonly port?: number;
  /** How often the live feed asks the data whether it changed. @default 1000 */
  readonly pollMs?: number;
}

export interface DashboardServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function param(url: URL, name: string, check: (v: string) => string | undefined): string | undefined {
  const value = url.searchParams.get(name);
  if (value === null || value === '') return undefined;
  const reason = check(value);
  if (reason) throw new BadRequest(name, value, reason);
  return value;
}

const symbolParam = (url: URL, required: boolean): string | undefined => {
  const symbol = param(url, 'symbol', (v) =>
    SYMBOL_PARAM.test(v) ? undefined : 'is not a symbol (upper-case letters, digits, "." and "-", at most 15, "^" only first)',
  );
  if (required && !symbol) throw new BadRequest('symbol', '', 'is required, e.g. ?symbol=MSFT');
  return symbol;
};

const sideParam = (url: URL): 'BUY' | 'SELL' | undefined =>
  param(url, 'side', (v) => (v === 'BUY' || v === 'SELL' ? undefined : 'must be BUY or SELL')) as 'BUY' | 'SELL' | undefined;

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const { data } = options;
  const pollMs = options.pollMs ?? 1000;
  const sockets = new Set<Socket>();
  const streams = new Set<ServerResponse>();
  let allowedHost = '';

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer) => {
    res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, value: unknown) =>
    send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));

  const api = async (url: URL): Promise<unknown> => {
    switch (url.pathname) {
      case '/api/info':
        return { target: data.target, where: data.where };
      case '/api/symbols':
        return { symbols: await data.symbols() };
      case '/api/series':
        return data.series(symbolParam(url, true)!);
      case '/api/alerts': {
        const symbol = symbolParam(url, false);
        const side = sideParam(url);
        return { alerts: await data.alerts({ ...(symbol ? { symbol } : {}), ...(side ? { side } : {}) }) };
      }
      case '/api/health':
        return data.health();
      default:
        return undefined;
    }
  };

  const events = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    streams.add(res);
    let last: string | undefined;
    let busy = false;
    const check = async () => {
      if (busy) return;
      busy = true;
      try {
        const version = await data.version();
        if (version !== last) {
          last = version;
          res.write(`event: update\ndata: ${JSON.stringify({ version })}\n\n`);
        }
      } catch (error) {
        res.write(`event: problem\ndata: ${JSON.stringify({ error: (error as Error).message })}\n\n`);
      } finally {
        busy = false;
      }
    };
    void check();
    const timer = setInterval(() => void check(), pollMs);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    const end = () => {
      clearInterval(timer);
      clearInterval(heartbeat);
      streams.delete(res);
    };
    req.on('close', end);
    res.on('close', end);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // DNS rebinding: a browser sends the name it resolved, so anything but the printed address is refused.
    if (req.headers.host !== allowedHost) {
      return json(res, 403, {
        error: `refused: Host ${JSON.stringify(req.headers.host ?? '')} is not ${allowedHost}; open http://${allowedHost}/`,
      });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return json(res, 405, { error: `${req.method} is not served: the dashboard only reads` });
    }
    const url = new URL(req.url ?? '/', `http://${allowedHost}`);
    const file = STATIC[url.pathname];
    if (file) return send(res, 200, file.type, readFileSync(file.path));
    if (url.pathname === '/api/events') return events(req, res);
    try {
      const value = await api(url);
      if (value === undefined) return json(res, 404, { error: `no ${url.pathname} here; the API is under /api/` });
      return json(res, 200, value);
    } catch (error) {
      if (error instanceof BadRequest) {
        return json(res, 400, { error: error.message, field: error.field, value: error.value, reason: error.reason });
      }
      return json(res, 500, { error: error instanceof Error ? error.message : String(error) });
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { error: String(error) });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(
        new DashboardError(
          error.code === 'EADDRINUSE'
            ? `port ${options.port ?? DEFAULT_DASHBOARD_PORT} on ${DASHBOARD_HOST} is in use; pass --port <another>, or --port 0 for any free one`
            : `the dashboard cannot listen on ${DASHBOARD_HOST}:${options.port ?? DEFAULT_DASHBOARD_PORT} (${error.message})`,
          { cause: error },
        ),
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options.port ?? DEFAULT_DASHBOARD_PORT, DASHBOARD_HOST);
  });
  const port = (server.address() as AddressInfo).port;
  allowedHost = `${DASHBOARD_HOST}:${port}`;
  return {
    url: `http://${allowedHost}/`,
    port,
    async close() {
      for (const res of streams) res.end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      await data.close();
    },
  };
}
