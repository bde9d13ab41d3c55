/**
 * The oracle's world when the suite checks a server: the model server (model/server, the very
 * charts the explorer checks) plus what the suite's simulated peers know (relay counters, which
 * connections they closed) and the target's running timers with the time left on each. `enabled`
 * lists the commands the simulated peers may perform next (honest moves and the adversarial ones a
 * serious suite tries: stale and unknown refs, forged tags, used tokens, a second phone);
 * `apply` runs one command through the model and returns what the server must send, to whom.
 */
import type { WebUp } from '../../model/abstract/frames.js';
import { type PhoneId, refId } from '../../model/abstract/values.js';
import type { Config } from '../../model/protocol/config.js';
import { modelCode } from '../../model/server/phone-reg-chart.js';
import {
  type Fired,
  initialServer,
  phoneIds,
  runningTimers,
  type ServerConfig,
  type ServerDelivery,
  type ServerInput,
  type ServerState,
  serverStep,
} from '../../model/server/server.js';
import { type Command, phoneRefFrameTypes, type WebFrameType, webFrameTypes } from './command.js';

/** What bounds the world (and so the test graph): budgets of the simulated peers. */
export interface WorldBounds {
  /** Web connections the suite may open in one case. */
  readonly conns: number;
  /** Phones (P1, and P2 as the second phone of the adversary). */
  readonly phones: number;
  /** Relay frames each sender may send per epoch. */
  readonly relays: number;
  /** Clock advances per case. */
  readonly clocks: number;
  /** Phone authentications (reconnections) per phone. */
  readonly auths: number;
}

export const defaultWorldBounds: WorldBounds = { conns: 2, phones: 2, relays: 1, clocks: 2, auths: 1 };

export interface OracleConfig {
  readonly server: ServerConfig;
  /** The target's configuration (TTLs decide which timer fires first; qrMaxRefs the model's `of`). */
  readonly target: Config;
  readonly bounds: WorldBounds;
}

export function oracleConfig(target: Config, bounds: WorldBounds = defaultWorldBounds): OracleConfig {
  return { server: { refs: target.qrMaxRefs, sessionLimit: target.sessionLimit, faults: 0 }, target, bounds };
}

/** A timer running on the target, with the time left. */
export interface Timer {
  readonly timer: 'QR_TTL' | 'CONSENT';
  readonly conn: string;
  /** Identifies one run of the timer (a rotated ref restarts the QR timer). */
  readonly key: string;
  readonly left: number;
}

export interface WebSlot {
  readonly id: string;
  /** Last counter sent on this connection's epoch, highest received, highest acknowledged. */
  readonly sent: number;
  readonly recv: number;
  readonly acked: number;
  /** The connection has ended (closed by the suite or by the server). */
  readonly ended: boolean;
}

export interface PhoneSession {
  readonly session: string;
  /** The epoch the phone last learnt from `web.attached`, and its counters there. */
  readonly e: string;
  readonly sent: number;
  readonly recv: number;
  readonly acked: number;
}

export interface PhoneSlot {
  readonly id: PhoneId;
  readonly sessions: readonly PhoneSession[];
  readonly auths: number;
  readonly unlinkedAll: boolean;
}

export interface World {
  readonly server: ServerState;
  readonly timers: readonly Timer[];
  readonly webs: readonly WebSlot[];
  readonly phones: readonly PhoneSlot[];
  readonly clocks: number;
  /** Tokens the server has sent the suite (by any connection): candidates for resume. */
  readonly tokens: readonly string[];
}

/** One command applied: the next world, what the model server received and what it must send. */
export interface Applied {
  readonly world: World;
  readonly inputs: readonly ServerInput[];
  readonly out: readonly ServerDelivery[];
  readonly fired: readonly Fired[];
  /** For `clock`: how far the target's clock must advance. */
  readonly advanceMs?: number;
}

export function initialWorld(cfg: OracleConfig): World {
  return {
    server: initialServer(cfg.bounds.phones),
    timers: [],
    webs: [],
    phones: phoneIds.slice(0, cfg.bounds.phones).map((id) => ({ id, sessions: [], auths: 0, unlinkedAll: false })),
    clocks: 0,
    tokens: [],
  };
}

/** A canonical key of the world (the test graph's node identity). */
export function worldKey(w: World): string {
  return JSON.stringify(w);
}

