/**
 * Server entity: one web connection and its refs (the linking attempt). Events: the web client's
 * frames on this connection, the phone frames about its refs (routed here by ref), the QR and
 * consent timers, and internal events from sessions.
 */
import type { AbsPhoneToServer, AbsWebToServer, CloseMark } from '../abstract/frames.js';
import { nOfRef, type PhoneId, refId } from '../abstract/values.js';
import { defineChart, type TransitionDef } from '../chart/chart.js';
import { Close, type RefStatus } from '../protocol/codes.js';
import { type FaultMask, has } from '../system/faults.js';
import type { ConnInput, ServerOut } from './server-out.js';

/** The life of one ref [QR-5]: pending, then claimed/offered/confirmed while its attempt runs, then dead. */
export type RefState = 'pending' | 'claimed' | 'offered' | 'confirmed' | 'expired' | 'gone' | 'used';

export interface WebConnContext {
  readonly conn: string;
  readonly of: number;
  readonly keep: boolean;
  /** Number of refs issued (the current ref is the last). */
  readonly n: number;
  readonly refs: readonly RefState[];
  /** The ref under attempt (normally the current one). */
  readonly attempt: number;
  readonly claimer: PhoneId | null;
  readonly claimerAccount: string | null;
  readonly session: string | null;
  readonly epoch: string | null;
  readonly faults: FaultMask;
}

type WebFrameEvent = AbsWebToServer | CloseMark extends infer F
  ? F extends { t: infer K }
    ? F & { readonly type: K }
    : never
  : never;
type PhoneRefFrame = Extract<AbsPhoneToServer, { t: 'link.claim' | 'link.decline' | 'link.approve' | 'link.finalize' }>;
/** A phone frame about one of this connection's refs, with who sent it. */
export type RoutedPhoneEvent = PhoneRefFrame extends infer F
  ? F extends { t: infer K }
    ? F & { readonly type: `phone.${K & string}`; readonly phone: PhoneId; readonly account: string }
    : never
  : never;
/** A web frame sent on ANOTHER connection but routed here by its ref (fault CROSS_CONN_CONFIRM). */
export type StrayEvent = Extract<AbsWebToServer, { t: 'confirm' }> & { readonly type: 'stray.confirm' };
export type WebConnEvent =
  | WebFrameEvent
  | RoutedPhoneEvent
  | StrayEvent
  | ConnInput
  | { readonly type: 'CLOCK.QR_TTL' }
  | { readonly type: 'CLOCK.CONSENT' };

type Ev<K extends WebConnEvent['type']> = Extract<WebConnEvent, { type: K }>;

export function webConnContext(conn: string, of: number, faults: FaultMask): WebConnContext {
  return {
    conn,
    of,
    keep: false,
    n: 0,
    refs: [],
    attempt: 0,
    claimer: null,
    claimerAccount: null,
    session: null,
    epoch: null,
    faults,
  };
}

const refOf = (c: WebConnContext, n: number) => refId(c.conn, n);
const stateOfRef = (c: WebConnContext, ref: string): RefState | undefined =>
  ref.startsWith(`${c.conn}.`) ? c.refs[nOfRef(ref) - 1] : undefined;
const isDead = (s: RefState | undefined) => s === 'expired' || s === 'gone' || s === 'used';
const evRef = (e: WebConnEvent) => (e as { ref: string }).ref;
const tolerateLate = (c: WebConnContext) => !has(c.faults, 'F5');

