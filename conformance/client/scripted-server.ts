/**
 * The suite's own server for checking a client: a WebSocket listener on 127.0.0.1 (port from the
 * OS) serving `/v1/web` and `/v1/phone`, where each connection the client under test opens is
 * handed to the case as a `ServerSide` it scripts frame by frame, honestly or not. Nothing here
 * knows the protocol's rules: cases decide what to send. Every frame in and out, and every close,
 * goes on the case's wire log under the connection's peer name (`web1`, `web2`, `phone1`, ...).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { CaseFailure } from '../engine/case.js';
import { duplicateMembers } from '../target/duplicate-members.js';
import type { Inbound, WireLog } from '../target/target.js';

/** The subprotocol of QR Link v1 [TR-2]. */
const SUBPROTOCOL = 'qrlink.v1';
/** How long `accept` and `next` wait by default for the client. */
export const DEFAULT_CLIENT_WAIT_MS = 5_000;
const LOG_TEXT_MAX = 256;

export type ClientPath = '/v1/web' | '/v1/phone';

/** The suite's end of one connection the client under test opened. */
export interface ServerSide {
  readonly peer: string;
  readonly path: ClientPath;
  /** The subprotocols the client offered (the server selected `qrlink.v1` when it was among them). */
  readonly protocols: readonly string[];
  /** The close, once the connection has ended (1006 when it broke without a close frame). */
  readonly closed: { readonly code: number; readonly reason: string } | undefined;
  /** Sends one frame as JSON text. Ignored once closed. */
  send(frame: unknown): void;
  /** Sends raw text or bytes (malformed frames). Ignored once closed. */
  sendRaw(data: string | Uint8Array, binary?: boolean): void;
  /** The next thing the client sent (frame, text, binary, or its close, last); rejects with CaseFailure after `timeoutMs`. */
  next(timeoutMs?: number): Promise<Inbound>;
  /** The next thing must be a frame with `t`; anything else (or nothing in time) is a CaseFailure naming what came. */
  expect(t: string, timeoutMs?: number, clause?: string): Promise<Record<string, unknown>>;
  /** Everything received and not yet read, in order, marking it read. */
  take(): Inbound[];
  /** Closes with `code` (default 1000) and resolves once the close completed. */
  close(code?: number, reason?: string): Promise<void>;
  /** Ends the TCP connection without a close frame. */
  drop(): Promise<void>;
}

export interface ScriptedServer {
  /** `ws://127.0.0.1:PORT`, the base URL to give the client (`open {server}`, `connect {server}`). */
  readonly wsUrl: string;
  /** The client's next connection on `path` (one already opened and not yet accepted comes first). */
  accept(path: ClientPath, timeoutMs?: number): Promise<ServerSide>;
  /** Connections on `path` opened and not yet accepted. */
  unaccepted(path: ClientPath): number;
  /** Closes every connection (1001) and the listener. */
  close(): Promise<void>;
}

function clip(text: string): string {
  return text.length <= LOG_TEXT_MAX ? text : `${text.slice(0, LOG_TEXT_MAX)}... (${text.length} characters)`;
}

/** A short description of an inbound item for failure messages. */
export function describeInbound(item: Inbound): string {
  switch (item.kind) {
    case 'frame': {
      const t = (item.frame as { t?: unknown } | null)?.t;
      return typeof t === 'string' ? `frame ${t}` : `frame ${clip(JSON.stringify(item.frame))}`;
    }
    case 'text':
      return `text that is not JSON: ${clip(item.text)}`;
    case 'binary':
      return `a binary frame of ${item.bytes} bytes`;
    case 'close':
      return `close ${item.code}${item.reason === '' ? '' : ` (${item.reason})`}`;
  }
}

class Side implements ServerSide {
  closed: { code: number; reason: string } | undefined;
  private readonly inbox: Inbound[] = [];
  private waiter: (() => void) | undefined;

