/**
 * The composed system's step: which events are enabled in a state (deliveries, timers, user
 * actions, adversary moves) and what each one does. Each event runs the role charts through their
 * compiled steps; the server runs through `serverStep`.
 */
import type { AnyFrame, PhoneDown, PhoneUp, WebDown, WebUp } from '../abstract/frames.js';
import {
  type AbsCipher,
  nOfRef,
  type PhoneId,
  parseToken,
  qrFor,
  refId,
  type Tab,
  webConnId,
} from '../abstract/values.js';
import { type ChartState, observingSteps, stepChart } from '../chart/chart.js';
import {
  type PhoneChartEvent,
  type PhoneContext,
  type PhoneOut,
  phoneChart,
  phoneContext,
} from '../phone/phone-chart.js';
import { modelCode } from '../server/phone-reg-chart.js';
import {
  type Fired,
  initialServer,
  runningTimers,
  type ServerConfig,
  type ServerDelivery,
  type ServerInput,
  type ServerStepResult,
  serverStep,
} from '../server/server.js';
import {
  type Stored,
  type WebChartEvent,
  type WebContext,
  type WebOut,
  webChart,
  webContext,
} from '../web/web-chart.js';
import type { Bounds } from './bounds.js';
import { type FaultMask, has } from './faults.js';
import { reuse, sameItems } from './share.js';
import { type Channel, emptyGhost, type Ghost, type SystemState } from './state.js';

export type SysEvent =
  | { readonly kind: 'deliver'; readonly chan: string }
  | { readonly kind: 'clock'; readonly timer: 'QR_TTL' | 'CONSENT'; readonly conn: string }
  | {
      readonly kind: 'web';
      readonly tab: number;
      readonly action: 'open' | 'close' | 'logout' | 'send';
      readonly keep?: boolean;
    }
  | {
      readonly kind: 'phone';
      readonly phone: number;
      readonly action: 'online' | 'offline' | 'reregister' | 'scan' | 'approve' | 'decline' | 'send' | 'unlink';
      readonly tab?: number;
      readonly old?: boolean;
      readonly session?: string;
    }
  | { readonly kind: 'replay'; readonly tab: number; readonly frame: string }
  | { readonly kind: 'stray'; readonly tab: number }
  | { readonly kind: 'stolen'; readonly token: string };

/** Everything the step needs besides the state. */
export interface SystemConfig {
  readonly bounds: Bounds;
  readonly faults: FaultMask;
  readonly server: ServerConfig;
}

/** What one step did: the server transitions it fired and the role chart transitions. */
export interface StepResult {
  readonly state: SystemState;
  readonly fired: Fired[];
}

const tabs: readonly Tab[] = ['A', 'B'];
const phoneIds: readonly PhoneId[] = ['P1', 'P2'];
const STRANGER = 'X';

export function systemConfig(bounds: Bounds, faults: FaultMask): SystemConfig {
  return { bounds, faults, server: { refs: bounds.refs, sessionLimit: bounds.sessionLimit, faults } };
}

/** Mutable working copy for one step (`from`: the state it started from, never mutated). */
interface Work {
  readonly from: SystemState;
  server: SystemState['server'];
  webs: ChartState<WebContext>[];
  phones: ChartState<PhoneContext>[];
  storage: SystemState['storage'][number][];
  chans: Map<string, readonly AnyFrame[]>;
  used: SystemState['used'];
  ghost: { -readonly [K in keyof Ghost]: string[] };
  fired: Fired[];
  cfg: SystemConfig;
}

function open(s: SystemState, cfg: SystemConfig): Work {
  const chans = new Map<string, readonly AnyFrame[]>();
  for (const c of s.chans) chans.set(c.id, c.frames);
  return {
    from: s,
    server: s.server,
    webs: [...s.webs],
    phones: [...s.phones],
    storage: [...s.storage],
    chans,
    used: s.used,
    ghost: s.ghost as Work['ghost'],
    fired: [],
    cfg,
  };
}

/**
 * The state a step ends in. Every part the step left unchanged is the start state's own object
 * (structural sharing: the explorer's key encoder memoises parts by identity).
 */
function seal(w: Work): SystemState {
  const from = w.from;
  const webs = sameItems(from.webs, w.webs);
  const phones = sameItems(from.phones, w.phones);
  const storage = sameItems(from.storage, w.storage);
  const chans = sealChans(w.chans, from.chans);
  if (
    w.server === from.server &&
    webs === from.webs &&
    phones === from.phones &&
    storage === from.storage &&
    chans === from.chans &&
    w.used === from.used &&
    w.ghost === from.ghost
  )
    return from;
  return { server: w.server, webs, phones, storage, chans, used: w.used, ghost: w.ghost };
}