const guards = {
  versionOk: (_c: WebConnContext, e: WebConnEvent) => (e as Ev<'hello'>).v === 1,
  moreRefs: (c: WebConnContext) => c.n < c.of,
  claimsCurrent: (c: WebConnContext, e: WebConnEvent) => {
    const s = stateOfRef(c, evRef(e));
    // [QR-5] a dead ref never comes back; fault ROTATED_REF_CLAIMABLE lets an expired one be claimed.
    return (
      s === 'pending' || (s === 'expired' && has(c.faults, 'ROTATED_REF_CLAIMABLE') && nOfRef(evRef(e)) === c.n - 1)
    );
  },
  admitOnClaim: (c: WebConnContext) => has(c.faults, 'ADMIT_ON_CLAIM'),
  byClaimer: (c: WebConnContext, e: WebConnEvent) => {
    const f = e as Ev<'phone.link.approve'>;
    return f.phone === c.claimer && nOfRef(f.ref) === c.attempt && stateOfRef(c, f.ref) !== undefined;
  },
  refDead: (c: WebConnContext, e: WebConnEvent) => isDead(stateOfRef(c, evRef(e))),
  refLive: (c: WebConnContext, e: WebConnEvent) => {
    const s = stateOfRef(c, evRef(e));
    return s !== undefined && !isDead(s);
  },
  confirmsOffer: (c: WebConnContext, e: WebConnEvent) => evRef(e) === refOf(c, c.attempt),
  abortsLiveRef: (c: WebConnContext, e: WebConnEvent) => {
    const s = stateOfRef(c, evRef(e));
    return evRef(e) === refOf(c, c.attempt) && s !== undefined && !isDead(s);
  },
  lateForDeadRef: (c: WebConnContext, e: WebConnEvent) => tolerateLate(c) && isDead(stateOfRef(c, evRef(e))),
  isClaimer: (c: WebConnContext, e: WebConnEvent) => (e as Ev<'PHONE_GONE'>).phone === c.claimer,
  epochIsOurs: (c: WebConnContext, e: WebConnEvent) => (e as Ev<'to_phone'>).e === c.epoch,
  rotatedRefClaimable: (c: WebConnContext) => has(c.faults, 'ROTATED_REF_CLAIMABLE'),
  strayCross: (c: WebConnContext, e: WebConnEvent) =>
    has(c.faults, 'CROSS_CONN_CONFIRM') && evRef(e) === refOf(c, c.attempt),
};
type G = keyof typeof guards;

const toWeb = (c: WebConnContext, frame: Extract<ServerOut, { type: 'web' }>['frame']): ServerOut => ({
  type: 'web',
  conn: c.conn,
  frame,
});
const toPhone = (phone: PhoneId, frame: Extract<ServerOut, { type: 'phone' }>['frame']): ServerOut => ({
  type: 'phone',
  phone,
  frame,
});
const setRef = (c: WebConnContext, n: number, s: RefState): readonly RefState[] =>
  c.refs.map((x, i) => (i === n - 1 ? s : x));

function issue(c: WebConnContext, out: ServerOut[]): WebConnContext {
  const n = c.n + 1;
  out.push(toWeb(c, { t: 'qr', ref: refOf(c, n), ttlMs: n === 1 ? 60_000 : 20_000, n, of: c.of }));
  return { ...c, n, refs: [...c.refs, 'pending'], attempt: n, claimer: null, claimerAccount: null };
}

function exhaust(c: WebConnContext, out: ServerOut[]): WebConnContext {
  out.push(toWeb(c, { t: 'qr.exhausted' }));
  out.push(toWeb(c, { t: '$close', code: Close.qrExhausted }));
  return { ...c, claimer: null, claimerAccount: null };
}

function badState(c: WebConnContext, detail: string, out: ServerOut[]): WebConnContext {
  out.push(toWeb(c, { t: 'error', code: 'bad_state', detail }));
  out.push(toWeb(c, { t: '$close', code: Close.protocol }));
  // A server-initiated close of a connection holding a session is a connection close for the session
  // (14.3 "connection closes" rows, SESS-7, SESS-8, RELAY-11); only revocations and takeovers are not.
  if (c.session) out.push({ type: 'toSession', session: c.session, event: { type: 'DETACH', conn: c.conn } });
  return killRefs(c, out);
}

