/**
 * Server entity: one web session of an account, with its resume tokens (current and pending, by
 * version number), its attachment (connection and epoch) and its custody of relay frames in both
 * directions.
 */
import type { PhoneDown, WebDown } from '../abstract/frames.js';
import { type AbsCipher, type PhoneId, tokenId } from '../abstract/values.js';
import { defineChart, type TransitionDef } from '../chart/chart.js';
import { Close } from '../protocol/codes.js';
import { type FaultMask, has } from '../system/faults.js';
import type { ServerOut, SessionInput } from './server-out.js';

/** A relay frame in custody until acknowledged [RELAY-5]. */
export interface Custody {
  readonly e: string;
  readonly n: number;
  readonly c: AbsCipher;
}

export interface SessionContext {
  readonly id: string;
  readonly account: string;
  readonly keep: boolean;
  /** The ref whose approval admitted it. */
  readonly origin: string;
  /** The connection bound to the session (linked/resumed on it), if any. */
  readonly conn: string | null;
  /** Token versions: current and pending (-1: none); `issued` counts the versions made. */
  readonly cur: number;
  readonly pending: number;
  readonly issued: number;
  readonly epoch: string | null;
  readonly epochs: readonly string[];
  readonly w2p: readonly Custody[];
  readonly p2w: readonly Custody[];
  readonly phoneOnline: boolean;
  readonly endedBy: string | null;
  readonly faults: FaultMask;
}

export type SessionEvent =
  | SessionInput
  | {
      readonly type: 'START';
      readonly conn: string;
      readonly phone: PhoneId;
      readonly ref: string;
      readonly phoneOnline: boolean;
    }
  | { readonly type: 'RESUME'; readonly conn: string; readonly version: number }
  | { readonly type: 'REPLACE' }
  | { readonly type: 'UNLINK' }
  | { readonly type: 'REREGISTER' }
  | { readonly type: 'PHONE_AUTH' }
  | { readonly type: 'PHONE_OFFLINE' }
  | { readonly type: 'phone.to_web'; readonly e: string; readonly n: number; readonly c: AbsCipher }
  | { readonly type: 'phone.ack'; readonly e: string; readonly n: number };

type Ev<K extends SessionEvent['type']> = Extract<SessionEvent, { type: K }>;

export function sessionContext(id: string, account: string, keep: boolean, faults: FaultMask): SessionContext {
  return {
    id,
    account,
    keep,
    origin: '',
    conn: null,
    cur: -1,
    pending: -1,
    issued: 0,
    epoch: null,
    epochs: [],
    w2p: [],
    p2w: [],
    phoneOnline: false,
    endedBy: null,
    faults,
  };
}

const web = (c: SessionContext, frame: WebDown): ServerOut => ({ type: 'web', conn: c.conn ?? '', frame });
const phone = (c: SessionContext, frame: PhoneDown): ServerOut => ({ type: 'account', account: c.account, frame });
const fromConn = (c: SessionContext, e: SessionEvent) => (e as { conn: string }).conn === c.conn;

const guards = {
  fromBoundConn: fromConn,
  epochFresh: (c: SessionContext, e: SessionEvent) => fromConn(c, e) && !c.epochs.includes((e as Ev<'ATTACH'>).e),
  /** [SESS-7] a kept link never acknowledged by attach has only a pending token. */
  keptButUnacknowledged: (c: SessionContext, e: SessionEvent) => fromConn(c, e) && c.keep && c.cur < 0,
  keptAndDetaching: (c: SessionContext, e: SessionEvent) => fromConn(c, e) && c.keep,
  tokenValid: (c: SessionContext, e: SessionEvent) => {
    const v = (e as Ev<'RESUME'>).version;
    if (has(c.faults, 'TOKEN_TWICE')) return v >= 0 && v < c.issued;
    return v >= 0 && (v === c.cur || v === c.pending);
  },
  loggedOutButFaulty: (c: SessionContext, e: SessionEvent) => {
    const v = (e as Ev<'RESUME'>).version;
    return has(c.faults, 'REVOKED_RESUMES') && v >= 0 && (v === c.cur || v === c.pending);
  },
  currentEpoch: (c: SessionContext, e: SessionEvent) => (e as Ev<'phone.to_web'>).e === c.epoch,
};
type G = keyof typeof guards;

function custody(c: SessionContext, list: readonly Custody[], item: Custody, forwarded: boolean): readonly Custody[] {
  // [RELAY-5] kept until acknowledged; fault F4 ends custody once forwarded.
  return forwarded && has(c.faults, 'F4') ? list : [...list, item];
}

