/**
 * The system under test as the suite sees it: a WebSocket base URL, an optional control endpoint,
 * and peer sockets that record everything on a shared wire log. Two adapters build one: the
 * embedded reference (`embeddedTarget`, a reference server started in this process in conformance
 * mode) and a remote server (`remoteTarget`, `--target ws://host:port`). Both speak to the server
 * over real WebSockets on 127.0.0.1, so every verdict is about bytes on the wire.
 */
import type { Config, ConfigPatch } from '../../model/protocol/config.js';
import type { Stats } from '../../model/protocol/control-frames.js';
import type { WireEntry } from '../report/run-report.js';

/** Something the target received from the server on one peer's socket, in arrival order. */
export type Inbound =
  /** `duplicates`: member names the frame's text carried twice in one object (ENC-5). */
  | { readonly kind: 'frame'; readonly frame: unknown; readonly duplicates?: readonly string[] }
  /** A text frame that is not JSON (kept as text). */
  | { readonly kind: 'text'; readonly text: string }
  /** A binary frame (servers must not send them [TR-4]). */
  | { readonly kind: 'binary'; readonly bytes: number }
  | { readonly kind: 'close'; readonly code: number; readonly reason: string };

/** The wire log of one case: every frame in and out per simulated peer, stamped with the trace step. */
export interface WireLog {
  /** The trace step the next entries belong to. */
  step: number;
  readonly entries: WireEntry[];
}

/** Options of one peer connection (adversarial checks vary them). */
export interface PeerOptions {
  /** Subprotocols offered; default `['qrlink.v1']`; `[]` offers none. */
  readonly protocols?: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
}

/** One simulated peer's WebSocket (a web client connection or a phone connection). */
export interface PeerSocket {
  /** The peer's name in traces and wire logs, e.g. `webA1`, `phoneP1`. */
  readonly peer: string;
  /** The subprotocol the server chose ('' if none). */
  readonly protocol: string;
  /** The close, once the connection has ended (1006 when it broke without a close frame). */
  readonly closed: { readonly code: number; readonly reason: string } | undefined;
  /** Sends one frame as JSON text (logged `out`); ignored once closed. */
  send(frame: unknown): void;
  /** Sends raw text or bytes (malformed-frame checks; logged `out` as text). */
  sendRaw(data: string | Uint8Array, binary?: boolean): void;
  /** Everything received since the last `take()`, in order (close last), marking it read. */
  take(): Inbound[];
  /**
   * A ping/pong round trip: when it resolves, the server has handled every frame this peer sent
   * before it, and everything the server sent this peer before the pong has arrived. Resolves at
   * once when closed, and when the close arrives instead of the pong. Rejects with BarrierTimeout
   * after `timeoutMs` (a server that never answers pings is reported, not waited on forever).
   */
  barrier(timeoutMs?: number): Promise<void>;
  /** Closes with `code` (default 1000) and resolves when the close completed. */
  close(code?: number): Promise<void>;
  /** Ends the TCP connection without a close frame (a phone losing signal). */
  drop(): Promise<void>;
}

/** The control endpoint (`/v1/control`, docs/protocol.md section 15) of a target in conformance mode. */
export interface ControlClient {
  /** Forgets every account, session, ref and connection; the clock restarts [CTL-5]. */
  reset(): Promise<void>;
  /** Advances the target's clock; resolves with its new `now` once every due timer has fired. */
  advance(ms: number): Promise<number>;
  /** The last SMS code sent to `phone` (E.164), or null. */
  sms(phone: string): Promise<string | null>;
  /** Sets part of the configuration; resolves with the whole configuration in force. */
  config(set?: ConfigPatch): Promise<Config>;
  stats(): Promise<Stats>;
  /**
   * Sends `text` as one text message on the control connection, exactly as given, and resolves with
   * the next reply that carries no id or an id of no request in flight, parsed as JSON and not
   * validated (checks of malformed requests [CTL-8]). Rejects when the connection closes first.
   */
  sendRaw?(text: string): Promise<unknown>;
  close(): Promise<void>;
}

/** Why the suite cannot use a target at all (exit 2): unreachable, refused, or a bad control token. */
export class TargetError extends Error {
  override name = 'TargetError';
}

/**
 * What the runner needs of any implementation under test, whatever its role: a name for the report,
 * its control endpoint if it has one (the runner resets it before every case), and a way to close it.
 */
export interface Subject {
  /** `embedded reference`, the URL given with --target, or the page given with --browser. */
  readonly description: string;
  /** The control endpoint, or undefined with the reason (no token given, endpoint refused...). */
  readonly control: ControlClient | undefined;
  readonly controlMissing?: string;
  /** Why the subject lacks a capability other than control (undefined: it has it). */
  missing?(capability: 'driver'): string | undefined;
  /** Closes every connection the suite opened to it and stops whatever the suite started for it. */
  close(): Promise<void>;
}

/** The server under test. */
export interface Target extends Subject {
  /** `ws://host:port` (no path). */
  readonly wsUrl: string;
  /** Opens a peer socket on `/v1/web` or `/v1/phone`, recording on `log`. Rejects with TargetError. */
  openPeer(path: '/v1/web' | '/v1/phone', peer: string, log: WireLog, options?: PeerOptions): Promise<PeerSocket>;
}