/** The connection is gone: its live ref dies (web_gone), a claiming phone is told [LINK-13]. */
function killRefs(c: WebConnContext, out: ServerOut[]): WebConnContext {
  const s = c.refs[c.attempt - 1];
  if (s === undefined || isDead(s)) return c;
  if (c.claimer && s !== 'pending')
    out.push(toPhone(c.claimer, { t: 'link.error', ref: refOf(c, c.attempt), reason: 'web_gone' }));
  return { ...c, refs: setRef(c, c.attempt, 'gone'), claimer: null, claimerAccount: null };
}

/** The attempt ends without a link: the ref dies, the web is told why [LINK-3, LINK-4, LINK-15]. */
function endAttempt(c: WebConnContext, reason: 'declined' | 'lapsed' | 'phone_gone', out: ServerOut[]): WebConnContext {
  out.push(toWeb(c, { t: 'declined', ref: refOf(c, c.attempt), reason }));
  if (reason === 'lapsed' && c.claimer)
    out.push(toPhone(c.claimer, { t: 'link.error', ref: refOf(c, c.attempt), reason: 'lapsed' }));
  return { ...c, refs: setRef(c, c.attempt, 'expired'), claimer: null, claimerAccount: null };
}

const effects = {
  greet: (c: WebConnContext, e: WebConnEvent, out: ServerOut[]) => issue({ ...c, keep: (e as Ev<'hello'>).keep }, out),
  refuseVersion: (c: WebConnContext, _e: WebConnEvent, out: ServerOut[]): WebConnContext => {
    out.push(toWeb(c, { t: 'error', code: 'unsupported_version', detail: 'v must be 1' }));
    out.push(toWeb(c, { t: '$close', code: Close.protocol }));
    return c;
  },
  askSession: (c: WebConnContext, e: WebConnEvent, out: ServerOut[]): WebConnContext => {
    out.push({ type: 'resume', conn: c.conn, token: (e as Ev<'resume'>).token });
    return c;
  },
  expire: (c: WebConnContext): WebConnContext => ({ ...c, refs: setRef(c, c.n, 'expired') }),
  issueNext: (c: WebConnContext, _e: WebConnEvent, out: ServerOut[]) => issue(c, out),
  exhaust: (c: WebConnContext, _e: WebConnEvent, out: ServerOut[]) => exhaust(c, out),
  answerStatus: (c: WebConnContext, e: WebConnEvent, out: ServerOut[]): WebConnContext => {
    const ref = evRef(e);
    const s = stateOfRef(c, ref);
    const state: RefStatus =
      s === undefined
        ? 'unknown'
        : s === 'pending'
          ? 'pending'
          : s === 'used'
            ? 'used'
            : isDead(s)
              ? 'expired'
              : 'scanned';
    out.push(toWeb(c, { t: 'status.result', ref, state }));
    return c;
  },
  claim: (c: WebConnContext, e: WebConnEvent, out: ServerOut[]): WebConnContext => {
    const f = e as Ev<'phone.link.claim'>;
    const n = nOfRef(f.ref);
    out.push(
      toPhone(f.phone, {
        t: 'link.claimed',
        ref: f.ref,
        device: { name: `tab ${c.conn}`, platform: 'web' },
        address: '192.0.2.1',
        requestedAt: 0,
        keep: c.keep,
      }),
    );
    out.push(toWeb(c, { t: 'scanned', ref: f.ref }));
    return { ...c, refs: setRef(c, n, 'claimed'), attempt: n, claimer: f.phone, claimerAccount: f.account };
  },
  admitNow: (c: WebConnContext, e: WebConnEvent, out: ServerOut[]): WebConnContext => {
    const f = e as Ev<'phone.link.claim'>;
    out.push({ type: 'admit', conn: c.conn, account: f.account, phone: f.phone, keep: c.keep, ref: f.ref });
    return { ...c, refs: setRef(c, nOfRef(f.ref), 'used'), attempt: nOfRef(f.ref) };
  },
  claimError: (c: WebConnContext, e: WebConnEvent, out: ServerOut[]): WebConnContext => {
    const f = e as Ev<'phone.link.claim'>;
    const s = stateOfRef(c, f.ref);
    const reason =
      s === undefined ? 'unknown_ref' : s === 'gone' ? 'web_gone' : s === 'expired' ? 'expired_ref' : 'used_ref';
    out.push(toPhone(f.phone, { t: 'link.error', ref: f.ref, reason }));
    return c;
  },
  phoneUnauthorized: (c: WebConnContext, e: WebConnEvent, out: ServerOut[]): WebConnContext => {
    const f = e as Ev<'phone.link.approve'>;
    out.push(toPhone(f.phone, { t: 'link.error', ref: f.ref, reason: 'unauthorized' }));
    return c;
  },
  phoneUnknownRef: (c: WebConnContext, e: WebConnEvent, out: ServerOut[]): WebConnContext => {
    const f = e as Ev<'phone.link.approve'>;
    out.push(toPhone(f.phone, { t: 'link.error', ref: f.ref, reason: 'unknown_ref' }));
    return c;
  },
  phoneBadState: (c: WebConnContext, e: WebConnEvent, out: ServerOut[]): WebConnContext => {
    const f = e as Ev<'phone.link.approve'>;
    out.push(toPhone(f.phone, { t: 'error', code: 'bad_state', detail: 'out of phase' }));
    out.push(toPhone(f.phone, { t: '$close', code: Close.protocol }));
    return c;
  },
  forwardOffer: (c: WebConnContext, e: WebConnEvent, out: ServerOut[]): WebConnContext => {
    const f = e as Ev<'phone.link.approve'>;
    // [LINK-5] pub and box unchanged, box never interpreted; what a faulty phone leaks, the server now holds.
    if (f.box.leak !== undefined) out.push({ type: 'learn', value: f.box.leak });
    out.push(toWeb(c, { t: 'offer', ref: f.ref, pub: f.pub, box: f.box }));
    return { ...c, refs: setRef(c, c.attempt, 'offered') };
  },
  forwardConfirm: (c: WebConnContext, e: WebConnEvent, out: ServerOut[]): WebConnContext => {
    const f = e as Ev<'confirm'>;
    if (c.claimer) out.push(toPhone(c.claimer, { t: 'link.confirm', ref: f.ref, tag: f.tag }));
    return { ...c, refs: setRef(c, c.attempt, 'confirmed') };
  },
  decline: (c: WebConnContext, _e: WebConnEvent, out: ServerOut[]) => endAttempt(c, 'declined', out),
  lapse: (c: WebConnContext, _e: WebConnEvent, out: ServerOut[]) => endAttempt(c, 'lapsed', out),
  phoneGone: (c: WebConnContext, _e: WebConnEvent, out: ServerOut[]) => endAttempt(c, 'phone_gone', out),
  abortAttempt: (c: WebConnContext, _e: WebConnEvent, out: ServerOut[]): WebConnContext => {
    // [LINK-12] kill the live ref (aborted: answered like expired), tell a claiming phone; [LINK-18] no
    // further ref, close 1000 with no error frame.
    const s = c.refs[c.attempt - 1];
    if (c.claimer && s !== 'pending')
      out.push(toPhone(c.claimer, { t: 'link.error', ref: refOf(c, c.attempt), reason: 'aborted' }));
    out.push(toWeb(c, { t: '$close', code: Close.normal }));
    return { ...c, refs: setRef(c, c.attempt, 'expired'), claimer: null, claimerAccount: null };
  },
  admit: (c: WebConnContext, _e: WebConnEvent, out: ServerOut[]): WebConnContext => {
    out.push({
      type: 'admit',
      conn: c.conn,
      account: c.claimerAccount ?? '',
      phone: c.claimer ?? 'P1',
      keep: c.keep,
      ref: refOf(c, c.attempt),
    });
    return { ...c, refs: setRef(c, c.attempt, 'used') };
  },
  bind: (c: WebConnContext, e: WebConnEvent): WebConnContext => ({ ...c, session: (e as Ev<'BOUND'>).session }),
  refuseResume: (c: WebConnContext, _e: WebConnEvent, out: ServerOut[]): WebConnContext => {
    out.push(toWeb(c, { t: 'error', code: 'unauthorized', detail: 'token' }));
    out.push(toWeb(c, { t: '$close', code: Close.unauthorized }));
    return c;
  },
  attach: (c: WebConnContext, e: WebConnEvent, out: ServerOut[]): WebConnContext => {
    const f = e as Ev<'attach'>;
    if (c.session) out.push({ type: 'toSession', session: c.session, event: { type: 'ATTACH', conn: c.conn, e: f.e } });
    return { ...c, epoch: f.e };
  },
  relayToPhone: (c: WebConnContext, e: WebConnEvent, out: ServerOut[]): WebConnContext => {
    const f = e as Ev<'to_phone'>;
    if (c.session)
      out.push({ type: 'toSession', session: c.session, event: { type: 'RELAY_W2P', e: f.e, n: f.n, c: f.c } });
    return c;
  },
  relayAck: (c: WebConnContext, e: WebConnEvent, out: ServerOut[]): WebConnContext => {
    const f = e as Ev<'ack'>;
    if (c.session) out.push({ type: 'toSession', session: c.session, event: { type: 'ACK_FROM_WEB', e: f.e, n: f.n } });
    return c;
  },
  logout: (c: WebConnContext, _e: WebConnEvent, out: ServerOut[]): WebConnContext => {
    if (c.session) out.push({ type: 'toSession', session: c.session, event: { type: 'LOGOUT', conn: c.conn } });
    return c;
  },
  detach: (c: WebConnContext, _e: WebConnEvent, out: ServerOut[]): WebConnContext => {
    if (c.session) out.push({ type: 'toSession', session: c.session, event: { type: 'DETACH', conn: c.conn } });
    return c;
  },
  revoke: (c: WebConnContext, e: WebConnEvent, out: ServerOut[]): WebConnContext => {
    const reason = (e as Ev<'REVOKE'>).reason;
    const code = { replaced: 4001, conflict: 4002, unlinked: 4003, reregistered: 4003, logout: 1000 }[reason];
    out.push(toWeb(c, { t: 'revoked', reason }));
    out.push(toWeb(c, { t: '$close', code }));
    return c;
  },
  webGone: (c: WebConnContext, _e: WebConnEvent, out: ServerOut[]) => killRefs(c, out),
  badState: (c: WebConnContext, e: WebConnEvent, out: ServerOut[]) =>
    badState(c, e.type === 'ATTACH_REFUSED' ? 'attach: epoch used before' : `${e.type} not allowed here`, out),
};
type A = keyof typeof effects;
type T = TransitionDef<G, A>;

