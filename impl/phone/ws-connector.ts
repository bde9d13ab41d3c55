/**
 * The production `PhoneConnector`: a `ws` WebSocket to `<server>/v1/phone` offering the
 * subprotocol qrlink.v1 [TR-2].
 */
import { WebSocket } from 'ws';
import { Paths, SUBPROTOCOL } from '../../model/protocol/codes.js';
import type { PhoneConnector } from './transport.js';

/** Joins a server base URL (ws://host:port, with or without a trailing slash or path) and an endpoint path. */
export function endpointUrl(server: string, path: string): string {
  const url = new URL(server);
  url.pathname = path;
  url.search = '';
  url.hash = '';
  return url.toString();
}

export const wsPhoneConnector: PhoneConnector = (server, events) => {
  const ws = new WebSocket(endpointUrl(server, Paths.phone), SUBPROTOCOL);
  let closed = false;
  const finish = (code: number) => {
    if (closed) return;
    closed = true;
    events.closed(code);
  };
  ws.on('open', () => events.open());
  ws.on('message', (data, isBinary) => {
    if (isBinary) return; // the server sends text frames only [TR-4]
    events.text(data.toString());
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
};
