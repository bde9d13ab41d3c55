/**
 * The composed system's state: the server, the web clients (tabs), the phones, the browsers'
 * shared storage, the FIFO channels of every connection, the budgets and the ghost record (what
 * happened, kept only so that invariants can be stated as predicates over one state).
 */
import type { AnyFrame } from '../abstract/frames.js';
import type { ChartState } from '../chart/chart.js';
import type { PhoneContext } from '../phone/phone-chart.js';
import type { ServerState } from '../server/server.js';
import type { Stored, WebContext } from '../web/web-chart.js';

/** One direction of one connection: `A1>` web A1 to server, `A1<` server to web A1, `P1>`, `P1<`. */
export interface Channel {
  readonly id: string;
  readonly frames: readonly AnyFrame[];
}

/** The ghost record: facts about the past, appended by the step as they happen. */
export interface Ghost {
  /** `key#n=m` for every relay seal. */
  readonly sealed: readonly string[];
  /** Seals that reused a key and nonce with another plaintext. */
  readonly reused: readonly string[];
  /** `session|key#n` for every relay frame a receiver accepted. */
  readonly accepted: readonly string[];
  /** Ciphertexts accepted a second time. */
  readonly replayed: readonly string[];
  /** Message ids delivered to the receiving app. */
  readonly got: readonly string[];
  /** `session|m` of web-to-phone messages the server accepted. */
  readonly w2pAccepted: readonly string[];
  /** `session|m` of phone-to-web messages the phone sent. */
  readonly p2wSent: readonly string[];
  /** `account|ref` the phone approved / finalized. */
  readonly approved: readonly string[];
  readonly finalized: readonly string[];
  /** Approvals sent without the user approving that ref. */
  readonly unconsented: readonly string[];
  /** Honest connections the server killed with bad_state/4000. */
  readonly killed: readonly string[];
  /** Tokens that resumed after they were retired. */
  readonly retiredAccepted: readonly string[];
  /** Sessions that got a frame or a resume after they ended. */
  readonly revokedServed: readonly string[];
  /** Bad input (forged frames) that changed another connection's or session's state. */
  readonly badInputEffects: readonly string[];
  /** Every resume token the server handed out (what an eavesdropper may later replay). */
  readonly issued: readonly string[];
  /** `from_phone` frames the server forwarded, for a replaying server: `[conn, frame]`. */
  readonly relayed: readonly string[];
}

export interface SystemState {
  readonly server: ServerState;
  readonly webs: readonly ChartState<WebContext>[];
  readonly phones: readonly ChartState<PhoneContext>[];
  /**
   * Per browser (tab A's is 0; tab B's is 0 when sharing storage, else 1): the stored tokens, one
   * entry per session, sorted (see model/README.md, finding 4; fault SINGLE_TOKEN_SLOT keeps one).
   */
  readonly storage: readonly (readonly Stored[])[];
  readonly chans: readonly Channel[];
  /** Messages sent so far (web, phone), adversary moves used, phone cycles used. */
  readonly used: {
    readonly webMsgs: number;
    readonly phoneMsgs: number;
    readonly replays: number;
    readonly strays: number;
    readonly cycles: number;
    /** Re-registrations used [REG-8]. */
    readonly reregs: number;
    /** QR scans used. */
    readonly scans: number;
  };
  readonly ghost: Ghost;
}

export const emptyGhost: Ghost = {
  sealed: [],
  reused: [],
  accepted: [],
  replayed: [],
  got: [],
  w2pAccepted: [],
  p2wSent: [],
  approved: [],
  finalized: [],
  unconsented: [],
  killed: [],
  retiredAccepted: [],
  revokedServed: [],
  badInputEffects: [],
  issued: [],
  relayed: [],
};
