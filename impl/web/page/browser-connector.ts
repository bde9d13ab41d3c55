/**
 * The browser's `WebConnector`: the native WebSocket to `<server>/v1/web`, offering qrlink.v1 [TR-2].
 */
import { SUBPROTOCOL } from '../../../model/protocol/codes.js';
import { type WebConnector, webEndpoint } from '../socket.js';

export const browserConnector: WebConnector = (server, events) => {
  const ws = new WebSocket(webEndpoint(server), SUBPROTOCOL);
  let closed = false;
  ws.onopen = () => events.open();
  ws.onmessage = (ev: MessageEvent) => {
    if (typeof ev.data === 'string') events.text(ev.data);
  };
  ws.onclose = (ev: CloseEvent) => {
    if (closed) return;
    closed = true;
    events.closed(ev.code);
  };
  return {
    send(frame) {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
    },
    close(code = 1000) {
      if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close(code);
    },
  };
};

/** ws(s)://<this page's host>: the server that served the page. */
export function pageServer(loc: Location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}`;
}