/** [RELAY-6] an ack with epoch e and counter n covers every frame of epoch e with counter at most n. */
const covers = (ack: { e: string; n: number }, x: Custody) => x.e === ack.e && x.n <= ack.n;

/** [RELAY-17] the largest n an ack removes from custody, or null when it removes nothing. */
function largestCovered(list: readonly Custody[], ack: { e: string; n: number }): number | null {
  let n: number | null = null;
  for (const x of list) if (covers(ack, x) && (n === null || x.n > n)) n = x.n;
  return n;
}

function end(c: SessionContext, by: string): SessionContext {
  return { ...c, conn: null, w2p: [], p2w: [], endedBy: by };
}

const effects = {
  start: (c: SessionContext, e: SessionEvent, out: ServerOut[]): SessionContext => {
    const s = e as Ev<'START'>;
    const withToken = c.keep || has(c.faults, 'TOKEN_WITHOUT_KEEP');
    const next: SessionContext = {
      ...c,
      conn: s.conn,
      origin: s.ref,
      phoneOnline: s.phoneOnline,
      // [SESS-7] the linked token starts pending; fault F3 makes it current at once.
      cur: withToken && has(c.faults, 'F3') ? 0 : -1,
      pending: withToken && !has(c.faults, 'F3') ? 0 : -1,
      issued: withToken ? 1 : 0,
    };
    out.push({ type: 'toConn', conn: s.conn, event: { type: 'BOUND', session: c.id } });
    out.push(
      web(next, {
        t: 'linked',
        sessionId: c.id,
        accountId: c.account,
        ...(withToken ? { token: tokenId(c.id, 0) } : {}),
      }),
    );
    out.push(web(next, { t: 'phone', online: s.phoneOnline }));
    out.push({ type: 'phone', phone: s.phone, frame: { t: 'link.ok', ref: s.ref, sessionId: c.id } });
    return next;
  },
  attach: (c: SessionContext, e: SessionEvent, out: ServerOut[]): SessionContext => {
    const a = e as Ev<'ATTACH'>;
    // [RELAY-2] [SESS-6] promote the pending token, drop earlier-epoch phone-to-web custody, tell the phone.
    const promoted = c.pending >= 0 ? { cur: c.pending, pending: -1 } : {};
    out.push(phone(c, { t: 'web.attached', sessionId: c.id, e: a.e }));
    return { ...c, ...promoted, epoch: a.e, epochs: [...c.epochs, a.e], p2w: [] };
  },
  endClosed: (c: SessionContext, _e: SessionEvent, out: ServerOut[]): SessionContext => {
    out.push(phone(c, { t: 'session.ended', sessionId: c.id, reason: 'closed' }));
    return end(c, 'closed');
  },
  detach: (c: SessionContext, _e: SessionEvent, out: ServerOut[]): SessionContext => {
    // [RELAY-11] the attached connection closed and the (kept) session lives on.
    out.push(phone(c, { t: 'web.detached', sessionId: c.id }));
    return { ...c, conn: null };
  },
  refuseAttach: (c: SessionContext, e: SessionEvent, out: ServerOut[]): SessionContext => {
    out.push({ type: 'toConn', conn: (e as Ev<'ATTACH'>).conn, event: { type: 'ATTACH_REFUSED' } });
    return c;
  },
  /** [SESS-12] a held (resumed, never attached) connection closed: detached, the phone is not told. */
  release: (c: SessionContext): SessionContext => ({ ...c, conn: null }),
  /** [SESS-3] [RELAY-11] a resume takes over the attached connection: the phone hears it detach. */
  takenFromAttached: (c: SessionContext, _e: SessionEvent, out: ServerOut[]): SessionContext => {
    out.push(phone(c, { t: 'web.detached', sessionId: c.id }));
    return c;
  },
  resume: (c: SessionContext, e: SessionEvent, out: ServerOut[]): SessionContext => {
    const r = e as Ev<'RESUME'>;
    // [SESS-3] takeover: the connection bound before is revoked with conflict.
    if (c.conn !== null && c.conn !== r.conn)
      out.push({ type: 'toConn', conn: c.conn, event: { type: 'REVOKE', reason: 'conflict' } });
    const cur = r.version === c.pending ? c.pending : c.cur;
    const next: SessionContext = { ...c, conn: r.conn, cur, pending: c.issued, issued: c.issued + 1, endedBy: null };
    out.push({ type: 'toConn', conn: r.conn, event: { type: 'RESUMED', session: c.id } });
    out.push(web(next, { t: 'resumed', sessionId: c.id, accountId: c.account, token: tokenId(c.id, next.pending) }));
    out.push(web(next, { t: 'phone', online: c.phoneOnline }));
    return next;
  },
  refuseResume: (c: SessionContext, e: SessionEvent, out: ServerOut[]): SessionContext => {
    out.push({ type: 'toConn', conn: (e as Ev<'RESUME'>).conn, event: { type: 'RESUME_FAILED' } });
    return c;
  },
  logout: (c: SessionContext, _e: SessionEvent, out: ServerOut[]): SessionContext => {
    out.push(web(c, { t: 'revoked', reason: 'logout' }));
    out.push(web(c, { t: '$close', code: Close.normal }));
    out.push(phone(c, { t: 'session.ended', sessionId: c.id, reason: 'logout' }));
    return end(c, 'logout');
  },
  unlink: (c: SessionContext, _e: SessionEvent, out: ServerOut[]): SessionContext => {
    if (c.conn) out.push({ type: 'toConn', conn: c.conn, event: { type: 'REVOKE', reason: 'unlinked' } });
    return end(c, 'unlinked');
  },
  /**
   * [REG-8] the number re-registered: revoked reregistered + 4003 to the holder; custody discarded and
   * tokens retired [RELAY-12] [SESS-13]; no session.ended (the phone that could hear it was replaced).
   */
  reregister: (c: SessionContext, _e: SessionEvent, out: ServerOut[]): SessionContext => {
    if (c.conn) out.push({ type: 'toConn', conn: c.conn, event: { type: 'REVOKE', reason: 'reregistered' } });
    return end(c, 'reregistered');
  },
  replace: (c: SessionContext, _e: SessionEvent, out: ServerOut[]): SessionContext => {
    if (c.conn) out.push({ type: 'toConn', conn: c.conn, event: { type: 'REVOKE', reason: 'replaced' } });
    out.push(phone(c, { t: 'session.ended', sessionId: c.id, reason: 'replaced' }));
    return end(c, 'replaced');
  },
  relayToPhone: (c: SessionContext, e: SessionEvent): SessionContext => {
    const f = e as Ev<'RELAY_W2P'>;
    return { ...c, w2p: custody(c, c.w2p, { e: f.e, n: f.n, c: f.c }, c.phoneOnline) };
  },
  forwardToPhone: (c: SessionContext, e: SessionEvent, out: ServerOut[]): SessionContext => {
    const f = e as Ev<'RELAY_W2P'>;
    if (c.phoneOnline) out.push(phone(c, { t: 'from_web', sessionId: c.id, e: f.e, n: f.n, c: f.c }));
    return c;
  },
  relayToWeb: (c: SessionContext, e: SessionEvent, out: ServerOut[]): SessionContext => {
    const f = e as Ev<'phone.to_web'>;
    const attached = c.conn !== null && c.epochs.includes(f.e);
    if (attached) out.push(web(c, { t: 'from_phone', e: f.e, n: f.n, c: f.c }));
    return { ...c, p2w: custody(c, c.p2w, { e: f.e, n: f.n, c: f.c }, attached) };
  },
  keepForWeb: (c: SessionContext, e: SessionEvent): SessionContext => {
    // [RELAY-8] [RELAY-5] held (resumed, not attached yet): the current epoch's frame is accepted into
    // custody; no connection is attached with that epoch, so it is not forwarded.
    const f = e as Ev<'phone.to_web'>;
    return { ...c, p2w: custody(c, c.p2w, { e: f.e, n: f.n, c: f.c }, false) };
  },
  ackFromWeb: (c: SessionContext, e: SessionEvent, out: ServerOut[]): SessionContext => {
    const f = e as Ev<'ACK_FROM_WEB'>;
    // [RELAY-6] cumulative per epoch; [RELAY-17] acked only when something was removed, with the largest n removed.
    const n = largestCovered(c.p2w, f);
    if (n !== null) out.push(phone(c, { t: 'acked', sessionId: c.id, e: f.e, n }));
    return { ...c, p2w: c.p2w.filter((x) => !covers(f, x)) };
  },
  ackFromPhone: (c: SessionContext, e: SessionEvent): SessionContext => {
    const f = e as Ev<'phone.ack'>;
    // [RELAY-6] no connection attached: removed from custody, nobody to tell [RELAY-17].
    return { ...c, w2p: c.w2p.filter((x) => !covers(f, x)) };
  },
  ackFromPhoneToAttached: (c: SessionContext, e: SessionEvent, out: ServerOut[]): SessionContext => {
    const f = e as Ev<'phone.ack'>;
    // [RELAY-17] acked {e, n} (largest n removed) to the attached connection, whatever its epoch.
    const n = largestCovered(c.w2p, f);
    if (n !== null && c.conn !== null) out.push(web(c, { t: 'acked', e: f.e, n }));
    return { ...c, w2p: c.w2p.filter((x) => !covers(f, x)) };
  },
  flushToPhone: (c: SessionContext, _e: SessionEvent, out: ServerOut[]): SessionContext => {
    // [RELAY-9] web.attached if attached, then every unacknowledged from_web in acceptance order.
    if (c.conn !== null && c.epoch !== null) out.push(phone(c, { t: 'web.attached', sessionId: c.id, e: c.epoch }));
    for (const x of c.w2p) out.push(phone(c, { t: 'from_web', sessionId: c.id, e: x.e, n: x.n, c: x.c }));
    if (c.conn !== null) out.push(web(c, { t: 'phone', online: true }));
    return { ...c, phoneOnline: true, w2p: has(c.faults, 'F4') ? [] : c.w2p };
  },
  flushHolding: (c: SessionContext, _e: SessionEvent, out: ServerOut[]): SessionContext => {
    // [RELAY-9] not attached (linked/resumed sent, no attach yet): every unacknowledged from_web, then
    // phone {online: true} to the connection holding the session, attached or not.
    for (const x of c.w2p) out.push(phone(c, { t: 'from_web', sessionId: c.id, e: x.e, n: x.n, c: x.c }));
    if (c.conn !== null) out.push(web(c, { t: 'phone', online: true }));
    return { ...c, phoneOnline: true, w2p: has(c.faults, 'F4') ? [] : c.w2p };
  },
  flushNoAttachment: (c: SessionContext, _e: SessionEvent, out: ServerOut[]): SessionContext => {
    for (const x of c.w2p) out.push(phone(c, { t: 'from_web', sessionId: c.id, e: x.e, n: x.n, c: x.c }));
    return { ...c, phoneOnline: true, w2p: has(c.faults, 'F4') ? [] : c.w2p };
  },
  phoneOffline: (c: SessionContext, _e: SessionEvent, out: ServerOut[]): SessionContext => {
    // [RELAY-10] to the connection holding the session, attached or not.
    if (c.conn !== null) out.push(web(c, { t: 'phone', online: false }));
    return { ...c, phoneOnline: false };
  },
  notePhoneOnline: (c: SessionContext): SessionContext => ({ ...c, phoneOnline: true }),
  notePhoneOffline: (c: SessionContext): SessionContext => ({ ...c, phoneOnline: false }),
};
type A = keyof typeof effects;
type T = TransitionDef<G, A>;