/** The channels sorted by id, reusing the start state's channel (and list) where unchanged. */
function sealChans(work: Map<string, readonly AnyFrame[]>, old: readonly Channel[]): readonly Channel[] {
  const ids = [...work.keys()].sort();
  const out: Channel[] = [];
  let same = ids.length === old.length;
  let j = 0;
  for (const id of ids) {
    const frames = work.get(id) as readonly AnyFrame[];
    while (j < old.length && (old[j] as Channel).id < id) j++;
    const prev = old[j];
    if (prev !== undefined && prev.id === id && prev.frames === frames) {
      out.push(prev);
      if (prev !== old[out.length - 1]) same = false;
    } else {
      out.push({ id, frames });
      same = false;
    }
  }
  return same ? old : out;
}

/** Appends to a ghost list (copy on write: states share the old lists). */
function note(w: Work, key: keyof Ghost, value: string, unique = true): void {
  const list = w.ghost[key];
  if (unique && list.includes(value)) return;
  // kept sorted: ghost lists are sets, and a canonical order keeps equal states equal.
  w.ghost = { ...w.ghost, [key]: [...list, value].sort() };
}

/**
 * Channel contents are never mutated, so a queue with a frame appended, or without its head, is
 * the same object whenever it is built from the same queue (and frame): states that share a queue
 * share its successors too (structural sharing for the key encoder).
 */
const noFrames: readonly AnyFrame[] = Object.freeze([]);
const appended = new WeakMap<readonly AnyFrame[], Map<AnyFrame, readonly AnyFrame[]>>();
const tails = new WeakMap<readonly AnyFrame[], readonly AnyFrame[]>();

function withFrame(q: readonly AnyFrame[], frame: AnyFrame): readonly AnyFrame[] {
  let byFrame = appended.get(q);
  if (byFrame === undefined) {
    byFrame = new Map();
    appended.set(q, byFrame);
  }
  let next = byFrame.get(frame);
  if (next === undefined) {
    next = [...q, frame];
    byFrame.set(frame, next);
  }
  return next;
}

function tailOf(q: readonly AnyFrame[]): readonly AnyFrame[] {
  let rest = tails.get(q);
  if (rest === undefined) {
    rest = q.length === 1 ? noFrames : q.slice(1);
    tails.set(q, rest);
  }
  return rest;
}

function push(w: Work, chan: string, frame: AnyFrame): void {
  const q = w.chans.get(chan);
  if (q === undefined) return;
  w.chans.set(chan, withFrame(q, frame));
}

const browserOf = (w: { cfg: SystemConfig }, tab: number) => (w.cfg.bounds.sharedStorage ? 0 : tab);
const sessionOfToken = (token: string) => token.slice(0, token.indexOf('.t'));
/**
 * The record a tab resumes with when it opens: a logout-pending one first [WEB-6], else the newest
 * session's (highest session number; E2E-14 says the most recently written, which the model
 * approximates by session number, so as not to keep a write order in the state).
 */
function toResume(list: readonly Stored[] | undefined): Stored | null {
  let best: Stored | null = null;
  const rank = (x: Stored) => (x.logout ? 1e6 : 0) + Number(sessionOfToken(x.token).slice(1));
  for (const x of list ?? []) if (!best || rank(x) > rank(best)) best = x;
  return best;
}
/** `next`, or `old` when the step left the state and the context as they were. */
const sameChartState = <C>(old: ChartState<C>, next: ChartState<C>): ChartState<C> =>
  next.value === old.value && next.context === old.context ? old : next;
const connOfTab = (web: ChartState<WebContext>) => webConnId(web.context.tab, web.context.conn);

function sealObserved(w: Work, c: AbsCipher): void {
  const key = `${c.k}#${c.n}`;
  const prior = w.ghost.sealed.find((x) => x.startsWith(`${key}=`));
  if (prior === undefined) note(w, 'sealed', `${key}=${c.m}`);
  else if (prior !== `${key}=${c.m}`) note(w, 'reused', key);
}

