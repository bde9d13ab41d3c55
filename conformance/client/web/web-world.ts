/**
 * The web chart (model/web/web-chart.ts) as the oracle of a web client under test: the abstract
 * world of one tab (the chart's state and context, what its storage holds), the commands the suite
 * can play on it (server frames, honest or not, and user actions), and `advance`, which turns one
 * command into the chart events it delivers and the transitions the chart takes, with what the chart
 * emits. The concrete side (web-exec.ts) plays the same command with real frames and crypto and
 * checks the client against what the chart emitted.
 *
 * A few client behaviours are one step in a real client but two in the chart: after an abort
 * [E2E-6], after close 4401 on resume [SESS-14, E2E-14] and after a finished pending logout
 * [WEB-6] the client opens a fresh connection by itself; `advance` then delivers `USER.OPEN` too.
 */
import type { WebUp } from '../../../model/abstract/frames.js';
import { linkKey, qrFor, relayKey, tokenId } from '../../../model/abstract/values.js';
import { type ChartState, type ChartStep, stepChart } from '../../../model/chart/chart.js';
import {
  type Stored,
  type WebChartEvent,
  type WebContext,
  type WebOut,
  webChart,
} from '../../../model/web/web-chart.js';

/** One command of the suite: a server frame (honest or not) or a user action. */
export type WebCmd =
  | { readonly k: 'open'; readonly keep: boolean }
  | { readonly k: 'qr' }
  | { readonly k: 'exhausted' }
  | { readonly k: 'scanned' }
  | { readonly k: 'offer'; readonly v: 'good' | 'bad_box' }
  | { readonly k: 'declined' }
  | { readonly k: 'linked'; readonly match: boolean }
  | { readonly k: 'resumed' }
  | { readonly k: 'phone'; readonly online: boolean }
  | { readonly k: 'relay'; readonly v: 'good' | 'forged' }
  | { readonly k: 'acked' }
  | { readonly k: 'queue_full' }
  | { readonly k: 'send' }
  | { readonly k: 'logout' }
  | { readonly k: 'revoked'; readonly reason: 'unlinked' | 'conflict' | 'logout' }
  | { readonly k: 'close' }
  | { readonly k: 'server_close'; readonly code: number }
  | { readonly k: 'error' };

/** Why the tab is in `loggedOut`: the user's logout, an account mismatch, or a pending logout being finished. */
export type LoggedOutVia = 'user' | 'mismatch' | 'pending';

export interface WebWorld {
  readonly chart: ChartState<WebContext>;
  /** The shared storage's one record (one tab, one session at a time). */
  readonly stored: Stored | null;
  /** The `keep` of the last open. */
  readonly keep: boolean;
  /** QRs issued on the current connection. */
  readonly qrN: number;
  /** Sessions admitted so far (names `s1`, `s2`, ...). */
  readonly sessions: number;
  /** The next token version of the stored session. */
  readonly tokenV: number;
  /** An `error` frame came: the server closes next (nothing else is played). */
  readonly errored: boolean;
  readonly via: LoggedOutVia | null;
}

export const initialWorld: WebWorld = {
  chart: webChart.initial,
  stored: null,
  keep: false,
  qrN: 0,
  sessions: 0,
  tokenV: 0,
  errored: false,
  via: null,
};

/** One chart transition taken, with the event delivered. */
export interface Fired {
  readonly event: WebChartEvent;
  readonly step: ChartStep<WebContext, WebOut>;
}

export interface Advanced {
  readonly world: WebWorld;
  readonly fired: readonly Fired[];
}

const connId = (c: WebContext) => `${c.tab}${c.conn}`;
const ACCOUNT = 'acct1';
const OTHER_ACCOUNT = 'acct2';

