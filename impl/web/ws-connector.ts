/**
 * The Node `WebConnector`: a `ws` WebSocket to `<server>/v1/web` offering qrlink.v1 [TR-2].
 */
import { openWsClient } from '../ws-client.js';
import { type WebConnector, webEndpoint } from './socket.js';

export const wsWebConnector: WebConnector = (server, events) => openWsClient(webEndpoint(server), events);