function acceptObserved(w: Work, session: string, c: AbsCipher): void {
  const key = `${session}|${c.k}#${c.n}`;
  if (w.ghost.accepted.includes(key)) note(w, 'replayed', key);
  else note(w, 'accepted', key);
  note(w, 'got', c.m);
}

// ---------------------------------------------------------------- roles

/**
 * Delivery steps by (entity state object, frame object). The step of a chart or of the server is a
 * pure function of its state and input; a frame object sits in one channel only, so the input is
 * fixed by the frame object (the destination and the config are checked too). States share
 * unchanged parts by identity, so a frame reaching the same entity state in many states is run
 * once, and the result (its parts the same objects each time) keeps the key encoder's memo warm.
 * Skipped while a step observer is installed (it sees every step).
 */
interface Cached {
  readonly to: string;
  readonly cfg: SystemConfig;
  readonly result: unknown;
}
const deliveries = new WeakMap<object, Map<object, Cached>>();

function cachedStep<R>(state: object, frame: object, to: string, cfg: SystemConfig, run: () => R): R {
  if (observingSteps()) return run();
  let byFrame = deliveries.get(state);
  if (byFrame === undefined) {
    byFrame = new Map();
    deliveries.set(state, byFrame);
  }
  const hit = byFrame.get(frame);
  if (hit !== undefined && hit.to === to && hit.cfg === cfg) return hit.result as R;
  const result = run();
  byFrame.set(frame, { to, cfg, result });
  return result;
}

function webEvent(w: Work, tab: number, event: WebChartEvent, frame?: AnyFrame): void {
  const s = w.webs[tab] as ChartState<WebContext>;
  const r =
    frame === undefined
      ? stepChart(webChart, s, event)
      : cachedStep(s, frame, `web${tab}`, w.cfg, () => stepChart(webChart, s, event));
  if (!r) return;
  w.webs[tab] = sameChartState(s, r.state);
  w.fired.push({ entity: `web ${tabs[tab]}`, transition: r.transition, clauses: r.clauses });
  const conn = connOfTab(r.state);
  for (const o of r.out) webOut(w, tab, conn, o);
}

function webOut(w: Work, tab: number, conn: string, o: WebOut): void {
  switch (o.type) {
    case 'send':
      if (o.frame.t === 'to_phone') sealObserved(w, o.frame.c);
      push(w, `${conn}>`, o.frame);
      if (o.frame.t === '$close') w.chans.delete(`${conn}<`);
      return;
    case 'store': {
      // [E2E-14] one record per session (fault SINGLE_TOKEN_SLOT: one record per browser). A new
      // token for a logout-pending session keeps the mark [WEB-6].
      const b = browserOf(w, tab);
      const sid = sessionOfToken(o.stored.token);
      const list = w.storage[b] ?? [];
      const logout = list.some((x) => x.logout && sessionOfToken(x.token) === sid);
      const kept = has(w.cfg.faults, 'SINGLE_TOKEN_SLOT') ? [] : list.filter((x) => sessionOfToken(x.token) !== sid);
      const next = [...kept, { ...o.stored, logout: o.stored.logout || logout }].sort((x, y) =>
        x.token < y.token ? -1 : 1,
      );
      w.storage[b] = reuse(list, next);
      return;
    }
    case 'markLogout': {
      const b = browserOf(w, tab);
      const list = w.storage[b] ?? [];
      w.storage[b] = reuse(
        list,
        list.map((x) => (sessionOfToken(x.token) === o.session ? { ...x, logout: true } : x)),
      );
      return;
    }
    case 'wipe': {
      const b = browserOf(w, tab);
      const list = w.storage[b] ?? [];
      w.storage[b] = reuse(list, o.token === '*' ? [] : list.filter((x) => x.token !== o.token));
      return;
    }
    case 'accept':
      acceptObserved(w, o.session, o.c);
      return;
  }
}

function phoneEvent(w: Work, i: number, event: PhoneChartEvent, frame?: AnyFrame): void {
  const s = w.phones[i] as ChartState<PhoneContext>;
  const r =
    frame === undefined
      ? stepChart(phoneChart, s, event)
      : cachedStep(s, frame, `phone${i}`, w.cfg, () => stepChart(phoneChart, s, event));
  if (!r) return;
  w.phones[i] = reuse(s, r.state);
  w.fired.push({ entity: `phone ${phoneIds[i]}`, transition: r.transition, clauses: r.clauses });
  for (const o of r.out) phoneOut(w, i, r.state.context, o);
}

