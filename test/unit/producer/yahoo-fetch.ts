/** Serves the recordings of test/fixtures/yahoo to yahoo-finance2 as its fetch. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Recording {
  readonly request: { readonly url: string };
  readonly response: {
    readonly status: number;
    readonly statusText: string;
    readonly headers: Readonly<Record<string, string | readonly string[]>>;
    readonly bodyJson?: unknown;
    readonly bodyText?: string;
  };
}

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'yahoo');

export const readRecording = (name: string): Recording => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Recording;

const toResponse = ({ response }: Recording): Response => {
  const headers = new Headers();
  for (const [key, value] of Object.entries(response.headers)) {
    for (const v of typeof value === 'string' ? [value] : value) headers.append(key, v);
  }
  const body = response.bodyJson !== undefined ? JSON.stringify(response.bodyJson) : (response.bodyText ?? '');
  const answer = new Response(body, { status: response.status, statusText: response.statusText, headers });
  // Jest runs tests in their own realm, but Response comes from Node's: getSetCookie() returns an
  // array that fails yahoo-finance2's `instanceof Array`, and it would drop every cookie. Outside jest
  // both are the same realm.
  const setCookies = answer.headers.getSetCookie();
  Object.defineProperty(answer.headers, 'getSetCookie', { value: () => Array.from(setCookies) });
  return answer;
};

export interface RecordedFetch {
  readonly fetch: typeof fetch;
  /** Every URL requested, in order. */
  readonly urls: string[];
}

/** The cookie page and crumb as recorded; the quote endpoint answers with `quote` (a recording or a thrown error). */
export function recordedFetch(quote: string | Error): RecordedFetch {
  const urls: string[] = [];
  const fetchImpl = async (input: string | URL | Request): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    urls.push(url);
    if (url.startsWith('https://finance.yahoo.com/quote/')) return toResponse(readRecording('cookie-page.json'));
    if (url === 'https://query1.finance.yahoo.com/v1/test/getcrumb') return toResponse(readRecording('getcrumb.json'));
    if (url.startsWith('https://query2.finance.yahoo.com/v7/finance/quote?')) {
      if (quote instanceof Error) throw quote;
      return toResponse(readRecording(quote));
    }
    throw new Error(`test fetch: unexpected request ${url}`);
  };
  return { fetch: fetchImpl as typeof fetch, urls };
}
