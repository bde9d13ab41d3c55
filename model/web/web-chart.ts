/**
 * The web client (one browser tab) as a statechart. Events: what the server sends down the
 * connection, the connection's end (`$close`) and the user's actions (`USER.*`). Emitted: frames up
 * the connection (`send`), the shared storage writes (`store`, `wipe`) and what the app shows
 * (`accept`: a relay message opened and delivered).
 */
import type { WebDown, WebUp } from '../abstract/frames.js';
import { type AbsCipher, linkKey, qrFor, relayKey, type Tab, webConnId } from '../abstract/values.js';
import { defineChart, type TransitionDef } from '../chart/chart.js';
import { Close } from '../protocol/codes.js';
import { type FaultMask, has } from '../system/faults.js';

/**
 * One record of a browser's shared storage (keep: true only; one per session, E2E-14): the resume
 * token, the link's root key and the logout-pending mark of WEB-6.
 */
export interface Stored {
  readonly token: string;
  readonly root: string;
  /** [WEB-6] `logout` was sent for this session and `revoked {reason: "logout"}` has not arrived. */
  readonly logout: boolean;
}

export interface WebContext {
  readonly tab: Tab;
  /** Number of this tab's current connection (0 before the first). */
  readonly conn: number;
  readonly keep: boolean;
  /** The ref of the QR on screen. */
  readonly ref: string | null;
  /** The link key derived from a good offer. */
  readonly root: string | null;
  readonly boxAccount: string | null;
  /** The resume token this tab presented or stored (what it may wipe). */
  readonly token: string | null;
  readonly sessionId: string | null;
  readonly accountId: string | null;
  readonly epoch: string | null;
  readonly sendN: number;
  readonly hw: number;
  readonly phoneOnline: boolean;
  /** Last thing shown as an error or end reason (close code, revoked reason, abort reason). */
  readonly shown: string | null;
  readonly faults: FaultMask;
}

export type WebUserEvent =
  | { readonly type: 'USER.OPEN'; readonly keep: boolean; readonly stored: Stored | null }
  | { readonly type: 'USER.CLOSE' }
  | { readonly type: 'USER.LOGOUT' }
  | { readonly type: 'USER.SEND'; readonly m: string };
export type WebEvent = WebDown extends infer F ? (F extends { t: infer T } ? F & { readonly type: T } : never) : never;
export type WebChartEvent = WebEvent | WebUserEvent;

export type WebOut =
  | { readonly type: 'send'; readonly frame: WebUp }
  | { readonly type: 'store'; readonly stored: Stored }
  /** [SESS-14] Delete the stored record whose token is still `token` (`*`: every record, fault WIPE_ON_CONFLICT). */
  | { readonly type: 'wipe'; readonly token: string }
  /** [WEB-6] Mark the stored record of `session` logout-pending. */
  | { readonly type: 'markLogout'; readonly session: string }
  | { readonly type: 'accept'; readonly session: string; readonly c: AbsCipher };

type Ev<T extends WebChartEvent['type']> = Extract<WebChartEvent, { type: T }>;

export function webContext(tab: Tab, faults: FaultMask): WebContext {
  return {
    tab,
    conn: 0,
    keep: false,
    ref: null,
    root: null,
    boxAccount: null,
    token: null,
    sessionId: null,
    accountId: null,
    epoch: null,
    sendN: 1,
    hw: 0,
    phoneOnline: false,
    shown: null,
    faults,
  };
}

const connId = (c: WebContext) => webConnId(c.tab, c.conn);
const perEpoch = (c: WebContext) => !has(c.faults, 'F1');

