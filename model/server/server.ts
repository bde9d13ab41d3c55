/**
 * The server: its entity charts (one per phone number, one per web connection, one per session)
 * and the routing between them. `serverStep` is the oracle's unit: one input (a frame from a peer,
 * a timer firing, a connection ending) in, the frames the server sends to each peer out.
 */
import type { PhoneDown, PhoneUp, WebDown, WebUp } from '../abstract/frames.js';
import { connOfRef, type PhoneId, parseToken, sessionId } from '../abstract/values.js';
import { type ChartState, stepChart } from '../chart/chart.js';
import { Close } from '../protocol/codes.js';
import { type FaultMask, has } from '../system/faults.js';
import { type PhoneRegContext, type PhoneRegEvent, phoneRegChart, phoneRegContext } from './phone-reg-chart.js';
import type { ServerOut } from './server-out.js';
import { type SessionContext, type SessionEvent, sessionChart, sessionContext } from './session-chart.js';
import { type WebConnContext, type WebConnEvent, webConnChart, webConnContext } from './web-conn-chart.js';

export interface ServerConfig {
  /** qrMaxRefs. */
  readonly refs: number;
  readonly sessionLimit: number;
  readonly faults: FaultMask;
}

export interface ConnEntry {
  readonly id: string;
  readonly state: ChartState<WebConnContext>;
}

export interface ServerState {
  readonly phones: readonly ChartState<PhoneRegContext>[];
  /** Whether each phone has a connection open (any state). */
  readonly phoneConn: readonly boolean[];
  readonly conns: readonly ConnEntry[];
  readonly sessions: readonly ChartState<SessionContext>[];
  /** Secret values the server has received (must stay empty) [E2E-16]. */
  readonly knows: readonly string[];
}

export type ServerInput =
  | { readonly kind: 'web'; readonly conn: string; readonly frame: WebUp }
  | { readonly kind: 'phone'; readonly phone: PhoneId; readonly frame: PhoneUp }
  | { readonly kind: 'clock'; readonly timer: 'QR_TTL' | 'CONSENT'; readonly conn: string };

/** A frame the server sends, to whom. `$close` marks the server closing that connection. */
export type ServerDelivery =
  | { readonly kind: 'web'; readonly conn: string; readonly frame: WebDown }
  | { readonly kind: 'phone'; readonly phone: PhoneId; readonly frame: PhoneDown };

/** One entity transition taken while handling an input (for coverage and traces). */
export interface Fired {
  readonly entity: string;
  readonly transition: string;
  readonly clauses: readonly string[];
}

export interface ServerStepResult {
  readonly state: ServerState;
  readonly out: ServerDelivery[];
  readonly fired: Fired[];
}

export const phoneIds: readonly PhoneId[] = ['P1', 'P2'];
const numbers: Record<PhoneId, string> = { P1: '+15550000001', P2: '+15550000002' };

export function initialServer(phones: number): ServerState {
  return {
    phones: phoneIds.slice(0, phones).map((p) => ({ value: 'noAccount', context: phoneRegContext(p, numbers[p]) })),
    phoneConn: phoneIds.slice(0, phones).map(() => false),
    conns: [],
    sessions: [],
    knows: [],
  };
}

/** Mutable working copy for one step (the input state is never mutated). */
interface Work {
  phones: ChartState<PhoneRegContext>[];
  phoneConn: boolean[];
  conns: ConnEntry[];
  sessions: ChartState<SessionContext>[];
  knows: string[];
  out: ServerDelivery[];
  fired: Fired[];
  config: ServerConfig;
}

/** Handles one input; returns the next state and what the server sent. */
export function serverStep(state: ServerState, input: ServerInput, config: ServerConfig): ServerStepResult {
  const w: Work = {
    phones: [...state.phones],
    phoneConn: [...state.phoneConn],
    conns: [...state.conns],
    sessions: [...state.sessions],
    knows: [...state.knows],
    out: [],
    fired: [],
    config,
  };
  if (input.kind === 'web') webInput(w, input.conn, input.frame);
  else if (input.kind === 'phone') phoneInput(w, input.phone, input.frame);
  else toConn(w, input.conn, { type: input.timer === 'QR_TTL' ? 'CLOCK.QR_TTL' : 'CLOCK.CONSENT' });
  return {
    state: { phones: w.phones, phoneConn: w.phoneConn, conns: w.conns, sessions: w.sessions, knows: w.knows },
    out: w.out,
    fired: w.fired,
  };
}

/** The timers running in a state: the QR TTL of a pending ref, the consent timer of a claim. */
export function runningTimers(state: ServerState): { timer: 'QR_TTL' | 'CONSENT'; conn: string }[] {
  const list: { timer: 'QR_TTL' | 'CONSENT'; conn: string }[] = [];
  for (const c of state.conns) {
    const v = c.state.value;
    if (v === 'pending') list.push({ timer: 'QR_TTL', conn: c.id });
    else if (v === 'claimed' || v === 'offered' || v === 'confirmed') list.push({ timer: 'CONSENT', conn: c.id });
  }
  return list;
}

