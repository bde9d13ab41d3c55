/**
 * A client implementation under test (a web client or a phone), as the suite drives it. The suite
 * plays the server (a scripted server it starts on 127.0.0.1, port 0) and the other client, and acts
 * as the user through a `ClientDriver`: the driver protocol over WebSocket (docs/protocol.md section
 * 16, `--target ws://host:DRIVERPORT`) or a browser page read through its DOM hooks (`--browser URL`).
 * Cases see only these interfaces, so every client check runs unchanged over either.
 */
import type { DriverErrorCode, PhoneDriverState, WebDriverState } from '../../model/protocol/driver-frames.js';
import type { Subject, WireLog } from '../target/target.js';

/** The client roles. */
export type ClientRole = 'web' | 'phone';

/** The state object a driver reports for a role [DRV-7] [DRV-9]. */
export type ClientState<R extends ClientRole> = R extends 'web' ? WebDriverState : PhoneDriverState;

/** A driver's answer to one command [DRV-4]: the state right after it took effect, or why it failed. */
export type ClientReply<R extends ClientRole> =
  | { readonly ok: true; readonly result: ClientState<R> }
  | { readonly ok: false; readonly error: { readonly code: DriverErrorCode; readonly detail: string } };

/**
 * The user's side of one client under test. Everything it sends and receives is logged on the
 * case's wire log as peer `driver`, stamped with the current trace step.
 */
export interface ClientDriver<R extends ClientRole> {
  readonly role: R;
  /**
   * Sends one command (`cmd` plus its arguments, without `id`) and resolves with its reply. Rejects
   * with `DriverBroken` when no reply comes within the driver's time limit, or when what comes
   * breaks the driver protocol (a malformed reply, a state object outside its schema).
   */
  request(cmd: string, args?: Readonly<Record<string, unknown>>): Promise<ClientReply<R>>;
  /** The state pushed last [DRV-6] (or carried by the last reply, whichever came later). */
  readonly current: ClientState<R> | undefined;
  /**
   * Resolves with the first state, the current one included, that satisfies `accept`; rejects
   * with `DriverWaitTimeout` (carrying the states seen meanwhile) after `timeoutMs`.
   */
  waitFor(accept: (state: ClientState<R>) => boolean, timeoutMs?: number): Promise<ClientState<R>>;
  /** Every state event received since the last call, in order, marking them read. */
  takeEvents(): ClientState<R>[];
  /** Ends the driver connection (or the browser page). */
  close(): Promise<void>;
}

/** A client implementation under test, for the runner: one driver per case. */
export interface ClientTarget<R extends ClientRole = ClientRole> extends Subject {
  readonly role: R;
  /** Client targets have no control endpoint: the suite owns the server, and with it the clock. */
  readonly control: undefined;
  /**
   * Opens the driver for one case and resets the client to a fresh installation [DRV-13] (for a
   * browser: a fresh browser context). Rejects with `TargetError` when the driver cannot be reached.
   */
  openDriver(log: WireLog): Promise<ClientDriver<R>>;
}

/** The driver broke the driver protocol (no reply in time, a malformed reply or state) [DRV-4] [DRV-6]. */
export class DriverBroken extends Error {
  override readonly name = 'DriverBroken';
  constructor(
    message: string,
    /** The clause the driver broke. */
    readonly clause: string,
  ) {
    super(message);
  }
}

/** No state satisfying a wait came in time; `seen` lists the states that came meanwhile. */
export class DriverWaitTimeout<R extends ClientRole = ClientRole> extends Error {
  override readonly name = 'DriverWaitTimeout';
  constructor(
    message: string,
    readonly seen: readonly ClientState<R>[],
  ) {
    super(message);
  }
}