function phoneOut(w: Work, i: number, ctx: PhoneContext, o: PhoneOut): void {
  const id = phoneIds[i] as PhoneId;
  if (o.type === 'accept') {
    acceptObserved(w, o.session, o.c);
    return;
  }
  const f = o.frame;
  if (f.t === 'link.approve') {
    note(w, 'approved', `${ctx.account}|${f.ref}`);
    if (ctx.userApproved !== f.ref) note(w, 'unconsented', `${id}|${f.ref}`);
  } else if (f.t === 'link.finalize') note(w, 'finalized', `${ctx.account}|${f.ref}`);
  else if (f.t === 'to_web') {
    sealObserved(w, f.c);
    note(w, 'p2wSent', `${f.sessionId}|${f.c.m}`);
  }
  push(w, `${id}>`, f);
  if (f.t === '$close') w.chans.delete(`${id}<`);
}

// ---------------------------------------------------------------- server

/** The server's step, its state sharing every unchanged part with `before`. */
function sharedServerStep(before: SystemState['server'], input: ServerInput, cfg: SystemConfig): ServerStepResult {
  const r = serverStep(before, input, cfg.server);
  return { ...r, state: reuse(before, r.state) };
}

function serverInput(w: Work, input: ServerInput, honest = true, frame?: AnyFrame): void {
  const before = w.server;
  const to = input.kind === 'web' ? input.conn : input.kind === 'phone' ? input.phone : '';
  const r =
    frame === undefined
      ? sharedServerStep(before, input, w.cfg)
      : cachedStep(before, frame, to, w.cfg, () => sharedServerStep(before, input, w.cfg));
  w.server = r.state;
  w.fired.push(...r.fired);
  observeServer(w, input, before, r.state, r.out, r.fired, honest);
  for (const d of r.out) serverOut(w, d);
}

function observeServer(
  w: Work,
  input: ServerInput,
  before: SystemState['server'],
  after: SystemState['server'],
  out: ServerDelivery[],
  fired: Fired[],
  honest: boolean,
): void {
  for (const f of fired) {
    if (f.transition.startsWith('attached --RELAY_W2P') && input.kind === 'web' && input.frame.t === 'to_phone') {
      note(w, 'w2pAccepted', `${f.entity.slice('session '.length)}|${input.frame.c.m}`);
    }
  }
  for (const d of out) {
    if (d.frame.t === 'error' && (d.frame.code === 'bad_state' || d.frame.code === 'bad_frame')) {
      const who = d.kind === 'web' ? d.conn : d.phone;
      if (honest && !who.startsWith(STRANGER)) note(w, 'killed', `${who}:${d.frame.detail}`);
    }
    if (d.kind === 'web' && d.frame.t === 'resumed' && input.kind === 'web' && input.frame.t === 'resume') {
      const tok = parseToken(input.frame.token);
      const s = before.sessions.find((x) => x.context.id === tok?.session);
      if (s && tok) {
        if (s.value === 'ended') note(w, 'revokedServed', `${s.context.id}:resumed`);
        else if (tok.version !== s.context.cur && tok.version !== s.context.pending)
          note(w, 'retiredAccepted', input.frame.token);
      }
    }
    if (d.kind === 'web' && (d.frame.t === 'linked' || d.frame.t === 'resumed') && d.frame.token !== undefined) {
      note(w, 'issued', d.frame.token);
    }
    if (d.kind === 'web' && d.frame.t === 'from_phone') {
      const conn = after.conns.find((c) => c.id === d.conn);
      const session = conn?.state.context.session;
      if (session) note(w, 'relayed', `${session}\t${JSON.stringify({ e: d.frame.e, n: d.frame.n, c: d.frame.c })}`);
    }
  }
  if (!honest) {
    // [TR-7] a forged frame must not change any other connection, ref or session.
    const strip = (s: SystemState['server']) =>
      JSON.stringify([s.phones, s.sessions, s.conns.filter((c) => !c.id.startsWith(STRANGER))]);
    if (strip(before) !== strip(after))
      note(w, 'badInputEffects', input.kind === 'web' ? JSON.stringify(input.frame) : 'forged');
  }
}

function serverOut(w: Work, d: ServerDelivery): void {
  if (d.kind === 'web') {
    if (d.conn.startsWith(STRANGER)) return;
    push(w, `${d.conn}<`, d.frame);
    if (d.frame.t === '$close') w.chans.delete(`${d.conn}>`);
  } else {
    push(w, `${d.phone}<`, d.frame);
    if (d.frame.t === '$close') w.chans.delete(`${d.phone}>`);
  }
}

