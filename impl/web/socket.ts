/**
 * The web client's connection to a server, behind a small interface: the browser page passes a
 * factory over the native WebSocket, the Node client one over `ws`, tests a scripted fake. No
 * Node imports here: this file is bundled into the page.
 */

/** One open connection to `/v1/web`. */
export interface WebConnection {
  /** Sends one JSON frame (serialised by the connection). */
  send(frame: object): void;
  /** Closes the connection (1000 unless told otherwise). */
  close(code?: number): void;
}

/** What the connection reports back. */
export interface WebConnectionEvents {
  open(): void;
  /** One received text frame, not yet parsed. */
  text(data: string): void;
  /** The connection closed (or never opened: 1006). */
  closed(code: number): void;
}

/**
 * Opens a connection to the web endpoint of `server` (a ws:// or wss:// base URL; the factory
 * appends /v1/web) offering the subprotocol qrlink.v1 [TR-2].
 */
export type WebConnector = (server: string, events: WebConnectionEvents) => WebConnection;

/** `<server>/v1/web` for a base URL, without touching Node APIs. */
export function webEndpoint(server: string): string {
  return `${server.replace(/\/+$/, '')}/v1/web`;
}
