/**
 * The phone as a statechart. Events: frames from the server, the connection's end (`$close`) and
 * the user's actions (`USER.*`: register, come online, go offline, scan, approve, decline, send,
 * unlink). Emitted: frames up the connection (`send`) and what the app shows (`accept`).
 */
import type { PhoneDown, PhoneUp } from '../abstract/frames.js';
import { type AbsCipher, type AbsQr, linkKey, type PhoneId, relayKey, tagFor } from '../abstract/values.js';
import { defineChart, type TransitionDef } from '../chart/chart.js';
import { Close } from '../protocol/codes.js';
import { type FaultMask, has } from '../system/faults.js';

/** A frame the phone sent and holds until acknowledged [RELAY-14]. */
export interface Outgoing {
  readonly m: string;
  readonly e: string | null;
  readonly n: number;
}

/** What the phone knows of one linked session. */
export interface PhoneSession {
  readonly id: string;
  readonly root: string;
  readonly live: boolean;
  /** The web attachment's epoch, once web.attached told it. */
  readonly e: string | null;
  readonly sendN: number;
  /** High-water per epoch: `[epoch, n]` pairs [PHONE-3]. */
  readonly hw: readonly (readonly [string, number])[];
  readonly outbox: readonly Outgoing[];
}

export interface PhoneContext {
  readonly id: PhoneId;
  readonly phone: string;
  readonly account: string | null;
  readonly deviceToken: string | null;
  readonly conn: number;
  /** The QR being linked, as scanned [PHONE-2]. */
  readonly scan: AbsQr | null;
  readonly link: string | null;
  /** The ref the user approved on the consent screen (null: not yet) [PHONE-1]. */
  readonly userApproved: string | null;
  readonly sessions: readonly PhoneSession[];
  readonly shown: string | null;
  readonly faults: FaultMask;
}

export type PhoneUserEvent =
  | { readonly type: 'USER.REGISTER' }
  | { readonly type: 'USER.CODE'; readonly code: string }
  /** [REG-8] register the number again (offline), typing the SMS code in as it comes. */
  | { readonly type: 'USER.REREGISTER'; readonly code: string }
  | { readonly type: 'USER.ONLINE' }
  | { readonly type: 'USER.OFFLINE' }
  | { readonly type: 'USER.SCAN'; readonly qr: AbsQr }
  | { readonly type: 'USER.APPROVE' }
  | { readonly type: 'USER.DECLINE' }
  | { readonly type: 'USER.SEND'; readonly session: string; readonly m: string }
  | { readonly type: 'USER.UNLINK'; readonly session: string };
export type PhoneFrameEvent = PhoneDown extends infer F
  ? F extends { t: infer T }
    ? F & { readonly type: T }
    : never
  : never;
export type PhoneChartEvent = PhoneFrameEvent | PhoneUserEvent;

export type PhoneOut =
  | { readonly type: 'send'; readonly frame: PhoneUp }
  | { readonly type: 'accept'; readonly session: string; readonly c: AbsCipher };

type Ev<K extends PhoneChartEvent['type']> = Extract<PhoneChartEvent, { type: K }>;

export function phoneContext(id: PhoneId, faults: FaultMask): PhoneContext {
  return {
    id,
    phone: id === 'P1' ? '+15550000001' : '+15550000002',
    account: null,
    deviceToken: null,
    conn: 0,
    scan: null,
    link: null,
    userApproved: null,
    sessions: [],
    shown: null,
    faults,
  };
}

const perEpoch = (c: PhoneContext) => !has(c.faults, 'F1');
const ephOf = (c: PhoneContext, ref: string) => `p${c.id}${ref}`;
const findSession = (c: PhoneContext, id: string) => c.sessions.find((s) => s.id === id);
const withSession = (c: PhoneContext, id: string, f: (s: PhoneSession) => PhoneSession): PhoneContext => ({
  ...c,
  sessions: c.sessions.map((s) => (s.id === id ? f(s) : s)),
});
const hwOf = (s: PhoneSession, e: string) => s.hw.find(([x]) => x === e)?.[1] ?? 0;