// ---------------------------------------------------------------- events

function deliver(w: Work, chan: string): boolean {
  const q = w.chans.get(chan);
  if (!q || q.length === 0) return false;
  const frame = q[0] as AnyFrame;
  w.chans.set(chan, tailOf(q));
  const to = chan.slice(0, -1);
  const dir = chan.slice(-1);
  const isPhone = to.startsWith('P');
  if (dir === '>') {
    if (frame.t === '$close') w.chans.delete(chan);
    if (isPhone) serverInput(w, { kind: 'phone', phone: to as PhoneId, frame: frame as PhoneUp }, true, frame);
    else serverInput(w, { kind: 'web', conn: to, frame: frame as WebUp }, true, frame);
  } else {
    if (frame.t === '$close') w.chans.delete(chan);
    if (isPhone)
      phoneEvent(
        w,
        phoneIds.indexOf(to as PhoneId),
        { ...(frame as PhoneDown), type: frame.t } as PhoneChartEvent,
        frame,
      );
    else webEvent(w, tabs.indexOf(to[0] as Tab), { ...(frame as WebDown), type: frame.t } as WebChartEvent, frame);
  }
  return true;
}

/** Runs one event; `undefined` when it is not enabled or would overflow a channel. */
export function applyEvent(state: SystemState, ev: SysEvent, cfg: SystemConfig): StepResult | undefined {
  const w = open(state, cfg);
  switch (ev.kind) {
    case 'deliver':
      if (!deliver(w, ev.chan)) return undefined;
      break;
    case 'clock':
      serverInput(w, { kind: 'clock', timer: ev.timer, conn: ev.conn });
      break;
    case 'web': {
      const web = w.webs[ev.tab] as ChartState<WebContext>;
      if (ev.action === 'open') {
        const conn = webConnId(web.context.tab, web.context.conn + 1);
        w.chans.set(`${conn}>`, noFrames);
        w.chans.set(`${conn}<`, noFrames);
        webEvent(w, ev.tab, {
          type: 'USER.OPEN',
          keep: ev.keep ?? true,
          stored: toResume(w.storage[browserOf(w, ev.tab)]),
        });
      } else if (ev.action === 'close') webEvent(w, ev.tab, { type: 'USER.CLOSE' });
      else if (ev.action === 'logout') webEvent(w, ev.tab, { type: 'USER.LOGOUT' });
      else {
        w.used = { ...w.used, webMsgs: w.used.webMsgs + 1 };
        webEvent(w, ev.tab, { type: 'USER.SEND', m: `w${w.used.webMsgs}` });
      }
      break;
    }
    case 'phone': {
      const id = phoneIds[ev.phone] as PhoneId;
      switch (ev.action) {
        case 'online':
          w.chans.set(`${id}>`, noFrames);
          w.chans.set(`${id}<`, noFrames);
          phoneEvent(w, ev.phone, { type: 'USER.ONLINE' });
          break;
        case 'offline':
          w.used = { ...w.used, cycles: w.used.cycles + 1 };
          phoneEvent(w, ev.phone, { type: 'USER.OFFLINE' });
          break;
        case 'reregister':
          // [REG-8] the user registers the number again on a new connection (the SMS code is typed in).
          w.used = { ...w.used, reregs: w.used.reregs + 1 };
          w.chans.set(`${id}>`, noFrames);
          w.chans.set(`${id}<`, noFrames);
          phoneEvent(w, ev.phone, { type: 'USER.REREGISTER', code: modelCode });
          break;
        case 'scan': {
          w.used = { ...w.used, scans: w.used.scans + 1 };
          const web = w.webs[ev.tab ?? 0] as ChartState<WebContext>;
          const ref = web.context.ref as string;
          const target = ev.old ? refId(connOfTab(web), nOfRef(ref) - 1) : ref;
          phoneEvent(w, ev.phone, { type: 'USER.SCAN', qr: qrFor(target) });
          break;
        }
        case 'approve':
          phoneEvent(w, ev.phone, { type: 'USER.APPROVE' });
          break;
        case 'decline':
          phoneEvent(w, ev.phone, { type: 'USER.DECLINE' });
          break;
        case 'send':
          w.used = { ...w.used, phoneMsgs: w.used.phoneMsgs + 1 };
          phoneEvent(w, ev.phone, { type: 'USER.SEND', session: ev.session ?? '', m: `p${w.used.phoneMsgs}` });
          break;
        case 'unlink':
          phoneEvent(w, ev.phone, { type: 'USER.UNLINK', session: ev.session ?? '' });
          break;
      }
      break;
    }
    case 'replay': {
      const web = w.webs[ev.tab] as ChartState<WebContext>;
      w.used = { ...w.used, replays: w.used.replays + 1 };
      const f = JSON.parse(ev.frame) as { e: string; n: number; c: AbsCipher };
      push(w, `${connOfTab(web)}<`, { t: 'from_phone', e: f.e, n: f.n, c: f.c });
      break;
    }
    case 'stolen': {
      // An eavesdropper presents a token it saw earlier (now retired) on a connection of its own.
      w.used = { ...w.used, strays: w.used.strays + 1 };
      serverInput(w, { kind: 'web', conn: `${STRANGER}${w.used.strays}`, frame: { t: 'resume', token: ev.token } });
      break;
    }
    case 'stray': {
      const web = w.webs[ev.tab] as ChartState<WebContext>;
      w.used = { ...w.used, strays: w.used.strays + 1 };
      serverInput(
        w,
        {
          kind: 'web',
          conn: `${STRANGER}${w.used.strays}`,
          frame: { t: 'confirm', ref: web.context.ref ?? refId(connOfTab(web), 1), tag: 'forged' },
        },
        false,
      );
      break;
    }
  }
  for (const q of w.chans.values()) if (q.length > cfg.bounds.capacity) return undefined;
  return { state: seal(w), fired: w.fired };
}

