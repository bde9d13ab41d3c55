/**
 * One WebSocket connection as the protocol sees it: typed sends, the `error`-then-close rule of
 * [ERR-7], and the "decided to close" flag after which no frame is processed [TR-6].
 */
import type { WebSocket } from 'ws';
import type { Fault } from './fault.js';

export type Endpoint = 'web' | 'phone' | 'control';

/** The TCP socket under a WebSocket, as far as batching writes needs it. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

let nextId = 0;

export class Connection<Out extends { t: string }> {
  readonly id = ++nextId;
  #closed = false;
  #gone: (() => void) | null = null;
  #corked = false;

  constructor(
    private readonly ws: WebSocket,
    readonly endpoint: Endpoint,
    /** The remote address the server saw (shown on the consent screen). */
    readonly address: string,
    /** The TCP socket, to batch the relay's writes (absent: every frame is written on its own). */
    private readonly socket?: Corkable,
  ) {}

  /** Runs once when the connection ends, whoever ended it. */
  onGone(fn: () => void): void {
    this.#gone = fn;
  }

  /** True once the server decided to close or the peer went away [TR-6]. */
  get closed(): boolean {
    return this.#closed;
  }

  send(frame: Out): void {
    if (!this.#closed) this.ws.send(JSON.stringify(frame));
  }

  /** Sends a frame already serialised as JSON text (the relay's hot path builds its own); same rules as `send`. */
  sendText(text: string): void {
    if (this.#closed) return;
    this.#batch();
    this.ws.send(text);
  }

  /**
   * Holds this socket's writes back until the end of the current tick, so that a burst of relayed
   * frames (several to_phone in one TCP read) leaves in one write instead of one system call per
   * frame. Bytes and order on the wire are unchanged; nothing waits on a timer.
   */
  #batch(): void {
    if (this.#corked || !this.socket) return;
    this.#corked = true;
    this.socket.cork();
    process.nextTick(this.#flush);
  }

  readonly #flush = (): void => {
    if (!this.#corked) return;
    this.#corked = false;
    this.socket?.uncork();
  };

  /** Sends `error {code, detail, clause}` and closes with the fault's close code [ERR-7]. */
  fail(f: Fault): void {
    if (this.#closed) return;
    this.ws.send(JSON.stringify({ t: 'error', code: f.code, detail: f.detail, clause: f.clause }));
    this.close(f.close, f.code);
  }

  /** Closes with `code` and runs the protocol's cleanup now, not when the socket is finally gone. */
  close(code: number, reason = ''): void {
    if (this.#closed) return;
    this.#closed = true;
    this.ws.close(code, reason.slice(0, 120));
    this.#finish();
  }

  /** Closes without the protocol's cleanup (control `reset` wipes all state at once) [CTL-3]. */
  abandon(code: number, reason = ''): void {
    this.#gone = null;
    this.close(code, reason);
  }

  /** The socket went away (peer close, network, ws-level 1007/1009). */
  dropped(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#finish();
  }

  /** Drops the TCP connection at once (server shutdown). */
  terminate(): void {
    this.dropped();
    this.#flush(); // what was written this tick still leaves before the TCP connection is dropped
    this.ws.terminate();
  }

  #finish(): void {
    const fn = this.#gone;
    this.#gone = null;
    fn?.();
  }
}