export const suiteDevice = { name: 'qrlink conformance suite', platform: 'qrlink' } as const;
/** A ref no server issued (`Z` is never a connection of the suite). */
export const unknownRef = 'Z1.1';
export const phoneNumber = (p: PhoneId): string => (p === 'P1' ? '+15550000001' : '+15550000002');

const connState = (w: World, conn: string) => w.server.conns.find((c) => c.id === conn)?.state;
const webSlot = (w: World, conn: string) => w.webs.find((s) => s.id === conn);

/** The commands the simulated peers may perform in this world. */
export function enabledCommands(w: World, cfg: OracleConfig): Command[] {
  const cmds: Command[] = [];
  const b = cfg.bounds;
  if (w.webs.length < b.conns) {
    const conn = `A${w.webs.length + 1}`;
    cmds.push({ c: 'web.hello', conn, keep: true }, { c: 'web.hello', conn, keep: false });
    for (const token of w.tokens.slice(-2)) cmds.push({ c: 'web.resume', conn, token });
  }
  for (const slot of w.webs) {
    const st = connState(w, slot.id);
    if (slot.ended || !st || st.value === 'closed') continue;
    const c = st.context;
    const attemptRef = refId(slot.id, c.attempt);
    switch (st.value) {
      case 'pending':
        cmds.push({ c: 'web.status', conn: slot.id, ref: refId(slot.id, c.n) });
        break;
      case 'claimed':
        cmds.push({ c: 'web.abort', conn: slot.id, ref: attemptRef });
        break;
      case 'offered':
        cmds.push(
          { c: 'web.confirm', conn: slot.id, ref: attemptRef, forged: false },
          { c: 'web.confirm', conn: slot.id, ref: attemptRef, forged: true },
        );
        break;
      case 'admitted':
        if (c.session) cmds.push({ c: 'web.attach', conn: slot.id }, { c: 'web.logout', conn: slot.id });
        break;
      case 'attached':
        if (slot.sent < b.relays) cmds.push({ c: 'web.toPhone', conn: slot.id });
        if (slot.recv > slot.acked) cmds.push({ c: 'web.ack', conn: slot.id });
        cmds.push({ c: 'web.logout', conn: slot.id });
        break;
    }
    cmds.push({ c: 'web.close', conn: slot.id });
  }
  w.server.phones.forEach((reg, i) => {
    const phone = reg.context.phone;
    const slot = w.phones[i] as PhoneSlot;
    switch (reg.value) {
      case 'noAccount':
        cmds.push({ c: 'phone.register', phone });
        break;
      // The second phone only registers right and reconnects honestly: it is there to race P1.
      case 'codeSent':
        cmds.push({ c: 'phone.verify', phone, right: true });
        if (phone === 'P1') cmds.push({ c: 'phone.verify', phone, right: false });
        break;
      case 'offline':
        if (slot.auths < b.auths) cmds.push({ c: 'phone.auth', phone, valid: true });
        if (slot.auths < b.auths && phone === 'P1') cmds.push({ c: 'phone.auth', phone, valid: false });
        // Re-registration of the number [REG-8], once, by the first phone.
        if (phone === 'P1' && reg.context.code === null && slot.auths < b.auths)
          cmds.push({ c: 'phone.register', phone });
        if (phone === 'P1' && reg.context.code !== null)
          cmds.push({ c: 'phone.verify', phone, right: true }, { c: 'phone.verify', phone, right: false });
        break;
      case 'online':
        phoneMoves(w, reg.context.account, phone, slot, cfg, cmds);
        break;
    }
  });
  if (w.timers.length > 0 && w.clocks < b.clocks) cmds.push({ c: 'clock' });
  return cmds;
}

