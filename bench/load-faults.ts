/**
 * Benchmark `load-faults`: 1,000 concurrent link-and-relay flows through the seeded fault injector
 * (fault-injector.ts) in front of a reference server process, 5% of frames dropped or cutting the
 * connection. Each flow: its phone authenticates (reconnecting after a cut), its web client links
 * with real crypto (keep: false) and attaches, the web sends FRAMES sealed to_phone frames, the phone
 * opens each one and acks it, reconnecting whenever it is cut (the server then re-delivers custody,
 * RELAY-5, RELAY-9). Then both close.
 *
 * Checked, per flow: every frame the phone opened decrypts with its own keys to what the web sealed;
 * a re-delivered frame is identical; the server never sends one frame twice on one connection; and,
 * for every flow whose web connection lived to the end, nothing accepted is lost: every to_phone the
 * injector passed to the server was sent by the server to one of the flow's phone connections
 * (observed at the injector, before its own faults). After all flows: `stats` (after a clock advance
 * of a day that expires remembered refs) equals its value before them: no connection, ref, session,
 * custody frame or timer left behind. The throughput (frames delivered to phones per second) is
 * compared with the same flows through the injector with no faults.
 */

import { openControl } from '../conformance/target/control-client.js';
import type { ControlClient } from '../conformance/target/target.js';
import { openOp, sealOp } from '../impl/crypto/index.js';
import type { Stats } from '../model/protocol/control-frames.js';
import { type Benchmark, type BenchOptions, type BenchRow, row } from './bench-result.js';
import { FaultInjector } from './fault-injector.js';
import type { Direction, FaultAction } from './fault-plan.js';
import {
  type Attached,
  attachWeb,
  authPhone,
  benchPhoneNumber,
  type LinkedSession,
  linkWeb,
  type PhoneAccount,
  registerPhone,
} from './protocol-flow.js';
import { startServerChild } from './server-child.js';
import type { Frame, WirePeer } from './wire-peer.js';

const FRAMES = 20;
/** The web sends its frames in bursts of BURST, BURST_GAP_MS apart (so some leave while the phone is away). */
const BURST = 5;
const BURST_GAP_MS = 30;
const PHONE_ATTEMPTS = 12;
const DAY = 86_400_000;

export type FlowOutcome =
  /** Link or attach did not complete (a frame dropped or a connection cut on the way): allowed. */
  | 'link-incomplete'
  /** Linked; then the web connection ended (cut, or closed by the server), so did the session: allowed. */
  | 'session-ended'
  /** Linked, relayed, and the web connection lived to the end: checked for loss. */
  | 'relayed'
  /** Linked and relaying, but the phone could not reconnect in time: frames stay in custody. */
  | 'phone-unreachable';

export interface FlowResult {
  readonly outcome: FlowOutcome;
  readonly delivered: number;
  readonly lost: number;
  readonly violations: readonly string[];
}

/** What the injector saw of one flow. */
interface FlowWire {
  /** to_phone frames the injector saw on the flow's web connection, whatever it did with them. */
  seenUp: number;
  /** to_phone n passed to the server on the flow's web connection. */
  readonly accepted: Set<number>;
  /** from_web n the server sent on any of the flow's phone connections. */
  readonly sent: Set<number>;
  /** from_web n per phone connection label (a repeat on one connection is a RELAY-4 violation). */
  readonly perConn: Map<string, Set<number>>;
  readonly violations: string[];
}

interface LoadRun {
  readonly flows: readonly FlowResult[];
  readonly seconds: number;
  readonly delivered: number;
  readonly injector: { frames: number; dropped: number; cut: number };
}

function wireOf(wires: Map<string, FlowWire>, flow: string): FlowWire {
  let w = wires.get(flow);
  if (!w) {
    w = { seenUp: 0, accepted: new Set(), sent: new Set(), perConn: new Map(), violations: [] };
    wires.set(flow, w);
  }
  return w;
}

