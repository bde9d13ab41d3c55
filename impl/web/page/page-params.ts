/**
 * The query parameters by which the conformance suite's browser mode tells the page which server
 * to use and how to start (docs/conformance.md, "Checking a browser page"):
 * `?qrlink-server=ws://127.0.0.1:P&qrlink-keep=1&qrlink-start=open`.
 * Without `qrlink-server` the page uses its own origin and starts as a user's page does.
 */

/** How the page starts: `open` says hello (the driver's `open`), `reopen` resumes what it stored (`reopen`). */
export type PageStart = 'open' | 'reopen';

export interface PageParams {
  /** `ws[s]://host:port`: the page connects to `<server>/v1/web`. */
  readonly server: string;
  readonly keep: boolean;
  readonly start: PageStart;
}

export type PageParamsResult =
  | { readonly kind: 'none' }
  | { readonly kind: 'ok'; readonly params: PageParams }
  | { readonly kind: 'bad'; readonly detail: string };

const SERVER = /^wss?:\/\/[^\s/?#]+$/;

/** Reads `location.search`; a present but malformed parameter is `bad`, naming it. */
export function pageParams(search: string): PageParamsResult {
  const q = new URLSearchParams(search);
  const server = q.get('qrlink-server');
  if (server === null) return { kind: 'none' };
  if (!SERVER.test(server))
    return {
      kind: 'bad',
      detail: `qrlink-server must be ws://host:port or wss://host:port, got ${JSON.stringify(server)}`,
    };
  const keep = q.get('qrlink-keep') ?? '0';
  if (keep !== '0' && keep !== '1')
    return { kind: 'bad', detail: `qrlink-keep must be 0 or 1, got ${JSON.stringify(keep)}` };
  const start = q.get('qrlink-start') ?? 'open';
  if (start !== 'open' && start !== 'reopen')
    return { kind: 'bad', detail: `qrlink-start must be open or reopen, got ${JSON.stringify(start)}` };
  return { kind: 'ok', params: { server, keep: keep === '1', start } };
}

/** The page URL with the browser-mode parameters set (any earlier ones replaced). */
export function withPageParams(pageUrl: string, params: PageParams): string {
  const url = new URL(pageUrl);
  url.searchParams.set('qrlink-server', params.server);
  url.searchParams.set('qrlink-keep', params.keep ? '1' : '0');
  url.searchParams.set('qrlink-start', params.start);
  return url.toString();
}
