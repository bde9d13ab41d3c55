/**
 * The baseline server: a bare `ws` server on the same paths and subprotocol as the reference, with no
 * protocol and no crypto. Every text message from a `/v1/web` socket is forwarded as it is to the
 * `/v1/phone` socket that connected with the same pairing number (the `?pair=N` query), the hop a
 * relay makes; with nothing to forward to, or on `/v1/phone`, a message is dropped. Idle sockets just
 * stay open (the sessions baseline).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

export interface BareServer {
  readonly wsUrl: string;
  /** Open sockets. */
  connections(): number;
  close(): Promise<void>;
}

function pairOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://x').searchParams.get('pair') ?? '0';
}

export async function startBareServer(host = '127.0.0.1'): Promise<BareServer> {
  const phones = new Map<string, WebSocket>();
  const live = new Set<WebSocket>();
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: (protocols) => (protocols.has('qrlink.v1') ? 'qrlink.v1' : false),
  });
  const http = createServer((_req, res) => res.writeHead(404).end());
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    wss.handleUpgrade(req, socket, head, (ws) => {
      live.add(ws);
      ws.on('close', () => live.delete(ws));
      ws.on('error', () => {});
      const pair = pairOf(req);
      if (path === '/v1/phone') {
        phones.set(pair, ws);
        ws.on('close', () => {
          if (phones.get(pair) === ws) phones.delete(pair);
        });
        return;
      }
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        phones.get(pair)?.send(data, { binary: isBinary });
      });
    });
  });
  http.on('clientError', (_err, socket) => socket.destroy());
  const port = await new Promise<number>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, host, () => {
      const addr = http.address();
      resolve(typeof addr === 'object' && addr ? addr.port : 0);
    });
  });
  return {
    wsUrl: `ws://${host}:${port}`,
    connections: () => live.size,
    async close() {
      for (const ws of live) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}
