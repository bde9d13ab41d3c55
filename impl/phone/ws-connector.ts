/**
 * The production `PhoneConnector`: a `ws` WebSocket to `<server>/v1/phone` offering the
 * subprotocol qrlink.v1 [TR-2].
 */
import { Paths } from '../../model/protocol/codes.js';
import { openWsClient } from '../ws-client.js';
import type { PhoneConnector } from './transport.js';

/** Joins a server base URL (ws://host:port, with or without a trailing slash or path) and an endpoint path. */
export function endpointUrl(server: string, path: string): string {
  const url = new URL(server);
  url.pathname = path;
  url.search = '';
  url.hash = '';
  return url.toString();
}

export const wsPhoneConnector: PhoneConnector = (server, events) =>
  openWsClient(endpointUrl(server, Paths.phone), events);
