/**
 * The fault injector: a WebSocket proxy in front of a server. Every client connection gets its own
 * upstream connection (same path, query and subprotocol); every text frame in either direction is
 * passed, dropped, or cuts both connections (TCP ends without a close frame), as the seeded plan
 * (fault-plan.ts) decides for the connection's label (`?label=` in the URL, else its accept number).
 * Closes pass through with their code. An observer sees every frame and what was done with it.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { checkPlan, type Direction, type FaultAction, type FaultPlan, faultFor } from './fault-plan.js';

export type FaultObserver = (label: string, dir: Direction, text: string, action: FaultAction) => void;

export interface InjectorCounts {
  frames: number;
  dropped: number;
  cut: number;
  connections: number;
}

/** Close codes a peer may send in a close frame (1005, 1006, 1015 may not be sent). */
function sendable(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999)
  );
}

export class FaultInjector {
  readonly counts: InjectorCounts = { frames: 0, dropped: 0, cut: 0, connections: 0 };
  readonly #live = new Set<WebSocket>();
  readonly #wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: (protocols) => protocols.values().next().value ?? false,
  });
  readonly #http = createServer((_req, res) => res.writeHead(404).end());
  #accepted = 0;
  #wsUrl = '';

  constructor(
    private readonly upstream: string,
    private readonly plan: FaultPlan,
    private readonly observe?: FaultObserver,
  ) {
    checkPlan(plan);
    this.#http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, req));
    });
    this.#http.on('clientError', (_err, socket) => socket.destroy());
  }

  get wsUrl(): string {
    return this.#wsUrl;
  }

  /** Sockets open on either side. */
  get liveSockets(): number {
    return this.#live.size;
  }

  async listen(host = '127.0.0.1'): Promise<string> {
    const port = await new Promise<number>((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(0, host, () => {
        const addr = this.#http.address();
        resolve(typeof addr === 'object' && addr ? addr.port : 0);
      });
    });
    this.#wsUrl = `ws://${host}:${port}`;
    return this.#wsUrl;
  }

  #track(ws: WebSocket): void {
    this.#live.add(ws);
    ws.on('close', () => this.#live.delete(ws));
    ws.on('error', () => {});
  }

  #accept(down: WebSocket, req: IncomingMessage): void {
    const ordinal = ++this.#accepted;
    this.counts.connections++;
    const label = new URL(req.url ?? '/', 'http://x').searchParams.get('label') ?? `#${ordinal}`;
    const protocol = down.protocol;
    const up = new WebSocket(`${this.upstream}${req.url ?? '/'}`, protocol === '' ? [] : [protocol], {
      perMessageDeflate: false,
    });
    this.#track(down);
    this.#track(up);
    const pending: string[] = [];
    const index: Record<Direction, number> = { up: 0, down: 0 };
    const cut = () => {
      down.terminate();
      up.terminate();
    };
    const relay = (dir: Direction, to: WebSocket, data: Buffer) => {
      const text = data.toString('utf8');
      const action = faultFor(this.plan, label, dir, index[dir]++);
      this.counts.frames++;
      this.observe?.(label, dir, text, action);
      if (action === 'drop') {
        this.counts.dropped++;
        return;
      }
      if (action === 'cut') {
        this.counts.cut++;
        cut();
        return;
      }
      if (to === up && up.readyState === WebSocket.CONNECTING) pending.push(text);
      else if (to.readyState === WebSocket.OPEN) to.send(text);
    };
    down.on('message', (data: Buffer) => relay('up', up, data));
    up.on('message', (data: Buffer) => relay('down', down, data));
    up.on('open', () => {
      for (const text of pending.splice(0)) up.send(text);
    });
    const pass = (from: WebSocket, to: WebSocket) =>
      from.on('close', (code: number, reason: Buffer) => {
        if (to.readyState === WebSocket.CLOSED || to.readyState === WebSocket.CLOSING) return;
        if (sendable(code) && to.readyState === WebSocket.OPEN) to.close(code, reason.toString('utf8'));
        else to.terminate();
      });
    pass(up, down);
    pass(down, up);
  }

  async close(): Promise<void> {
    for (const ws of this.#live) ws.terminate();
    this.#wss.close();
    await new Promise<void>((resolve) => {
      this.#http.close(() => resolve());
      this.#http.closeAllConnections();
    });
  }
}