const ends: Record<string, T[]> = {
  UNLINK: [{ target: 'ended', actions: ['unlink'], clauses: ['SESS-10', 'SESS-11', 'SESS-13'] }],
  REPLACE: [{ target: 'ended', actions: ['replace'], clauses: ['SESS-1'] }],
  REREGISTER: [{ target: 'ended', actions: ['reregister'], clauses: ['REG-8', 'SESS-13', 'RELAY-12'] }],
};
const resume: T[] = [
  { target: 'linking', guard: 'tokenValid', actions: ['resume'], clauses: ['SESS-2', 'SESS-3', 'SESS-4'] },
  { actions: ['refuseResume'], clauses: ['SESS-2', 'SESS-5'] },
];
const phoneAck: T[] = [{ actions: ['ackFromPhone'], clauses: ['RELAY-6', 'RELAY-17'] }];
/** [SESS-3] [RELAY-11] a takeover of the attached connection also tells the phone it detached. */
const resumeAttached: T[] = [
  {
    target: 'linking',
    guard: 'tokenValid',
    actions: ['takenFromAttached', 'resume'],
    clauses: ['SESS-2', 'SESS-3', 'SESS-4', 'RELAY-11'],
  },
  ...resume.slice(1),
];

export const sessionChart = defineChart<SessionContext, SessionEvent, ServerOut, G, A>({
  id: 'server-session',
  initial: 'new',
  context: sessionContext('s1', 'acct1', true, 0),
  guards,
  effects,
  states: {
    new: {
      description: 'about to be admitted',
      on: { START: [{ target: 'linking', actions: ['start'], clauses: ['LINK-9', 'LINK-10'] }] },
    },
    linking: {
      description: 'linked or resumed sent on its connection; waiting for attach',
      on: {
        ...ends,
        ATTACH: [
          { target: 'attached', guard: 'epochFresh', actions: ['attach'], clauses: ['RELAY-1', 'RELAY-2', 'SESS-6'] },
          {
            guard: 'fromBoundConn',
            actions: ['refuseAttach'],
            clauses: ['RELAY-1'],
            description: 'an epoch of the session before: the connection gets bad_state 4000',
          },
        ],
        DETACH: [
          { target: 'ended', guard: 'keptButUnacknowledged', actions: ['endClosed'], clauses: ['SESS-7'] },
          {
            target: 'detached',
            guard: 'keptAndDetaching',
            actions: ['release'],
            clauses: ['SESS-12'],
            description: 'held (resumed, not attached): no web.detached, RELAY-11 is about the attached connection',
          },
          { target: 'ended', guard: 'fromBoundConn', actions: ['endClosed'], clauses: ['SESS-8'] },
        ],
        LOGOUT: [{ target: 'ended', guard: 'fromBoundConn', actions: ['logout'], clauses: ['SESS-9'] }],
        RESUME: resume,
        'phone.to_web': [
          { guard: 'currentEpoch', actions: ['keepForWeb'], clauses: ['RELAY-8', 'RELAY-5'] },
          { clauses: ['RELAY-8'], description: 'not the current epoch (or none yet): discarded' },
        ],
        'phone.ack': phoneAck,
        PHONE_AUTH: [{ actions: ['flushHolding'], clauses: ['RELAY-9'] }],
        PHONE_OFFLINE: [{ actions: ['phoneOffline'], clauses: ['RELAY-10'] }],
      },
    },
    attached: {
      description: 'attached with epoch e; relaying with custody',
      on: {
        ...ends,
        RELAY_W2P: [{ actions: ['forwardToPhone', 'relayToPhone'], clauses: ['RELAY-4', 'RELAY-5'] }],
        'phone.to_web': [
          { guard: 'currentEpoch', actions: ['relayToWeb'], clauses: ['RELAY-4', 'RELAY-5'] },
          { clauses: ['RELAY-8'], description: 'stale epoch: discarded' },
        ],
        ACK_FROM_WEB: [{ actions: ['ackFromWeb'], clauses: ['RELAY-6', 'RELAY-17'] }],
        'phone.ack': [{ actions: ['ackFromPhoneToAttached'], clauses: ['RELAY-6', 'RELAY-17'] }],
        DETACH: [
          { target: 'detached', guard: 'keptAndDetaching', actions: ['detach'], clauses: ['RELAY-11', 'SESS-12'] },
          { target: 'ended', guard: 'fromBoundConn', actions: ['endClosed'], clauses: ['SESS-8'] },
        ],
        LOGOUT: [{ target: 'ended', guard: 'fromBoundConn', actions: ['logout'], clauses: ['SESS-9'] }],
        RESUME: resumeAttached,
        PHONE_AUTH: [{ actions: ['flushToPhone'], clauses: ['RELAY-9'] }],
        PHONE_OFFLINE: [{ actions: ['phoneOffline'], clauses: ['RELAY-10'] }],
      },
    },
    detached: {
      description: 'kept, no connection; custody held; resumable',
      on: {
        ...ends,
        RESUME: resume,
        'phone.to_web': [
          { guard: 'currentEpoch', actions: ['relayToWeb'], clauses: ['RELAY-5'] },
          { clauses: ['RELAY-8'] },
        ],
        'phone.ack': phoneAck,
        PHONE_AUTH: [{ actions: ['flushNoAttachment'], clauses: ['RELAY-9'] }],
        PHONE_OFFLINE: [{ actions: ['notePhoneOffline'], clauses: ['RELAY-10'] }],
      },
    },
    ended: {
      description: 'ended: gets nothing more, its tokens never work again',
      on: {
        RESUME: [
          {
            target: 'linking',
            guard: 'loggedOutButFaulty',
            actions: ['resume'],
            clauses: ['SESS-13'],
            description: 'fault REVOKED_RESUMES',
          },
          { actions: ['refuseResume'], clauses: ['SESS-5', 'SESS-13'] },
        ],
        'phone.to_web': [{ clauses: ['LATE-1', 'RELAY-8'] }],
        'phone.ack': [{ clauses: ['LATE-1'] }],
        PHONE_AUTH: [{ actions: ['notePhoneOnline'], clauses: ['RELAY-9'] }],
        PHONE_OFFLINE: [{ actions: ['notePhoneOffline'], clauses: ['RELAY-10'] }],
      },
    },
  },
});