const authed = new Set(['authenticating', 'online', 'claiming', 'consenting', 'approving', 'finalizing']);

/** Every event enabled in a state, in a fixed order. */
export function enabledEvents(s: SystemState, cfg: SystemConfig): SysEvent[] {
  const b = cfg.bounds;
  const list: SysEvent[] = [];
  for (const c of s.chans) if (c.frames.length > 0) list.push({ kind: 'deliver', chan: c.id });
  for (const t of runningTimers(s.server)) list.push({ kind: 'clock', timer: t.timer, conn: t.conn });
  s.webs.forEach((web, tab) => {
    const v = web.value;
    if (v === 'idle') {
      if (web.context.conn < b.conns) {
        if (b.keep !== 0) list.push({ kind: 'web', tab, action: 'open', keep: true });
        if (b.keep !== 1) list.push({ kind: 'web', tab, action: 'open', keep: false });
      }
      return;
    }
    list.push({ kind: 'web', tab, action: 'close' });
    if (v === 'linked') {
      if (b.logout) list.push({ kind: 'web', tab, action: 'logout' });
      if (s.used.webMsgs < b.webMsgs) list.push({ kind: 'web', tab, action: 'send' });
      if (s.used.replays < b.replays) {
        const sid = web.context.sessionId;
        for (const r of s.ghost.relayed)
          if (r.startsWith(`${sid}\t`)) list.push({ kind: 'replay', tab, frame: r.slice(r.indexOf('\t') + 1) });
      }
    }
    if (s.used.strays < b.strays && web.context.ref !== null) list.push({ kind: 'stray', tab });
  });
  if (s.used.strays < b.strays) {
    for (const token of s.ghost.issued) {
      const tok = parseToken(token);
      const x = s.server.sessions.find((y) => y.context.id === tok?.session);
      if (x && tok && x.value !== 'ended' && tok.version !== x.context.cur && tok.version !== x.context.pending) {
        list.push({ kind: 'stolen', token });
      }
    }
  }
  s.phones.forEach((p, i) => {
    const v = p.value;
    const honest = i === 0;
    const id = phoneIds[i] as PhoneId;
    if (v === 'offline') {
      if (!s.chans.some((c) => c.id === `${id}>`)) {
        list.push({ kind: 'phone', phone: i, action: 'online' });
        if (honest && s.used.reregs < b.reregisters) list.push({ kind: 'phone', phone: i, action: 'reregister' });
      }
      return;
    }
    if (!authed.has(v)) return;
    if (honest && s.used.cycles < b.phoneCycles) list.push({ kind: 'phone', phone: i, action: 'offline' });
    if (v === 'online' && s.used.scans < b.scans) {
      s.webs.forEach((web, tab) => {
        if (web.value !== 'qr' || web.context.ref === null) return;
        list.push({ kind: 'phone', phone: i, action: 'scan', tab });
        if (!honest && nOfRef(web.context.ref) > 1)
          list.push({ kind: 'phone', phone: i, action: 'scan', tab, old: true });
      });
    }
    if (v === 'consenting') {
      if (honest) list.push({ kind: 'phone', phone: i, action: 'approve' });
      list.push({ kind: 'phone', phone: i, action: 'decline' });
    }
    if (honest && v !== 'authenticating') {
      for (const ses of p.context.sessions) {
        if (!ses.live) continue;
        if (s.used.phoneMsgs < b.phoneMsgs) list.push({ kind: 'phone', phone: i, action: 'send', session: ses.id });
        // The user may unlink a session once per round trip: a second press while the phone's own
        // `unlink` is still on its way changes nothing but fills the channel (and would stall it).
        const inFlight = s.chans.some(
          (c) => c.id === `${id}>` && c.frames.some((f) => f.t === 'unlink' && f.sessionId === ses.id),
        );
        if (b.logout && !inFlight) list.push({ kind: 'phone', phone: i, action: 'unlink', session: ses.id });
      }
    }
  });
  return list;
}