const guards = {
  isOurClaim: (c: PhoneContext, e: PhoneChartEvent) => (e as Ev<'link.claimed'>).ref === c.scan?.ref,
  autoApprove: (c: PhoneContext, e: PhoneChartEvent) =>
    has(c.faults, 'PHONE_AUTO_APPROVE') && (e as Ev<'link.claimed'>).ref === c.scan?.ref,
  isOurRef: (c: PhoneContext, e: PhoneChartEvent) => (e as { ref?: string }).ref === c.scan?.ref,
  tagVerifies: (c: PhoneContext, e: PhoneChartEvent) => {
    const f = e as Ev<'link.confirm'>;
    return f.ref === c.scan?.ref && c.link !== null && f.tag === tagFor(c.link, boxOf(c, c.link));
  },
  isOurLink: (c: PhoneContext, e: PhoneChartEvent) => (e as Ev<'link.ok'>).ref === c.scan?.ref,
  /** [REG-3] [REG-4] `bad_code` and `too_soon` leave the registration running; any other reason ends it (14.7). */
  registrationGoesOn: (_c: PhoneContext, e: PhoneChartEvent) => {
    const reason = (e as Ev<'register.error'>).reason;
    return reason === 'bad_code' || reason === 'too_soon';
  },
  relayOpens: (c: PhoneContext, e: PhoneChartEvent) => {
    const f = e as Ev<'from_web'>;
    const s = findSession(c, f.sessionId);
    return (
      s?.live === true && f.n === f.c.n && f.c.k === relayKey(s.root, f.e, 'w2p', perEpoch(c)) && f.n > hwOf(s, f.e)
    );
  },
  sessionAttached: (c: PhoneContext, e: PhoneChartEvent) => {
    const s = findSession(c, (e as Ev<'USER.SEND'>).session);
    return s?.live === true;
  },
};
type PhoneGuard = keyof typeof guards;

function boxOf(c: PhoneContext, k: string) {
  return { k, account: c.account ?? '?' };
}

function send(out: PhoneOut[], frame: PhoneUp) {
  out.push({ type: 'send', frame });
}

/** Seals every unacknowledged frame under the session's epoch, n from 1 [RELAY-14]. */
function resealAll(c: PhoneContext, s: PhoneSession, out: PhoneOut[]): PhoneSession {
  if (s.e === null) return s;
  let n = 1;
  const outbox: Outgoing[] = [];
  for (const o of s.outbox) {
    send(out, {
      t: 'to_web',
      sessionId: s.id,
      e: s.e,
      n,
      c: { k: relayKey(s.root, s.e, 'p2w', perEpoch(c)), n, m: o.m },
    });
    outbox.push({ m: o.m, e: s.e, n });
    n++;
  }
  return { ...s, sendN: n, outbox: has(c.faults, 'F4') ? [] : outbox };
}