function phoneMoves(w: World, account: string, phone: PhoneId, slot: PhoneSlot, cfg: OracleConfig, cmds: Command[]) {
  const second = phone !== 'P1';
  for (const web of w.webs) {
    const st = connState(w, web.id);
    if (web.ended || !st) continue;
    const c = st.context;
    const ref = refId(web.id, c.attempt);
    if (st.value === 'pending') {
      cmds.push({ c: 'phone.claim', phone, ref: refId(web.id, c.n) });
      if (c.n > 1 && !second) cmds.push({ c: 'phone.claim', phone, ref: refId(web.id, c.n - 1) });
    } else if (c.claimer === phone) {
      if (st.value === 'claimed') cmds.push({ c: 'phone.approve', phone, ref }, { c: 'phone.decline', phone, ref });
      if (st.value === 'confirmed') cmds.push({ c: 'phone.finalize', phone, ref });
    } else if (st.value === 'claimed' || st.value === 'offered') {
      // The adversary's second phone tries the attempt of another [LINK-1] [LINK-6].
      if (second) cmds.push({ c: 'phone.claim', phone, ref }, { c: 'phone.approve', phone, ref });
    }
  }
  if (!second && w.webs.length === 0) cmds.push({ c: 'phone.claim', phone, ref: unknownRef });
  for (const s of w.server.sessions) {
    if (s.context.account !== account || s.value === 'ended' || s.value === 'new') continue;
    const ps = slot.sessions.find((x) => x.session === s.context.id);
    if (ps && ps.e !== '' && ps.sent < cfg.bounds.relays) cmds.push({ c: 'phone.toWeb', phone, session: s.context.id });
    if (ps && ps.recv > ps.acked) cmds.push({ c: 'phone.ack', phone, session: s.context.id });
    cmds.push({ c: 'phone.unlink', phone, session: s.context.id });
  }
  if (!slot.unlinkedAll && w.server.sessions.some((s) => s.context.account === account))
    cmds.push({ c: 'phone.unlinkAll', phone });
  cmds.push({ c: 'phone.close', phone });
}

/** The abstract frame a command sends, or the clock inputs; throws for a command the world does not allow. */
function inputsOf(w: World, cmd: Command): ServerInput[] {
  const web = (conn: string, frame: WebUp): ServerInput[] => [{ kind: 'web', conn, frame }];
  switch (cmd.c) {
    case 'web.hello':
      return web(cmd.conn, { t: 'hello', v: 1, device: suiteDevice, keep: cmd.keep });
    case 'web.resume':
      return web(cmd.conn, { t: 'resume', token: cmd.token });
    case 'web.status':
      return web(cmd.conn, { t: 'status', ref: cmd.ref });
    case 'web.confirm':
      return web(cmd.conn, { t: 'confirm', ref: cmd.ref, tag: `${cmd.forged ? 'forged' : 'tag'}:${cmd.ref}` });
    case 'web.abort':
      return web(cmd.conn, { t: 'abort', ref: cmd.ref, reason: 'bad_box' });
    case 'web.attach':
      return web(cmd.conn, { t: 'attach', e: epochOf(cmd.conn) });
    case 'web.toPhone': {
      const n = (webSlot(w, cmd.conn)?.sent ?? 0) + 1;
      const e = epochOf(cmd.conn);
      return web(cmd.conn, { t: 'to_phone', e, n, c: { k: `w2p|${e}`, n, m: `m.${cmd.conn}.${n}` } });
    }
    case 'web.ack':
      return web(cmd.conn, { t: 'ack', e: epochOf(cmd.conn), n: webSlot(w, cmd.conn)?.recv ?? 0 });
    case 'web.logout':
      return web(cmd.conn, { t: 'logout' });
    case 'web.close':
      return web(cmd.conn, { t: '$close', code: 1000 });
    case 'clock':
      throw new Error('clock has no frame');
    case 'web.frame':
      return web(cmd.conn, outOfTurn(w, cmd.conn, cmd.t, cmd.ref, cmd.epoch));
    case 'web.first':
      if (cmd.t === '$close') return web(cmd.conn, { t: '$close', code: 1000 });
      if (cmd.t === 'hello.v2') return web(cmd.conn, { t: 'hello', v: 2, device: suiteDevice, keep: false });
      return web(cmd.conn, outOfTurn(w, cmd.conn, cmd.t, undefined, undefined));
  }
  const phone = cmd.phone;
  const up = (frame: Extract<ServerInput, { kind: 'phone' }>['frame']): ServerInput[] => [
    { kind: 'phone', phone, frame },
  ];
  const number = phoneNumber(phone);
  const account = w.server.phones.find((p) => p.context.phone === phone)?.context;
  switch (cmd.c) {
    case 'phone.register':
      return up({ t: 'register', phone: number });
    case 'phone.verify':
      return up({
        t: 'register.verify',
        phone: number,
        code: cmd.right ? modelCode : '0000',
        identityKey: `ik${phone}`,
      });
    case 'phone.auth':
      return up({
        t: 'auth',
        phone: number,
        deviceToken: cmd.valid ? `dt${phone}.${account?.tokenVersion ?? 0}` : `dt${phone}.forged`,
      });
    case 'phone.close':
      return up({ t: '$close', code: 1000 });
    case 'phone.claim':
      return up({ t: 'link.claim', ref: cmd.ref });
    case 'phone.decline':
      return up({ t: 'link.decline', ref: cmd.ref });
    case 'phone.approve':
      return up({
        t: 'link.approve',
        ref: cmd.ref,
        pub: `p${phone}${cmd.ref}`,
        box: { k: `K(${cmd.ref},${phone})`, account: account?.account ?? '' },
      });
    case 'phone.finalize':
      return up({ t: 'link.finalize', ref: cmd.ref });
    case 'phone.toWeb': {
      const ps = phoneSession(w, phone, cmd.session);
      const n = ps.sent + 1;
      return up({
        t: 'to_web',
        sessionId: cmd.session,
        e: ps.e,
        n,
        c: { k: `p2w|${ps.e}`, n, m: `m.${phone}.${cmd.session}.${ps.e}.${n}` },
      });
    }
    case 'phone.ack': {
      const ps = phoneSession(w, phone, cmd.session);
      return up({ t: 'ack', sessionId: cmd.session, e: ps.e, n: ps.recv });
    }
    case 'phone.unlink':
      return up({ t: 'unlink', sessionId: cmd.session });
    case 'phone.unlinkAll':
      return up({ t: 'unlink_all' });
    case 'phone.frame':
      return inputsOf(w, { ...cmd, c: `phone.${cmd.t.slice(5)}` as 'phone.claim' });
    case 'phone.reg':
      if (cmd.t === 'register') return inputsOf(w, { c: 'phone.register', phone });
      if (cmd.t === 'auth') return inputsOf(w, { c: 'phone.auth', phone, valid: true });
      return inputsOf(w, { c: 'phone.verify', phone, right: true });
    case 'phone.relay': {
      const ps = phoneSession(w, phone, cmd.session);
      const e = cmd.epoch === 'foreign' ? foreignEpoch : ps.e || foreignEpoch;
      if (cmd.t === 'ack') return up({ t: 'ack', sessionId: cmd.session, e, n: 1 });
      const m = `m.${phone}.${cmd.session}.${e}.x`;
      return up({ t: 'to_web', sessionId: cmd.session, e, n: 1, c: { k: `p2w|${e}`, n: 1, m } });
    }
  }
}

