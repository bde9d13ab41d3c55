/**
 * A lean protocol peer for benchmarks: one `ws` client socket speaking JSON frames, with `next(t)`
 * waiting for the next frame of a type (frames of other types stay queued) under a time limit. No
 * wire log, no barrier: what a real client does, so that the measured cost is the server's and the
 * protocol's, not the conformance harness's.
 */
import { WebSocket } from 'ws';

export type Frame = { readonly t: string } & Record<string, unknown>;

/** The peer's connection ended, or an awaited frame did not come in time. */
export class PeerGone extends Error {
  override name = 'PeerGone';
}

interface Waiter {
  readonly t: string;
  resolve(f: Frame): void;
  reject(err: Error): void;
  readonly timer: ReturnType<typeof setTimeout> | undefined;
}

export class WirePeer {
  readonly #queue: Frame[] = [];
  readonly #waiters: Waiter[] = [];
  #closed: { code: number } | undefined;
  /** Called for every frame before queueing; return true to consume it (hot paths). */
  onFrame: ((f: Frame, raw: string) => boolean) | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const raw = data.toString('utf8');
      const f = JSON.parse(raw) as Frame;
      if (this.onFrame?.(f, raw)) return;
      const i = this.#waiters.findIndex((w) => w.t === f.t || w.t === '*');
      const w = this.#waiters[i];
      if (w) {
        this.#waiters.splice(i, 1);
        if (w.timer) clearTimeout(w.timer);
        w.resolve(f);
      } else this.#queue.push(f);
    });
    ws.on('close', (code: number) => {
      this.#closed = { code };
      for (const w of this.#waiters.splice(0)) {
        if (w.timer) clearTimeout(w.timer);
        w.reject(new PeerGone(`connection closed (${code}) while waiting for ${w.t}`));
      }
    });
    ws.on('error', () => {});
  }

  /** Opens `url` with the qrlink.v1 subprotocol; rejects with PeerGone when it cannot. */
  static open(url: string, timeoutMs = 10_000): Promise<WirePeer> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, ['qrlink.v1'], { perMessageDeflate: false, handshakeTimeout: timeoutMs });
      const peer = new WirePeer(ws);
      ws.once('open', () => resolve(peer));
      ws.once('error', (err) => reject(new PeerGone(`cannot connect to ${url}: ${err.message}`)));
      ws.once('close', () => reject(new PeerGone(`closed before open: ${url}`)));
    });
  }

  get closed(): boolean {
    return this.#closed !== undefined || this.ws.readyState !== WebSocket.OPEN;
  }

  get closeCode(): number | undefined {
    return this.#closed?.code;
  }

  send(frame: Frame | object): void {
    if (!this.closed) this.ws.send(JSON.stringify(frame));
  }

  sendText(text: string): void {
    if (!this.closed) this.ws.send(text);
  }

  /** The next frame of type `t` ('*': any), waiting at most `timeoutMs` (0: no limit). */
  next<F extends Frame = Frame>(t: string, timeoutMs = 0): Promise<F> {
    const i = this.#queue.findIndex((f) => f.t === t || t === '*');
    if (i >= 0) return Promise.resolve(this.#queue.splice(i, 1)[0] as F);
    if (this.#closed) return Promise.reject(new PeerGone(`connection closed (${this.#closed.code}) before ${t}`));
    return new Promise<F>((resolve, reject) => {
      const waiter: Waiter = {
        t,
        resolve: resolve as (f: Frame) => void,
        reject,
        timer:
          timeoutMs > 0
            ? setTimeout(() => {
                const k = this.#waiters.indexOf(waiter);
                if (k >= 0) this.#waiters.splice(k, 1);
                reject(new PeerGone(`no ${t} within ${timeoutMs} ms`));
              }, timeoutMs)
            : undefined,
      };
      this.#waiters.push(waiter);
    });
  }

  /** Frames received and not taken by `next`. */
  get unread(): readonly Frame[] {
    return this.#queue;
  }

  /** Removes and returns every frame not taken by `next` (before handing the socket to `onFrame`). */
  takeUnread(): Frame[] {
    return this.#queue.splice(0);
  }

  /** Closes and resolves once the close completed (or the socket was already gone). */
  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
      else this.ws.close(1000);
    });
  }

  /** Ends the TCP connection without a close frame. */
  terminate(): void {
    this.ws.terminate();
  }
}