/** The commands worth playing in `w` (each realisable by a conformant server, or a deliberate attack). */
export function commandsFor(w: WebWorld): WebCmd[] {
  const s = w.chart.value;
  if (w.errored) return [{ k: 'server_close', code: 4000 }];
  const out: WebCmd[] = [];
  if (s === 'idle') {
    return w.stored
      ? [{ k: 'open', keep: true }]
      : [
          { k: 'open', keep: true },
          { k: 'open', keep: false },
        ];
  }
  out.push({ k: 'close' }, { k: 'error' });
  switch (s) {
    case 'connecting':
      out.push({ k: 'qr' }, { k: 'exhausted' }, { k: 'server_close', code: 1001 });
      break;
    case 'qr':
      out.push({ k: 'qr' }, { k: 'scanned' }, { k: 'offer', v: 'good' }, { k: 'exhausted' });
      out.push({ k: 'server_close', code: 1001 });
      break;
    case 'scanned':
      out.push({ k: 'offer', v: 'good' }, { k: 'offer', v: 'bad_box' }, { k: 'declined' });
      out.push({ k: 'server_close', code: 1001 });
      break;
    case 'confirming':
      out.push({ k: 'linked', match: true }, { k: 'linked', match: false }, { k: 'offer', v: 'good' });
      out.push({ k: 'declined' }, { k: 'server_close', code: 1001 });
      break;
    case 'resuming':
      out.push({ k: 'resumed' }, { k: 'server_close', code: 4401 }, { k: 'server_close', code: 1001 });
      break;
    case 'linked':
      out.push({ k: 'phone', online: false }, { k: 'relay', v: 'good' }, { k: 'relay', v: 'forged' });
      // acked only for frames sent (an honest server acks nothing else); queue_full of an old epoch [LATE-3]
      if (w.chart.context.sendN > 1) out.push({ k: 'acked' });
      out.push({ k: 'queue_full' }, { k: 'send' }, { k: 'logout' });
      out.push({ k: 'revoked', reason: 'unlinked' }, { k: 'revoked', reason: 'conflict' });
      out.push({ k: 'server_close', code: 1001 });
      break;
    case 'revoked':
      out.push({ k: 'server_close', code: 4003 });
      break;
    case 'loggedOut':
      out.push({ k: 'revoked', reason: 'logout' }, { k: 'server_close', code: 1000 });
      if (w.via === 'pending') out.push({ k: 'server_close', code: 4401 });
      break;
    case 'ended':
      out.push({ k: 'server_close', code: 4008 });
      break;
  }
  return out;
}

/** The chart event(s) `cmd` delivers in `w` (before any follow-up the client does by itself). */
function eventFor(w: WebWorld, cmd: WebCmd): WebChartEvent | undefined {
  const c = w.chart.context;
  const ref = c.ref ?? '';
  switch (cmd.k) {
    case 'open':
      return { type: 'USER.OPEN', keep: w.stored ? true : cmd.keep, stored: w.stored };
    case 'qr': {
      const n = w.qrN + 1;
      return { type: 'qr', t: 'qr', ref: `${connId(c)}.${n}`, ttlMs: 60_000, n, of: 6 };
    }
    case 'exhausted':
      return { type: 'qr.exhausted', t: 'qr.exhausted' };
    case 'scanned':
      return { type: 'scanned', t: 'scanned', ref };
    case 'offer': {
      const qr = qrFor(ref);
      const pub = `pP1${ref}`;
      const k = cmd.v === 'good' ? linkKey(ref, qr.webPub, pub, qr.linkSecret) : `forged(${ref})`;
      return { type: 'offer', t: 'offer', ref, pub, box: { k, account: ACCOUNT } };
    }
    case 'declined':
      return { type: 'declined', t: 'declined', ref, reason: 'declined' };
    case 'linked': {
      const sessionId = `s${w.sessions + 1}`;
      const token = c.keep ? { token: tokenId(sessionId, 0) } : {};
      return { type: 'linked', t: 'linked', sessionId, accountId: cmd.match ? ACCOUNT : OTHER_ACCOUNT, ...token };
    }
    case 'resumed': {
      const session = c.token?.split('.t')[0] ?? 's0';
      return {
        type: 'resumed',
        t: 'resumed',
        sessionId: session,
        accountId: ACCOUNT,
        token: tokenId(session, w.tokenV),
      };
    }
    case 'phone':
      return { type: 'phone', t: 'phone', online: cmd.online };
    case 'relay': {
      const n = c.hw + 1;
      const k = cmd.v === 'good' ? relayKey(c.root ?? '', c.epoch ?? '', 'p2w', true) : 'forged';
      return { type: 'from_phone', t: 'from_phone', e: c.epoch ?? '', n, c: { k, n, m: `m${n}` } };
    }
    case 'acked':
      return { type: 'acked', t: 'acked', e: c.epoch ?? '', n: Math.max(1, c.sendN - 1) };
    case 'queue_full':
      return { type: 'queue_full', t: 'queue_full', e: 'eOther', n: 1 };
    case 'send':
      return { type: 'USER.SEND', m: `w${c.sendN}` };
    case 'logout':
      return { type: 'USER.LOGOUT' };
    case 'revoked':
      return { type: 'revoked', t: 'revoked', reason: cmd.reason };
    case 'close':
      return { type: 'USER.CLOSE' };
    case 'server_close':
      return { type: '$close', t: '$close', code: cmd.code };
    case 'error':
      return { type: 'error', t: 'error', code: 'bad_state', detail: 'scripted error' };
  }
}