const webFrameTypes = ['hello', 'resume', 'status', 'confirm', 'abort', 'attach', 'to_phone', 'ack', 'logout'] as const;

/**
 * Adds `bad_state` + 4000 for every web frame a state does not handle [ERR-6], and the close. In a
 * state holding a session, every `bad_state` close also closes the connection for the session
 * (`holder`: the clauses of its "connection closes" row), like a client close.
 */
function live(on: Record<string, T[]>, onClose: T[], holder: readonly string[] = []): Record<string, T[]> {
  const all: Record<string, T[]> = { ...on, $close: onClose };
  for (const t of webFrameTypes)
    all[t] ??= [{ target: 'closed', actions: ['badState'], clauses: ['ERR-6', 'LINK-16'] }];
  if (holder.length === 0) return all;
  const out: Record<string, T[]> = {};
  const frames: readonly string[] = webFrameTypes;
  for (const [k, ts] of Object.entries(all))
    out[k] = frames.includes(k)
      ? ts.map((t) => (t.actions?.includes('badState') ? { ...t, clauses: [...t.clauses, ...holder] } : t))
      : ts;
  return out;
}
/** [SESS-7] [SESS-8] [SESS-12] linked or resumed, not attached: the session ends, or (held) detaches silently. */
const admittedCloses = ['SESS-7', 'SESS-8', 'SESS-12'];
/** [RELAY-11] [SESS-8] [SESS-12] attached: web.detached and detached when kept, else the session ends. */
const attachedCloses = ['RELAY-11', 'SESS-8', 'SESS-12'];

