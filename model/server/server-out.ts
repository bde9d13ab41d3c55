/**
 * What the server's entity charts emit: frames to a web connection or a phone, and internal events
 * the server routes between its entities (admission, resume, relay, revocation).
 */
import type { PhoneDown, WebDown } from '../abstract/frames.js';
import type { AbsCipher, PhoneId } from '../abstract/values.js';

export type ServerOut =
  /** A frame (or the close) to a web connection. */
  | { readonly type: 'web'; readonly conn: string; readonly frame: WebDown }
  /** A frame (or the close) to one phone's connection. */
  | { readonly type: 'phone'; readonly phone: PhoneId; readonly frame: PhoneDown }
  /** A frame to the account's phone, when it is online (else dropped: custody holds what matters). */
  | { readonly type: 'account'; readonly account: string; readonly frame: PhoneDown }
  /** link.finalize accepted: enforce the session limit and create the session [LINK-9]. */
  | {
      readonly type: 'admit';
      readonly conn: string;
      readonly account: string;
      readonly phone: PhoneId;
      readonly keep: boolean;
      readonly ref: string;
    }
  /** resume {token} on a fresh connection: the token's session decides. */
  | { readonly type: 'resume'; readonly conn: string; readonly token: string }
  /** An event for a session entity. */
  | { readonly type: 'toSession'; readonly session: string; readonly event: SessionInput }
  /** An event for a web connection entity. */
  | { readonly type: 'toConn'; readonly conn: string; readonly event: ConnInput }
  /** [REG-8] the number re-registered: every session of the account ends (revoked reregistered). */
  | { readonly type: 'reregistered'; readonly account: string }
  /** The account's phone authenticated (flush every session) or its connection ended. */
  | { readonly type: 'phoneUp' | 'phoneDown'; readonly phone: PhoneId; readonly account: string }
  /** The server now holds this value (secrecy bookkeeping). */
  | { readonly type: 'learn'; readonly value: string };

/** Internal events a session entity receives. */
export type SessionInput =
  | { readonly type: 'ATTACH'; readonly conn: string; readonly e: string }
  | { readonly type: 'DETACH'; readonly conn: string }
  | { readonly type: 'RELAY_W2P'; readonly e: string; readonly n: number; readonly c: AbsCipher }
  | { readonly type: 'ACK_FROM_WEB'; readonly e: string; readonly n: number }
  | { readonly type: 'LOGOUT'; readonly conn: string };

/** Internal events a web connection entity receives. */
export type ConnInput =
  | { readonly type: 'BOUND'; readonly session: string }
  | { readonly type: 'RESUMED'; readonly session: string }
  | { readonly type: 'RESUME_FAILED' }
  /** [RELAY-1] the session refused an attach whose epoch it had before. */
  | { readonly type: 'ATTACH_REFUSED' }
  | { readonly type: 'REVOKE'; readonly reason: 'replaced' | 'conflict' | 'unlinked' | 'reregistered' | 'logout' }
  | { readonly type: 'PHONE_GONE'; readonly phone: PhoneId };
