/**
 * The Node side of a reference client's connection (phone and web alike): a `ws` WebSocket
 * offering the subprotocol qrlink.v1 [TR-2], reporting open, each text frame and a single close
 * (1006 when it failed or broke without a close frame). The server sends text frames only [TR-4],
 * so binary ones are ignored.
 */
import { WebSocket } from 'ws';
import { SUBPROTOCOL } from '../model/protocol/codes.js';

export interface WsClientEvents {
  open(): void;
  text(data: string): void;
  closed(code: number): void;
}

export interface WsClient {
  /** Sends one JSON frame if the socket is open; nothing otherwise. */
  send(frame: object): void;
  close(code?: number): void;
}

export function openWsClient(url: string, events: WsClientEvents): WsClient {
  const ws = new WebSocket(url, SUBPROTOCOL);
  let closed = false;
  const finish = (code: number) => {
    if (closed) return;
    closed = true;
    events.closed(code);
  };
  ws.on('open', () => events.open());
  ws.on('message', (data, isBinary) => {
    if (!isBinary) events.text(data.toString());
  });
  ws.on('close', (code) => finish(code));
  ws.on('error', () => finish(1006));
  return {
    send(frame) {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
    },
    close(code = 1000) {
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(code);
    },
  };
}