const effects = {
  register: (c: PhoneContext, _e: PhoneChartEvent, out: PhoneOut[]): PhoneContext => {
    send(out, { t: 'register', phone: c.phone });
    return { ...c, conn: c.conn + 1 };
  },
  verify: (c: PhoneContext, e: PhoneChartEvent, out: PhoneOut[]): PhoneContext => {
    send(out, { t: 'register.verify', phone: c.phone, code: (e as Ev<'USER.CODE'>).code, identityKey: `ik${c.id}` });
    return c;
  },
  registered: (c: PhoneContext, e: PhoneChartEvent): PhoneContext => {
    const f = e as Ev<'register.ok'>;
    // [REG-8] a re-registration ended every session of the account (no session.ended comes).
    const sessions = c.sessions.map((s) => (s.live ? { ...s, live: false, outbox: [] } : s));
    return { ...c, account: f.accountId, deviceToken: f.deviceToken, sessions };
  },
  reregister: (c: PhoneContext, e: PhoneChartEvent, out: PhoneOut[]): PhoneContext => {
    send(out, { t: 'register', phone: c.phone });
    send(out, {
      t: 'register.verify',
      phone: c.phone,
      code: (e as Ev<'USER.REREGISTER'>).code,
      identityKey: `ik${c.id}`,
    });
    return { ...c, conn: c.conn + 1 };
  },
  noteRegisterError: (c: PhoneContext, e: PhoneChartEvent): PhoneContext => ({
    ...c,
    shown: (e as Ev<'register.error'>).reason,
  }),
  auth: (c: PhoneContext, _e: PhoneChartEvent, out: PhoneOut[]): PhoneContext => {
    send(out, { t: 'auth', phone: c.phone, deviceToken: c.deviceToken ?? '' });
    return { ...c, conn: c.conn + 1 };
  },
  authed: (c: PhoneContext, e: PhoneChartEvent): PhoneContext => {
    const live = new Set((e as Ev<'auth.ok'>).sessions.map((s) => s.sessionId));
    return { ...c, sessions: c.sessions.map((s) => (s.live && !live.has(s.id) ? { ...s, live: false } : s)) };
  },
  goOffline: (c: PhoneContext, _e: PhoneChartEvent, out: PhoneOut[]): PhoneContext => {
    send(out, { t: '$close', code: Close.normal });
    return dropAttempt(c);
  },
  connectionEnded: (c: PhoneContext, e: PhoneChartEvent): PhoneContext => ({
    ...dropAttempt(c),
    shown: String((e as Ev<'$close'>).code),
  }),
  claim: (c: PhoneContext, e: PhoneChartEvent, out: PhoneOut[]): PhoneContext => {
    const qr = (e as Ev<'USER.SCAN'>).qr;
    send(out, { t: 'link.claim', ref: qr.ref });
    return { ...c, scan: qr, link: null, userApproved: null };
  },
  showConsent: (c: PhoneContext, e: PhoneChartEvent): PhoneContext => ({
    ...c,
    shown: `consent:${(e as Ev<'link.claimed'>).device.name}`,
  }),
  userApproves: (c: PhoneContext): PhoneContext => ({ ...c, userApproved: c.scan?.ref ?? null }),
  approve: (c: PhoneContext, _e: PhoneChartEvent, out: PhoneOut[]): PhoneContext => {
    const qr = c.scan as AbsQr;
    const eph = ephOf(c, qr.ref);
    const link = linkKey(qr.ref, qr.webPub, eph, qr.linkSecret);
    const box = has(c.faults, 'SERVER_KEEPS_SECRET') ? { ...boxOf(c, link), leak: qr.linkSecret } : boxOf(c, link);
    send(out, { t: 'link.approve', ref: qr.ref, pub: eph, box });
    return { ...c, link };
  },
  decline: (c: PhoneContext, _e: PhoneChartEvent, out: PhoneOut[]): PhoneContext => {
    send(out, { t: 'link.decline', ref: c.scan?.ref ?? '' });
    return { ...c, scan: null, link: null };
  },
  finalize: (c: PhoneContext, _e: PhoneChartEvent, out: PhoneOut[]): PhoneContext => {
    send(out, { t: 'link.finalize', ref: c.scan?.ref ?? '' });
    return c;
  },
  endAttempt: (c: PhoneContext, e: PhoneChartEvent): PhoneContext => ({
    ...c,
    scan: null,
    link: null,
    shown: (e as { reason?: string }).reason ?? c.shown,
  }),
  addSession: (c: PhoneContext, e: PhoneChartEvent): PhoneContext => {
    const id = (e as Ev<'link.ok'>).sessionId;
    const s: PhoneSession = { id, root: c.link ?? '', live: true, e: null, sendN: 1, hw: [], outbox: [] };
    return { ...c, sessions: [...c.sessions, s], scan: null, link: null, shown: 'linked' };
  },
  webAttached: (c: PhoneContext, e: PhoneChartEvent, out: PhoneOut[]): PhoneContext => {
    const f = e as Ev<'web.attached'>;
    const s = findSession(c, f.sessionId);
    if (!s?.live) return c;
    return withSession(c, s.id, (x) => resealAll(c, { ...x, e: f.e }, out));
  },
  acceptRelay: (c: PhoneContext, e: PhoneChartEvent, out: PhoneOut[]): PhoneContext => {
    const f = e as Ev<'from_web'>;
    out.push({ type: 'accept', session: f.sessionId, c: f.c });
    send(out, { t: 'ack', sessionId: f.sessionId, e: f.e, n: f.n });
    return withSession(c, f.sessionId, (s) => ({
      ...s,
      hw: [...s.hw.filter(([x]) => x !== f.e), [f.e, f.n] as const],
    }));
  },
  dropAcked: (c: PhoneContext, e: PhoneChartEvent): PhoneContext => {
    const f = e as Ev<'acked'>;
    return withSession(c, f.sessionId, (s) => ({ ...s, outbox: s.outbox.filter((o) => !(o.e === f.e && o.n <= f.n)) }));
  },
  endSession: (c: PhoneContext, e: PhoneChartEvent): PhoneContext =>
    withSession(c, (e as Ev<'session.ended'>).sessionId, (s) => ({ ...s, live: false, outbox: [] })),
  endUnlinked: (c: PhoneContext, e: PhoneChartEvent): PhoneContext => {
    const ids = new Set((e as Ev<'unlinked'>).sessionIds);
    return { ...c, sessions: c.sessions.map((s) => (ids.has(s.id) ? { ...s, live: false, outbox: [] } : s)) };
  },
  sealAndSend: (c: PhoneContext, e: PhoneChartEvent, out: PhoneOut[]): PhoneContext => {
    const { session, m } = e as Ev<'USER.SEND'>;
    return withSession(c, session, (s) => {
      if (s.e === null) return { ...s, outbox: [...s.outbox, { m, e: null, n: 0 }] };
      const n = s.sendN;
      send(out, { t: 'to_web', sessionId: s.id, e: s.e, n, c: { k: relayKey(s.root, s.e, 'p2w', perEpoch(c)), n, m } });
      return { ...s, sendN: n + 1, outbox: has(c.faults, 'F4') ? s.outbox : [...s.outbox, { m, e: s.e, n }] };
    });
  },
  unlink: (c: PhoneContext, e: PhoneChartEvent, out: PhoneOut[]): PhoneContext => {
    send(out, { t: 'unlink', sessionId: (e as Ev<'USER.UNLINK'>).session });
    return c;
  },
};
type PhoneEffect = keyof typeof effects;

