/**
 * The suite's client of a target's control endpoint (`/v1/control`, docs/protocol.md section 15):
 * Bearer token in the handshake [CTL-2], one request at a time or several in flight, each with its
 * own id and its reply matched by id and validated with the `ControlReply` schema; raw messages
 * (`sendRaw`, malformed-request checks [CTL-8]) take the replies no request in flight claims, in order.
 */
import { WebSocket } from 'ws';
import type { Config, ConfigPatch } from '../../model/protocol/config.js';
import { ControlReply, type ControlRequest, type Stats } from '../../model/protocol/control-frames.js';
import { causeOf } from './peer-socket.js';
import { type ControlClient, TargetError } from './target.js';

/** Fuse of one request: a control endpoint that never answers is reported, not waited on forever. */
const REQUEST_FUSE_MS = 30_000;
const HANDSHAKE_FUSE_MS = 10_000;

/** The control endpoint answered `error`, answered something malformed, or went away. */
export class ControlRequestError extends TargetError {
  override name = 'ControlRequestError';
}

type Request = ControlRequest extends infer R ? (R extends { t: string } ? Omit<R, 'id'> : never) : never;
type ReplyOf<T extends ControlReply['t']> = Extract<ControlReply, { t: T }>;

/** A raw message in flight: it takes the oldest reply no request in flight claims by its id. */
interface RawPending {
  readonly text: string;
  resolve(reply: unknown): void;
  reject(err: Error): void;
}

interface Pending {
  readonly request: Request;
  readonly expect: ControlReply['t'];
  resolve(reply: ControlReply): void;
  reject(err: Error): void;
}

function describe(request: Request): string {
  return JSON.stringify(request).slice(0, 200);
}

/** Opens `${wsUrl}/v1/control`; rejects with TargetError when the token is refused or nothing answers. */
export function openControl(wsUrl: string, token: string): Promise<ControlClient> {
  const url = `${wsUrl.replace(/\/+$/, '')}/v1/control`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [], {
      headers: { authorization: `Bearer ${token}` },
      perMessageDeflate: false,
      handshakeTimeout: HANDSHAKE_FUSE_MS,
    });
    let settled = false;
    ws.once('open', () => {
      settled = true;
      resolve(new WsControlClient(ws, url));
    });
    ws.once('unexpected-response', (_req, res) => {
      settled = true;
      const status = res.statusCode ?? 0;
      ws.terminate();
      reject(
        new TargetError(
          status === 401
            ? `the control token was refused by ${url} (HTTP 401)`
            : status === 404
              ? `no control endpoint at ${url} (HTTP 404): is the server in conformance mode?`
              : `cannot open the control endpoint ${url}: HTTP ${status}`,
        ),
      );
    });
    ws.on('error', (err) => {
      if (settled) return;
      settled = true;
      reject(new TargetError(`cannot connect to ${url}: ${causeOf(err)}`));
    });
  });
}

