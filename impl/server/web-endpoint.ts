/**
 * /v1/web: one `WebClient` per connection, holding what the server knows about that connection
 * (hello, its refs, its session and epoch) and dispatching each validated frame [LINK-16].
 */
import type { Device } from '../../model/protocol/encoding.js';
import type { ServerToWeb, WebToServer } from '../../model/protocol/web-frames.js';
import type { Connection } from './connection.js';
import type { Core } from './core.js';
import { badState, fault, unauthorized } from './fault.js';
import { inboundFrame } from './inbound-frame.js';
import { QrRotation, statusOf } from './ref.js';
import type { Session } from './session.js';

type Phase = 'fresh' | 'hello' | 'resume';

export class WebClient {
  phase: Phase = 'fresh';
  device: Device = { name: '', platform: '' };
  keep = false;
  /** Server time of hello (shown to the phone as requestedAt). */
  requestedAt = 0;
  rotation: QrRotation | null = null;
  /** The session this connection is bound to (after linked or resumed). */
  session: Session | null = null;
  /** This connection's epoch once it attached; null before [E2E-10]. */
  epoch: string | null = null;

  constructor(
    private readonly core: Core,
    readonly conn: Connection<ServerToWeb>,
  ) {}

  get address(): string {
    return this.conn.address;
  }

  /** A text frame (already size-checked, UTF-8 valid, within the rate limit). */
  onText(text: string): void {
    const f = inboundFrame<WebToServer>(this.conn, 'web-to-server', text);
    if (!f) return;
    const core = this.core;
    if (this.phase === 'fresh' && f.t !== 'hello' && f.t !== 'resume') {
      this.conn.fail(badState(`${f.t} before hello or resume`, 'LINK-16'));
      return;
    }
    switch (f.t) {
      case 'hello':
        if (this.phase !== 'fresh') {
          this.conn.fail(badState(`hello after ${this.phase}`, 'LINK-16'));
          return;
        }
        if (f.v !== 1) {
          this.conn.fail(fault('unsupported_version', `version ${f.v} is not 1`, 'ERR-9'));
          return;
        }
        this.phase = 'hello';
        this.device = { name: f.device.name, platform: f.device.platform };
        this.keep = f.keep;
        this.requestedAt = core.clock.now();
        this.rotation = new QrRotation(core, this);
        this.rotation.next(); // [QR-1]
        return;
      case 'resume': {
        if (this.phase !== 'fresh') {
          this.conn.fail(badState(`resume after ${this.phase}`, 'LINK-16'));
          return;
        }
        this.phase = 'resume';
        const resumed = core.sessions.resume(f.token, this);
        if (!resumed) {
          this.conn.fail(unauthorized('unknown or retired token', 'SESS-2'));
          return;
        }
        const { session, token } = resumed;
        this.device = session.device;
        this.keep = true;
        this.conn.send({ t: 'resumed', sessionId: session.id, accountId: session.accountId, token: token as string });
        this.conn.send({ t: 'phone', online: core.phones.has(session.accountId) }); // [RELAY-10]
        return;
      }
      case 'status': {
        // [QR-6] answered in every state after hello, including after linked (F5) [LATE-1]
        // MUTANT server.status-of-any-ref [QR-6]: the ref is looked up server-wide, not among this connection's refs
        const state = core.mutants.has('server.status-of-any-ref')
          ? statusOf(core.refs.lookup(f.ref, core.clock.now()), core.clock.now())
          : (this.rotation?.status(f.ref) ?? 'unknown');
        if (state === 'scanned' && core.mutants.has('server.reveals-account-before-approve')) {
          // MUTANT server.reveals-account-before-approve [QR-6]: the answer names the claiming account
          const accountId = this.rotation?.own.get(f.ref)?.attempt?.phone.accountId;
          const leaky = { t: 'status.result' as const, ref: f.ref, state, accountId: accountId ?? null };
          this.conn.send(leaky);
          return;
        }
        this.conn.send({ t: 'status.result', ref: f.ref, state });
        return;
      }
      case 'confirm': {
        core.linking.confirm(this, f);
        return;
      }
      case 'abort': {
        core.linking.abort(this, f);
        return;
      }
      case 'attach': {
        const s = this.session;
        if (!s || this.epoch !== null) {
          this.conn.fail(badState('attach: not linked, or attached already', 'RELAY-1'));
          return;
        }
        if (!core.sessions.attach(s, this, f.e)) {
          this.conn.fail(badState('attach: epoch used before in this session', 'RELAY-1'));
          return;
        }
        return;
      }
      case 'to_phone': {
        const s = this.session;
        if (!s || this.epoch === null) {
          this.conn.fail(badState('to_phone before attach', 'RELAY-3'));
          return;
        }
        if (f.e !== this.epoch) {
          this.conn.fail(badState("to_phone: e is not this connection's epoch", 'RELAY-3'));
          return;
        }
        core.relay.toPhone(this, s, f.e, f.n, f.c);
        return;
      }
      case 'ack': {
        const s = this.session;
        if (!s || this.epoch === null) {
          this.conn.fail(badState('ack before attach', 'RELAY-13'));
          return;
        }
        if (f.e !== this.epoch) {
          this.conn.fail(badState("ack: e is not this connection's epoch", 'RELAY-16'));
          return;
        }
        core.relay.webAck(s, f.e, f.n);
        return;
      }
      case 'logout': {
        const s = this.session;
        if (!s) {
          this.conn.fail(badState('logout: not linked', 'SESS-9'));
          return;
        }
        core.sessions.end(s, 'logout');
        return;
      }
    }
  }

  /** The connection ended, whoever ended it [LINK-13] [SESS-7] [SESS-8]. */
  onGone(): void {
    this.core.linking.webGone(this);
    this.core.sessions.holderGone(this);
  }
}