/** An epoch no web connection of the suite ever draws. */
const foreignEpoch = 'eZ';

/** A well-formed web frame of type `t` with the values the connection would use (or the variant's). */
function outOfTurn(
  w: World,
  conn: string,
  t: WebFrameType,
  which: 'previous' | 'foreign' | undefined,
  epoch: 'foreign' | undefined,
): WebUp {
  const c = connState(w, conn)?.context;
  const attempt = Math.max(1, c?.attempt ?? 1);
  const ref = which === 'foreign' ? unknownRef : refId(conn, which === 'previous' ? attempt - 1 : attempt);
  const other = w.webs.find((s) => s.id !== conn)?.id;
  const e = epoch === 'foreign' ? (t === 'attach' && other ? epochOf(other) : foreignEpoch) : epochOf(conn);
  switch (t) {
    case 'hello':
      return { t, v: 1, device: suiteDevice, keep: false };
    case 'resume':
      return { t, token: w.tokens[0] ?? 'Z1.t0' };
    case 'status':
      return { t, ref };
    case 'confirm':
      return { t, ref, tag: `tag:${ref}` };
    case 'abort':
      return { t, ref, reason: 'bad_box' };
    case 'attach':
      return { t, e };
    case 'to_phone':
      return { t, e, n: 1, c: { k: `w2p|${e}`, n: 1, m: `m.${conn}.x` } };
    case 'ack':
      return { t, e, n: 1 };
    case 'logout':
      return { t };
  }
}

/**
 * The adversarial moves tried as the last step of a path: every web frame type on every live
 * connection, and every phone link frame about every ref the suite knows (current, dead, unknown).
 */
