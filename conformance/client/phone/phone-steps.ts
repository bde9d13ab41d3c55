/**
 * The phone chart's events (model/phone/phone-chart.ts) made concrete: for each transition of the
 * chart, when the suite can drive it (feasibility over a small abstract state: the chart state plus
 * whether a session is live, attached, held by queue_full, and whether a code was typed) and how
 * (`perform`: the driver command or the frame, with real crypto, and the checks of what the phone
 * sent). After each step the driver state must be one the chart state stands for.
 *
 * The driver has no "send a message" command: `USER.SEND` (the phone seals a new operation for the
 * web client) is driven by a web client's `send` request, which the phone answers with `sent`. The
 * driver has no "register again" command either: `USER.REREGISTER` is reached as a phone meets it,
 * its device token refused with 4401 (REG-8), then registering again on a new connection.
 */
import { randomBytes } from '../../../impl/crypto/index.js';
import type { ChartTransition } from '../../../model/chart/chart.js';
import type { PhoneDriverStateName } from '../../../model/protocol/driver-frames.js';
import { toB64u } from '../../../model/protocol/encoding.js';
import { PHONE_NUMBER, type PhoneRig } from './phone-rig.js';

/** What the suite tracks of the phone between steps, beyond the chart state. */
export interface Abstract {
  readonly cs: string;
  /** A live session exists. */
  readonly linked: boolean;
  /** The first live session is attached. */
  readonly attached: boolean;
  /** queue_full holds the phone's frames of the first live session. */
  readonly blocked: boolean;
  /** register.verify sent, no answer yet. */
  readonly verifying: boolean;
}

export const initialAbstract: Abstract = {
  cs: 'unregistered',
  linked: false,
  attached: false,
  blocked: false,
  verifying: false,
};

export const abstractKey = (a: Abstract): string =>
  `${a.cs}|${a.linked ? 'L' : ''}${a.attached ? 'A' : ''}${a.blocked ? 'B' : ''}${a.verifying ? 'V' : ''}`;

/** The driver states [DRV-9] each chart state stands for. */
export const driverStatesOf: Readonly<Record<string, readonly PhoneDriverStateName[]>> = {
  unregistered: ['unregistered', 'offline', 'idle', 'error'],
  registering: ['registering', 'verifying'],
  offline: ['offline', 'error'],
  authenticating: ['connecting'],
  online: ['ready'],
  claiming: ['scanning'],
  consenting: ['consenting'],
  approving: ['approving'],
  finalizing: ['confirming'],
};

const b64 = (n: number) => toB64u(randomBytes(n));
const detached = { attached: false };
const ended = { linked: false, attached: false, blocked: false };

/** Whether the suite can drive `t` from `a`, and the abstract state after it (undefined: not drivable). */
export function nextAbstract(t: ChartTransition, a: Abstract): Abstract | undefined {
  if (t.from !== a.cs) return undefined;
  const to = (extra: Partial<Abstract> = {}): Abstract => ({ ...a, cs: t.to, ...extra });
  switch (t.event) {
    case 'USER.REGISTER':
      return to({ verifying: false });
    case 'register.sent':
      return a.verifying ? undefined : to();
    case 'register.error':
      return to({ verifying: false });
    case 'USER.CODE':
      return a.verifying ? undefined : to({ verifying: true });
    case 'register.ok':
      return a.verifying ? to({ ...ended, verifying: false }) : undefined;
    case 'USER.REREGISTER':
      return to({ ...ended, verifying: true });
    case 'USER.ONLINE':
    case 'auth.ok':
      return to();
    case '$close':
    case 'USER.OFFLINE':
      return to(detached);
    case 'web.attached':
      return a.linked ? to({ attached: true, blocked: false }) : undefined;
    case 'web.detached':
      return a.linked && a.attached ? to(detached) : undefined;
    case 'from_web':
    case 'USER.SEND':
      return a.linked ? to() : undefined;
    case 'acked':
      return a.linked && a.attached ? to({ blocked: false }) : undefined;
    case 'queue_full':
      return a.linked && a.attached && !a.blocked ? to({ blocked: true }) : undefined;
    case 'session.ended':
    case 'unlinked':
      return a.linked ? to(ended) : undefined;
    case 'USER.UNLINK':
      return a.linked ? to() : undefined;
    case 'link.ok':
      return to({ linked: true });
    default:
      return to();
  }
}

