/**
 * Web sessions [SESS-1]..[SESS-13]: admission under the session limit, resume tokens (current and
 * pending successor, each working once), takeover, attach with fresh epochs, and every way a session
 * ends. Kept (keep: true) sessions are written through to the store.
 */

import type { RevokedReason, SessionEndedReason } from '../../model/protocol/codes.js';
import { RevokedReasons } from '../../model/protocol/codes.js';
import type { Device } from '../../model/protocol/encoding.js';
import type { TimerHandle } from './clock.js';
import type { Core } from './core.js';
import { CustodyQueue } from './custody.js';
import { newId, newToken, tokenHash } from './identifiers.js';
import type { StoredSession } from './storage/store.js';
import type { WebClient } from './web-endpoint.js';

/** Why a session ended. */
export type SessionEnd = 'logout' | 'closed' | 'replaced' | 'idle' | 'unlinked' | 'reregistered';

/** A session just admitted or resumed, with the token to send (null when keep is false). */
export interface Admitted {
  readonly session: Session;
  readonly token: string | null;
}

export class Session {
  /** Digest of the current token (null until the first attach of a kept link) and of its successor. */
  currentHash: string | null = null;
  pendingHash: string | null = null;
  readonly epochs = new Set<string>();
  /** The current attachment's epoch (kept after the attachment leaves, until the next attach). */
  epoch: string | null = null;
  /** The web connection bound to this session (linked/resumed on it), attached or not yet. */
  holder: WebClient | null = null;
  readonly toPhone = new CustodyQueue();
  readonly toWeb = new CustodyQueue();
  idleTimer: TimerHandle | null = null;
  ended = false;

  constructor(
    readonly id: string,
    readonly accountId: string,
    readonly device: Device,
    readonly keep: boolean,
    readonly seq: number,
  ) {}

  /** The web connection attached to this session, if any. */
  get attached(): WebClient | null {
    return this.holder?.epoch != null ? this.holder : null;
  }

  stored(): StoredSession {
    return {
      sessionId: this.id,
      accountId: this.accountId,
      device: this.device,
      seq: this.seq,
      currentHash: this.currentHash,
      pendingHash: this.pendingHash,
      epochs: [...this.epochs],
    };
  }
}

export class Sessions {
  readonly #byId = new Map<string, Session>();
  readonly #byToken = new Map<string, Session>();
  /** Ended sessions: id -> account, so late frames for them are ignored, not punished [LATE-1]. */
  readonly #ended = new Map<string, string>();
  #seq = 0;
  /** Mutant flags (mutants.ts). */
  readonly #noReplace: boolean;
  readonly #tokenReusable: boolean;
  readonly #keepsUnkept: boolean;
  readonly #tokenWithoutKeep: boolean;
  readonly #epochReuse: boolean;

  constructor(private readonly core: Core) {
    const m = core.mutants;
    this.#noReplace = m.has('server.no-replace-on-new-link');
    this.#tokenReusable = m.has('server.resume-token-reusable');
    this.#keepsUnkept = m.has('server.keeps-unkept-session');
    this.#tokenWithoutKeep = m.has('server.token-without-keep');
    this.#epochReuse = m.has('server.epoch-reuse-accepted');
    for (const s of core.store.sessions()) this.#restore(s);
  }

