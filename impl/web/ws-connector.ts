/**
 * The Node `WebConnector`: a `ws` WebSocket to `<server>/v1/web` offering qrlink.v1 [TR-2].
 */
import { WebSocket } from 'ws';
import { SUBPROTOCOL } from '../../model/protocol/codes.js';
import { type WebConnector, webEndpoint } from './socket.js';

export const wsWebConnector: WebConnector = (server, events) => {
  const ws = new WebSocket(webEndpoint(server), SUBPROTOCOL);
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
};