/** Applies what the chart emitted to the storage. */
function storageAfter(stored: Stored | null, out: readonly WebOut[]): Stored | null {
  let s = stored;
  for (const o of out) {
    if (o.type === 'store') s = o.stored;
    else if (o.type === 'wipe' && s && (o.token === '*' || o.token === s.token)) s = null;
    else if (o.type === 'markLogout' && s) s = { ...s, logout: true };
  }
  return s;
}

function deliver(w: WebWorld, event: WebChartEvent): { world: WebWorld; fired: Fired } | undefined {
  const step = stepChart(webChart, w.chart, event);
  if (!step) return undefined;
  return { world: { ...w, chart: step.state, stored: storageAfter(w.stored, step.out) }, fired: { event, step } };
}

/** Whether the client opens a fresh connection by itself after this transition. */
function reopensItself(w: WebWorld, cmd: WebCmd, f: Fired): boolean {
  const sent = f.step.out.filter((o): o is { type: 'send'; frame: WebUp } => o.type === 'send');
  if (sent.some((o) => o.frame.t === 'abort')) return true; // [E2E-6]
  if (cmd.k === 'server_close' && cmd.code === 4401) return true; // [SESS-14, E2E-14] the next record, or hello
  return w.via === 'pending' && cmd.k === 'revoked'; // [WEB-6] logout finished: opening goes on
}

/** Plays `cmd` on the chart: the world after it and the transitions taken; undefined when the chart has none. */
export function advance(w: WebWorld, cmd: WebCmd): Advanced | undefined {
  const event = eventFor(w, cmd);
  if (!event) return undefined;
  const first = deliver(w, event);
  if (!first) return undefined;
  let world: WebWorld = { ...first.world };
  const fired: Fired[] = [first.fired];
  // bookkeeping the chart leaves to the suite
  if (cmd.k === 'open') {
    world = { ...world, keep: (event as { keep: boolean }).keep, qrN: 0, errored: false };
    world = { ...world, via: world.chart.value === 'loggedOut' ? 'pending' : null };
  }
  if (cmd.k === 'qr') world = { ...world, qrN: w.qrN + 1 };
  if (cmd.k === 'linked') world = { ...world, sessions: w.sessions + 1, tokenV: 1 };
  if (cmd.k === 'resumed') world = { ...world, tokenV: w.tokenV + 1 };
  if (cmd.k === 'error') world = { ...world, errored: true };
  if (cmd.k === 'server_close' || cmd.k === 'close') world = { ...world, errored: false };
  if (cmd.k === 'logout') world = { ...world, via: 'user' };
  if (cmd.k === 'linked' && !cmd.match) world = { ...world, via: 'mismatch' };
  if (reopensItself(w, cmd, first.fired)) {
    const again = deliver(world, { type: 'USER.OPEN', keep: w.keep, stored: null });
    if (!again) return undefined;
    world = { ...again.world, qrN: 0, via: null, errored: false };
    fired.push(again.fired);
  }
  // a forged relay frame is proved undelivered by a valid one right behind it (no barrier on clients)
  if (cmd.k === 'relay' && cmd.v === 'forged') {
    const probe = eventFor(world, { k: 'relay', v: 'good' });
    const after = probe ? deliver(world, probe) : undefined;
    if (!after) return undefined;
    world = after.world;
    fired.push(after.fired);
  }
  return { world, fired };
}

/** A short key of what matters for exploring: states that differ only in names are one. */
export function worldKey(w: WebWorld): string {
  const c = w.chart.context;
  return JSON.stringify([
    w.chart.value,
    c.keep,
    w.stored ? (w.stored.logout ? 'L' : 'T') : '-',
    w.errored,
    w.via,
    c.hw > 0,
    c.sendN > 1,
    c.ref !== null,
    w.qrN > 1,
  ]);
}
