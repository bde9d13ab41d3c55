/**
 * Linking attempts: claim, consent, offer, confirm, finalize, decline, lapse, abort, and the ends
 * when either side goes away [LINK-1]..[LINK-15]. Every step runs synchronously inside one frame
 * handler or timer, so "first claim wins, atomically" holds without locks.
 */

import type { z } from 'zod';
import { Close } from '../../model/protocol/codes.js';
import type { LinkApprove } from '../../model/protocol/phone-frames.js';
import type { Abort, Confirm } from '../../model/protocol/web-frames.js';
import type { TimerHandle } from './clock.js';
import type { Core } from './core.js';
import { badState, fault } from './fault.js';
import type { PhoneClient } from './phone-endpoint.js';
import { RateLimit } from './rate-limit.js';
import type { RefDeath, RefEntry, RefState } from './ref.js';
import type { WebClient } from './web-endpoint.js';

export type AttemptPhase = 'claimed' | 'approved' | 'confirmed';

/** The link.error reasons a failed claim gets [LINK-2]. */
type ClaimFailure = 'unknown_ref' | 'expired_ref' | 'used_ref' | 'web_gone';

/** One claimed ref: which phone connection claimed it and how far consent went. */
export class Attempt {
  phase: AttemptPhase = 'claimed';
  consentTimer: TimerHandle | null = null;

  constructor(
    readonly entry: RefEntry,
    readonly web: WebClient,
    readonly phone: PhoneClient,
  ) {}
}

/** The deaths a claim answers with expired_ref [LINK-2]. */
const EXPIRED_DEATHS: ReadonlySet<RefState> = new Set(['expired', 'declined', 'lapsed', 'aborted', 'phone_gone']);

export class Linking {
  /** Mutant flags (mutants.ts). */
  readonly #acceptsExpiredRef: boolean;
  readonly #secondClaimWins: boolean;
  readonly #admitsBeforeApprove: boolean;
  readonly #lapseIgnored: boolean;
  readonly #lateConfirmPunished: boolean;

  constructor(private readonly core: Core) {
    const m = core.mutants;
    this.#acceptsExpiredRef = m.has('server.accepts-expired-ref');
    this.#secondClaimWins = m.has('server.second-claim-wins');
    this.#admitsBeforeApprove = m.has('server.admits-before-approve');
    this.#lapseIgnored = m.has('server.lapse-ignored');
    this.#lateConfirmPunished = m.has('server.late-confirm-punished');
  }

  /** link.claim {ref} [LINK-1] [LINK-2]. */
  claim(phone: PhoneClient, ref: string): void {
    const entry = this.core.refs.lookup(ref, this.core.clock.now());
    if (!entry) {
      this.#claimFailed(phone, ref, 'unknown_ref');
      return;
    }
    // MUTANT server.second-claim-wins [LINK-1]: a claim of a ref another phone claimed takes it over
    const stolen =
      this.#secondClaimWins && entry.state === 'claimed' && entry.attempt?.phone !== phone ? entry.attempt : null;
    // MUTANT server.accepts-expired-ref [LINK-2] [QR-5]: a dead ref whose web connection is open is claimable
    const revivedBy = this.#acceptsExpiredRef && EXPIRED_DEATHS.has(entry.state) ? this.#openOwner(entry) : null;
    if (stolen) this.#drop(stolen);
    if (revivedBy) {
      entry.state = 'pending';
      entry.owner = revivedBy;
      entry.forgetAt = Number.POSITIVE_INFINITY;
      this.core.refs.add(entry);
    }
    if (entry.state !== 'pending') {
      // [LINK-2] the ref is unchanged; the reason names its state
      const reason =
        entry.state === 'claimed' || entry.state === 'used'
          ? 'used_ref'
          : entry.state === 'web_gone'
            ? 'web_gone'
            : 'expired_ref';
      this.#claimFailed(phone, ref, reason);
      return;
    }
    // [LINK-1] first claim wins, atomically: pending -> claimed in this one synchronous step
    const web = entry.owner as WebClient; // a pending ref always has its owner
    this.core.cancel(entry.ttlTimer); // [QR-8] a claimed ref stops rotating
    entry.ttlTimer = null;
    entry.state = 'claimed';
    const attempt = new Attempt(entry, web, phone);
    entry.attempt = attempt;
    phone.attempts.add(attempt);
    // [LINK-3] MUTANT server.lapse-ignored: no consent timer, the attempt never lapses
    if (!this.#lapseIgnored) {
      attempt.consentTimer = this.core.timer(this.core.config.consentMs, () => this.#lapse(attempt));
    }
    // [LINK-14] link.claimed goes to the claiming phone only; it reveals the device, never an account
    phone.conn.send({
      t: 'link.claimed',
      ref,
      device: web.device,
      address: web.address,
      requestedAt: web.requestedAt,
      keep: web.keep,
    });
    web.conn.send({ t: 'scanned', ref });
    // MUTANT server.admits-before-approve [LINK-11]: admission straight after the claim
    if (this.#admitsBeforeApprove) this.#admit(attempt);
  }

  /** A web connection still open whose ref `entry` was (mutant server.accepts-expired-ref only). */
  #openOwner(entry: RefEntry): WebClient | null {
    for (const web of this.core.webs) if (!web.conn.closed && web.rotation?.own.get(entry.ref) === entry) return web;
    return null;
  }

  /** Ends an attempt without killing its ref (mutant server.second-claim-wins only). */
  #drop(attempt: Attempt): void {
    this.core.cancel(attempt.consentTimer);
    attempt.consentTimer = null;
    attempt.phone.attempts.delete(attempt);
    attempt.entry.attempt = null;
    attempt.entry.state = 'pending';
  }