const guards = {
  hasStoredToken: (_c: WebContext, e: WebChartEvent) => (e as Ev<'USER.OPEN'>).stored !== null,
  storedLogoutPending: (_c: WebContext, e: WebChartEvent) => (e as Ev<'USER.OPEN'>).stored?.logout === true,
  offerOpens: (c: WebContext, e: WebChartEvent) => {
    const o = e as Ev<'offer'>;
    if (o.ref !== c.ref) return false;
    const qr = qrFor(o.ref);
    return o.box.k === linkKey(o.ref, qr.webPub, o.pub, qr.linkSecret);
  },
  isOurRef: (c: WebContext, e: WebChartEvent) => (e as Ev<'scanned'>).ref === c.ref,
  accountMatchesBox: (c: WebContext, e: WebChartEvent) => (e as Ev<'linked'>).accountId === c.boxAccount,
  noConfirmFault: (c: WebContext) => !has(c.faults, 'WEB_NO_CONFIRM'),
  relayOpens: (c: WebContext, e: WebChartEvent) => {
    const f = e as Ev<'from_phone'>;
    if (c.root === null || c.epoch === null || f.n !== f.c.n || f.n <= c.hw) return false;
    // [E2E-13] only our own epoch's key opens it; F2 switches the epoch binding off.
    if (has(c.faults, 'F2')) return f.c.k.startsWith(`${c.root}|`) && f.c.k.endsWith('p2w');
    return f.e === c.epoch && f.c.k === relayKey(c.root, c.epoch, 'p2w', perEpoch(c));
  },
  unauthorizedClose: (_c: WebContext, e: WebChartEvent) => (e as Ev<'$close'>).code === Close.unauthorized,
};
type WebGuard = keyof typeof guards;

