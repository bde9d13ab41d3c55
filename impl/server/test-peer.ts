/**
 * A typed WebSocket test peer for the server's tests: records every frame and the close code, and waits
 * on events, never on time: `next(type)` resolves with the next unread frame of that type,
 * `expectClose(code)` with the close, `barrier()` after a ping/pong round trip (the server has then
 * handled every frame this peer sent before it, and every frame it sent this peer has arrived).
 */
import { WebSocket } from 'ws';
import type { ControlReply, ControlRequest } from '../../model/protocol/control-frames.js';
import type { ServerToPhone } from '../../model/protocol/phone-frames.js';
import type { ServerToWeb } from '../../model/protocol/web-frames.js';

export interface Closed {
  readonly code: number;
  readonly reason: string;
}

export interface PeerOptions {
  /** Subprotocols offered; default ['qrlink.v1']. */
  readonly protocols?: string[];
  readonly headers?: Record<string, string>;
}

type Waiter = () => boolean;

/** Opens a socket; rejects with the HTTP status when the upgrade is refused. */
export function openSocket(url: string, options: PeerOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options.protocols ?? ['qrlink.v1'], { headers: options.headers ?? {} });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`HTTP ${res.statusCode}`));
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** The HTTP status a refused upgrade got (or 101 when it succeeded: the socket is then closed). */
export async function upgradeStatus(url: string, options: PeerOptions = {}): Promise<number> {
  try {
    const ws = await openSocket(url, options);
    ws.close();
    return 101;
  } catch (err) {
    const m = /HTTP (\d+)/.exec(String(err));
    if (!m) throw err;
    return Number(m[1]);
  }
}

export class TestPeer<In extends { t: string }> {
  /** Every frame received, in order (text frames parsed as JSON). */
  readonly frames: In[] = [];
  #read = new Set<number>();
  closed: Closed | null = null;
  #waiters: Waiter[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) this.frames.push(JSON.parse(data.toString('utf8')) as In);
      this.#wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.#wake();
    });
    ws.on('error', () => {});
    ws.on('pong', () => this.#wake());
  }

  static async open<T extends { t: string }>(url: string, options?: PeerOptions): Promise<TestPeer<T>> {
    return new TestPeer<T>(await openSocket(url, options));
  }

  #wake(): void {
    this.#waiters = this.#waiters.filter((w) => !w());
  }

  #wait<T>(check: () => T | undefined, describe: () => string): Promise<T> {
    return new Promise((resolve, reject) => {
      const w: Waiter = () => {
        const v = check();
        if (v !== undefined) {
          resolve(v);
          return true;
        }
        if (this.closed) {
          reject(new Error(`${describe()}: socket closed ${this.closed.code}; frames: ${this.#log()}`));
          return true;
        }
        return false;
      };
      if (!w()) this.#waiters.push(w);
    });
  }

  #log(): string {
    return this.frames.map((f) => f.t).join(', ') || '(none)';
  }

  /** Sends a frame object as JSON text. */
  send(frame: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Sends raw bytes as a text or binary frame. */
  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** The next unread frame of `type` (earlier unread frames of other types stay unread). */
  next<T extends In['t']>(type: T): Promise<Extract<In, { t: T }>> {
    return this.#wait(
      () => {
        for (let i = 0; i < this.frames.length; i++) {
          const f = this.frames[i] as In;
          if (!this.#read.has(i) && f.t === type) {
            this.#read.add(i);
            return f as Extract<In, { t: T }>;
          }
        }
        return undefined;
      },
      () => `waiting for ${type}`,
    );
  }

  /** Unread frames, marking them read. */
  drain(): In[] {
    const out: In[] = [];
    this.frames.forEach((f, i) => {
      if (!this.#read.has(i)) {
        this.#read.add(i);
        out.push(f);
      }
    });
    return out;
  }

  /** Unread frames of `type` (not marking them read). */
  unread<T extends In['t']>(type: T): Extract<In, { t: T }>[] {
    return this.frames.filter((f, i) => !this.#read.has(i) && f.t === type) as Extract<In, { t: T }>[];
  }

  /** Resolves with the close; rejects if the code differs. */
  async expectClose(code: number): Promise<Closed> {
    const closed = await new Promise<Closed>((resolve) => {
      const w: Waiter = () => {
        if (!this.closed) return false;
        resolve(this.closed);
        return true;
      };
      if (!w()) this.#waiters.push(w);
    });
    if (closed.code !== code) throw new Error(`expected close ${code}, got ${closed.code}; frames: ${this.#log()}`);
    return closed;
  }

  /** Resolves when the socket is closed, whatever the code. */
  waitClosed(): Promise<Closed> {
    return new Promise((resolve) => {
      const w: Waiter = () => {
        if (!this.closed) return false;
        resolve(this.closed);
        return true;
      };
      if (!w()) this.#waiters.push(w);
    });
  }

  /** A ping/pong round trip; resolves at once if the socket is closed. */
  barrier(): Promise<void> {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return Promise.resolve();
    let ponged = false;
    const onPong = (): void => {
      ponged = true;
      this.#wake();
    };
    this.ws.once('pong', onPong);
    this.ws.ping();
    return this.#wait(
      () => (ponged || this.closed ? true : undefined),
      () => 'barrier',
    ).then(() => undefined);
  }

  close(code = 1000): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code);
  }

  /** Closes and waits for the close to complete. */
  async closeAndWait(): Promise<void> {
    this.close();
    if (this.closed) return;
    await new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
  }
}

export type WebPeer = TestPeer<ServerToWeb>;
export type PhonePeer = TestPeer<ServerToPhone>;

/** The control endpoint client: `request` waits for the reply carrying its id. */
export class ControlPeer {
  #id = 0;
  readonly peer: TestPeer<ControlReply>;

  constructor(ws: WebSocket) {
    this.peer = new TestPeer<ControlReply>(ws);
  }

  static async open(wsUrl: string, token: string): Promise<ControlPeer> {
    return new ControlPeer(
      await openSocket(`${wsUrl}/v1/control`, { headers: { authorization: `Bearer ${token}` }, protocols: [] }),
    );
  }

  async request<R extends ControlReply = ControlReply>(
    req: Omit<ControlRequest, 'id'> | Record<string, unknown>,
  ): Promise<R> {
    const id = ++this.#id;
    this.peer.send({ ...req, id });
    await this.peer.barrier(); // the reply is sent before the pong
    const hit = this.peer.frames.find((f) => f.id === id);
    if (!hit) throw new Error(`control: no reply to ${JSON.stringify(req)}`);
    return hit as R;
  }

  close(): void {
    this.peer.close();
  }
}