const status: T[] = [{ actions: ['answerStatus'], clauses: ['QR-6', 'LATE-1'] }];
/** Phone frames about a ref that is not (or no longer) this phone's live claim. */
const phoneElse = (frame: string): T[] => [
  { guard: 'refDead', clauses: ['LATE-1', 'LATE-2'], description: `${frame} for a dead ref: ignored` },
  { guard: 'refLive', actions: ['phoneUnauthorized'], clauses: ['LINK-6'] },
  { actions: ['phoneUnknownRef'], clauses: ['LINK-6'] },
];
/**
 * The same once the connection's attempt is over (admitted, attached, closed): no ref of it is live
 * [QR-5]. A ref is issued only after the previous one died, the attempt ref is used (admitted,
 * attached) and a close kills the live ref [LINK-13] [LINK-12]; only fault ROTATED_REF_CLAIMABLE,
 * claiming the expired ref n-1 while ref n is pending, leaves ref n live there.
 */
const phoneElseAfterAttempt = (frame: string): T[] => [
  phoneElse(frame)[0] as T,
  {
    guard: ['refLive', 'rotatedRefClaimable'],
    actions: ['phoneUnauthorized'],
    clauses: ['LINK-6'],
    description: 'fault ROTATED_REF_CLAIMABLE: ref n still pending after ref n-1 was claimed',
  },
  phoneElse(frame)[2] as T,
];
const claimOnly: Record<string, T[]> = {
  'phone.link.claim': [
    {
      target: 'admitted',
      guard: ['claimsCurrent', 'admitOnClaim'],
      actions: ['admitNow'],
      clauses: ['LINK-11'],
      description: 'fault ADMIT_ON_CLAIM',
    },
    { target: 'claimed', guard: 'claimsCurrent', actions: ['claim'], clauses: ['LINK-1', 'QR-8', 'LINK-14'] },
    { actions: ['claimError'], clauses: ['LINK-2'] },
  ],
};
/** While an attempt runs: the end causes shared by claimed, offered and confirmed. */
const attemptEnds = (extra: Record<string, T[]>): Record<string, T[]> => ({
  ...extra,
  'phone.link.claim': [{ actions: ['claimError'], clauses: ['LINK-2'] }],
  'phone.link.decline': [
    {
      target: 'pending',
      guard: ['byClaimer', 'moreRefs'],
      actions: ['decline', 'issueNext'],
      clauses: ['LINK-4', 'QR-4'],
    },
    { target: 'closed', guard: 'byClaimer', actions: ['decline', 'exhaust'], clauses: ['LINK-4', 'QR-3'] },
    ...phoneElse('decline'),
  ],
  'CLOCK.CONSENT': [
    { target: 'pending', guard: 'moreRefs', actions: ['lapse', 'issueNext'], clauses: ['LINK-3', 'QR-4'] },
    { target: 'closed', actions: ['lapse', 'exhaust'], clauses: ['LINK-3', 'QR-3'] },
  ],
  PHONE_GONE: [
    {
      target: 'pending',
      guard: ['isClaimer', 'moreRefs'],
      actions: ['phoneGone', 'issueNext'],
      clauses: ['LINK-15', 'QR-4'],
    },
    { target: 'closed', guard: 'isClaimer', actions: ['phoneGone', 'exhaust'], clauses: ['LINK-15', 'QR-3'] },
  ],
  'phone.link.approve': extra['phone.link.approve'] ?? [
    { guard: 'byClaimer', actions: ['phoneBadState'], clauses: ['LINK-7'] },
    ...phoneElse('approve'),
  ],
  'phone.link.finalize': extra['phone.link.finalize'] ?? [
    { guard: 'byClaimer', actions: ['phoneBadState'], clauses: ['LINK-7'] },
    ...phoneElse('finalize'),
  ],
});
const lateConfirm: T[] = [
  { guard: 'lateForDeadRef', clauses: ['LATE-1', 'LATE-2'], description: 'confirm for a dead ref: ignored' },
  { target: 'closed', actions: ['badState'], clauses: ['ERR-6', 'LINK-17'] },
];
const lateAbort: T[] = [
  { guard: 'lateForDeadRef', clauses: ['LATE-1', 'LATE-2', 'LINK-18'], description: 'abort for a dead ref: ignored' },
  { target: 'closed', actions: ['badState'], clauses: ['ERR-6', 'LINK-18'], description: 'a ref never issued here' },
];
/** [LINK-12] [LINK-18] abort of the live ref (pending or in an attempt) kills it and closes 1000. */
const abort: T[] = [
  { target: 'closed', guard: 'abortsLiveRef', actions: ['abortAttempt'], clauses: ['LINK-12', 'LINK-18'] },
  ...lateAbort,
];
const strayConfirm: T[] = [
  {
    target: 'confirmed',
    guard: 'strayCross',
    actions: ['forwardConfirm'],
    clauses: ['TR-7'],
    description: 'fault CROSS_CONN_CONFIRM',
  },
];
/** [SESS-1] [SESS-3] [SESS-10] [REG-8] the session ended or moved elsewhere: revoked {reason} and the close. */
const revoke: T = { target: 'closed', actions: ['revoke'], clauses: ['SESS-1', 'SESS-3', 'SESS-10', 'REG-8', 'ERR-7'] };
const closeKillsRefs: T[] = [{ target: 'closed', actions: ['webGone'], clauses: ['LINK-13'] }];
const phoneAfterAttempt: Record<string, T[]> = {
  'phone.link.claim': [{ actions: ['claimError'], clauses: ['LINK-2'] }],
  'phone.link.decline': phoneElseAfterAttempt('decline'),
  'phone.link.approve': phoneElseAfterAttempt('approve'),
  'phone.link.finalize': phoneElseAfterAttempt('finalize'),
};

