/**
 * HTTP and WebSocket routing [TR-1] [TR-3] [TR-5] [CTL-1] [CTL-2]: the page and assets over HTTP, and
 * the upgrade to /v1/phone, /v1/web (subprotocol qrlink.v1 required, else HTTP 400) and /v1/control
 * (conformance mode only, else 404; bearer token, else 401). Every message is counted by the rate limit
 * on receipt (4429; not on /v1/control), then checked in the order of section 12.2: size against the
 * current frameLimit (1009), binary (1003), UTF-8 (1007; on /v1/control a bad_request reply [CTL-8]),
 * before its endpoint sees it; nothing thrown
 * by a handler escapes: that one connection closes with error internal + 1011 [ERR-11] [TR-7].
 */
import { isUtf8 } from 'node:buffer';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { Close, Paths, SUBPROTOCOL } from '../../model/protocol/codes.js';
import { ConfigShape } from '../../model/protocol/config.js';
import { Connection, type Endpoint } from './connection.js';
import { fault, SilentClose } from './fault.js';
import type { ServerMutantId } from './mutants.js';
import { RateLimit } from './rate-limit.js';
import { consentAddress } from './remote-address.js';

/** A static HTTP resource. */
export interface Asset {
  readonly type: string;
  readonly body: string | Uint8Array;
}

/** What runs on one accepted connection. */
export interface ConnectionHandler {
  onText(text: string): void;
  /** A text message that is not UTF-8; absent -> close 1007 [ERR-2] (control answers it [CTL-8]). */
  onInvalidText?(): void;
  onGone(): void;
}

export interface Routes {
  readonly conformance: boolean;
  readonly controlToken: string | undefined;
  /** [SEC-3] allowed Origin values of /v1/web handshakes; undefined = no check. */
  readonly origins?: readonly string[] | undefined;
  /** Deliberate faults switched on (mutants.ts); default none. */
  readonly mutants?: ReadonlySet<ServerMutantId>;
  page(): Promise<string> | string;
  readonly assets: Readonly<Record<string, Asset>>;
  /** Current limits, read at every message (a config change applies to messages received after it). */
  limits(): { frameLimit: number; rateMessages: number; rateWindowMs: number };
  /** The injected clock's time (rate windows). */
  now(): number;
  accept(endpoint: Endpoint, conn: Connection<{ t: string }>): ConnectionHandler;
  log(line: string): void;
}

/** The largest frameLimit the configuration admits (section 13). */
const FRAME_LIMIT_MAX = ConfigShape.frameLimit.maxValue ?? 16 * 1024 * 1024;

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return [];
  return header.split(',').map((p) => p.trim());
}

export class Transport {
  readonly http: Server;
  readonly #servers = new Map<number, WebSocketServer>();
  readonly #live = new Set<Connection<{ t: string }>>();
  /** Mutant flags, read once (mutants.ts). */
  readonly #wrongCloseCode: boolean;
  readonly #crashesOnBinary: boolean;
  readonly #frameLimitOffByOne: boolean;