/** A readable name for an event in a state (what a trace prints). */
export function describeEvent(s: SystemState, ev: SysEvent): string {
  switch (ev.kind) {
    case 'deliver': {
      const frame = s.chans.find((c) => c.id === ev.chan)?.frames[0];
      const arrow = ev.chan.endsWith('>') ? `${ev.chan.slice(0, -1)} -> server` : `server -> ${ev.chan.slice(0, -1)}`;
      return `${arrow}: ${frame ? showFrame(frame) : '?'}`;
    }
    case 'clock':
      return `clock: ${ev.timer === 'QR_TTL' ? 'QR TTL' : 'consent timer'} of ${ev.conn} passes`;
    case 'web':
      return `user (tab ${tabs[ev.tab]}): ${ev.action}${ev.action === 'open' ? ` (keep: ${ev.keep})` : ''}`;
    case 'phone': {
      const who = ev.phone === 0 ? 'user (phone P1)' : 'adversary (phone P2)';
      const what =
        ev.action === 'scan'
          ? `scan tab ${tabs[ev.tab ?? 0]}'s ${ev.old ? 'previous (dead) QR' : 'QR'}`
          : ev.session
            ? `${ev.action} ${ev.session}`
            : ev.action;
      return `${who}: ${what}`;
    }
    case 'replay':
      return `adversary (server): replays ${ev.frame} to tab ${tabs[ev.tab]}`;
    case 'stray':
      return `adversary (stranger web connection): confirm for tab ${tabs[ev.tab]}'s ref`;
    case 'stolen':
      return `adversary (stranger web connection): resume with the retired token ${ev.token}`;
  }
}

/** A compact one-line rendering of an abstract frame. */
export function showFrame(f: AnyFrame): string {
  const { t, ...rest } = f as AnyFrame & Record<string, unknown>;
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
  return fields ? `${t} {${fields}}` : t;
}

/** The initial state: every phone registered (through the charts) and online, no tab open. */
export function initialState(cfg: SystemConfig): SystemState {
  const b = cfg.bounds;
  let s: SystemState = {
    server: initialServer(b.phones),
    webs: tabs.slice(0, b.tabs).map((t) => ({ value: 'idle', context: webContext(t, cfg.faults) })),
    phones: phoneIds.slice(0, b.phones).map((p) => ({ value: 'unregistered', context: phoneContext(p, cfg.faults) })),
    storage: b.sharedStorage ? [[]] : tabs.slice(0, b.tabs).map(() => []),
    chans: [],
    used: { webMsgs: 0, phoneMsgs: 0, replays: 0, strays: 0, cycles: 0, reregs: 0, scans: 0 },
    ghost: emptyGhost,
  };
  for (let i = 0; i < b.phones; i++) {
    const id = phoneIds[i] as PhoneId;
    const w = open(s, cfg);
    w.chans.set(`${id}>`, noFrames);
    w.chans.set(`${id}<`, noFrames);
    phoneEvent(w, i, { type: 'USER.REGISTER' });
    deliver(w, `${id}>`);
    deliver(w, `${id}<`);
    phoneEvent(w, i, { type: 'USER.CODE', code: modelCode });
    deliver(w, `${id}>`);
    deliver(w, `${id}<`);
    s = seal(w);
  }
  return s;
}

export type { Channel };