export const webConnChart = defineChart<WebConnContext, WebConnEvent, ServerOut, G, A>({
  id: 'server-web-connection',
  initial: 'fresh',
  context: webConnContext('A1', 6, 0),
  guards,
  effects,
  states: {
    fresh: {
      description: 'connection open, waiting for hello or resume',
      on: live(
        {
          hello: [
            { target: 'pending', guard: 'versionOk', actions: ['greet'], clauses: ['QR-1', 'LINK-16'] },
            { target: 'closed', actions: ['refuseVersion'], clauses: ['ERR-9'] },
          ],
          resume: [{ target: 'resuming', actions: ['askSession'], clauses: ['SESS-2', 'LINK-16'] }],
          status: [{ target: 'closed', actions: ['badState'], clauses: ['LINK-16'] }],
        },
        // A connection is made by its first frame and handles it at once, so it stays fresh only
        // when fault CROSS_CONN_CONFIRM routes that first frame (a confirm) to another connection.
        [{ target: 'closed', clauses: ['TR-6'], description: 'fault CROSS_CONN_CONFIRM: closed before any frame' }],
      ),
    },
    pending: {
      description: 'ref n live and pending; QR TTL running',
      on: live(
        {
          ...claimOnly,
          status,
          confirm: lateConfirm,
          abort,
          'stray.confirm': strayConfirm,
          'CLOCK.QR_TTL': [
            { target: 'pending', guard: 'moreRefs', actions: ['expire', 'issueNext'], clauses: ['QR-3', 'QR-5'] },
            { target: 'closed', actions: ['expire', 'exhaust'], clauses: ['QR-3'] },
          ],
          'phone.link.decline': phoneElse('decline'),
          'phone.link.approve': phoneElse('approve'),
          'phone.link.finalize': phoneElse('finalize'),
        },
        closeKillsRefs,
      ),
    },
    claimed: {
      description: 'claimed by one phone; consent timer running, QR TTL stopped',
      on: live(
        attemptEnds({
          status,
          confirm: lateConfirm,
          abort,
          'phone.link.approve': [
            {
              target: 'offered',
              guard: 'byClaimer',
              actions: ['forwardOffer'],
              clauses: ['LINK-5', 'LINK-14', 'E2E-16'],
            },
            ...phoneElse('approve'),
          ],
        }),
        closeKillsRefs,
      ),
    },
    offered: {
      description: 'offer forwarded to the web; waiting for confirm',
      on: live(
        attemptEnds({
          status,
          confirm: [
            { target: 'confirmed', guard: 'confirmsOffer', actions: ['forwardConfirm'], clauses: ['LINK-8'] },
            ...lateConfirm,
          ],
          'stray.confirm': strayConfirm,
          abort,
        }),
        closeKillsRefs,
      ),
    },
    confirmed: {
      description: 'link.confirm forwarded; waiting for link.finalize',
      on: live(
        attemptEnds({
          status,
          confirm: lateConfirm,
          abort,
          'phone.link.finalize': [
            { target: 'admitted', guard: 'byClaimer', actions: ['admit'], clauses: ['LINK-9', 'LINK-11'] },
            ...phoneElse('finalize'),
          ],
        }),
        closeKillsRefs,
      ),
    },
    resuming: {
      // Transient: the server resolves the resume within the same step (RESUMED or RESUME_FAILED),
      // so no other event ever finds a connection here.
      description: 'resume {token} handed to its session (within the step that received it)',
      on: {
        RESUMED: [{ target: 'admitted', actions: ['bind'], clauses: ['SESS-2', 'SESS-4'] }],
        RESUME_FAILED: [{ target: 'closed', actions: ['refuseResume'], clauses: ['SESS-2', 'SESS-5'] }],
      },
    },
    admitted: {
      description: 'linked or resumed sent; waiting for attach',
      on: live(
        {
          ...phoneAfterAttempt,
          status,
          confirm: lateConfirm,
          abort: lateAbort,
          BOUND: [{ actions: ['bind'], clauses: ['LINK-9'] }],
          attach: [{ target: 'attached', actions: ['attach'], clauses: ['RELAY-1', 'RELAY-2'] }],
          logout: [{ target: 'closed', actions: ['logout'], clauses: ['SESS-9'] }],
          REVOKE: [revoke],
        },
        [{ target: 'closed', actions: ['detach'], clauses: admittedCloses }],
        admittedCloses,
      ),
    },
    attached: {
      description: 'attached with epoch e; relaying',
      on: live(
        {
          ...phoneAfterAttempt,
          status,
          confirm: lateConfirm,
          abort: lateAbort,
          to_phone: [
            { guard: 'epochIsOurs', actions: ['relayToPhone'], clauses: ['RELAY-4', 'RELAY-5'] },
            { target: 'closed', actions: ['badState'], clauses: ['RELAY-3'] },
          ],
          ack: [
            { guard: 'epochIsOurs', actions: ['relayAck'], clauses: ['RELAY-6'] },
            { target: 'closed', actions: ['badState'], clauses: ['RELAY-16'] },
          ],
          // Only a resumed connection can repeat an epoch: its held session detaches silently.
          ATTACH_REFUSED: [{ target: 'closed', actions: ['badState'], clauses: ['RELAY-1', 'SESS-12'] }],
          logout: [{ target: 'closed', actions: ['logout'], clauses: ['SESS-9'] }],
          REVOKE: [revoke],
        },
        [{ target: 'closed', actions: ['detach'], clauses: attachedCloses }],
        attachedCloses,
      ),
    },
    closed: {
      description: 'closed (by either side): nothing more is processed [TR-6]; its refs are tombstones',
      on: { ...phoneAfterAttempt },
    },
  },
});