function webInput(w: Work, conn: string, frame: WebUp): void {
  if (!w.conns.some((c) => c.id === conn)) {
    if (frame.t === '$close') return;
    const entry = {
      id: conn,
      state: { value: 'fresh', context: webConnContext(conn, w.config.refs, w.config.faults) },
    };
    w.conns.push(entry);
    w.conns.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  if (frame.t === 'confirm' && has(w.config.faults, 'CROSS_CONN_CONFIRM')) {
    const owner = connOfRef(frame.ref);
    if (owner !== conn && w.conns.some((c) => c.id === owner)) {
      toConn(w, owner, { ...frame, type: 'stray.confirm' });
      return;
    }
  }
  toConn(w, conn, { ...frame, type: frame.t } as WebConnEvent);
}

function phoneIndex(phone: PhoneId): number {
  return phone === 'P1' ? 0 : 1;
}

function phoneInput(w: Work, phone: PhoneId, frame: PhoneUp): void {
  const i = phoneIndex(phone);
  const reg = w.phones[i];
  if (!reg) return;
  if (frame.t === '$close') {
    w.phoneConn[i] = false;
    toPhoneReg(w, i, { type: '$close', t: '$close', code: frame.code });
    return;
  }
  if (!w.phoneConn[i]) w.phoneConn[i] = true;
  if (frame.t === 'register' || frame.t === 'register.verify' || frame.t === 'auth') {
    toPhoneReg(w, i, { ...frame, type: frame.t } as PhoneRegEvent);
    return;
  }
  const account = reg.context.account;
  if (reg.value !== 'online') {
    // [REG-11] a frame needing authentication on an unauthenticated connection.
    send(w, { kind: 'phone', phone, frame: { t: 'error', code: 'unauthorized', detail: frame.t } });
    closePhone(w, i, Close.unauthorized);
    return;
  }
  switch (frame.t) {
    case 'link.claim':
    case 'link.decline':
    case 'link.approve':
    case 'link.finalize': {
      const owner = connOfRef(frame.ref);
      if (!w.conns.some((c) => c.id === owner)) {
        // [LINK-2] [LINK-6] a ref never issued.
        send(w, { kind: 'phone', phone, frame: { t: 'link.error', ref: frame.ref, reason: 'unknown_ref' } });
        return;
      }
      toConn(w, owner, { ...frame, type: `phone.${frame.t}`, phone, account } as WebConnEvent);
      return;
    }
    case 'to_web':
    case 'ack': {
      const k = w.sessions.findIndex((s) => s.context.id === frame.sessionId && s.context.account === account);
      if (k < 0) {
        // [RELAY-8] a session never of this account.
        send(w, { kind: 'phone', phone, frame: { t: 'error', code: 'bad_state', detail: 'unknown session' } });
        closePhone(w, i, Close.protocol);
        return;
      }
      const ev: SessionEvent =
        frame.t === 'to_web'
          ? { type: 'phone.to_web', e: frame.e, n: frame.n, c: frame.c }
          : { type: 'phone.ack', e: frame.e, n: frame.n };
      toSession(w, k, ev);
      return;
    }
    case 'unlink':
    case 'unlink_all': {
      const ended: string[] = [];
      for (let k = 0; k < w.sessions.length; k++) {
        const s = w.sessions[k] as ChartState<SessionContext>;
        if (s.context.account !== account || s.value === 'ended' || s.value === 'new') continue;
        if (frame.t === 'unlink' && s.context.id !== frame.sessionId) continue;
        toSession(w, k, { type: 'UNLINK' });
        ended.push(s.context.id);
      }
      send(w, { kind: 'phone', phone, frame: { t: 'unlinked', sessionIds: ended } });
      return;
    }
  }
}

function closePhone(w: Work, i: number, code: number): void {
  const phone = phoneIds[i] as PhoneId;
  send(w, { kind: 'phone', phone, frame: { t: '$close', code } });
}

function send(w: Work, d: ServerDelivery): void {
  if (d.kind === 'phone') {
    const i = phoneIndex(d.phone);
    if (!w.phoneConn[i]) return;
    w.out.push(d);
    if (d.frame.t === '$close') {
      w.phoneConn[i] = false;
      toPhoneReg(w, i, { type: 'SERVER_CLOSED' });
    }
    return;
  }
  w.out.push(d);
}

function toPhoneReg(w: Work, i: number, event: PhoneRegEvent): void {
  const s = w.phones[i] as ChartState<PhoneRegContext>;
  const r = stepChart(phoneRegChart, s, event);
  if (!r) return;
  w.phones[i] = r.state;
  w.fired.push({ entity: `phone ${s.context.phone}`, transition: r.transition, clauses: r.clauses });
  for (const o of r.out) handle(w, o);
}

function toConn(w: Work, conn: string, event: WebConnEvent): void {
  const k = w.conns.findIndex((c) => c.id === conn);
  const entry = w.conns[k];
  if (!entry) return;
  const r = stepChart(webConnChart, entry.state, event);
  if (!r) return;
  w.conns[k] = { id: conn, state: r.state };
  w.fired.push({ entity: `conn ${conn}`, transition: r.transition, clauses: r.clauses });
  for (const o of r.out) handle(w, o);
}

function toSession(w: Work, k: number, event: SessionEvent): void {
  const s = w.sessions[k];
  if (!s) return;
  const r = stepChart(sessionChart, s, event);
  if (!r) return;
  w.sessions[k] = r.state;
  w.fired.push({ entity: `session ${s.context.id}`, transition: r.transition, clauses: r.clauses });
  for (const o of r.out) handle(w, o);
}

function handle(w: Work, o: ServerOut): void {
  switch (o.type) {
    case 'web':
      send(w, { kind: 'web', conn: o.conn, frame: o.frame });
      return;
    case 'phone':
      send(w, { kind: 'phone', phone: o.phone, frame: o.frame.t === 'auth.ok' ? withSessions(w, o.frame) : o.frame });
      return;
    case 'account': {
      const i = w.phones.findIndex((p) => p.context.account === o.account);
      if (i >= 0 && w.phones[i]?.value === 'online')
        send(w, { kind: 'phone', phone: phoneIds[i] as PhoneId, frame: o.frame });
      return;
    }
    case 'admit':
      admit(w, o);
      return;
    case 'resume': {
      const tok = parseToken(o.token);
      const k = tok ? w.sessions.findIndex((s) => s.context.id === tok.session) : -1;
      if (!tok || k < 0) toConn(w, o.conn, { type: 'RESUME_FAILED' });
      else toSession(w, k, { type: 'RESUME', conn: o.conn, version: tok.version });
      return;
    }
    case 'toSession': {
      const k = w.sessions.findIndex((s) => s.context.id === o.session);
      toSession(w, k, o.event);
      return;
    }
    case 'toConn':
      toConn(w, o.conn, o.event);
      return;
    case 'reregistered':
      // [REG-8] every live session of the account ends, in admission order.
      for (let k = 0; k < w.sessions.length; k++) {
        const s = w.sessions[k] as ChartState<SessionContext>;
        if (s.context.account === o.account && s.value !== 'ended' && s.value !== 'new')
          toSession(w, k, { type: 'REREGISTER' });
      }
      return;
    case 'phoneUp':
    case 'phoneDown':
      for (let k = 0; k < w.sessions.length; k++) {
        if (w.sessions[k]?.context.account === o.account)
          toSession(w, k, { type: o.type === 'phoneUp' ? 'PHONE_AUTH' : 'PHONE_OFFLINE' });
      }
      if (o.type === 'phoneDown') for (const c of [...w.conns]) toConn(w, c.id, { type: 'PHONE_GONE', phone: o.phone });
      return;
    case 'learn':
      if (!w.knows.includes(o.value)) w.knows.push(o.value);
      return;
  }
}

function withSessions(w: Work, frame: Extract<PhoneDown, { t: 'auth.ok' }>): PhoneDown {
  const sessions = w.sessions
    .filter((s) => s.context.account === frame.accountId && s.value !== 'ended' && s.value !== 'new')
    .map((s) => ({ sessionId: s.context.id, device: { name: 'web', platform: 'web' }, keep: s.context.keep }));
  return { ...frame, sessions };
}

/** [LINK-9] [SESS-1] admission: revoke the oldest live sessions over the limit, then create the new one. */
function admit(w: Work, o: Extract<ServerOut, { type: 'admit' }>): void {
  const live: number[] = [];
  w.sessions.forEach((s, k) => {
    if (s.context.account === o.account && s.value !== 'ended' && s.value !== 'new') live.push(k);
  });
  if (!has(w.config.faults, 'REPLACED_NOT_REVOKED')) {
    for (let j = 0; j <= live.length - w.config.sessionLimit; j++) toSession(w, live[j] as number, { type: 'REPLACE' });
  }
  const id = sessionId(w.sessions.length + 1);
  w.sessions.push({ value: 'new', context: sessionContext(id, o.account, o.keep, w.config.faults) });
  const i = phoneIndex(o.phone);
  const phoneOnline = w.phones[i]?.value === 'online';
  toSession(w, w.sessions.length - 1, { type: 'START', conn: o.conn, phone: o.phone, ref: o.ref, phoneOnline });
}