/** The observer: records accepted to_phone and sent from_web per flow (labels `f<i>.w`, `f<i>.p<k>`). */
function observer(wires: Map<string, FlowWire>) {
  return (label: string, dir: Direction, text: string, action: FaultAction) => {
    const dot = label.indexOf('.');
    if (dot < 0) return;
    const flow = label.slice(0, dot);
    const who = label.slice(dot + 1);
    if (dir === 'up' && who === 'w' && text.includes('"to_phone"')) {
      const f = JSON.parse(text) as { t: string; n: number };
      if (f.t !== 'to_phone') return;
      const w = wireOf(wires, flow);
      w.seenUp++;
      if (action === 'pass') w.accepted.add(f.n);
    } else if (dir === 'down' && who.startsWith('p') && text.includes('"from_web"')) {
      const f = JSON.parse(text) as { t: string; n: number };
      if (f.t !== 'from_web') return;
      const w = wireOf(wires, flow);
      w.sent.add(f.n);
      let seen = w.perConn.get(who);
      if (!seen) {
        seen = new Set();
        w.perConn.set(who, seen);
      }
      if (seen.has(f.n)) w.violations.push(`[RELAY-4] from_web n=${f.n} sent twice on ${label}`);
      seen.add(f.n);
    }
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function closePeer(p: WirePeer | undefined): Promise<void> {
  if (!p) return;
  await Promise.race([p.close(), sleep(1000)]);
  p.terminate();
}

interface FlowContext {
  readonly url: string;
  readonly timeoutMs: number;
  readonly wires: Map<string, FlowWire>;
}

/** One link-and-relay flow through the injector. */
async function runFlow(i: number, account: PhoneAccount, ctx: FlowContext): Promise<FlowResult> {
  const flow = `f${i}`;
  const T = ctx.timeoutMs;
  const violations: string[] = [];
  let attempt = 0;
  const connectPhone = async (): Promise<WirePeer | undefined> => {
    while (attempt < PHONE_ATTEMPTS) {
      try {
        return await authPhone(`${ctx.url}/v1/phone?label=${flow}.p${attempt++}`, account, T);
      } catch {}
    }
    return undefined;
  };
  const first = await connectPhone();
  if (!first) return { outcome: 'link-incomplete', delivered: 0, lost: 0, violations };
  let phone: WirePeer = first;
  let session: LinkedSession | undefined;
  let att: Attached;
  try {
    session = await linkWeb(`${ctx.url}/v1/web?label=${flow}.w`, phone, account, false, T);
    att = await attachWeb(session, phone, T);
  } catch {
    await Promise.all([closePeer(session?.web), closePeer(phone)]);
    return { outcome: 'link-incomplete', delivered: 0, lost: 0, violations };
  }
  const web = session.web;
  const received = new Map<number, string>();
  let hw = 0;
  const sessionId = session.sessionId;
  const onFrame = (f: Frame): boolean => {
    if (f.t !== 'from_web') return false;
    const n = f.n as number;
    const c = f.c as string;
    if (f.sessionId !== sessionId || f.e !== att.e) {
      violations.push(`[RELAY-4] from_web of another session or epoch on ${flow}`);
      return true;
    }
    const known = received.get(n);
    if (known !== undefined) {
      if (known !== c) violations.push(`[RELAY-4] re-delivered from_web n=${n} differs`);
    } else if (n > hw) {
      const op = openOp(att.phone.kW2P, n, c) as { i?: number; n?: number } | undefined;
      if (op?.i !== i || op.n !== n) violations.push(`[E2E-12] from_web n=${n} does not open to what the web sealed`);
      received.set(n, c);
      hw = n;
    }
    phone.send({ t: 'ack', sessionId, e: att.e, n: hw });
    return true;
  };
  const install = (p: WirePeer) => {
    p.onFrame = onFrame;
    for (const f of p.takeUnread()) onFrame(f);
  };
  install(phone);
  // The phone reconnects in the background whenever it is cut, while the web keeps sending: frames
  // sent while it is away must wait in custody and come on its next connection [RELAY-5].
  let finished = false;
  let phoneLost = false;
  let reconnecting: Promise<void> | undefined;
  const reconnect = async () => {
    const p = await connectPhone();
    if (p && !finished) {
      phone = p;
      install(p);
      watch(p);
    } else if (p) p.terminate();
    else phoneLost = true;
    reconnecting = undefined;
  };
  const watch = (p: WirePeer) =>
    p.ws.once('close', () => {
      if (!finished && reconnecting === undefined) reconnecting = reconnect();
    });
  watch(phone);
  for (let n = 1; n <= FRAMES; n++) {
    web.send({ t: 'to_phone', e: att.e, n, c: sealOp(att.web.kW2P, n, { i, n }) });
    if (n % BURST === 0 && n < FRAMES) await sleep(BURST_GAP_MS);
  }
  const wire = wireOf(ctx.wires, flow);
  const deadline = performance.now() + 3 * T;
  let outcome: FlowOutcome = 'relayed';
  for (;;) {
    if (web.closed) {
      outcome = 'session-ended';
      break;
    }
    const all = [...wire.accepted];
    // done: the injector saw every frame, the server sent every accepted one, and the phone has each
    // one, or a later one (a frame the injector dropped on the way down is acked cumulatively)
    if (wire.seenUp === FRAMES && all.every((n) => wire.sent.has(n) && (received.has(n) || n < hw))) break;
    if (phoneLost || performance.now() > deadline) {
      outcome = phoneLost || phone.closed ? 'phone-unreachable' : 'relayed';
      break;
    }
    await sleep(20);
  }
  finished = true;
  await reconnecting;
  let lost = 0;
  if (outcome === 'relayed') {
    for (const n of wire.accepted) {
      if (!wire.sent.has(n)) {
        lost++;
        violations.push(`[RELAY-5] to_phone n=${n} accepted by the server was never sent to the phone`);
      }
    }
  }
  violations.push(...wire.violations);
  await Promise.all([closePeer(web), closePeer(phone)]);
  return { outcome, delivered: received.size, lost, violations };
}

async function settle(control: ControlClient): Promise<Stats> {
  const until = performance.now() + 15_000;
  let s = await control.stats();
  while ((s.connections.web > 0 || s.connections.phone > 0) && performance.now() < until) {
    await sleep(100);
    s = await control.stats();
  }
  await control.advance(DAY);
  return control.stats();
}

function diff(before: Stats, after: Stats): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (typeof a === 'number' || typeof b === 'number') {
      if (a !== b) out.push(`${path}: ${String(a)} -> ${String(b)}`);
      return;
    }
    for (const k of Object.keys(a as object)) {
      walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`);
    }
  };
  walk(before, after, '');
  return out;
}

async function loadRun(
  upstream: string,
  accounts: readonly PhoneAccount[],
  rate: number,
  seed: number,
  timeoutMs: number,
): Promise<LoadRun> {
  const wires = new Map<string, FlowWire>();
  const injector = new FaultInjector(upstream, { seed, rate }, observer(wires));
  const url = await injector.listen();
  try {
    const start = performance.now();
    const flows = await Promise.all(accounts.map((a, i) => runFlow(i, a, { url, timeoutMs, wires })));
    const seconds = (performance.now() - start) / 1000;
    return {
      flows,
      seconds,
      delivered: flows.reduce((s, f) => s + f.delivered, 0),
      injector: { ...injector.counts },
    };
  } finally {
    await injector.close();
  }
}

function tally(run: LoadRun): Record<FlowOutcome, number> {
  const t: Record<FlowOutcome, number> = {
    'link-incomplete': 0,
    'session-ended': 0,
    relayed: 0,
    'phone-unreachable': 0,
  };
  for (const f of run.flows) t[f.outcome]++;
  return t;
}

export interface LoadFaultsResult {
  readonly clean: LoadRun;
  readonly faulty: LoadRun;
  readonly leaks: { readonly clean: string[]; readonly faulty: string[] };
  readonly statsFields: number;
}

export async function loadWithFaults(
  flows: number,
  rate: number,
  seed: number,
  timeoutMs: number,
  mutants: readonly string[] = [],
): Promise<LoadFaultsResult> {
  const child = await startServerChild('reference', { rateMessages: 0 }, mutants);
  const control = await openControl(child.wsUrl, child.controlToken ?? '');
  try {
    const accounts: PhoneAccount[] = [];
    for (let i = 0; i < flows; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, flows - i) }, (_, k) =>
          registerPhone(`${child.wsUrl}/v1/phone`, control, benchPhoneNumber(20_000 + i + k), 60_000),
        ),
      );
      await Promise.all(batch.map((b) => b.peer.close()));
      accounts.push(...batch.map((b) => b.account));
    }
    const base = await settle(control);
    const clean = await loadRun(child.wsUrl, accounts, 0, seed, timeoutMs);
    const afterClean = await settle(control);
    const faulty = await loadRun(child.wsUrl, accounts, rate, seed, timeoutMs);
    const afterFaulty = await settle(control);
    return {
      clean,
      faulty,
      leaks: { clean: diff(base, afterClean), faulty: diff(base, afterFaulty) },
      statsFields: countFields(base),
    };
  } finally {
    await control.close().catch(() => {});
    await child.stop();
  }
}

function countFields(s: Stats): number {
  let n = 0;
  const walk = (v: unknown) => {
    if (typeof v === 'number') n++;
    else for (const x of Object.values(v as object)) walk(x);
  };
  walk(s);
  return n;
}

export const loadFaultsBenchmark: Benchmark = {
  id: 'load-faults',
  title: 'concurrent link-and-relay flows with injected faults',
  async run(options: BenchOptions): Promise<BenchRow[]> {
    const flows = options.quick ? 100 : 1000;
    const rate = 0.05;
    const seed = 9;
    const r = await loadWithFaults(flows, rate, seed, options.quick ? 2000 : 5000);
    const violations = r.faulty.flows.flatMap((f) => f.violations).concat(r.clean.flows.flatMap((f) => f.violations));
    const lost = r.faulty.flows.reduce((s, f) => s + f.lost, 0) + r.clean.flows.reduce((s, f) => s + f.lost, 0);
    const leaks = [...r.leaks.clean, ...r.leaks.faulty];
    for (const v of violations.slice(0, 20)) options.problem(`load-faults: ${v}`);
    for (const l of leaks) options.problem(`load-faults: stats not back to baseline: ${l}`);
    const okFlows = (run: LoadRun) => run.flows.filter((f) => f.violations.length === 0).length;
    const t = tally(r.faulty);
    const tc = tally(r.clean);
    const inj = r.faulty.injector;
    const desc = `${flows} flows at once, ${FRAMES} frames each, seed ${seed}; injector: ${inj.frames} frames, ${inj.dropped} dropped, ${inj.cut} cuts; outcomes with faults: ${t.relayed} relayed, ${t['session-ended']} session ended, ${t['link-incomplete']} link incomplete, ${t['phone-unreachable']} phone unreachable (fault-free: ${tc.relayed} relayed); lost ${lost}; violations ${violations.length}; stats back to baseline: ${leaks.length === 0 ? 'yes' : `NO (${leaks.join('; ')})`}`;
    options.say(`load-faults: ${desc}`);
    return [
      row({
        id: 'load-faults.throughput',
        metric: `relay frames delivered/s, ${rate * 100}% of frames dropped or cut (baseline: no faults, same injector)`,
        ours: r.faulty.delivered / r.faulty.seconds,
        baseline: r.clean.delivered / r.clean.seconds,
        unit: 'frames/s',
        better: 'higher',
        notes: desc,
      }),
      row({
        id: 'load-faults.allowed',
        metric: 'flows ending in a state the spec allows, nothing lost (baseline: all flows)',
        ours: okFlows(r.faulty),
        baseline: flows,
        unit: 'flows',
        better: 'higher',
        notes: `lost frames: ${lost}; violations: ${violations.length}`,
      }),
      row({
        id: 'load-faults.no-leaks',
        metric: 'stats counters back to their value before the flows (baseline: all counters)',
        ours: r.statsFields - new Set([...r.leaks.faulty, ...r.leaks.clean].map((l) => l.split(':')[0])).size,
        baseline: r.statsFields,
        unit: 'counters',
        better: 'higher',
        notes: `stats after closing every connection and a clock advance of one day, compared with before the flows; ${leaks.length === 0 ? 'no leak' : leaks.join('; ')}`,
      }),
    ];
  },
};
