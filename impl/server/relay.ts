/**
 * The end-to-end relay [RELAY-3]..[RELAY-12]: to_phone -> from_web and to_web -> from_phone with e, n
 * and c copied unchanged, custody until ack, acks forwarded to the sender side, the phone's flush on
 * authentication. The hot path builds the outbound JSON from fields already validated by parseFrame.
 */
import type { Core } from './core.js';
import { badState } from './fault.js';
import type { PhoneClient } from './phone-endpoint.js';
import type { Session } from './session.js';
import type { WebClient } from './web-endpoint.js';

/**
 * `JSON.stringify({t: 'from_web', sessionId, e, n, c})`, built without walking the object: e and c
 * passed the base64url schema check on the way in and sessionId is server-made base64url, so none
 * needs escaping, and n is a safe integer (String(n) is its JSON form). The text is identical.
 */
export function fromWebText(sessionId: string, e: string, n: number, c: string): string {
  return `{"t":"from_web","sessionId":"${sessionId}","e":"${e}","n":${n},"c":"${c}"}`;
}

/** `JSON.stringify({t: 'from_phone', e, n, c})`, built the same way as fromWebText. */
export function fromPhoneText(e: string, n: number, c: string): string {
  return `{"t":"from_phone","e":"${e}","n":${n},"c":"${c}"}`;
}

export class Relay {
  /** Mutant flags (mutants.ts). */
  readonly #duplicates: boolean;
  readonly #reorders: boolean;
  readonly #dropsWhileOffline: boolean;
  readonly #ackNotCumulative: boolean;
  readonly #noOfflineNotice: boolean;
  readonly #queueDropsSilently: boolean;

  constructor(private readonly core: Core) {
    const m = core.mutants;
    this.#duplicates = m.has('server.relay-duplicates');
    this.#reorders = m.has('server.relay-reorders');
    this.#dropsWhileOffline = m.has('server.drops-while-offline');
    this.#ackNotCumulative = m.has('server.ack-not-cumulative');
    this.#noOfflineNotice = m.has('server.no-offline-notice');
    this.#queueDropsSilently = m.has('server.queue-drops-silently');
  }

  /** to_phone {e, n, c} from an attached web connection whose own epoch is e (checked by the caller). */
  toPhone(web: WebClient, s: Session, e: string, n: number, c: string): void {
    // MUTANT server.drops-while-offline [RELAY-5]: a frame nobody can take now is not kept
    if (this.#dropsWhileOffline && !this.core.phones.has(s.accountId)) return;
    const held = s.toPhone.offer(e, n, c, this.core.config.custodyLimit);
    if (!held) {
      // MUTANT server.queue-drops-silently [RELAY-7]: the refused frame is dropped with no queue_full
      if (!this.#queueDropsSilently) web.conn.send({ t: 'queue_full', e, n });
      return;
    } // [RELAY-7]
    const phone = this.core.phones.get(s.accountId);
    if (!phone) return; // [RELAY-5] held until the phone returns
    phone.conn.sendText(fromWebText(s.id, e, n, c)); // [RELAY-4] byte for byte
    if (this.#duplicates) phone.conn.send({ t: 'from_web', sessionId: s.id, e, n, c }); // MUTANT server.relay-duplicates [RELAY-4]
  }

  /** The phone's session for a relay frame: live -> session; ended -> ignored; never known -> 4000. */
  #phoneSession(phone: PhoneClient, sessionId: string, what: string): Session | null {
    const s = this.core.sessions.get(sessionId);
    if (s && s.accountId === phone.accountId) return s;
    if (this.core.sessions.endedAccount(sessionId) !== phone.accountId) {
      phone.conn.fail(badState(`${what}: no such session of this account`, 'RELAY-8'));
    } // else [LATE-1] a frame for an ended session is ignored
    return null;
  }

  /** to_web {sessionId, e, n, c} from the phone [RELAY-8]. */
  toWeb(phone: PhoneClient, sessionId: string, e: string, n: number, c: string): void {
    const s = this.#phoneSession(phone, sessionId, 'to_web');
    if (!s) return;
    if (e !== s.epoch) return; // [RELAY-8] stale epoch: discarded silently; the phone re-sends after web.attached
    const held = s.toWeb.offer(e, n, c, this.core.config.custodyLimit);
    if (!held) {
      // MUTANT server.queue-drops-silently [RELAY-7]: the refused frame is dropped with no queue_full
      if (!this.#queueDropsSilently) phone.conn.send({ t: 'queue_full', sessionId, e, n });
      return;
    } // [RELAY-7]
    const web = s.attached;
    if (!web || web.epoch !== e) return;
    web.conn.sendText(fromPhoneText(e, n, c)); // [RELAY-4] byte for byte
  }

  /** ack {e, n} from the web: custody drops, the phone is told acked [RELAY-6]. */
  webAck(s: Session, e: string, n: number): void {
    const high = this.#ackNotCumulative ? s.toWeb.ackOne(e, n) : s.toWeb.ack(e, n); // MUTANT server.ack-not-cumulative
    if (high > 0) this.core.phones.get(s.accountId)?.conn.send({ t: 'acked', sessionId: s.id, e, n: high });
  }

  /** ack {sessionId, e, n} from the phone [RELAY-6]; for an ended session ignored [LATE-1]. */
  phoneAck(phone: PhoneClient, sessionId: string, e: string, n: number): void {
    const s = this.#phoneSession(phone, sessionId, 'ack');
    if (!s) return;
    const high = this.#ackNotCumulative ? s.toPhone.ackOne(e, n) : s.toPhone.ack(e, n); // MUTANT server.ack-not-cumulative
    // [RELAY-17] to the attached connection whatever its epoch: an acked of another epoch tells it
    // that custody has room again (RELAY-15)
    if (high > 0) s.attached?.conn.send({ t: 'acked', e, n: high });
  }

  /**
   * [RELAY-9] after auth.ok: per session web.attached if attached, then every unacked from_web in the
   * order the server accepted them; then each web connection holding a session gets phone {online: true}.
   */
  flush(phone: PhoneClient): void {
    const sessions = this.core.sessions.ofAccount(phone.accountId as string);
    for (const s of sessions) {
      const web = s.attached;
      if (web?.epoch) phone.conn.send({ t: 'web.attached', sessionId: s.id, e: web.epoch });
      // MUTANT server.relay-reorders [RELAY-9]: custody flushed newest first
      const frames = this.#reorders ? [...s.toPhone.frames].reverse() : s.toPhone.frames;
      for (const f of frames) {
        phone.conn.send({ t: 'from_web', sessionId: s.id, e: f.e, n: f.n, c: f.c });
      }
    }
    this.phoneOnline(phone.accountId as string, true);
  }

  /**
   * [RELAY-9] [RELAY-10] every web connection holding a session of the account (from its linked or
   * resumed until it closes, attached or not) learns the phone's presence.
   */
  phoneOnline(accountId: string, online: boolean): void {
    if (!online && this.#noOfflineNotice) return; // MUTANT server.no-offline-notice [RELAY-10]
    for (const s of this.core.sessions.ofAccount(accountId)) s.holder?.conn.send({ t: 'phone', online });
  }
}