  /** A restarted server brings back kept sessions that were acknowledged at least once (F3). */
  #restore(stored: StoredSession): void {
    if (stored.currentHash === null) {
      this.core.store.deleteSession(stored.sessionId); // [SESS-7] never attached: ended by the restart
      return;
    }
    const s = new Session(stored.sessionId, stored.accountId, stored.device, true, stored.seq);
    s.currentHash = stored.currentHash;
    s.pendingHash = stored.pendingHash;
    for (const e of stored.epochs) s.epochs.add(e);
    this.#byId.set(s.id, s);
    this.#byToken.set(s.currentHash as string, s);
    if (s.pendingHash) this.#byToken.set(s.pendingHash, s);
    this.#seq = Math.max(this.#seq, stored.seq);
    this.#armIdle(s);
  }

  get(id: string): Session | undefined {
    return this.#byId.get(id);
  }

  /** The account an ended session belonged to, if it ended. */
  endedAccount(id: string): string | undefined {
    return this.#ended.get(id);
  }

  ofAccount(accountId: string): Session[] {
    const out: Session[] = [];
    for (const s of this.#byId.values()) if (s.accountId === accountId) out.push(s);
    return out.sort((a, b) => a.seq - b.seq);
  }

  all(): IterableIterator<Session> {
    return this.#byId.values();
  }

  get liveCount(): number {
    return this.#byId.size;
  }

  /**
   * [SESS-1] admits a new session for `web`, revoking the oldest of the account first when it already
   * has sessionLimit live ones (web revoked replaced + 4001, phone session.ended replaced).
   */
  admit(web: WebClient, accountId: string): Admitted {
    const live = this.ofAccount(accountId);
    // MUTANT server.no-replace-on-new-link [SESS-1]: the limit is never enforced
    while (!this.#noReplace && live.length >= this.core.config.sessionLimit) {
      this.end(live.shift() as Session, 'replaced');
    }
    const session = new Session(newId(), accountId, web.device, web.keep, ++this.#seq);
    this.#byId.set(session.id, session);
    // [LINK-10] a token iff keep; it starts as pending until the first attach (F3)
    // MUTANT server.token-without-keep [LINK-10]: a token whatever hello.keep said
    const token = session.keep || this.#tokenWithoutKeep ? this.#issuePending(session) : null;
    this.#bind(session, web);
    this.#persist(session);
    return { session, token };
  }

  /**
   * resume {token} [SESS-2] [SESS-3] [SESS-4]: returns the session taken over, or null when the token
   * is unknown, retired or forged.
   */
  resume(token: string, web: WebClient): Admitted | null {
    const hash = tokenHash(token);
    const s = this.#byToken.get(hash);
    if (!s || s.ended) return null; // an ended session is found only through the mutant's stale tokens
    const old = s.holder;
    if (old) {
      // [SESS-3] takeover: the old connection gets revoked conflict + 4002
      const wasAttached = old.epoch !== null;
      this.#unbind(s);
      if (wasAttached) this.core.phones.get(s.accountId)?.conn.send({ t: 'web.detached', sessionId: s.id });
      old.conn.send({ t: 'revoked', reason: 'conflict' });
      old.conn.close(RevokedReasons.conflict, 'conflict');
    }
    if (hash === s.pendingHash) {
      // [SESS-4] presenting the pending successor promotes it; the current one is retired [SESS-5]
      // MUTANT server.resume-token-reusable [SESS-5]: a retired token is left in the index
      if (s.currentHash && !this.#tokenReusable) this.#byToken.delete(s.currentHash);
      s.currentHash = hash;
      s.pendingHash = null;
    } else if (s.pendingHash) {
      // [SESS-4] presenting the current token discards an earlier pending one
      if (!this.#tokenReusable) this.#byToken.delete(s.pendingHash); // MUTANT server.resume-token-reusable
      s.pendingHash = null;
    }
    const fresh = this.#issuePending(s);
    this.#bind(s, web);
    this.#persist(s);
    return { session: s, token: fresh };
  }

  /** attach {e} [RELAY-1] [RELAY-2] [SESS-6]; false when e was used before in this session. */
  attach(s: Session, web: WebClient, e: string): boolean {
    if (s.epochs.has(e) && !this.#epochReuse) return false; // MUTANT server.epoch-reuse-accepted [RELAY-1]
    s.epochs.add(e);
    s.epoch = e;
    web.epoch = e;
    if (s.pendingHash) {
      // [SESS-6] the successor becomes current; the previous current is retired
      // MUTANT server.resume-token-reusable [SESS-5]: a retired token is left in the index
      if (s.currentHash && !this.#tokenReusable) this.#byToken.delete(s.currentHash);
      s.currentHash = s.pendingHash;
      s.pendingHash = null;
    }
    s.toWeb.keepOnly(e); // [RELAY-2] earlier-epoch to_web custody is discarded; the phone re-sends
    this.#persist(s);
    this.core.phones.get(s.accountId)?.conn.send({ t: 'web.attached', sessionId: s.id, e });
    return true;
  }

  /** The bound web connection went away [SESS-7] [SESS-8] [RELAY-11]. */
  holderGone(web: WebClient): void {
    const s = web.session;
    if (!s || s.holder !== web) return;
    // MUTANT server.keeps-unkept-session [SESS-8]: a keep: false session is detached like a kept one
    const unkeptSurvives = this.#keepsUnkept && !s.keep;
    if (!unkeptSurvives && (!s.keep || s.currentHash === null)) {
      this.end(s, 'closed');
      return;
    }
    const wasAttached = web.epoch !== null;
    this.#unbind(s);
    if (wasAttached) this.core.phones.get(s.accountId)?.conn.send({ t: 'web.detached', sessionId: s.id });
  }

  /**
   * Ends a session at once [SESS-9]..[SESS-13]: tokens retired, custody discarded [RELAY-12], the
   * bound web told (revoked + close) and the phone told (session.ended) as the reason requires.
   */
  end(s: Session, why: SessionEnd): void {
    if (s.ended) return;
    s.ended = true;
    this.#byId.delete(s.id);
    if (s.currentHash) this.#byToken.delete(s.currentHash);
    if (s.pendingHash) this.#byToken.delete(s.pendingHash);
    this.#ended.set(s.id, s.accountId);
    this.core.cancel(s.idleTimer);
    s.idleTimer = null;
    s.toPhone.clear();
    s.toWeb.clear();
    if (s.keep) this.core.store.deleteSession(s.id);
    const holder = s.holder;
    this.#unbind(s);
    if (holder && why !== 'closed' && why !== 'idle') {
      const reason: RevokedReason = why;
      holder.conn.send({ t: 'revoked', reason }); // [ERR-7] revoked precedes 4001/4003/1000
      holder.conn.close(RevokedReasons[reason], reason);
    }
    if (why === 'logout' || why === 'closed' || why === 'replaced' || why === 'idle') {
      const reason: SessionEndedReason = why;
      this.core.phones.get(s.accountId)?.conn.send({ t: 'session.ended', sessionId: s.id, reason });
    }
  }

  /** Issues a fresh pending token; returns it in clear (it is sent once, never stored). */
  #issuePending(s: Session): string {
    const token = newToken();
    s.pendingHash = tokenHash(token);
    this.#byToken.set(s.pendingHash, s);
    return token;
  }

  #bind(s: Session, web: WebClient): void {
    s.holder = web;
    web.session = s;
    web.epoch = null;
    this.core.cancel(s.idleTimer);
    s.idleTimer = null;
  }

  #unbind(s: Session): void {
    const web = s.holder;
    s.holder = null;
    if (web) {
      web.session = null;
      web.epoch = null;
    }
    this.#armIdle(s);
  }

  /** [SESS-12] a kept session with no connection ends after sessionIdleMs (when configured). */
  #armIdle(s: Session): void {
    const idleMs = this.core.config.sessionIdleMs;
    if (s.ended || !s.keep || idleMs <= 0 || s.holder || s.idleTimer) return;
    s.idleTimer = this.core.timer(idleMs, () => {
      s.idleTimer = null;
      this.end(s, 'idle');
    });
  }

  #persist(s: Session): void {
    if (s.keep && !s.ended) this.core.store.putSession(s.stored());
  }
}