export function adversarialCommands(w: World, cfg: OracleConfig): Command[] {
  const cmds: Command[] = [];
  for (const slot of w.webs) {
    const st = connState(w, slot.id);
    if (slot.ended || !st || st.value === 'closed') continue;
    for (const t of webFrameTypes) cmds.push({ c: 'web.frame', conn: slot.id, t });
    for (const t of ['status', 'confirm', 'abort'] as const) {
      if (st.context.attempt > 1) cmds.push({ c: 'web.frame', conn: slot.id, t, ref: 'previous' });
      cmds.push({ c: 'web.frame', conn: slot.id, t, ref: 'foreign' });
    }
    for (const t of ['attach', 'to_phone', 'ack'] as const)
      cmds.push({ c: 'web.frame', conn: slot.id, t, epoch: 'foreign' });
  }
  if (w.webs.length < cfg.bounds.conns) {
    const conn = `A${w.webs.length + 1}`;
    const firsts = [...webFrameTypes.filter((x) => x !== 'hello' && x !== 'resume'), 'hello.v2', '$close'] as const;
    for (const t of firsts) cmds.push({ c: 'web.first', conn, t });
    // Every token seen, a token of no session, and a version of a real session never issued [SESS-5].
    const forged = w.server.sessions.map((x) => `${x.context.id}.t9`);
    for (const token of [...w.tokens, 'Z1.t0', ...forged]) cmds.push({ c: 'web.resume', conn, token });
  }
  const refs = new Set<string>([unknownRef]);
  for (const slot of w.webs) {
    const c = connState(w, slot.id)?.context;
    if (!c) continue;
    for (let n = Math.max(1, c.n - 1); n <= c.n + 1; n++) refs.add(refId(slot.id, n));
  }
  for (const reg of w.server.phones) {
    const phone = reg.context.phone;
    for (const t of ['register', 'register.verify', 'auth'] as const) cmds.push({ c: 'phone.reg', phone, t });
    if (reg.value !== 'online') continue;
    for (const t of phoneRefFrameTypes) for (const ref of refs) cmds.push({ c: 'phone.frame', phone, t, ref });
    for (const s of w.server.sessions) {
      if (s.context.account !== reg.context.account) continue;
      for (const t of ['to_web', 'ack'] as const)
        for (const epoch of ['current', 'foreign'] as const)
          cmds.push({ c: 'phone.relay', phone, session: s.context.id, t, epoch });
    }
  }
  return cmds;
}

/** The epoch a web connection draws when it attaches (one per connection). */
export function epochOf(conn: string): string {
  return `e${conn}`;
}

function phoneSession(w: World, phone: PhoneId, session: string): PhoneSession {
  const slot = w.phones.find((p) => p.id === phone);
  return slot?.sessions.find((s) => s.session === session) ?? { session, e: '', sent: 0, recv: 0, acked: 0 };
}

/** Runs one command through the model server. */
export function applyCommand(w: World, cmd: Command, cfg: OracleConfig): Applied {
  let server = w.server;
  const out: ServerDelivery[] = [];
  const fired: Fired[] = [];
  let timers = [...w.timers];
  let advanceMs: number | undefined;
  let inputs: ServerInput[];
  if (cmd.c === 'clock') {
    if (timers.length === 0) throw new Error('clock: no timer is running');
    const dt = Math.min(...timers.map((t) => t.left));
    advanceMs = dt;
    inputs = timers.filter((t) => t.left === dt).map((t) => ({ kind: 'clock', timer: t.timer, conn: t.conn }));
    timers = timers.filter((t) => t.left !== dt).map((t) => ({ ...t, left: t.left - dt }));
  } else {
    inputs = inputsOf(w, cmd);
  }
  for (const input of inputs) {
    const r = serverStep(server, input, cfg.server);
    server = r.state;
    out.push(...r.out);
    fired.push(...r.fired);
  }
  const ended = new Set(w.webs.filter((s) => s.ended).map((s) => s.id));
  const visible = out.filter((d) => d.kind !== 'web' || !ended.has(d.conn));
  let webs = [...w.webs];
  if (cmd.c === 'web.hello' || cmd.c === 'web.resume' || cmd.c === 'web.first')
    webs.push({ id: cmd.conn, sent: 0, recv: 0, acked: 0, ended: false });
  webs = webs.map((s) => webAfter(s, cmd, visible));
  const phones = w.phones.map((p) => phoneAfter(p, cmd, visible));
  const tokens = [...w.tokens];
  for (const d of visible) {
    if (d.kind !== 'web') continue;
    const f = d.frame;
    const t = f.t === 'linked' || f.t === 'resumed' ? f.token : undefined;
    if (t !== undefined && !tokens.includes(t)) tokens.push(t);
  }
  return {
    world: {
      server,
      timers: syncTimers(timers, server, cfg),
      webs,
      phones,
      clocks: w.clocks + (cmd.c === 'clock' ? 1 : 0),
      tokens,
    },
    inputs,
    out: visible,
    fired,
    ...(advanceMs === undefined ? {} : { advanceMs }),
  };
}