function dropAttempt(c: PhoneContext): PhoneContext {
  return { ...c, scan: null, link: null };
}

type T = TransitionDef<PhoneGuard, PhoneEffect>;
/** Relay and session frames: handled the same in every authenticated state. */
const relay: Record<string, T[]> = {
  'web.attached': [{ actions: ['webAttached'], clauses: ['RELAY-14', 'E2E-11'] }],
  'web.detached': [{ clauses: ['RELAY-11'] }],
  from_web: [
    { guard: 'relayOpens', actions: ['acceptRelay'], clauses: ['PHONE-3', 'E2E-13', 'RELAY-6'] },
    { clauses: ['PHONE-3', 'E2E-13'], description: 'dropped: replayed or does not open' },
  ],
  acked: [{ actions: ['dropAcked'], clauses: ['RELAY-6', 'RELAY-14'] }],
  queue_full: [{ clauses: ['RELAY-15'] }],
  'session.ended': [{ actions: ['endSession'], clauses: ['SESS-9', 'SESS-1', 'SESS-7', 'SESS-8'] }],
  unlinked: [{ actions: ['endUnlinked'], clauses: ['SESS-10'] }],
  'USER.SEND': [{ guard: 'sessionAttached', actions: ['sealAndSend'], clauses: ['E2E-12', 'RELAY-14'] }],
  'USER.UNLINK': [{ actions: ['unlink'], clauses: ['SESS-10'] }],
  'USER.OFFLINE': [{ target: 'offline', actions: ['goOffline'], clauses: ['RELAY-10', 'LINK-15'] }],
  $close: [{ target: 'offline', actions: ['connectionEnded'], clauses: ['REG-10', 'ERR-7'] }],
};
const authed = (extra: Record<string, T[]>): Record<string, T[]> => ({ ...relay, ...extra });
/** While `auth` waits for `auth.ok`, the user cannot unlink yet: that needs an authenticated phone (14.7, DRV-10). */
const { 'USER.UNLINK': _unlinkNeedsAuth, ...relayBeforeAuth } = relay;
const attemptEnds: Record<string, T[]> = {
  'link.error': [
    {
      target: 'online',
      guard: 'isOurRef',
      actions: ['endAttempt'],
      clauses: ['LINK-2', 'LINK-3', 'LINK-12', 'LINK-13'],
    },
  ],
};