  constructor(private readonly routes: Routes) {
    const mutants = routes.mutants ?? new Set<ServerMutantId>();
    this.#wrongCloseCode = mutants.has('server.wrong-close-code');
    this.#crashesOnBinary = mutants.has('server.crashes-on-binary');
    this.#frameLimitOffByOne = mutants.has('server.frame-limit-off-by-one');
    this.http = createServer((req, res) => {
      this.#request(req, res).catch((err: unknown) => {
        this.#log(`http error: ${String(err)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      try {
        this.#upgrade(req, socket, head);
      } catch (err) {
        this.#log(`upgrade error: ${String(err)}`);
        refuse(socket, 500, 'Internal Server Error');
      }
    });
    this.http.on('clientError', (_err, socket) => socket.destroy());
  }

  async #request(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/' || path === '/index.html') {
      const html = await this.routes.page();
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
      return;
    }
    const asset = this.routes.assets[path];
    if (asset) {
      res.writeHead(200, { 'content-type': asset.type }).end(asset.body);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }

  /** The one WebSocket server; ws enforces only the largest frameLimit the configuration allows. */
  #wss(): WebSocketServer {
    let wss = this.#servers.get(0);
    if (!wss) {
      wss = new WebSocketServer({
        noServer: true,
        maxPayload: FRAME_LIMIT_MAX, // the current frameLimit is checked per message [TR-5]
        skipUTF8Validation: true, // checked per message, after the size [ERR-2]
        perMessageDeflate: false,
        clientTracking: false,
        handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
      });
      this.#servers.set(0, wss);
    }
    return wss;
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let endpoint: Endpoint;
    if (path === Paths.phone) endpoint = 'phone';
    else if (path === Paths.web) endpoint = 'web';
    else if (path === Paths.control && this.routes.conformance) endpoint = 'control';
    else {
      refuse(socket, 404, 'Not Found');
      return;
    } // [TR-3] [CTL-1] control without conformance: same 404
    if (endpoint === 'control') {
      const auth = req.headers.authorization;
      if (auth !== `Bearer ${this.routes.controlToken}`) {
        refuse(socket, 401, 'Unauthorized');
        return;
      } // [CTL-2]
    } else if (!offeredProtocols(req).includes(SUBPROTOCOL)) {
      refuse(socket, 400, 'Bad Request');
      return;
    }
    const origin = req.headers.origin;
    const origins = this.routes.origins;
    if (endpoint === 'web' && origins && origin !== undefined && !origins.includes(origin)) {
      refuse(socket, 403, 'Forbidden');
      return;
    } // [SEC-3]
    this.#wss().handleUpgrade(req, socket, head, (ws) => this.#accept(endpoint, ws, req, socket));
  }

  #accept(endpoint: Endpoint, ws: WebSocket, req: IncomingMessage, socket: Duplex): void {
    const conn = new Connection<{ t: string }>(ws, endpoint, consentAddress(req.socket.remoteAddress), socket);
    const rate = endpoint === 'control' ? null : new RateLimit(); // the control endpoint is not rate-limited
    const handler = this.routes.accept(endpoint, conn);
    this.#live.add(conn);
    conn.onGone(() => {
      this.#live.delete(conn);
      handler.onGone();
    });
    const guard = (what: string, fn: () => void): void => {
      try {
        fn();
      } catch (err) {
        this.#log(
          `internal error (${endpoint} ${what}): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        );
        try {
          conn.fail(fault('internal', 'internal error', 'ERR-11')); // [ERR-11] [TR-7] only this connection ends
        } catch (again) {
          this.#log(`internal error while closing: ${String(again)}`);
        }
      }
    };
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (conn.closed) return; // [TR-6] nothing processed after the decision to close
      guard('message', () => {
        const limits = this.routes.limits();
        // [TR-8] every message counts on receipt, over the sliding interval (t - rateWindowMs, t]
        if (rate && !rate.hit(this.routes.now(), limits.rateMessages, limits.rateWindowMs)) {
          return conn.fail(fault('rate_limited', 'too many messages', 'TR-8'));
        }
        // [TR-5] larger than the current frameLimit -> 1009, no error frame (exactly frameLimit is read)
        // MUTANT server.frame-limit-off-by-one [TR-5]: `>=`, so a message of exactly frameLimit is refused
        const tooLarge = this.#frameLimitOffByOne ? data.length >= limits.frameLimit : data.length > limits.frameLimit;
        if (tooLarge) return conn.close(Close.tooLarge, 'message too big');
        if (isBinary) {
          // MUTANT server.crashes-on-binary [ERR-1]: the bytes reach a text-only parser that throws (-> 1011)
          if (this.#crashesOnBinary) throw new TypeError('binary message handed to the JSON parser');
          // MUTANT server.wrong-close-code [ERR-1]: 1002 (protocol error) instead of 1003
          const code = this.#wrongCloseCode ? 1002 : SilentClose.binary.close;
          return conn.close(code, SilentClose.binary.reason); // [ERR-1] every endpoint
        }
        if (!isUtf8(data)) {
          if (handler.onInvalidText) return handler.onInvalidText();
          return conn.close(SilentClose.notJson.close, 'invalid UTF-8'); // [ERR-2] 1007
        }
        handler.onText(data.toString('utf8'));
      });
    });
    ws.on('error', (err) => this.#log(`${endpoint} socket error: ${err.message}`)); // 1007/1009 by ws
    ws.on('close', () => {
      this.#live.delete(conn);
      guard('close', () => conn.dropped());
    });
  }

  /** Logs without ever throwing (a failing log sink must not take the server down). */
  #log(line: string): void {
    try {
      this.routes.log(line);
    } catch {}
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        const addr = this.http.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  /** Every live connection (for reset and shutdown). */
  connections(): Connection<{ t: string }>[] {
    return [...this.#live];
  }

  async close(): Promise<void> {
    for (const conn of this.#live) conn.terminate();
    this.#live.clear();
    for (const wss of this.#servers.values()) wss.close();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }
}