  /**
   * A failed claim [LINK-2]: answered with link.error, unless it is one failure too many for this
   * phone connection or its account within the window, which closes the connection with
   * error rate_limited + 4429 [SEC-2].
   */
  #claimFailed(phone: PhoneClient, ref: string, reason: ClaimFailure): void {
    const limit = this.core.claimFailureLimit;
    if (limit) {
      const now = this.core.clock.now();
      const account = phone.accountId as string;
      let perAccount = this.core.claimFailuresByAccount.get(account);
      if (!perAccount) {
        perAccount = new RateLimit();
        this.core.claimFailuresByAccount.set(account, perAccount);
      }
      const connOk = phone.claimFailures.hit(now, limit.max, limit.windowMs);
      const accountOk = perAccount.hit(now, limit.max, limit.windowMs);
      if (!connOk || !accountOk) {
        phone.conn.fail(fault('rate_limited', 'too many failed link.claim frames', 'SEC-2'));
        return;
      }
    }
    phone.conn.send({ t: 'link.error', ref, reason });
  }

  /**
   * The attempt a phone frame targets, or null when it was answered: unknown ref -> unknown_ref,
   * dead ref -> ignored (late) [LATE-1], someone else's live ref -> unauthorized [LINK-6].
   */
  #phoneTarget(phone: PhoneClient, ref: string): Attempt | null {
    const entry = this.core.refs.lookup(ref, this.core.clock.now());
    if (!entry) {
      phone.conn.send({ t: 'link.error', ref, reason: 'unknown_ref' }); // [LINK-6]
      return null;
    }
    if (!entry.live) return null; // [LATE-1] [LATE-2] silently ignored
    if (entry.attempt?.phone !== phone) {
      phone.conn.send({ t: 'link.error', ref, reason: 'unauthorized' }); // [LINK-6]
      return null;
    }
    return entry.attempt;
  }

  /** link.approve {ref, pub, box} [LINK-5] [LINK-7]. */
  approve(phone: PhoneClient, f: z.infer<typeof LinkApprove>): void {
    const attempt = this.#phoneTarget(phone, f.ref);
    if (!attempt) return;
    if (attempt.phase !== 'claimed') {
      phone.conn.fail(badState(`link.approve: ref already ${attempt.phase}`, 'LINK-7'));
      return;
    }
    attempt.phase = 'approved';
    // [LINK-5] pub and box forwarded unchanged, never interpreted; [LINK-14] only to the ref's own web
    attempt.web.conn.send({ t: 'offer', ref: f.ref, pub: f.pub, box: f.box });
  }

  /** link.decline {ref}: allowed from claim until finalize [LINK-4]. */
  decline(phone: PhoneClient, ref: string): void {
    const attempt = this.#phoneTarget(phone, ref);
    if (!attempt) return;
    this.#end(attempt, 'declined');
    attempt.web.conn.send({ t: 'declined', ref, reason: 'declined' });
    attempt.web.rotation?.next();
  }

  /** link.finalize {ref}: admission [LINK-9] [LINK-11]. */
  finalize(phone: PhoneClient, ref: string): void {
    const attempt = this.#phoneTarget(phone, ref);
    if (!attempt) return;
    if (attempt.phase !== 'confirmed') {
      phone.conn.fail(badState('link.finalize before link.confirm', 'LINK-7'));
      return;
    }
    this.#admit(attempt);
  }

  /** Admission [LINK-9]: the ref used, the session created, linked to the web and link.ok to the phone. */
  #admit(attempt: Attempt): void {
    const { web, phone } = attempt;
    const ref = attempt.entry.ref;
    const accountId = phone.accountId as string;
    // [LINK-9] in one step, in this order: ref used, consent timer cancelled ...
    this.#end(attempt, 'used');
    // ... session limit enforced and session created [SESS-1] ...
    const { session, token } = this.core.sessions.admit(web, accountId);
    // ... web linked then phone {online}, phone link.ok. [LINK-10] token iff keep
    web.conn.send(
      token === null
        ? { t: 'linked', sessionId: session.id, accountId }
        : { t: 'linked', sessionId: session.id, accountId, token },
    );
    web.conn.send({ t: 'phone', online: this.core.phones.has(accountId) }); // [RELAY-10]
    phone.conn.send({ t: 'link.ok', ref, sessionId: session.id });
  }

  /** confirm {ref, tag} from the web [LINK-8] [LATE-1]. */
  confirm(web: WebClient, f: z.infer<typeof Confirm>): void {
    const entry = this.#ownRef(web, f.ref);
    if (!entry) {
      // [LINK-17] never issued to this connection, or forgotten [QR-7]
      web.conn.fail(badState('confirm: ref never issued to this connection, or forgotten', 'LINK-17'));
      return;
    }
    if (!entry.live) {
      // MUTANT server.late-confirm-punished [LATE-1]: a late confirm is treated as a state error
      if (this.#lateConfirmPunished) web.conn.fail(badState('confirm: the ref is dead', 'LINK-17'));
      return; // [LATE-1] a confirm crossing a lapse, decline or abort is ignored (F5)
    }
    const attempt = entry.attempt;
    if (attempt?.phase !== 'approved') {
      web.conn.fail(
        badState(`confirm: the attempt on this ref is ${attempt?.phase ?? 'pending'}, not approved`, 'LINK-17'),
      );
      return;
    }
    attempt.phase = 'confirmed';
    attempt.phone.conn.send({ t: 'link.confirm', ref: f.ref, tag: f.tag });
  }

  /** abort {ref, reason} from the web [LINK-12] [LINK-18] [E2E-6]. */
  abort(web: WebClient, f: z.infer<typeof Abort>): void {
    const entry = this.#ownRef(web, f.ref);
    if (!entry) {
      // [LINK-18] never issued to this connection, or forgotten [QR-7]
      web.conn.fail(badState('abort: ref never issued to this connection, or forgotten', 'LINK-18'));
      return;
    }
    if (!entry.live) return; // [LATE-1] dead or used: ignored
    const attempt = entry.attempt;
    if (attempt) {
      this.#end(attempt, 'aborted');
      attempt.phone.conn.send({ t: 'link.error', ref: f.ref, reason: 'aborted' });
    } else {
      web.rotation?.kill(entry, 'aborted');
    }
    // [LINK-18] no further ref on this connection: it closes with 1000, no frame before the close
    web.conn.close(Close.normal, 'attempt aborted');
  }

  /** A ref issued to this connection and not yet forgotten [QR-7]; undefined otherwise. */
  #ownRef(web: WebClient, ref: string): RefEntry | undefined {
    const entry = web.rotation?.own.get(ref);
    if (!entry || entry.forgetAt <= this.core.clock.now()) return undefined;
    return entry;
  }

  /** [LINK-3] the consent timer expired: the attempt lapses. */
  #lapse(attempt: Attempt): void {
    attempt.consentTimer = null;
    if (!attempt.entry.live) return;
    const ref = attempt.entry.ref;
    this.#end(attempt, 'lapsed');
    attempt.web.conn.send({ t: 'declined', ref, reason: 'lapsed' });
    attempt.phone.conn.send({ t: 'link.error', ref, reason: 'lapsed' });
    attempt.web.rotation?.next();
  }

  /** [LINK-13] the web connection closed while linking: its live ref dies web_gone. */
  webGone(web: WebClient): void {
    const entry = web.rotation?.current;
    if (!entry) return;
    const attempt = entry.attempt;
    if (attempt) {
      this.#end(attempt, 'web_gone');
      attempt.phone.conn.send({ t: 'link.error', ref: entry.ref, reason: 'web_gone' });
    } else {
      web.rotation?.kill(entry, 'web_gone');
    }
  }

  /** [LINK-15] [REG-10] the claiming phone connection closed or was replaced. */
  phoneGone(phone: PhoneClient): void {
    for (const attempt of [...phone.attempts]) {
      this.#end(attempt, 'phone_gone');
      attempt.web.conn.send({ t: 'declined', ref: attempt.entry.ref, reason: 'phone_gone' });
      attempt.web.rotation?.next();
    }
  }

  #end(attempt: Attempt, death: RefDeath): void {
    this.core.cancel(attempt.consentTimer);
    attempt.consentTimer = null;
    attempt.phone.attempts.delete(attempt);
    attempt.entry.attempt = null;
    attempt.web.rotation?.kill(attempt.entry, death);
  }
}