/** Drives `t` concretely on the phone and checks its reaction. */
export async function perform(rig: PhoneRig, t: ChartTransition, a: Abstract): Promise<void> {
  const guarded = t.name.includes('[');
  switch (t.event) {
    case 'USER.REGISTER': {
      const now = rig.driver.current?.state;
      if (now === 'idle' || now === 'offline' || now === 'error' || now === undefined) await rig.connectFresh();
      await rig.register();
      return;
    }
    case 'register.sent':
      rig.send({ t: 'register.sent', phone: PHONE_NUMBER, ttlMs: 300_000, length: 4 });
      await rig.until((s) => s.state === 'registering', 'registering', 'REG-1');
      return;
    case 'register.error':
      if (t.to === 'unregistered') {
        // [REG-5] a locked number ends the registration (section 14.7: any reason but bad_code and too_soon)
        rig.send({ t: 'register.error', reason: 'locked', retryAfterMs: 900_000 });
        await rig.until(
          (s) => s.state === 'unregistered' && s.error?.code === 'locked',
          'unregistered with locked',
          'REG-5',
        );
      } else if (a.verifying) {
        rig.send({ t: 'register.error', reason: 'bad_code', attemptsLeft: 2 });
        await rig.until(
          (s) => s.state === 'registering' && s.error?.code === 'bad_code',
          'registering with bad_code',
          'REG-3',
        );
      } else {
        rig.send({ t: 'register.error', reason: 'too_soon', retryAfterMs: 10_000 });
        await rig.until(
          (s) => s.state === 'registering' && s.error?.code === 'too_soon',
          'registering with too_soon',
          'REG-4',
        );
      }
      return;
    case 'USER.CODE':
      await rig.code();
      return;
    case 'register.ok':
      await rig.registered();
      return;
    case 'USER.REREGISTER':
      await rig.online();
      rig.send({ t: 'error', code: 'unauthorized', detail: 'the number was registered on another phone' });
      await rig.conn?.close(4401, 'unauthorized');
      await rig.until((s) => s.state === 'error', 'error after 4401', 'REG-8');
      for (const s of rig.sessions) s.ended = true;
      await rig.connectFresh();
      await rig.register();
      await rig.code();
      return;
    case 'USER.ONLINE':
      await rig.online();
      return;
    case 'auth.ok':
      await rig.authOk();
      return;
    case 'USER.OFFLINE':
      await rig.offline();
      rig.attempt = undefined;
      return;
    case '$close':
      await rig.conn?.close(1001, 'going away');
      await rig.until((s) => s.state === 'offline' || s.state === 'error', 'offline after the server closed', 'DRV-9');
      for (const s of rig.sessions) s.attached = false;
      rig.attempt = undefined;
      return;
    case 'USER.SCAN':
      await rig.scan();
      return;
    case 'link.claimed':
      await rig.claimed();
      return;
    case 'USER.APPROVE':
      await rig.approve();
      return;
    case 'USER.DECLINE': {
      const ref = rig.requireAttempt().qr.ref;
      await rig.cmd('decline', {}, 'CONS-2');
      const f = await rig.expect('link.decline', 'LINK-4');
      if (f.ref !== ref) rig.fail('LINK-4', 'link.decline must name the ref', ref, f.ref);
      rig.attempt = undefined;
      return;
    }
    case 'link.error': {
      const reason =
        t.from === 'claiming'
          ? 'used_ref'
          : t.from === 'consenting'
            ? 'expired_ref'
            : t.from === 'approving'
              ? 'aborted'
              : 'web_gone';
      await rig.linkError(reason, t.from === 'claiming' ? 'LINK-2' : 'CONS-2');
      return;
    }
    case 'link.confirm':
      if (t.name.includes('tagVerifies')) await rig.confirm();
      else await rig.badConfirm('forged');
      return;
    case 'link.ok':
      await rig.linkOk();
      return;
    case 'web.attached':
      await rig.attach(rig.session());
      return;
    case 'web.detached': {
      const s = rig.session();
      await rig.detach(s);
      s.attached = false;
      return;
    }
    case 'from_web': {
      const s = rig.session();
      if (guarded) {
        await rig.request(s);
        return;
      }
      // Dropped: a frame that does not open (an honest server never delivers one) [E2E-13].
      const e = s.epoch ?? b64(16);
      rig.send({ t: 'from_web', sessionId: s.id, e, n: s.w2pNext.get(e) ?? 1, c: b64(48) });
      await rig.nothingSent('E2E-13', 'in answer to a from_web that does not open');
      return;
    }
    case 'USER.SEND': {
      const s = rig.session();
      const p = await rig.request(s, { op: 'send', id: `suite-${b64(6)}`, chatId: 'c1', text: 'from the suite' });
      if (p !== undefined && p.op.op !== 'sent') rig.fail('PHONE-4', 'a send must be answered with sent', 'sent', p.op);
      return;
    }
    case 'acked': {
      const s = rig.session();
      const last = s.outbox.filter((o) => o.e === s.epoch).at(-1);
      const n = last?.n ?? Math.max(1, (s.p2wNext.get(s.epoch as string) ?? 1) - 1);
      rig.send({ t: 'acked', sessionId: s.id, e: s.epoch, n });
      s.outbox = s.outbox.filter((o) => !(o.e === s.epoch && o.n <= n));
      if (s.blockedAt !== undefined) {
        // [RELAY-15] the refused frame was acknowledged with the rest: what was held goes now, new.
        s.blockedAt = undefined;
        for (; s.owed > 0; s.owed--) await rig.expect('to_web', 'RELAY-15');
      }
      return;
    }
    case 'queue_full': {
      const s = rig.session();
      let last = s.outbox.filter((o) => o.e === s.epoch).at(-1);
      if (!last) {
        await rig.request(s);
        last = s.outbox.at(-1);
      }
      if (!last) throw new Error('no frame to refuse');
      rig.send({ t: 'queue_full', sessionId: s.id, e: last.e, n: last.n });
      s.blockedAt = last.n;
      return;
    }
    case 'session.ended':
      for (const s of rig.sessions.filter((x) => !x.ended)) {
        rig.send({ t: 'session.ended', sessionId: s.id, reason: 'logout' });
        s.ended = true;
      }
      await rig.until((x) => x.sessions.length === 0, 'no session listed after session.ended', 'SESS-15');
      return;
    case 'unlinked': {
      const live = rig.sessions.filter((x) => !x.ended);
      rig.send({ t: 'unlinked', sessionIds: live.map((s) => s.id) });
      for (const s of live) s.ended = true;
      await rig.until((x) => x.sessions.length === 0, 'no session listed after unlinked', 'SESS-10');
      return;
    }
    case 'USER.UNLINK': {
      const s = rig.session();
      await rig.cmd('unlink', { sessionId: s.id }, 'SESS-10');
      const f = await rig.expect('unlink', 'SESS-10');
      if (f.sessionId !== s.id) rig.fail('SESS-10', 'unlink must name the session', s.id, f.sessionId);
      return;
    }
    default:
      throw new Error(`no concrete step for ${t.name}`);
  }
}