/**
 * Partial-order reduction: a persistent set of the enabled events. Delivering a frame to a client
 * (a tab or a phone) touches only that client, the tail of its own up channel and set-like ghost
 * facts, so it commutes with every event of the server, the clock and the other clients; only the
 * client's own user actions depend on it. When such a client exists, exploring its delivery and
 * its user's actions is enough, unless something else reads or writes what the delivery or those
 * actions change: the shared storage, the QR a tab shows (phones scan it, strays confirm it), the
 * tab's channel while it is linked (a replaying server); such a delivery is not reduced while the
 * other side can still act (the conditions below). The explorer checks the reduced graph for
 * cycles and searches again with a cycle proviso when it has one (model/explorer/explore.ts).
 */
export function persistentEvents(s: SystemState, all: SysEvent[], cfg: SystemConfig): SysEvent[] {
  for (const ev of all) {
    if (ev.kind !== 'deliver' || ev.chan.endsWith('>')) continue;
    const who = ev.chan.slice(0, -1);
    if (who.startsWith('P')) {
      // A scan (one of the phone's own actions) reads the QR a tab shows, which the server's
      // rotations and the deliveries to the tabs change: while the phone can scan, its delivery is
      // not reduced. Only its own deliveries and actions bring it online, and the delivery at the
      // head of its channel goes first, so a phone not online now cannot scan before it.
      const i = phoneIds.indexOf(who as PhoneId);
      if (s.phones[i]?.value === 'online' && s.used.scans < cfg.bounds.scans) continue;
      return all.filter((e) => e === ev || (e.kind === 'phone' && e.phone === i));
    }
    const tab = tabs.indexOf(who[0] as Tab);
    // Tabs sharing storage: a delivery that writes the storage depends on the other tab's writes,
    // now or after any number of other events (two `resumed` of one session are stored in the
    // order they are delivered; the other tab opening reads the storage), so it is not reduced.
    const effect = tabDelivery(s, ev.chan, tab, cfg);
    if (cfg.bounds.sharedStorage && effect.writesStorage) continue;
    const web = s.webs[tab] as ChartState<WebContext>;
    // The tab's own logout (one of its actions) marks the shared record logout-pending: the same.
    if (cfg.bounds.sharedStorage && cfg.bounds.logout && web.value === 'linked') continue;
    // A scan reads the QR a tab shows: a delivery that changes it (its ref, or whether it shows
    // one), and the tab's own close while it shows one, depend on every scan, now or once a phone
    // is back online; a phone's scan of any tab would then join the set, and the other tab's QR,
    // the server's rotations with it, depend on that scan. So such a delivery is not reduced while
    // a scan can still happen. A stray `confirm` reads the tab's ref the same way.
    if ((effect.changesQr || web.value === 'qr') && s.used.scans < cfg.bounds.scans) continue;
    if ((effect.changesQr || web.context.ref !== null) && s.used.strays < cfg.bounds.strays) continue;
    // A replaying server pushes to the tab's channel while the tab is linked, in the same channel
    // as the server's own frames: a delivery that links or unlinks the tab is not reduced then.
    if (effect.changesLinked && s.used.replays < cfg.bounds.replays) continue;
    return all.filter((e) => e === ev || (e.kind === 'web' && e.tab === tab));
  }
  return all;
}

/** What delivering the head of `chan` to tab `tab` changes that other actors read or write. */
function tabDelivery(
  s: SystemState,
  chan: string,
  tab: number,
  cfg: SystemConfig,
): { writesStorage: boolean; changesQr: boolean; changesLinked: boolean } {
  const none = { writesStorage: false, changesQr: false, changesLinked: false };
  const frame = s.chans.find((c) => c.id === chan)?.frames[0];
  const web = s.webs[tab];
  if (frame === undefined || web === undefined) return none;
  const event = { ...(frame as WebDown), type: frame.t } as WebChartEvent;
  const r = cachedStep(web, frame, `web${tab}`, cfg, () => stepChart(webChart, web, event));
  if (r === undefined) return none;
  return {
    writesStorage: r.out.some((o) => o.type === 'store' || o.type === 'wipe' || o.type === 'markLogout'),
    changesQr: (r.state.value === 'qr') !== (web.value === 'qr') || r.state.context.ref !== web.context.ref,
    changesLinked:
      (r.state.value === 'linked') !== (web.value === 'linked') || r.state.context.sessionId !== web.context.sessionId,
  };
}