  constructor(
    readonly peer: string,
    readonly path: ClientPath,
    readonly protocols: readonly string[],
    private readonly ws: WebSocket,
    private readonly log: WireLog,
  ) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).length;
        this.log.entries.push({ step: log.step, peer, dir: 'in', text: `(binary, ${bytes} bytes)` });
        this.push({ kind: 'binary', bytes });
        return;
      }
      const text = data.toString();
      let frame: unknown;
      try {
        frame = JSON.parse(text);
      } catch {
        this.log.entries.push({ step: log.step, peer, dir: 'in', text: clip(text) });
        this.push({ kind: 'text', text });
        return;
      }
      this.log.entries.push({ step: log.step, peer, dir: 'in', frame });
      const duplicates = duplicateMembers(text);
      this.push(duplicates.length > 0 ? { kind: 'frame', frame, duplicates } : { kind: 'frame', frame });
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.log.entries.push({ step: log.step, peer, dir: 'in', close: this.closed });
      this.push({ kind: 'close', code, reason: reason.toString() });
    });
    ws.on('error', () => {});
  }

  private push(item: Inbound): void {
    this.inbox.push(item);
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  send(frame: unknown): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.log.entries.push({ step: this.log.step, peer: this.peer, dir: 'out', frame });
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Uint8Array, binary = false): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    const text = typeof data === 'string' ? clip(data) : `(${binary ? 'binary' : 'text'}, ${data.length} bytes)`;
    this.log.entries.push({ step: this.log.step, peer: this.peer, dir: 'out', text });
    this.ws.send(data, { binary });
  }

  async next(timeoutMs = DEFAULT_CLIENT_WAIT_MS): Promise<Inbound> {
    const first = this.inbox.shift();
    if (first !== undefined) return first;
    if (this.closed !== undefined) {
      return { kind: 'close', code: this.closed.code, reason: this.closed.reason };
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new CaseFailure(`${this.peer}: the client sent nothing within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    return this.next(timeoutMs);
  }

  async expect(t: string, timeoutMs = DEFAULT_CLIENT_WAIT_MS, clause?: string): Promise<Record<string, unknown>> {
    const cite = clause === undefined ? '' : ` [${clause}]`;
    let item: Inbound;
    try {
      item = await this.next(timeoutMs);
    } catch (err) {
      if (err instanceof CaseFailure) {
        throw new CaseFailure(
          `${this.peer}: expected ${t} from the client, nothing came within ${timeoutMs} ms${cite}`,
          this.log.step,
          { t },
        );
      }
      throw err;
    }
    const frame = item.kind === 'frame' ? (item.frame as Record<string, unknown> | null) : null;
    if (frame === null || typeof frame !== 'object' || frame.t !== t) {
      throw new CaseFailure(
        `${this.peer}: expected ${t} from the client, got ${describeInbound(item)}${cite}`,
        this.log.step,
        { t },
        item.kind === 'frame' ? item.frame : item,
      );
    }
    return frame;
  }

  take(): Inbound[] {
    return this.inbox.splice(0);
  }

  close(code = 1000, reason = ''): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    this.log.entries.push({ step: this.log.step, peer: this.peer, dir: 'out', close: { code, reason } });
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close(code, reason);
    });
  }

  drop(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    this.log.entries.push({ step: this.log.step, peer: this.peer, dir: 'out', text: '(TCP connection cut)' });
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.terminate();
    });
  }
}

class Listener implements ScriptedServer {
  private readonly queues: Record<ClientPath, Side[]> = { '/v1/web': [], '/v1/phone': [] };
  private readonly waiters: Record<ClientPath, (() => void) | undefined> = {
    '/v1/web': undefined,
    '/v1/phone': undefined,
  };
  private readonly all: Side[] = [];
  private readonly counts = { web: 0, phone: 0 };

  constructor(
    readonly wsUrl: string,
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    private readonly log: WireLog,
  ) {}

  /** Takes one upgraded connection. */
  adopt(ws: WebSocket, req: IncomingMessage, path: ClientPath): void {
    const offered = (req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const role = path === '/v1/web' ? 'web' : 'phone';
    const peer = `${role}${++this.counts[role]}`;
    const side = new Side(peer, path, offered, ws, this.log);
    this.all.push(side);
    this.queues[path].push(side);
    const w = this.waiters[path];
    this.waiters[path] = undefined;
    w?.();
  }

  unaccepted(path: ClientPath): number {
    return this.queues[path].length;
  }

  async accept(path: ClientPath, timeoutMs = DEFAULT_CLIENT_WAIT_MS): Promise<ServerSide> {
    const first = this.queues[path].shift();
    if (first !== undefined) return first;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters[path] = undefined;
        reject(new CaseFailure(`the client opened no connection to ${path} within ${timeoutMs} ms`, this.log.step));
      }, timeoutMs);
      this.waiters[path] = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    return this.accept(path, timeoutMs);
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((s) => (s.closed === undefined ? s.close(1001) : Promise.resolve())));
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

/** Starts a scripted server on 127.0.0.1, on a port the OS picks. */
export async function startScriptedServer(log: WireLog): Promise<ScriptedServer> {
  const http = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket only\n');
  });
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    // Select the protocol's subprotocol when offered; a client that offers none is still accepted,
    // so that the case can say what it did wrong instead of seeing a refused handshake.
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const listener = new Listener(`ws://127.0.0.1:${port}`, http, wss, log);
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/v1/web' && path !== '/v1/phone') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => listener.adopt(ws, req, path));
  });
  return listener;
}
