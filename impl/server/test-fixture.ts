/**
 * Shared set-up for the server's tests: a conformance-mode server on 127.0.0.1 port 0 with a manual
 * clock, a control peer, and the protocol's common flows (register a phone, link a web client).
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../../model/protocol/config.js';
import type { Stats } from '../../model/protocol/control-frames.js';
import { ManualClock } from './clock.js';
import { type RunningServer, type ServerOptions, startServer } from './server.js';
import { ControlPeer, type PhonePeer, TestPeer, type WebPeer } from './test-peer.js';

/** base64url of `n` random bytes (stand-ins for keys, boxes, tags and ciphertexts: the server never opens them). */
export const rand = (n: number): string => randomBytes(n).toString('base64url');

export interface Harness {
  readonly server: RunningServer;
  readonly clock: ManualClock;
  readonly control: ControlPeer;
  readonly logs: string[];
  web(): Promise<WebPeer>;
  phone(): Promise<PhonePeer>;
  stats(): Promise<Stats>;
  /**
   * Stats once `done` holds (a peer's close reaches the server a moment after the peer sees it):
   * re-asks over the control connection, at most 100 round trips, and returns the last answer.
   */
  statsWhen(done: (s: Stats) => boolean): Promise<Stats>;
  advance(ms: number): Promise<void>;
  config(set: Partial<Config>): Promise<void>;
  close(): Promise<void>;
}

export async function harness(
  options: {
    config?: Partial<Config>;
    db?: string;
    clock?: ManualClock;
    /** Further server options (origins, claimFailureLimit). */
    server?: Pick<ServerOptions, 'origins' | 'claimFailureLimit'>;
  } = {},
): Promise<Harness> {
  const clock = options.clock ?? new ManualClock();
  const logs: string[] = [];
  const server = await startServer({
    conformance: true,
    controlToken: 'test-token',
    clock,
    log: (l) => logs.push(l),
    ...(options.config ? { config: options.config } : {}),
    ...(options.db ? { db: options.db } : {}),
    ...options.server,
  });
  const control = await ControlPeer.open(server.wsUrl, 'test-token');
  const peers: TestPeer<{ t: string }>[] = [];
  const stats = async (): Promise<Stats> => {
    const r = await control.request({ t: 'stats' });
    if (r.t !== 'stats.ok') throw new Error(`stats: ${JSON.stringify(r)}`);
    const { t: _t, id: _id, ...rest } = r;
    return rest;
  };
  return {
    server,
    clock,
    control,
    logs,
    async web() {
      const p = await TestPeer.open<never>(`${server.wsUrl}/v1/web`);
      peers.push(p);
      return p as unknown as WebPeer;
    },
    async phone() {
      const p = await TestPeer.open<never>(`${server.wsUrl}/v1/phone`);
      peers.push(p);
      return p as unknown as PhonePeer;
    },
    stats,
    async statsWhen(done) {
      let last = await stats();
      for (let i = 0; i < 100 && !done(last); i++) last = await stats();
      return last;
    },
    async advance(ms) {
      const r = await control.request({ t: 'clock', advanceMs: ms });
      if (r.t !== 'clock.ok') throw new Error(`clock: ${JSON.stringify(r)}`);
    },
    async config(set) {
      const r = await control.request({ t: 'config', set });
      if (r.t !== 'config.ok') throw new Error(`config: ${JSON.stringify(r)}`);
    },
    async close() {
      for (const p of peers) p.close();
      control.close();
      await server.close();
    },
  };
}

let numberSeq = 0;
/** A fresh E.164 number per call. */
export const newNumber = (): string => `+1555${String(1_000_000 + ++numberSeq).slice(1)}`;

export interface Phone {
  readonly peer: PhonePeer;
  readonly number: string;
  readonly accountId: string;
  readonly deviceToken: string;
}

/** Registers a number on a fresh phone connection, reading the code through control `sms`. */
export async function registerPhone(h: Harness, number: string = newNumber()): Promise<Phone> {
  const peer = await h.phone();
  peer.send({ t: 'register', phone: number });
  await peer.next('register.sent');
  const sms = await h.control.request({ t: 'sms', phone: number });
  if (sms.t !== 'sms.ok' || sms.code === null) throw new Error('no code sent');
  peer.send({ t: 'register.verify', phone: number, code: sms.code, identityKey: rand(32) });
  const ok = await peer.next('register.ok');
  return { peer, number, accountId: ok.accountId, deviceToken: ok.deviceToken };
}

/** Authenticates a fresh phone connection with a device token. */
export async function authPhone(h: Harness, phone: Phone): Promise<PhonePeer> {
  const peer = await h.phone();
  peer.send({ t: 'auth', phone: phone.number, deviceToken: phone.deviceToken });
  await peer.next('auth.ok');
  return peer;
}

export interface Web {
  readonly peer: WebPeer;
  readonly ref: string;
}

/** A web connection that said hello and got its first QR. */
export async function helloWeb(h: Harness, keep = false, name = 'Firefox on Linux'): Promise<Web> {
  const peer = await h.web();
  peer.send({ t: 'hello', v: 1, device: { name, platform: 'web' }, keep });
  const qr = await peer.next('qr');
  return { peer, ref: qr.ref };
}

export interface Linked {
  readonly web: WebPeer;
  readonly sessionId: string;
  readonly accountId: string;
  readonly token: string | undefined;
  readonly ref: string;
  /** The attachment's epoch (set when `attach` is true). */
  readonly e: string;
}

/** Runs claim, approve, offer, confirm, finalize for a web connection (and attaches unless told not to). */
export async function completeLink(web: Web, phone: PhonePeer, attach = true): Promise<Linked> {
  const { peer, ref } = web;
  phone.send({ t: 'link.claim', ref });
  await phone.next('link.claimed');
  await peer.next('scanned');
  phone.send({ t: 'link.approve', ref, pub: rand(32), box: rand(80) });
  await peer.next('offer');
  peer.send({ t: 'confirm', ref, tag: rand(16) });
  await phone.next('link.confirm');
  phone.send({ t: 'link.finalize', ref });
  const linked = await peer.next('linked');
  await phone.next('link.ok');
  await peer.next('phone');
  const e = rand(16);
  if (attach) {
    peer.send({ t: 'attach', e });
    await phone.next('web.attached');
  }
  return { web: peer, sessionId: linked.sessionId, accountId: linked.accountId, token: linked.token, ref, e };
}

/** hello + completeLink. */
export async function link(h: Harness, phone: PhonePeer, keep = false, attach = true): Promise<Linked> {
  return completeLink(await helloWeb(h, keep), phone, attach);
}

/** Resumes with a token on a fresh web connection (no attach). */
export async function resume(h: Harness, token: string): Promise<{ peer: WebPeer; sessionId: string; token: string }> {
  const peer = await h.web();
  peer.send({ t: 'resume', token });
  const r = await peer.next('resumed');
  await peer.next('phone');
  return { peer, sessionId: r.sessionId, token: r.token };
}
