/**
 * Live quotes from Yahoo Finance through yahoo-finance2: one `quote(symbols)` request per sample.
 * A failed request, or a symbol Yahoo has no quote for, fails the whole sample with a one-line
 * QuoteSourceError that says what to do. A quote the tick schema refuses (a new listing without a
 * previous close, say) is refused alone: `takeRefused()` hands it to the invalid-records path with
 * its reason, and the other symbols of the sample go on.
 */
import YahooFinance from 'yahoo-finance2';
import { ExtendedCookieJar } from 'yahoo-finance2/lib/cookieJar';
import type { Tick } from '../core/tick';
import { checkedTick, normaliseSymbols, validatedQuote, type RefusedQuote, type RefusingQuoteSource } from './quote-source';
import { QuoteSourceError, type QuoteSourceErrorKind, type QuoteSource } from '../core/ports-quotes';

/** The part of a Yahoo quote a tick is made of (yahoo-finance2 has turned regularMarketTime into a Date). */
export interface YahooQuote {
  readonly symbol: string;
  readonly regularMarketTime?: Date | number | string;
  readonly regularMarketPrice?: number;
  readonly regularMarketOpen?: number;
  readonly regularMarketDayHigh?: number;
  readonly regularMarketDayLow?: number;
  readonly regularMarketPreviousClose?: number;
  readonly regularMarketVolume?: number;
}

/** What the source needs of a YahooFinance instance; tests may hand in their own. */
export interface YahooQuoteClient {
  quote(symbols: string[], options: { return: 'array' }): Promise<readonly YahooQuote[]>;
}

export interface YahooSourceOptions {
  /** A ready client; when set, `fetch` and `log` are not used. */
  readonly client?: YahooQuoteClient;
  /** The fetch yahoo-finance2 uses. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Where yahoo-finance2's warnings go. @default console.warn */
  readonly log?: (message: string) => void;
}

const OFFLINE_HINT = 'use --source replay or synthetic offline';
const NETWORK_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** An HTTP error answer of Yahoo's API, raised before yahoo-finance2 turns it into a less telling error. */
class YahooHttpStatus extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
  ) {
    super(`HTTP ${status} from ${url}`);
  }
}

const networkCode = (error: unknown): string | undefined => {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
  }
  return error instanceof TypeError && error.message === 'fetch failed' ? 'fetch failed' : undefined;
};

/** Yahoo's API hosts (query1/query2) answer errors with a status; the cookie page may answer 404 and still be fine. */
const isApiUrl = (url: string): boolean => /^https:\/\/query\d*\.finance\.yahoo\.com\//.test(url);

function guardedFetch(inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const response = await inner(input, init);
    if (response.status >= 400 && isApiUrl(url)) {
      await response.body?.cancel().catch(() => undefined);
      throw new YahooHttpStatus(response.status, url.replace(/crumb=[^&]*/, 'crumb=...'));
    }
    return response;
  };
}

interface SchemaIssue {
  readonly instancePath?: string;
  readonly schemaPath?: string;
  readonly message?: string;
  readonly params?: { readonly missing?: readonly string[] };
  readonly subErrors?: readonly SchemaIssue[];
}

/**
 * The first problem in words. A quote matches one of several schemas picked by its quoteType, and
 * yahoo-finance2 reports the mismatch against every one of them: keep the one of the quote's own type.
 */
function describeSchemaFailure(error: Error): string {
  const { errors, result } = error as Error & { errors?: readonly SchemaIssue[]; result?: unknown };
  const first = errors?.[0];
  if (!first) return 'no details';
  const index = Number(first.instancePath?.split('/')[1]);
  const record = Array.isArray(result) ? (result[index] as { symbol?: unknown; quoteType?: unknown } | undefined) : undefined;
  let issue = first;
  if (first.subErrors && typeof record?.quoteType === 'string') {
    const definition = `#/definitions/quote${record.quoteType}/`.toLowerCase();
    issue = first.subErrors.find((s) => s.schemaPath?.toLowerCase().startsWith(definition)) ?? first;
  }
  const what = issue.params?.missing
    ? `missing ${issue.params.missing.join(', ')}`
    : `${issue.instancePath || '/'} ${issue.message ?? 'is invalid'}`;
  return typeof record?.symbol === 'string' ? `${record.symbol}: ${what}` : what;
}

function explain(error: unknown): { kind: QuoteSourceErrorKind; message: string } {
  if (error instanceof YahooHttpStatus) {
    if (error.status === 401 || error.status === 403) {
      return {
        kind: 'unauthorized',
        message: `yahoo refused the quote request (HTTP ${error.status}: its cookie/crumb was not accepted); the next sample fetches a new one, retry later or ${OFFLINE_HINT}`,
      };
    }
    if (error.status === 429) {
      return {
        kind: 'rate-limited',
        message: `yahoo is rate-limiting this client (HTTP 429 Too Many Requests); sample less often (raise STOCKPIPE_CADENCE_SECONDS), ask for fewer symbols, or ${OFFLINE_HINT}`,
      };
    }
    return {
      kind: 'http',
      message: `yahoo answered the quote request with HTTP ${error.status}; retry later or ${OFFLINE_HINT}`,
    };
  }
  const code = networkCode(error);
  if (code) {
    return {
      kind: 'network',
      message: `the yahoo source needs network access to query.finance.yahoo.com (${code}); check the connection, or ${OFFLINE_HINT}`,
    };
  }
  if (error instanceof Error && error.name === 'FailedYahooValidationError') {
    return {
      kind: 'schema',
      message: `yahoo's quote response did not match the schema yahoo-finance2 expects (${describeSchemaFailure(error)}); Yahoo may have changed its API: upgrade yahoo-finance2, or ${OFFLINE_HINT}`,
    };
  }
  const text = error instanceof Error ? error.message : String(error);
  return { kind: 'http', message: `the yahoo quote request failed: ${text.slice(0, 200)}; retry later or ${OFFLINE_HINT}` };
}