const effects = {
  openHello: (c: WebContext, e: WebChartEvent, out: WebOut[]): WebContext => {
    const keep = (e as Ev<'USER.OPEN'>).keep;
    out.push({ type: 'send', frame: { t: 'hello', v: 1, device: { name: `tab ${c.tab}`, platform: 'web' }, keep } });
    return { ...webContext(c.tab, c.faults), conn: c.conn + 1, keep };
  },
  openResume: (c: WebContext, e: WebChartEvent, out: WebOut[]): WebContext => {
    const stored = (e as Ev<'USER.OPEN'>).stored as Stored;
    out.push({ type: 'send', frame: { t: 'resume', token: stored.token } });
    return { ...webContext(c.tab, c.faults), conn: c.conn + 1, keep: true, root: stored.root, token: stored.token };
  },
  openResumeLogout: (c: WebContext, e: WebChartEvent, out: WebOut[]): WebContext => {
    // [WEB-6] a logout-pending record: resume it and send logout before anything else.
    const stored = (e as Ev<'USER.OPEN'>).stored as Stored;
    out.push({ type: 'send', frame: { t: 'resume', token: stored.token } });
    out.push({ type: 'send', frame: { t: 'logout' } });
    return { ...webContext(c.tab, c.faults), conn: c.conn + 1, keep: true, token: stored.token, shown: 'logout' };
  },
  showQr: (c: WebContext, e: WebChartEvent): WebContext => ({
    ...c,
    ref: (e as Ev<'qr'>).ref,
    root: null,
    boxAccount: null,
  }),
  forgetQr: (c: WebContext): WebContext => ({ ...c, ref: null }),
  sendConfirm: (c: WebContext, e: WebChartEvent, out: WebOut[]): WebContext => {
    const o = e as Ev<'offer'>;
    const qr = qrFor(o.ref);
    const root = linkKey(o.ref, qr.webPub, o.pub, qr.linkSecret);
    out.push({ type: 'send', frame: { t: 'confirm', ref: o.ref, tag: `T(${root},${o.box.k},${o.box.account})` } });
    return { ...c, root, boxAccount: o.box.account };
  },
  keepOffer: (c: WebContext, e: WebChartEvent): WebContext => {
    const o = e as Ev<'offer'>;
    const qr = qrFor(o.ref);
    return { ...c, root: linkKey(o.ref, qr.webPub, o.pub, qr.linkSecret), boxAccount: o.box.account };
  },
  abortBadBox: (c: WebContext, e: WebChartEvent, out: WebOut[]) => abort(c, (e as Ev<'offer'>).ref, 'bad_box', out),
  abortSecondOffer: (c: WebContext, e: WebChartEvent, out: WebOut[]) =>
    abort(c, (e as Ev<'offer'>).ref, 'second_offer', out),
  abortBadOffer: (c: WebContext, e: WebChartEvent, out: WebOut[]) => abort(c, (e as Ev<'offer'>).ref, 'bad_offer', out),
  attachLinked: (c: WebContext, e: WebChartEvent, out: WebOut[]): WebContext => {
    const l = e as Ev<'linked'> | Ev<'resumed'>;
    const epoch = `e${connId(c)}`;
    // [E2E-15] a token is stored only with keep; [E2E-14] with it only the root key (see model/README.md).
    const stores = l.token !== undefined && (c.keep || has(c.faults, 'TOKEN_WITHOUT_KEEP')) && c.root !== null;
    if (stores && l.token !== undefined && c.root !== null)
      out.push({ type: 'store', stored: { token: l.token, root: c.root, logout: false } });
    out.push({ type: 'send', frame: { t: 'attach', e: epoch } });
    return {
      ...c,
      sessionId: l.sessionId,
      accountId: l.accountId,
      epoch,
      sendN: 1,
      hw: 0,
      ref: null,
      token: stores ? (l.token ?? null) : c.token,
    };
  },
  logoutMismatch: (c: WebContext, _e: WebChartEvent, out: WebOut[]): WebContext => {
    out.push({ type: 'send', frame: { t: 'logout' } });
    out.push({ type: 'send', frame: { t: '$close', code: Close.normal } });
    return { ...c, shown: 'account_mismatch', root: null };
  },
  notePhone: (c: WebContext, e: WebChartEvent): WebContext => ({ ...c, phoneOnline: (e as Ev<'phone'>).online }),
  acceptRelay: (c: WebContext, e: WebChartEvent, out: WebOut[]): WebContext => {
    const f = e as Ev<'from_phone'>;
    out.push({ type: 'accept', session: c.sessionId ?? '?', c: f.c });
    out.push({ type: 'send', frame: { t: 'ack', e: c.epoch ?? f.e, n: f.n } });
    return { ...c, hw: f.n };
  },
  sealAndSend: (c: WebContext, e: WebChartEvent, out: WebOut[]): WebContext => {
    const m = (e as Ev<'USER.SEND'>).m;
    const epoch = c.epoch ?? '';
    const k = relayKey(c.root ?? '', epoch, 'w2p', perEpoch(c));
    out.push({ type: 'send', frame: { t: 'to_phone', e: epoch, n: c.sendN, c: { k, n: c.sendN, m } } });
    return { ...c, sendN: c.sendN + 1 };
  },
  showRevoked: (c: WebContext, e: WebChartEvent, out: WebOut[]): WebContext => {
    const reason = (e as Ev<'revoked'>).reason;
    // [SESS-14] [WEB-3] on conflict the session lives on in the connection that took it over, which
    // presented the stored token and owns the record: leave storage alone. On any other reason delete
    // the record only if its token is still this connection's (compare-and-delete). Fault
    // WIPE_ON_CONFLICT is the text before 1.0.2: wipe whatever is stored.
    if (has(c.faults, 'WIPE_ON_CONFLICT')) out.push({ type: 'wipe', token: '*' });
    else if (reason !== 'conflict' && c.token !== null) out.push({ type: 'wipe', token: c.token });
    return { ...c, shown: (e as Ev<'revoked'>).reason, root: null, epoch: null };
  },
  logout: (c: WebContext, _e: WebChartEvent, out: WebOut[]): WebContext => {
    out.push({ type: 'send', frame: { t: 'logout' } });
    // [WEB-6] keep the record, marked logout-pending, until revoked {logout} (SESS-14 deletes it then).
    // Fault WIPE_ON_LOGOUT_SEND is the text before 1.0.2: delete the record when logout is sent.
    if (c.token !== null) {
      if (has(c.faults, 'WIPE_ON_LOGOUT_SEND')) out.push({ type: 'wipe', token: c.token });
      else if (c.sessionId !== null) out.push({ type: 'markLogout', session: c.sessionId });
    }
    return { ...c, shown: 'logout', root: null, epoch: null };
  },
  closeByUser: (c: WebContext, _e: WebChartEvent, out: WebOut[]): WebContext => {
    out.push({ type: 'send', frame: { t: '$close', code: Close.normal } });
    return { ...c, ref: null, epoch: null, shown: 'closed' };
  },
  connectionEnded: (c: WebContext, e: WebChartEvent): WebContext => ({
    ...c,
    ref: null,
    epoch: null,
    shown: c.shown ?? String((e as Ev<'$close'>).code),
  }),
  wipeUnauthorized: (c: WebContext, _e: WebChartEvent, out: WebOut[]): WebContext => {
    out.push({ type: 'wipe', token: has(c.faults, 'WIPE_ON_CONFLICT') ? '*' : (c.token ?? '') });
    return { ...c, root: null, epoch: null, shown: '4401' };
  },
  noteError: (c: WebContext, e: WebChartEvent): WebContext => ({ ...c, shown: (e as Ev<'error'>).code }),
};
type WebEffect = keyof typeof effects;