function webAfter(s: WebSlot, cmd: Command, out: readonly ServerDelivery[]): WebSlot {
  let next = s;
  if ('conn' in cmd && cmd.conn === s.id) {
    if (cmd.c === 'web.toPhone') next = { ...next, sent: next.sent + 1 };
    if (cmd.c === 'web.ack') next = { ...next, acked: next.recv };
    if (cmd.c === 'web.close') next = { ...next, ended: true };
  }
  for (const d of out) {
    if (d.kind !== 'web' || d.conn !== s.id) continue;
    if (d.frame.t === 'from_phone') next = { ...next, recv: Math.max(next.recv, d.frame.n) };
    if (d.frame.t === '$close') next = { ...next, ended: true };
  }
  return next;
}

function phoneAfter(p: PhoneSlot, cmd: Command, out: readonly ServerDelivery[]): PhoneSlot {
  let sessions = [...p.sessions];
  const edit = (session: string, f: (s: PhoneSession) => PhoneSession) => {
    const i = sessions.findIndex((s) => s.session === session);
    const cur = sessions[i] ?? { session, e: '', sent: 0, recv: 0, acked: 0 };
    if (i < 0) sessions.push(f(cur));
    else sessions[i] = f(cur);
  };
  let { auths, unlinkedAll } = p;
  if ('phone' in cmd && cmd.phone === p.id) {
    if (cmd.c === 'phone.toWeb') edit(cmd.session, (s) => ({ ...s, sent: s.sent + 1 }));
    if (cmd.c === 'phone.ack') edit(cmd.session, (s) => ({ ...s, acked: s.recv }));
    if (cmd.c === 'phone.auth') auths++;
    if (cmd.c === 'phone.unlinkAll') unlinkedAll = true;
  }
  for (const d of out) {
    if (d.kind !== 'phone' || d.phone !== p.id) continue;
    const f = d.frame;
    if (f.t === 'web.attached')
      edit(f.sessionId, (s) => (s.e === f.e ? s : { ...s, e: f.e, sent: 0, recv: 0, acked: 0 }));
    if (f.t === 'from_web') edit(f.sessionId, (s) => (s.e === f.e ? { ...s, recv: Math.max(s.recv, f.n) } : s));
  }
  sessions = sessions.sort((a, b) => (a.session < b.session ? -1 : 1));
  return { id: p.id, sessions, auths, unlinkedAll };
}

function syncTimers(carried: readonly Timer[], server: ServerState, cfg: OracleConfig): Timer[] {
  const t = cfg.target;
  const running = runningTimers(server).map(({ timer, conn }): Timer => {
    const c = server.conns.find((x) => x.id === conn)?.state.context;
    const key = timer === 'QR_TTL' ? `Q:${conn}:${c?.n ?? 0}` : `C:${conn}:${c?.attempt ?? 0}`;
    const old = carried.find((x) => x.key === key);
    const ttl = timer === 'CONSENT' ? t.consentMs : (c?.n ?? 1) === 1 ? t.qrFirstTtlMs : t.qrTtlMs;
    return { timer, conn, key, left: old?.left ?? ttl };
  });
  // [CTL-4] timers due at the same instant fire in the order they were armed: the ones still
  // running keep their places, the ones this step armed come after them.
  const kept = carried.flatMap((c) => running.filter((r) => r.key === c.key));
  return [...kept, ...running.filter((r) => !carried.some((c) => c.key === r.key))];
}

/**
 * A coarse key for building test paths: the entity states and the few context facts that change
 * what can happen next, not counters or values. Two worlds with one coarse key offer the same
 * coverage goals, so the path search keeps the first (shortest) one it meets.
 */
export function coarseKey(w: World): string {
  const s = w.server;
  return JSON.stringify([
    s.phones.map((p) => [p.value, p.context.attemptsLeft]),
    s.phoneConn,
    s.conns.map((c) => [
      c.state.value,
      c.state.context.n,
      c.state.context.keep,
      c.state.context.claimer,
      c.state.context.session !== null,
    ]),
    s.sessions.map((x) => [
      x.value,
      x.context.keep,
      x.context.cur >= 0,
      x.context.pending >= 0,
      x.context.w2p.length,
      x.context.p2w.length,
      x.context.phoneOnline,
    ]),
    w.webs.map((x) => [x.ended, x.sent, x.recv > x.acked]),
    w.phones.map((p) => [p.sessions.map((x) => [x.e !== '', x.sent, x.recv > x.acked]), p.unlinkedAll]),
    w.timers.length,
    w.tokens.length,
  ]);
}
