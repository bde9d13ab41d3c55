/**
 * One simulated peer's WebSocket to the server under test, over `ws`. Everything it sends and
 * receives, and its close, goes on the case's wire log stamped with the current trace step; what it
 * receives is queued for `take()`. `barrier()` is a ping/pong round trip, so a case waits on the
 * server's answer, never on time; its timeout is only a fuse for a server that never answers.
 */

import { WebSocket } from 'ws';
import type { WireEntry } from '../report/run-report.js';
import { duplicateMembers } from './duplicate-members.js';
import { type Inbound, type PeerOptions, type PeerSocket, TargetError, type WireLog } from './target.js';

/** Longest text kept in a wire-log entry (oversize-frame checks send megabytes). */
const LOG_TEXT_MAX = 256;
/** Fuse of the opening handshake: a host that accepts TCP but never answers is reported. */
const HANDSHAKE_FUSE_MS = 10_000;
const DEFAULT_SUBPROTOCOLS: readonly string[] = ['qrlink.v1'];

/** A barrier's pong did not come in time: the server does not answer pings (or hangs). */
export class BarrierTimeout extends Error {
  override name = 'BarrierTimeout';
  constructor(
    readonly peer: string,
    readonly timeoutMs: number,
  ) {
    super(`${peer}: no pong within ${timeoutMs} ms (the server does not answer pings, or hangs)`);
  }
}

/** The server refused the opening handshake with an HTTP status (checks of TR-1 and TR-3 read it). */
export class UpgradeRefused extends TargetError {
  override name = 'UpgradeRefused';
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`cannot connect to ${url}: HTTP ${status}`);
  }
}

export interface PeerSocketOptions extends PeerOptions {
  /** Called once when the connection has ended (the target forgets the socket). */
  readonly onClosed?: () => void;
}

/** A short text naming why a connection failed: the errno code if there is one, else the message. */
export function causeOf(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return typeof code === 'string' && code !== '' ? code : err.message;
  }
  return String(err);
}

function clip(text: string): string {
  return text.length <= LOG_TEXT_MAX ? text : `${text.slice(0, LOG_TEXT_MAX)}... (${text.length} characters)`;
}

/** Opens `url` as `peer`; rejects with TargetError (UpgradeRefused for an HTTP status). */
export function openPeerSocket(
  url: string,
  peer: string,
  log: WireLog,
  options: PeerSocketOptions = {},
): Promise<PeerSocket> {
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, [...(options.protocols ?? DEFAULT_SUBPROTOCOLS)], {
        headers: { ...(options.headers ?? {}) },
        perMessageDeflate: false,
        handshakeTimeout: HANDSHAKE_FUSE_MS,
      });
    } catch (err) {
      reject(new TargetError(`cannot connect to ${url}: ${causeOf(err)}`));
      return;
    }
    let settled = false;
    ws.once('open', () => {
      settled = true;
      resolve(new WsPeerSocket(ws, peer, log, options.onClosed));
    });
    ws.once('unexpected-response', (_req, res) => {
      settled = true;
      reject(new UpgradeRefused(url, res.statusCode ?? 0));
      ws.terminate();
    });
    ws.on('error', (err) => {
      if (settled) return;
      settled = true;
      reject(new TargetError(`cannot connect to ${url}: ${causeOf(err)}`));
    });
  });
}

class WsPeerSocket implements PeerSocket {
  readonly protocol: string;
  #closed: { code: number; reason: string } | undefined;
  #inbox: Inbound[] = [];
  #pings = 0;
  /** Woken on every pong (with its payload) and on the close. */
  #listeners = new Set<(pong: string | null) => void>();

  constructor(
    private readonly ws: WebSocket,
    readonly peer: string,
    private readonly log: WireLog,
    onClosed: (() => void) | undefined,
  ) {
    this.protocol = ws.protocol;
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) {
        this.#inbox.push({ kind: 'binary', bytes: data.length });
        this.#record({ text: `<binary message, ${data.length} bytes>` });
        return;
      }
      const text = data.toString('utf8');
      let frame: unknown;
      try {
        frame = JSON.parse(text);
      } catch {
        this.#inbox.push({ kind: 'text', text });
        this.#record({ text: clip(text) });
        return;
      }
      const duplicates = duplicateMembers(text);
      this.#inbox.push(duplicates.length > 0 ? { kind: 'frame', frame, duplicates } : { kind: 'frame', frame });
      this.#record({ frame });
    });
    ws.on('pong', (data: Buffer) => {
      const payload = data.toString('utf8');
      for (const l of [...this.#listeners]) l(payload);
    });
    ws.on('error', () => {}); // the close event follows and carries the code (1006 if it broke)
    ws.once('close', (code, reason) => {
      const closed = { code, reason: reason.toString('utf8') };
      this.#closed = closed;
      this.#inbox.push({ kind: 'close', ...closed });
      this.#record({ close: closed });
      for (const l of [...this.#listeners]) l(null);
      onClosed?.();
    });
  }

  get closed(): { readonly code: number; readonly reason: string } | undefined {
    return this.#closed;
  }

  #record(entry: Pick<WireEntry, 'frame' | 'text' | 'close'>, dir: 'in' | 'out' = 'in'): void {
    this.log.entries.push({ step: this.log.step, peer: this.peer, dir, ...entry });
  }

  send(frame: unknown): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.#record({ frame }, 'out');
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Uint8Array, binary = false): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    const kind = binary ? 'binary' : 'text';
    const shown =
      typeof data === 'string'
        ? binary
          ? `<binary message> ${clip(data)}`
          : clip(data)
        : `<${kind} message, ${data.length} bytes: ${clip(Buffer.from(data).toString('hex'))}>`;
    this.#record({ text: shown }, 'out');
    this.ws.send(data, { binary });
  }

  take(): Inbound[] {
    const out = this.#inbox;
    this.#inbox = [];
    return out;
  }

  barrier(timeoutMs = 5000): Promise<void> {
    if (this.#closed || this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    const open = this.ws.readyState === WebSocket.OPEN;
    const payload = `barrier ${++this.#pings}`;
    // CLOSING: no ping can go out; the close completes the barrier
    return this.#until(
      (pong) => pong === null || pong === payload,
      timeoutMs,
      () => {
        if (open) this.ws.ping(payload);
      },
    );
  }

  close(code = 1000): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#until(
      (pong) => pong === null,
      undefined,
      () => {
        if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code);
      },
    );
  }

  drop(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#until(
      (pong) => pong === null,
      undefined,
      () => this.ws.terminate(),
    );
  }

  /** Resolves when `done` accepts a pong payload (or null: the close); `start` runs once listening. */
  #until(done: (pong: string | null) => boolean, timeoutMs: number | undefined, start: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      let fuse: NodeJS.Timeout | undefined;
      const listener = (pong: string | null): void => {
        if (!done(pong)) return;
        this.#listeners.delete(listener);
        if (fuse) clearTimeout(fuse);
        resolve();
      };
      this.#listeners.add(listener);
      if (timeoutMs !== undefined) {
        // a safety fuse, cleared as soon as the pong or the close arrives; never a wait
        fuse = setTimeout(() => {
          this.#listeners.delete(listener);
          reject(new BarrierTimeout(this.peer, timeoutMs));
        }, timeoutMs);
      }
      start();
    });
  }
}
