/**
 * A scripted stand-in for the server in unit tests of both clients (no sockets): it records what
 * a client sends on each connection and lets the test answer with frames, closes and failures.
 * It implements the connector shape the web core and the phone core share.
 */
import type { WebConnectionEvents } from './socket.js';

/** One connection as the fake server sees it. */
export class ScriptedConnection {
  readonly sent: Record<string, unknown>[] = [];
  /** The close code the client closed with, if it did. */
  closedByClient: number | undefined;
  isOpen = false;

  constructor(
    readonly server: string,
    private readonly events: WebConnectionEvents,
  ) {}

  /** Completes the handshake. */
  open(): void {
    this.isOpen = true;
    this.events.open();
  }

  /** Delivers a frame to the client (an object is serialised; a string goes as is). */
  push(frame: object | string): void {
    this.events.text(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The server closes the connection. */
  serverClose(code: number): void {
    if (!this.isOpen && this.closedByClient !== undefined) return;
    this.isOpen = false;
    this.events.closed(code);
  }

  /** Frames of type `t` the client sent, in order. */
  ofType(t: string): Record<string, unknown>[] {
    return this.sent.filter((f) => f.t === t);
  }

  /** The last frame of type `t`; throws when there is none. */
  last(t: string): Record<string, unknown> {
    const f = this.ofType(t).at(-1);
    if (!f) throw new Error(`the client sent no ${t} frame (sent: ${this.sent.map((x) => x.t).join(', ')})`);
    return f;
  }

  /** Types of every frame sent, in order. */
  get types(): string[] {
    return this.sent.map((f) => String(f.t));
  }
}

export class ScriptedServer {
  readonly connections: ScriptedConnection[] = [];
  /** Open each new connection at once (default true). */
  autoOpen = true;

  readonly connector = (server: string, events: WebConnectionEvents) => {
    const conn = new ScriptedConnection(server, events);
    this.connections.push(conn);
    const client = {
      send: (frame: object) => {
        if (conn.isOpen) conn.sent.push(JSON.parse(JSON.stringify(frame)) as Record<string, unknown>);
      },
      close: (code = 1000) => {
        if (conn.closedByClient !== undefined) return;
        conn.closedByClient = code;
        const wasOpen = conn.isOpen;
        conn.isOpen = false;
        if (wasOpen) queueMicrotask(() => events.closed(code));
      },
    };
    if (this.autoOpen) queueMicrotask(() => conn.open());
    return client;
  };

  /** The newest connection. */
  get current(): ScriptedConnection {
    const c = this.connections.at(-1);
    if (!c) throw new Error('no connection was opened');
    return c;
  }
}