class WsControlClient implements ControlClient {
  #nextId = 0;
  #pending = new Map<number, Pending>();
  #raw: RawPending[] = [];
  #closed: string | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly url: string,
  ) {
    ws.on('message', (data: Buffer, isBinary) => this.#onMessage(isBinary ? null : data.toString('utf8')));
    ws.on('error', () => {}); // the close follows
    ws.once('close', (code) => {
      this.#closed = `the control connection ${url} closed (${code})`;
      this.#failAll(this.#closed);
    });
  }

  #failAll(message: string): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of all) p.reject(new ControlRequestError(`${message}; request ${describe(p.request)}`));
    const raw = this.#raw;
    this.#raw = [];
    for (const r of raw) r.reject(new ControlRequestError(`${message}; raw message ${r.text.slice(0, 200)}`));
  }

  #onMessage(text: string | null): void {
    if (text === null) {
      this.#failAll('the control endpoint sent a binary message');
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.#failAll(`the control endpoint sent a text that is not JSON: ${text.slice(0, 120)}`);
      return;
    }
    const id = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined;
    const pending = typeof id === 'number' ? this.#pending.get(id) : undefined;
    if (!pending) {
      const raw = this.#raw.shift();
      if (raw) {
        raw.resolve(value);
        return;
      }
      // a reply we cannot attribute: every request in flight is in doubt
      this.#failAll(`the control endpoint sent a reply with no matching id: ${text.slice(0, 200)}`);
      return;
    }
    this.#pending.delete(id as number);
    const parsed = ControlReply.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      pending.reject(
        new ControlRequestError(
          `malformed control reply to ${describe(pending.request)}: ${issue?.path.join('.') || 't'}: ${issue?.message ?? 'invalid'}`,
        ),
      );
      return;
    }
    const reply = parsed.data;
    if (reply.t === 'error') {
      pending.reject(
        new ControlRequestError(
          `the control endpoint refused ${describe(pending.request)}: ${reply.code}: ${reply.detail}`,
        ),
      );
      return;
    }
    if (reply.t !== pending.expect) {
      pending.reject(
        new ControlRequestError(`control reply ${reply.t} to ${describe(pending.request)}, expected ${pending.expect}`),
      );
      return;
    }
    pending.resolve(reply);
  }

  #request<T extends ControlReply['t']>(request: Request, expect: T): Promise<ReplyOf<T>> {
    if (this.#closed !== undefined || this.ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(
        new ControlRequestError(
          `${this.#closed ?? `the control connection ${this.url} is closed`}; request ${describe(request)}`,
        ),
      );
    }
    const id = ++this.#nextId;
    return new Promise<ReplyOf<T>>((resolve, reject) => {
      // a safety fuse, cleared by the reply; never a wait
      const fuse = setTimeout(() => {
        this.#pending.delete(id);
        reject(new ControlRequestError(`no control reply to ${describe(request)} within ${REQUEST_FUSE_MS} ms`));
      }, REQUEST_FUSE_MS);
      this.#pending.set(id, {
        request,
        expect,
        resolve: (reply) => {
          clearTimeout(fuse);
          resolve(reply as ReplyOf<T>);
        },
        reject: (err) => {
          clearTimeout(fuse);
          reject(err);
        },
      });
      this.ws.send(JSON.stringify({ ...request, id }));
    });
  }

  sendRaw(text: string): Promise<unknown> {
    if (this.#closed !== undefined || this.ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(
        new ControlRequestError(
          `${this.#closed ?? `the control connection ${this.url} is closed`}; raw message ${text.slice(0, 200)}`,
        ),
      );
    }
    return new Promise<unknown>((resolve, reject) => {
      // a safety fuse, cleared by the reply; never a wait
      const fuse = setTimeout(() => {
        this.#raw = this.#raw.filter((r) => r !== waiter);
        reject(new ControlRequestError(`no control reply to ${text.slice(0, 200)} within ${REQUEST_FUSE_MS} ms`));
      }, REQUEST_FUSE_MS);
      const waiter: RawPending = {
        text,
        resolve: (reply) => {
          clearTimeout(fuse);
          resolve(reply);
        },
        reject: (err) => {
          clearTimeout(fuse);
          reject(err);
        },
      };
      this.#raw.push(waiter);
      this.ws.send(text);
    });
  }

  async reset(): Promise<void> {
    await this.#request({ t: 'reset' }, 'reset.ok');
  }

  async advance(ms: number): Promise<number> {
    return (await this.#request({ t: 'clock', advanceMs: ms }, 'clock.ok')).now;
  }

  async sms(phone: string): Promise<string | null> {
    return (await this.#request({ t: 'sms', phone }, 'sms.ok')).code;
  }

  async config(set?: ConfigPatch): Promise<Config> {
    return (await this.#request(set === undefined ? { t: 'config' } : { t: 'config', set }, 'config.ok')).config;
  }

  async stats(): Promise<Stats> {
    const { t: _t, id: _id, ...stats } = await this.#request({ t: 'stats' }, 'stats.ok');
    return stats;
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    });
  }
}
