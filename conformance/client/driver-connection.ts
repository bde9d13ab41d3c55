/**
 * The driver protocol (docs/protocol.md section 16) over WebSocket, as the suite speaks it to a
 * client implementation under test: requests with ids, exactly one reply each [DRV-4], state events
 * pushed on every change [DRV-6]. Every message in and out goes on the case's wire log as peer
 * `driver`. What the client sends is validated against the role's schemas: a reply or event that
 * breaks them is `DriverBroken` naming the clause, never a crash of the suite.
 */
import { WebSocket } from 'ws';
import type { z } from 'zod';
import {
  PhoneDriverEvent,
  PhoneDriverReply,
  WebDriverEvent,
  WebDriverReply,
} from '../../model/protocol/driver-frames.js';
import { causeOf } from '../target/peer-socket.js';
import { TargetError, type WireLog } from '../target/target.js';
import {
  type ClientDriver,
  type ClientReply,
  type ClientRole,
  type ClientState,
  DriverBroken,
} from './client-target.js';
import { StateFeed } from './state-feed.js';

/** How long a reply may take before the driver is reported as broken [DRV-4]. */
export const DEFAULT_REPLY_TIMEOUT_MS = 10_000;
/** How long `waitFor` waits by default for a state the client must reach. */
export const DEFAULT_WAIT_MS = 5_000;
const HANDSHAKE_FUSE_MS = 10_000;
const PEER = 'driver';

export interface DriverConnectionOptions {
  readonly replyTimeoutMs?: number;
}

const schemas = {
  web: { reply: WebDriverReply, event: WebDriverEvent },
  phone: { reply: PhoneDriverReply, event: PhoneDriverEvent },
} as const;

/** The first issue of a failed zod parse, as `path: message`. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const path = issue.path.length === 0 ? '(root)' : issue.path.join('.');
  return `${path}: ${issue.message}`;
}

interface Pending<R extends ClientRole> {
  readonly resolve: (reply: ClientReply<R>) => void;
  readonly reject: (err: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

class WsDriver<R extends ClientRole> implements ClientDriver<R> {
  private readonly pending = new Map<string, Pending<R>>();
  private readonly feed = new StateFeed<R>('the client');
  private seq = 0;
  private closedInfo: string | undefined;

  constructor(
    readonly role: R,
    private readonly ws: WebSocket,
    private readonly log: WireLog,
    private readonly replyTimeoutMs: number,
  ) {
    ws.on('message', (data, isBinary) => this.receive(data.toString(), isBinary));
    ws.on('close', (code, reason) => {
      this.closedInfo = `the driver connection closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})`;
      this.log.entries.push({ step: this.log.step, peer: PEER, dir: 'in', close: { code, reason: reason.toString() } });
      this.rejectPending(new DriverBroken(`${this.closedInfo} with a request unanswered`, 'DRV-4'));
    });
    ws.on('error', () => {});
  }

  private receive(text: string, binary: boolean): void {
    let message: unknown;
    try {
      if (binary) throw new Error('binary');
      message = JSON.parse(text);
    } catch {
      this.log.entries.push({ step: this.log.step, peer: PEER, dir: 'in', text: text.slice(0, 256) });
      this.fail(new DriverBroken(`the driver sent a message that is not a JSON object: ${text.slice(0, 80)}`, 'DRV-1'));
      return;
    }
    this.log.entries.push({ step: this.log.step, peer: PEER, dir: 'in', frame: message });
    const m = message as Record<string, unknown>;
    if (typeof m === 'object' && m !== null && 'event' in m) {
      const parsed = schemas[this.role].event.safeParse(m);
      if (!parsed.success) {
        this.fail(
          new DriverBroken(
            `a state event breaks the ${this.role} state schema: ${firstIssue(parsed.error)}`,
            this.role === 'web' ? 'DRV-7' : 'DRV-9',
          ),
        );
        return;
      }
      this.observe(parsed.data.state as ClientState<R>, true);
      return;
    }
    const id = typeof m === 'object' && m !== null ? m.id : undefined;
    const pending = typeof id === 'string' ? this.pending.get(id) : undefined;
    if (pending === undefined) {
      this.fail(new DriverBroken(`a reply for no request in flight (id ${JSON.stringify(id)})`, 'DRV-4'));
      return;
    }
    this.pending.delete(id as string);
    clearTimeout(pending.timer);
    const parsed = schemas[this.role].reply.safeParse(m);
    if (!parsed.success) {
      pending.reject(new DriverBroken(`a reply breaks the driver protocol: ${firstIssue(parsed.error)}`, 'DRV-4'));
      return;
    }
    const reply = parsed.data;
    if (reply.ok) {
      this.observe(reply.result as ClientState<R>, false);
      pending.resolve({ ok: true, result: reply.result as ClientState<R> });
    } else {
      pending.resolve({ ok: false, error: reply.error });
    }
  }

  get current(): ClientState<R> | undefined {
    return this.feed.current;
  }

  /** A new state: an event, or a reply's result when it differs from the last one seen. */
  private observe(state: ClientState<R>, event: boolean): void {
    this.feed.push(state, { event, dedupe: !event });
  }

  /** The driver broke the protocol: everything waiting on it fails with `err`, and so does all that follows. */
  private fail(err: DriverBroken): void {
    this.feed.fail(err);
    this.rejectPending(err);
  }

  private rejectPending(err: DriverBroken): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(err);
    }
  }

  request(cmd: string, args: Readonly<Record<string, unknown>> = {}): Promise<ClientReply<R>> {
    if (this.feed.broken !== undefined) return Promise.reject(this.feed.broken);
    if (this.closedInfo !== undefined) return Promise.reject(new DriverBroken(this.closedInfo, 'DRV-4'));
    const id = `s${++this.seq}`;
    const message = { ...args, id, cmd };
    this.log.entries.push({ step: this.log.step, peer: PEER, dir: 'out', frame: message });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new DriverBroken(`no reply to ${cmd} within ${this.replyTimeoutMs} ms`, 'DRV-4'));
      }, this.replyTimeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify(message));
    });
  }

  waitFor(accept: (state: ClientState<R>) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<ClientState<R>> {
    return this.feed.waitFor(accept, timeoutMs);
  }

  takeEvents(): ClientState<R>[] {
    return this.feed.take();
  }

  close(): Promise<void> {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close(1000);
    });
  }
}

/** Opens the driver at `url` (`ws://host:port`, path `/` [DRV-1]); rejects with TargetError when unreachable. */
export function openDriverConnection<R extends ClientRole>(
  url: string,
  role: R,
  log: WireLog,
  options: DriverConnectionOptions = {},
): Promise<ClientDriver<R>> {
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: HANDSHAKE_FUSE_MS });
    } catch (err) {
      reject(new TargetError(`cannot reach the ${role} driver at ${url}: ${causeOf(err)}`));
      return;
    }
    ws.once('open', () => resolve(new WsDriver(role, ws, log, options.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS)));
    ws.once('error', (err) => reject(new TargetError(`cannot reach the ${role} driver at ${url}: ${causeOf(err)}`)));
    ws.once('unexpected-response', (_req, res) =>
      reject(new TargetError(`cannot reach the ${role} driver at ${url}: HTTP ${res.statusCode ?? '?'}`)),
    );
  });
}