const isoTime = (value: YahooQuote['regularMarketTime']): string | undefined => {
  if (value === undefined) return undefined;
  // yahoo-finance2 turns epoch seconds into a Date; a plain client may hand back the seconds.
  const date = value instanceof Date ? value : typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
};

const YAHOO_FIELDS: Readonly<Record<string, string>> = {
  timestamp: 'regularMarketTime',
  price: 'regularMarketPrice',
  open: 'regularMarketOpen',
  high: 'regularMarketDayHigh',
  low: 'regularMarketDayLow',
  previous_close: 'regularMarketPreviousClose',
  volume: 'regularMarketVolume',
};

const yahooCandidate = (quote: YahooQuote): Record<string, unknown> => ({
  symbol: quote.symbol,
  timestamp: isoTime(quote.regularMarketTime),
  price: quote.regularMarketPrice,
  open: quote.regularMarketOpen,
  high: quote.regularMarketDayHigh,
  low: quote.regularMarketDayLow,
  previous_close: quote.regularMarketPreviousClose,
  volume: quote.regularMarketVolume,
  source: 'yahoo',
});
const yahooField = (field: string): string => YAHOO_FIELDS[field] ?? field;

/** Maps one Yahoo quote to a validated tick; timestamp is regularMarketTime, the quote's market time. Throws QuoteSourceError. */
export function tickFromYahooQuote(quote: YahooQuote): Tick {
  return checkedTick('yahoo', yahooCandidate(quote), yahooField);
}

/** Like tickFromYahooQuote, but a refused quote is a value: the refusal with its reason and the quote as received. */
export const yahooQuoteResult = (quote: YahooQuote) => validatedQuote('yahoo', yahooCandidate(quote), quote, yahooField);

export class YahooSource implements QuoteSource, RefusingQuoteSource {
  readonly name = 'yahoo' as const;
  private refused: RefusedQuote[] = [];
  private readonly client: YahooQuoteClient;
  private readonly cookieJar: ExtendedCookieJar | undefined;

  constructor(options: YahooSourceOptions = {}) {
    if (options.client) {
      this.client = options.client;
      return;
    }
    const log = options.log ?? ((message: string) => console.warn(message));
    const quiet = () => undefined;
    // Our own jar: a stale crumb can be dropped after a 401 without touching other instances.
    this.cookieJar = new ExtendedCookieJar();
    const yahoo = new YahooFinance({
      fetch: guardedFetch(options.fetch ?? ((input, init) => globalThis.fetch(input, init))),
      cookieJar: this.cookieJar,
      // The version check and the survey notice would reach out to npm and print to the console.
      versionCheck: false,
      suppressNotices: ['yahooSurvey'],
      // We report validation failures ourselves, in one line.
      validation: { logErrors: false, logOptionsErrors: false },
      logger: {
        info: quiet,
        debug: quiet,
        dir: quiet,
        warn: (...a: unknown[]) => log(a.map(String).join(' ')),
        error: (...a: unknown[]) => log(a.map(String).join(' ')),
      },
    });
    this.client = { quote: (symbols, opts) => yahoo.quote(symbols, opts) as Promise<readonly YahooQuote[]> };
  }

  async sample(symbols: readonly string[]): Promise<Tick[]> {
    const wanted = normaliseSymbols(this.name, symbols);
    let quotes: readonly YahooQuote[];
    try {
      quotes = await this.client.quote(wanted, { return: 'array' });
    } catch (error) {
      if (error instanceof QuoteSourceError) throw error;
      if (error instanceof YahooHttpStatus && (error.status === 401 || error.status === 403)) {
        await this.cookieJar?.removeAllCookies();
      }
      const { kind, message } = explain(error);
      throw new QuoteSourceError(this.name, kind, message, { cause: error });
    }
    const bySymbol = new Map(quotes.map((q) => [String(q.symbol).toUpperCase(), q]));
    const missing = wanted.filter((s) => !bySymbol.has(s));
    if (missing.length > 0) {
      throw new QuoteSourceError(
        this.name,
        'unknown-symbol',
        `yahoo returned no quote for ${missing.join(', ')} (unknown or delisted symbol); check the symbols (STOCKPIPE_SYMBOLS)`,
      );
    }
    const ticks: Tick[] = [];
    for (const s of wanted) {
      const result = yahooQuoteResult(bySymbol.get(s)!);
      if (result.ok) ticks.push(result.value);
      else this.refused.push(result.error);
    }
    return ticks;
  }

  /** The quotes refused since the last call, each with its reason. */
  takeRefused(): RefusedQuote[] {
    const taken = this.refused;
    this.refused = [];
    return taken;
  }
}