function abort(
  c: WebContext,
  ref: string,
  reason: 'bad_box' | 'second_offer' | 'bad_offer',
  out: WebOut[],
): WebContext {
  // [E2E-6] abort, show the error, close; the user (or the page) opens a fresh connection.
  out.push({ type: 'send', frame: { t: 'abort', ref, reason } });
  out.push({ type: 'send', frame: { t: '$close', code: Close.normal } });
  return { ...c, shown: reason, ref: null, root: null };
}

type T = TransitionDef<WebGuard, WebEffect>;
const on = (transitions: Record<string, T[]>) => transitions;
/** What every connected state does with the connection's end and the user closing the tab. */
const connected = (extra: Record<string, T[]>): Record<string, T[]> => ({
  ...extra,
  'USER.CLOSE': [{ target: 'idle', actions: ['closeByUser'], clauses: ['SESS-8'] }],
  $close: extra.$close ?? [{ target: 'idle', actions: ['connectionEnded'], clauses: ['ERR-7'] }],
  error: extra.error ?? [{ actions: ['noteError'], clauses: ['ERR-6'] }],
});

export const webChart = defineChart<WebContext, WebChartEvent, WebOut, WebGuard, WebEffect>({
  id: 'web',
  initial: 'idle',
  context: webContext('A', 0),
  guards,
  effects,
  states: {
    idle: {
      description: 'no connection (tab closed, or the connection ended)',
      on: on({
        'USER.OPEN': [
          {
            target: 'loggedOut',
            guard: 'storedLogoutPending',
            actions: ['openResumeLogout'],
            clauses: ['WEB-6', 'SESS-2', 'SESS-9'],
          },
          { target: 'resuming', guard: 'hasStoredToken', actions: ['openResume'], clauses: ['SESS-2', 'LINK-16'] },
          { target: 'connecting', actions: ['openHello'], clauses: ['LINK-16'] },
        ],
      }),
    },
    connecting: {
      description: 'hello sent (or attempt ended), waiting for a fresh qr',
      on: connected({
        qr: [{ target: 'qr', actions: ['showQr'], clauses: ['QR-1', 'WEB-1', 'E2E-1'] }],
        'qr.exhausted': [{ target: 'ended', clauses: ['QR-3'] }],
      }),
    },
    qr: {
      description: 'showing QR n of `of`',
      on: connected({
        qr: [{ target: 'qr', actions: ['showQr'], clauses: ['QR-3', 'WEB-1', 'E2E-1'] }],
        scanned: [{ target: 'scanned', guard: 'isOurRef', clauses: ['LINK-1'] }],
        offer: [{ target: 'idle', actions: ['abortBadOffer'], clauses: ['E2E-6'] }],
        'qr.exhausted': [{ target: 'ended', actions: ['forgetQr'], clauses: ['QR-3', 'WEB-1'] }],
      }),
    },
    scanned: {
      description: 'a phone claimed the ref; waiting for its user',
      on: connected({
        offer: [
          {
            target: 'confirming',
            guard: ['offerOpens', 'noConfirmFault'],
            actions: ['sendConfirm'],
            clauses: ['E2E-7', 'LINK-8'],
          },
          {
            target: 'confirming',
            guard: 'offerOpens',
            actions: ['keepOffer'],
            clauses: ['E2E-7'],
            description: 'fault WEB_NO_CONFIRM',
          },
          { target: 'idle', actions: ['abortBadBox'], clauses: ['E2E-6'] },
        ],
        declined: [{ target: 'connecting', actions: ['forgetQr'], clauses: ['LINK-3', 'LINK-4', 'LINK-15', 'WEB-1'] }],
      }),
    },
    confirming: {
      description: 'box opened, confirm sent; waiting for linked',
      on: connected({
        offer: [{ target: 'idle', actions: ['abortSecondOffer'], clauses: ['E2E-6'] }],
        declined: [{ target: 'connecting', actions: ['forgetQr'], clauses: ['LINK-3', 'LINK-4', 'LINK-15'] }],
        linked: [
          {
            target: 'linked',
            guard: 'accountMatchesBox',
            actions: ['attachLinked'],
            clauses: ['E2E-9', 'E2E-10', 'RELAY-1', 'E2E-15'],
          },
          { target: 'loggedOut', actions: ['logoutMismatch'], clauses: ['E2E-9', 'WEB-2'] },
        ],
      }),
    },
    resuming: {
      description: 'resume {token} sent',
      on: connected({
        resumed: [{ target: 'linked', actions: ['attachLinked'], clauses: ['SESS-4', 'E2E-10', 'RELAY-1'] }],
        $close: [
          { target: 'idle', guard: 'unauthorizedClose', actions: ['wipeUnauthorized'], clauses: ['SESS-2', 'SESS-14'] },
          { target: 'idle', actions: ['connectionEnded'], clauses: ['ERR-7'] },
        ],
      }),
    },
    linked: {
      description: 'linked or resumed; attach {e} sent; relaying',
      on: connected({
        phone: [{ actions: ['notePhone'], clauses: ['RELAY-10'] }],
        from_phone: [
          { guard: 'relayOpens', actions: ['acceptRelay'], clauses: ['E2E-13', 'RELAY-6'] },
          { clauses: ['E2E-13'], description: 'dropped: not our epoch, replayed, or does not open' },
        ],
        acked: [{ clauses: ['RELAY-6'] }],
        queue_full: [{ clauses: ['RELAY-15'] }],
        'USER.SEND': [{ actions: ['sealAndSend'], clauses: ['E2E-12', 'RELAY-4'] }],
        'USER.LOGOUT': [{ target: 'loggedOut', actions: ['logout'], clauses: ['SESS-9', 'WEB-6'] }],
        revoked: [{ target: 'revoked', actions: ['showRevoked'], clauses: ['SESS-14', 'WEB-3'] }],
      }),
    },
    revoked: {
      description: 'revoked: keys dropped, record deleted unless conflict (SESS-14), reason shown',
      on: connected({}),
    },
    loggedOut: {
      description:
        'logout sent (after linked, or pipelined after resume of a logout-pending record); keys dropped, record kept marked until revoked',
      on: connected({
        revoked: [{ actions: ['showRevoked'], clauses: ['SESS-9', 'SESS-14', 'WEB-6'] }],
        $close: [
          { target: 'idle', guard: 'unauthorizedClose', actions: ['wipeUnauthorized'], clauses: ['SESS-2', 'SESS-14'] },
          { target: 'idle', actions: ['connectionEnded'], clauses: ['ERR-7', 'WEB-6'] },
        ],
      }),
    },
    ended: { description: 'every ref used up (qr.exhausted)', on: connected({}) },
  },
});
