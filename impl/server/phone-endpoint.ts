/**
 * /v1/phone: one `PhoneClient` per connection: registration and authentication, then linking, relay
 * and unlinking for its account [REG-1]..[REG-11].
 */

import type { PhoneToServer, ServerToPhone } from '../../model/protocol/phone-frames.js';
import type { Account } from './account.js';
import type { Attempt } from './attempt.js';
import type { Connection } from './connection.js';
import type { Core } from './core.js';
import { badState, fault, unauthorized } from './fault.js';
import { inboundFrame } from './inbound-frame.js';
import { RateLimit } from './rate-limit.js';

export class PhoneClient {
  /** The authenticated account, once register.ok or auth.ok was sent. */
  accountId: string | null = null;
  /** Attempts this connection claimed and that are still running. */
  readonly attempts = new Set<Attempt>();
  /** Failed link.claim frames of this connection [SEC-2]. */
  readonly claimFailures = new RateLimit();

  constructor(
    private readonly core: Core,
    readonly conn: Connection<ServerToPhone>,
  ) {}

  onText(text: string): void {
    const f = inboundFrame<PhoneToServer>(this.conn, 'phone-to-server', text);
    if (!f) return;
    const core = this.core;
    const preAuth = f.t === 'register' || f.t === 'register.verify' || f.t === 'auth';
    if (preAuth && this.accountId !== null) {
      this.conn.fail(badState(`${f.t} on an authenticated connection`, 'REG-11'));
      return;
    }
    if (!preAuth && this.accountId === null) {
      this.conn.fail(unauthorized(`${f.t} needs an authenticated connection`, 'REG-11'));
      return;
    }
    switch (f.t) {
      case 'register': {
        const out = core.registration.register(f.phone);
        if (out.ok) {
          this.conn.send({ t: 'register.sent', phone: f.phone, ttlMs: out.ttlMs, length: out.length });
          return;
        }
        this.conn.send({ t: 'register.error', reason: out.reason, retryAfterMs: out.retryAfterMs });
        return;
      }
      case 'register.verify': {
        const out = core.registration.verify(f.phone, f.code, f.identityKey);
        if (!out.ok) {
          const { ok: _ok, ...rest } = out;
          this.conn.send({ t: 'register.error', ...rest });
          return;
        }
        this.#registered(out.account, out.deviceToken, out.reregistered);
        return;
      }
      case 'auth': {
        const account = core.accounts.authenticate(f.phone, f.deviceToken);
        if (!account) {
          this.conn.fail(unauthorized('unknown phone or device token', 'REG-9'));
          return;
        }
        this.#authenticated(account);
        return;
      }
      case 'link.claim': {
        core.linking.claim(this, f.ref);
        return;
      }
      case 'link.approve': {
        core.linking.approve(this, f);
        return;
      }
      case 'link.decline': {
        core.linking.decline(this, f.ref);
        return;
      }
      case 'link.finalize': {
        core.linking.finalize(this, f.ref);
        return;
      }
      case 'to_web': {
        core.relay.toWeb(this, f.sessionId, f.e, f.n, f.c);
        return;
      }
      case 'ack': {
        core.relay.phoneAck(this, f.sessionId, f.e, f.n);
        return;
      }
      case 'unlink': {
        // [SESS-10] unknown or ended -> unlinked {sessionIds: []}
        const s = core.sessions.get(f.sessionId);
        const ids: string[] = [];
        if (s && s.accountId === this.accountId) {
          // MUTANT server.unlink-not-immediate [SESS-10]: answered, but the session lives on
          if (!core.mutants.has('server.unlink-not-immediate')) core.sessions.end(s, 'unlinked');
          ids.push(s.id);
        }
        this.conn.send({ t: 'unlinked', sessionIds: ids });
        return;
      }
      case 'unlink_all': {
        // [SESS-11]
        const ids: string[] = [];
        for (const s of core.sessions.ofAccount(this.accountId as string)) {
          core.sessions.end(s, 'unlinked');
          ids.push(s.id);
        }
        this.conn.send({ t: 'unlinked', sessionIds: ids });
        return;
      }
    }
  }

  /** [REG-7] [REG-8] register.ok; a re-registration revokes the old device and every web session. */
  #registered(account: Account, deviceToken: string, reregistered: boolean): void {
    const core = this.core;
    const previous = core.phones.get(account.accountId);
    this.accountId = account.accountId;
    core.phones.set(account.accountId, this);
    if (previous && previous !== this) {
      previous.conn.fail(unauthorized('device token revoked by re-registration', 'REG-8'));
    }
    if (reregistered) {
      for (const s of core.sessions.ofAccount(account.accountId)) core.sessions.end(s, 'reregistered');
    }
    this.conn.send({ t: 'register.ok', accountId: account.accountId, deviceToken });
  }

  /** [REG-9] [REG-10] auth.ok, the newer connection replaces the older, then the flush [RELAY-9]. */
  #authenticated(account: Account): void {
    const core = this.core;
    const previous = core.phones.get(account.accountId);
    this.accountId = account.accountId;
    core.phones.set(account.accountId, this);
    if (previous && previous !== this)
      previous.conn.fail(fault('conflict', 'replaced by a newer phone connection', 'REG-10'));
    const sessions = core.sessions.ofAccount(account.accountId).map((s) => ({
      sessionId: s.id,
      device: s.device,
      keep: s.keep,
    }));
    this.conn.send({ t: 'auth.ok', accountId: account.accountId, sessions });
    core.relay.flush(this);
  }

  /** The connection ended: its attempts end [LINK-15]; attached webs learn the phone is away [RELAY-10]. */
  onGone(): void {
    const core = this.core;
    core.linking.phoneGone(this);
    const id = this.accountId;
    if (id !== null && core.phones.get(id) === this) {
      core.phones.delete(id);
      core.relay.phoneOnline(id, false);
    }
  }
}