export const phoneChart = defineChart<PhoneContext, PhoneChartEvent, PhoneOut, PhoneGuard, PhoneEffect>({
  id: 'phone',
  initial: 'unregistered',
  context: phoneContext('P1', 0),
  guards,
  effects,
  states: {
    unregistered: {
      on: { 'USER.REGISTER': [{ target: 'registering', actions: ['register'], clauses: ['REG-1'] }] },
    },
    registering: {
      description: 'register sent; waiting for the SMS code',
      on: {
        'register.sent': [{ clauses: ['REG-1'] }],
        'register.error': [
          { guard: 'registrationGoesOn', actions: ['noteRegisterError'], clauses: ['REG-3', 'REG-4'] },
          { target: 'unregistered', actions: ['noteRegisterError'], clauses: ['REG-2', 'REG-3', 'REG-5'] },
        ],
        'USER.CODE': [{ actions: ['verify'], clauses: ['REG-7'] }],
        'register.ok': [{ target: 'online', actions: ['registered'], clauses: ['REG-7', 'REG-8'] }],
        $close: [{ target: 'unregistered', actions: ['connectionEnded'], clauses: ['ERR-7'] }],
      },
    },
    offline: {
      description: 'registered, no connection',
      on: {
        'USER.ONLINE': [{ target: 'authenticating', actions: ['auth'], clauses: ['REG-9'] }],
        'USER.REREGISTER': [{ target: 'registering', actions: ['reregister'], clauses: ['REG-8', 'REG-1', 'REG-7'] }],
      },
    },
    authenticating: {
      description: 'auth sent',
      on: {
        ...relayBeforeAuth,
        'auth.ok': [{ target: 'online', actions: ['authed'], clauses: ['REG-9', 'RELAY-9'] }],
      },
    },
    online: {
      description: 'authenticated, idle',
      on: authed({ 'USER.SCAN': [{ target: 'claiming', actions: ['claim'], clauses: ['CONS-3', 'LINK-1'] }] }),
    },
    claiming: {
      description: 'link.claim sent',
      on: authed({
        ...attemptEnds,
        'link.claimed': [
          {
            target: 'approving',
            guard: 'autoApprove',
            actions: ['approve'],
            clauses: ['PHONE-1'],
            description: 'fault PHONE_AUTO_APPROVE',
          },
          { target: 'consenting', guard: 'isOurClaim', actions: ['showConsent'], clauses: ['LINK-1', 'CONS-1'] },
        ],
      }),
    },
    consenting: {
      description: 'consent screen: device, address, time; decline is the default',
      on: authed({
        ...attemptEnds,
        'USER.APPROVE': [
          {
            target: 'approving',
            actions: ['userApproves', 'approve'],
            clauses: ['CONS-2', 'PHONE-1', 'E2E-3', 'E2E-5', 'LINK-5'],
          },
        ],
        'USER.DECLINE': [{ target: 'online', actions: ['decline'], clauses: ['CONS-2', 'LINK-4'] }],
      }),
    },
    approving: {
      description: 'link.approve sent; waiting for link.confirm',
      on: authed({
        ...attemptEnds,
        'link.confirm': [
          { target: 'finalizing', guard: 'tagVerifies', actions: ['finalize'], clauses: ['E2E-8', 'LINK-9'] },
          { target: 'online', guard: 'isOurRef', actions: ['decline'], clauses: ['E2E-8'] },
        ],
      }),
    },
    finalizing: {
      description: 'link.finalize sent; waiting for link.ok',
      on: authed({
        ...attemptEnds,
        'link.ok': [{ target: 'online', guard: 'isOurLink', actions: ['addSession'], clauses: ['LINK-9', 'CONS-4'] }],
      }),
    },
  },
});
