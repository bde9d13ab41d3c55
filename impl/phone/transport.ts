/**
 * The phone's connection to a server, behind a small interface so that the phone core runs against
 * a scripted fake in tests and against a real WebSocket (`ws`) in production.
 */

/** One open connection to `/v1/phone`. */
export interface PhoneConnection {
  /** Sends one JSON frame (the object is serialised by the connection). */
  send(frame: object): void;
  /** Closes the connection (1000 unless told otherwise). */
  close(code?: number): void;
}

/** What the connection reports back to its owner. */
export interface PhoneConnectionEvents {
  open(): void;
  /** One received text frame, not yet parsed. */
  text(data: string): void;
  /** The connection closed (or failed to open: code 1006). */
  closed(code: number): void;
}

/** Opens connections to a server URL such as ws://127.0.0.1:8080 (the core appends /v1/phone). */
export type PhoneConnector = (server: string, events: PhoneConnectionEvents) => PhoneConnection;
