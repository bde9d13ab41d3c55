/**
 * Typed building blocks of the clause-targeted server checks: simulated peers that wait on the
 * server by barrier (a ping/pong round trip), never on time, and the protocol's flows built from
 * them with the real crypto of impl/crypto: register a phone, authenticate it, open a web
 * connection, link it end to end (claim, approve with a real box, confirm with the real tag,
 * finalize), attach with a fresh epoch, relay sealed app ops. Every step is recorded on the case's
 * trace; every expectation that the server breaks is a CaseFailure naming the clause, what was
 * expected and what came instead.
 */

import type { z } from 'zod';
import { type AccountData, acceptOffer, approve, epochKeys, makeQr, openOp, sealOp } from '../../impl/crypto/index.js';
import type { LinkKeys } from '../../impl/crypto/key-schedule.js';
import type { LinkSecrets } from '../../impl/crypto/link.js';
import { randomBytes } from '../../impl/crypto/random.js';
import { type ErrorCode, ErrorCodes } from '../../model/protocol/codes.js';
import type { Config, ConfigPatch } from '../../model/protocol/config.js';
import type { Stats } from '../../model/protocol/control-frames.js';
import { type Device, fromB64u, toB64u } from '../../model/protocol/encoding.js';
import { type PhoneToServer, ServerToPhone } from '../../model/protocol/phone-frames.js';
import { parseQr, type QrPayload } from '../../model/protocol/qr-payload.js';
import { type Qr, ServerToWeb, type ToPhone, type WebToServer } from '../../model/protocol/web-frames.js';
import { type Capability, type Case, type CaseContext, CaseFailure, CaseSkip } from '../engine/case.js';
import type { ControlClient, Inbound, PeerSocket } from '../target/target.js';

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

/** What a clause-targeted server check declares; `serverCheck` fills in kind, role and defaults. */
export interface CheckSpec {
  readonly id: string;
  readonly title: string;
  readonly section: string;
  readonly clauses: readonly string[];
  /** Quoted from docs/protocol.md. */
  readonly requirement: string;
  /** Default 'MUST'; a SHOULD clause gives a non-strict verdict. */
  readonly level?: 'MUST' | 'SHOULD';
  /** Default ['control']: almost every check resets, moves the clock or reads SMS codes. */
  readonly needs?: readonly Capability[];
  run(ctx: CaseContext): Promise<void>;
}

/** A clause-targeted check of a server (kind 'check', role 'server'). */
export function serverCheck(spec: CheckSpec): Case {
  const needs = spec.needs ?? ['control'];
  return {
    id: spec.id,
    title: spec.title,
    section: spec.section,
    kind: 'check',
    role: 'server',
    clauses: spec.clauses,
    requirement: spec.requirement,
    level: spec.level ?? 'MUST',
    needs,
    async run(ctx: CaseContext): Promise<void> {
      if (needs.includes('control') && ctx.control === undefined) {
        throw new CaseSkip(`${spec.id} needs the control endpoint (section 15)`);
      }
      ctx.cite(spec.clauses);
      await spec.run(ctx);
    },
  };
}

/** The control endpoint of a case that declared `needs: ['control']`. */
export function control(ctx: CaseContext): ControlClient {
  if (ctx.control === undefined) throw new CaseSkip('this check needs the control endpoint (section 15)');
  return ctx.control;
}

/** Throws a CaseFailure at the current trace step. */
export function fail(ctx: CaseContext, message: string, expected?: unknown, actual?: unknown): never {
  throw new CaseFailure(message, lastStep(ctx), expected, actual);
}

/** Asserts `cond`, else a CaseFailure `[clause] message`. */
export function expect(
  ctx: CaseContext,
  cond: boolean,
  clause: string,
  message: string,
  expected?: unknown,
  actual?: unknown,
): asserts cond {
  if (!cond) fail(ctx, `[${clause}] ${message}`, expected, actual);
}

function lastStep(ctx: CaseContext): number | undefined {
  const n = ctx.trace.length;
  return n === 0 ? undefined : (ctx.trace[n - 1]?.index ?? n - 1);
}

/** JSON with object members in sorted order (member order is free on the wire, section 2.3). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** Deep equality of two JSON values, whatever their member order. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

// ---------------------------------------------------------------------------------------------
// Control
// ---------------------------------------------------------------------------------------------

/** Sets part of the configuration [CTL-6]; returns the whole configuration in force. */
export async function configure(ctx: CaseContext, set: ConfigPatch): Promise<Config> {
  ctx.step('control', `config ${JSON.stringify(set)}`);
  return control(ctx).config(set);
}

/** Advances the target's clock by exactly `ms` [CTL-4]; returns the new `now`. */
export async function advance(ctx: CaseContext, ms: number, why = ''): Promise<number> {
  ctx.step('clock', `advance ${ms} ms${why === '' ? '' : ` (${why})`}`);
  return control(ctx).advance(ms);
}

/** The target's clock now (an advance by 0 [CTL-4]). */
export async function now(ctx: CaseContext): Promise<number> {
  return control(ctx).advance(0);
}

export async function stats(ctx: CaseContext): Promise<Stats> {
  ctx.step('control', 'stats');
  return control(ctx).stats();
}

/** The last SMS code sent to `phone` [CTL-5]. */
export async function smsCode(ctx: CaseContext, phone: string): Promise<string> {
  ctx.step('control', `sms ${phone}`);
  const code = await control(ctx).sms(phone);
  expect(ctx, code !== null, 'REG-1', `no SMS code was sent to ${phone} after register.sent`, 'a code', null);
  return code;
}

// ---------------------------------------------------------------------------------------------
// Peers
// ---------------------------------------------------------------------------------------------

function describe(item: Inbound | undefined): string {
  if (item === undefined) return 'nothing';
  switch (item.kind) {
    case 'frame': {
      const text = JSON.stringify(item.frame);
      return text.length > 240 ? `${text.slice(0, 240)}...` : text;
    }
    case 'text':
      return `non-JSON text ${JSON.stringify(item.text.slice(0, 80))}`;
    case 'binary':
      return `a binary message of ${item.bytes} bytes`;
    case 'close':
      return `close ${item.code}`;
  }
}

function describeAll(items: readonly Inbound[]): string {
  return items.length === 0 ? 'nothing' : items.map(describe).join(', then ');
}

function typeOf(item: Inbound | undefined): string | undefined {
  if (item?.kind !== 'frame') return undefined;
  const f = item.frame as { t?: unknown } | null;
  return typeof f === 'object' && f !== null && typeof f.t === 'string' ? f.t : undefined;
}

/** Most stats round trips a client-side close waits for the server to count the connection gone. */
const CLOSE_SYNC_ROUNDS = 50;

type Framed = { readonly t: string };
type Parser<In> = (frame: unknown) => { success: true; data: In } | { success: false };

/**
 * One simulated peer: sends typed frames (each a trace step), and reads what the server sent after a
 * barrier. Reads are strict (`next`: the first unread item must be the frame expected) or searching
 * (`find`: the first unread frame of that type, others stay unread).
 */
export class Peer<In extends Framed, Out extends Framed> {
  #unread: Inbound[] = [];

  constructor(
    readonly ctx: CaseContext,
    readonly socket: PeerSocket,
    private readonly parse: Parser<In>,
    /** The endpoint, so that a client-side close can wait until the server has seen it. */
    readonly endpoint?: 'web' | 'phone',
  ) {}

  get name(): string {
    return this.socket.peer;
  }

  get isClosed(): boolean {
    return this.socket.closed !== undefined;
  }

  /** Sends one frame and waits until the server has handled it (barrier). */
  async send(frame: Out, action?: string): Promise<void> {
    this.sendNow(frame, action);
    await this.socket.barrier();
  }

  /** Sends one frame without waiting (races: two claims in flight at once). */
  sendNow(frame: Out, action?: string): void {
    this.ctx.step(this.name, action ?? `sends ${frame.t}`, frame);
    this.socket.send(frame);
  }

  /** Sends a frame outside the typed union (frames a checked peer must not normally send). */
  async sendUntyped(frame: Framed & Record<string, unknown>, action?: string): Promise<void> {
    this.ctx.step(this.name, action ?? `sends ${frame.t}`, frame);
    this.socket.send(frame);
    await this.socket.barrier();
  }

  /** Waits until everything the server sent this peer so far has arrived; returns what is unread. */
  async settle(): Promise<readonly Inbound[]> {
    await this.socket.barrier();
    this.#unread.push(...this.socket.take());
    return this.#unread;
  }

  /** What is unread now (no barrier). */
  get unread(): readonly Inbound[] {
    return this.#unread;
  }

  #check<T extends In['t']>(item: Inbound, t: T, clause: string, why: string): Extract<In, { t: T }> {
    const frame = (item as { frame: unknown }).frame;
    const parsed = this.parse(frame);
    if (!parsed.success) {
      fail(
        this.ctx,
        `[${clause}] ${this.name}: the server's ${t} frame breaks its schema (section 4)${why}`,
        `a valid ${t}`,
        frame,
      );
    }
    return parsed.data as Extract<In, { t: T }>;
  }

  /** The next unread item must be a frame of type `t` (after a barrier); returns it parsed. */
  async next<T extends In['t']>(t: T, clause: string, why = ''): Promise<Extract<In, { t: T }>> {
    await this.settle();
    const item = this.#unread[0];
    const because = why === '' ? '' : ` (${why})`;
    if (typeOf(item) !== t || item === undefined) {
      fail(
        this.ctx,
        `[${clause}] ${this.name}: expected ${t}${because}, got ${describeAll(this.#unread)}`,
        t,
        this.#unread.slice(),
      );
    }
    this.#unread.shift();
    return this.#check(item, t, clause, because);
  }

  /** The first unread frame of type `t`, wherever it is (other frames stay unread). */
  async find<T extends In['t']>(t: T, clause: string, why = ''): Promise<Extract<In, { t: T }>> {
    await this.settle();
    const i = this.#unread.findIndex((x) => typeOf(x) === t);
    const because = why === '' ? '' : ` (${why})`;
    const item = this.#unread[i];
    if (i < 0 || item === undefined) {
      fail(
        this.ctx,
        `[${clause}] ${this.name}: expected ${t}${because}, got ${describeAll(this.#unread)}`,
        t,
        this.#unread.slice(),
      );
    }
    this.#unread.splice(i, 1);
    return this.#check(item, t, clause, because);
  }

  /** Drops unread frames of the given types (e.g. `phone` presence when a check is about something else). */
  async discard(...types: In['t'][]): Promise<void> {
    await this.settle();
    this.#unread = this.#unread.filter((x) => !types.includes(typeOf(x) as In['t']));
  }

  /** Nothing unread after a barrier: the server sent nothing and did not close. */
  async nothing(clause: string, why = ''): Promise<void> {
    await this.settle();
    if (this.#unread.length > 0) {
      fail(
        this.ctx,
        `[${clause}] ${this.name}: expected nothing${why === '' ? '' : ` (${why})`}, got ${describeAll(this.#unread)}`,
        'nothing',
        this.#unread.slice(),
      );
    }
  }

  /** The next unread item must be the close, with `code`. */
  async closedWith(code: number, clause: string, why = ''): Promise<void> {
    await this.settle();
    const item = this.#unread[0];
    if (item?.kind !== 'close' || item.code !== code) {
      fail(
        this.ctx,
        `[${clause}] ${this.name}: expected close ${code}${why === '' ? '' : ` (${why})`}, got ${describeAll(this.#unread)}`,
        { close: code },
        this.#unread.slice(),
      );
    }
    this.#unread.shift();
  }

  /** `error {code}` then the close its code assigns (section 12.1), nothing in between [ERR-10]. */
  async error(code: ErrorCode, clause: string, why = ''): Promise<void> {
    const e = (await this.next('error' as In['t'], clause, why)) as unknown as { code: string };
    expect(this.ctx, e.code === code, clause, `${this.name}: expected error ${code}, got error ${e.code}`, code, e);
    await this.closedWith(ErrorCodes[code], clause, `after error ${code}`);
  }

  /**
   * Closes from the client side (code 1000 by default) and waits for the close to complete and,
   * with a control endpoint, until the server counts the connection gone (section 15.7), so that the
   * close's consequences on other peers are there to read after their barriers.
   */
  async close(code = 1000): Promise<void> {
    this.ctx.step(this.name, `closes (${code})`);
    const before = await this.#openCount();
    await this.socket.close(code);
    this.#unread.push(...this.socket.take());
    await this.#serverSawClose(before);
  }

  /** Ends the TCP connection without a close frame (then waits as `close` does). */
  async drop(): Promise<void> {
    this.ctx.step(this.name, 'drops the connection');
    const before = await this.#openCount();
    await this.socket.drop();
    this.#unread.push(...this.socket.take());
    await this.#serverSawClose(before);
  }

  async #openCount(): Promise<number | undefined> {
    const endpoint = this.endpoint;
    if (endpoint === undefined || this.ctx.control === undefined || this.socket.closed !== undefined) return undefined;
    return (await this.ctx.control.stats()).connections[endpoint];
  }

  /** Stats round trips (no timers) until the endpoint's open count drops below `before`; gives up quietly. */
  async #serverSawClose(before: number | undefined): Promise<void> {
    const endpoint = this.endpoint;
    if (before === undefined || endpoint === undefined || this.ctx.control === undefined) return;
    for (let i = 0; i < CLOSE_SYNC_ROUNDS; i++) {
      if ((await this.ctx.control.stats()).connections[endpoint] < before) return;
    }
  }
}

export type WebPeer = Peer<ServerToWeb, WebToServer>;
export type PhonePeer = Peer<ServerToPhone, PhoneToServer>;

export async function openWebPeer(ctx: CaseContext, name: string): Promise<WebPeer> {
  ctx.step(name, 'opens /v1/web');
  const socket = await ctx.target.openPeer('/v1/web', name, ctx.wire);
  return new Peer(ctx, socket, (f) => ServerToWeb.safeParse(f), 'web');
}

export async function openPhonePeer(ctx: CaseContext, name: string): Promise<PhonePeer> {
  ctx.step(name, 'opens /v1/phone');
  const socket = await ctx.target.openPeer('/v1/phone', name, ctx.wire);
  return new Peer(ctx, socket, (f) => ServerToPhone.safeParse(f), 'phone');
}

// ---------------------------------------------------------------------------------------------
// Registration and authentication (section 5)
// ---------------------------------------------------------------------------------------------

/** What a registered phone knows about its account. */
export interface PhoneAccount {
  readonly phone: string;
  readonly accountId: string;
  readonly deviceToken: string;
  readonly identityKey: string;
  /** The display name the phone seals into approval boxes. */
  readonly name: string;
}

/** An authenticated phone connection with its account. */
export interface PhoneConn {
  readonly peer: PhonePeer;
  readonly account: PhoneAccount;
}

/** A fresh 32-byte identity key (base64url). */
export function freshIdentityKey(): string {
  return toB64u(randomBytes(32));
}

/** A fresh random base64url value of `bytes` bytes (refs, epochs, tokens that were never issued). */
export function freshB64u(bytes: number): string {
  return toB64u(randomBytes(bytes));
}

/** Phone numbers for a case: `+1555010000n` (valid E.164). */
export function phoneNumber(i: number): string {
  return `+155501${String(1000 + i).padStart(5, '0')}`;
}

/** `register` on `peer` and the `register.sent` that answers it [REG-1]; returns the SMS code. */
export async function requestCode(ctx: CaseContext, peer: PhonePeer, phone: string): Promise<string> {
  await peer.send({ t: 'register', phone });
  const sent = await peer.next('register.sent', 'REG-1', `register ${phone}`);
  expect(ctx, sent.phone === phone, 'REG-1', 'register.sent names another number', phone, sent.phone);
  return smsCode(ctx, phone);
}

/**
 * Registers `phone` on a new connection through the control endpoint's SMS outbox:
 * register -> register.sent -> sms -> register.verify -> register.ok [REG-1, REG-7].
 */
export async function registerPhone(ctx: CaseContext, name: string, phone: string): Promise<PhoneConn> {
  const peer = await openPhonePeer(ctx, name);
  const account = await registerOn(ctx, peer, phone);
  return { peer, account };
}

/** Registers `phone` on an open unauthenticated connection. */
export async function registerOn(ctx: CaseContext, peer: PhonePeer, phone: string): Promise<PhoneAccount> {
  const code = await requestCode(ctx, peer, phone);
  const identityKey = freshIdentityKey();
  await peer.send({ t: 'register.verify', phone, code, identityKey });
  const ok = await peer.next('register.ok', 'REG-7', 'the right code');
  return { phone, accountId: ok.accountId, deviceToken: ok.deviceToken, identityKey, name: `User ${phone.slice(-4)}` };
}

/** Authenticates a new phone connection with the account's device token [REG-9]. */
export async function authPhone(ctx: CaseContext, name: string, account: PhoneAccount): Promise<PhonePeer> {
  const peer = await openPhonePeer(ctx, name);
  await peer.send({ t: 'auth', phone: account.phone, deviceToken: account.deviceToken });
  const ok = await peer.next('auth.ok', 'REG-9', 'auth with the current device token');
  expect(ctx, ok.accountId === account.accountId, 'REG-9', 'auth.ok names another account', account.accountId, ok);
  return peer;
}

// ---------------------------------------------------------------------------------------------
// Web connections and QR codes (sections 6, 7.2)
// ---------------------------------------------------------------------------------------------

/** A `qr` frame as the schema reads it [QR-1]. */
export type QrFrame = z.infer<typeof Qr>;

/** A web connection that sent `hello` (or `resume`), with its latest `qr`. */
export interface WebConn {
  readonly peer: WebPeer;
  readonly keep: boolean;
  readonly device: Device;
  /** The latest `qr` frame read on this connection. */
  qr: QrFrame;
}

export interface OpenWebOptions {
  readonly keep?: boolean;
  readonly device?: Device;
}

/** Opens `/v1/web`, sends `hello {v: 1, device, keep}` and reads `qr` [LINK-16, QR-1]. */
export async function openWeb(ctx: CaseContext, name: string, options: OpenWebOptions = {}): Promise<WebConn> {
  const peer = await openWebPeer(ctx, name);
  const keep = options.keep ?? true;
  const device = options.device ?? { name: `Browser ${name}`, platform: 'Linux' };
  await peer.send({ t: 'hello', v: 1, device, keep });
  const qr = await peer.next('qr', 'QR-1', 'the answer to hello');
  return { peer, keep, device, qr };
}

/** Reads the next `qr` of a web connection (rotation, after decline, lapse, departed phone). */
export async function nextQr(web: WebConn, clause: string, why: string): Promise<QrFrame> {
  web.qr = await web.peer.next('qr', clause, why);
  return web.qr;
}

/** What the web client shows for one ref and keeps in memory: the QR text and its secrets [E2E-1]. */
export interface Shown {
  readonly ref: string;
  readonly refBytes: Uint8Array;
  /** `qrlink:1,<ref>,<webPub>,<linkSecret>`. */
  readonly text: string;
  readonly secrets: LinkSecrets;
  /** The QR as the phone parses it off the camera [E2E-2]. */
  readonly payload: QrPayload;
}

/** The web client draws fresh keys and a linkSecret for its current ref and shows the QR [E2E-1]. */
export async function showQr(web: WebConn): Promise<Shown> {
  const { qr, secrets } = await makeQr(web.qr.ref);
  const payload = parseQr(qr);
  return { ref: web.qr.ref, refBytes: payload.ref, text: qr, secrets, payload };
}

// ---------------------------------------------------------------------------------------------
// Linking (section 7)
// ---------------------------------------------------------------------------------------------

/** The account data a phone seals into its approval box [E2E-5]. */
export function accountData(account: PhoneAccount): AccountData {
  return { accountId: account.accountId, phone: account.phone, name: account.name, identityKey: account.identityKey };
}

/** `link.claim` from `phone` on `shown.ref`; the phone reads `link.claimed`, the web `scanned` [LINK-1]. */
export async function claim(ctx: CaseContext, phone: PhonePeer, web: WebConn, shown: Shown) {
  await phone.send({ t: 'link.claim', ref: shown.ref });
  const claimed = await phone.next('link.claimed', 'LINK-1', 'claim of a pending ref');
  expect(ctx, claimed.ref === shown.ref, 'LINK-1', 'link.claimed names another ref', shown.ref, claimed.ref);
  const scanned = await web.peer.next('scanned', 'LINK-1', 'a phone claimed the ref');
  expect(ctx, scanned.ref === shown.ref, 'LINK-1', 'scanned names another ref', shown.ref, scanned.ref);
  return claimed;
}

/** The phone's approval as it sent it, with its keys (held by the phone only). */
export interface Approval {
  readonly pub: string;
  readonly box: string;
  readonly keys: LinkKeys;
  readonly T: Uint8Array;
}

/** The phone approves with a real box [E2E-5]; sends `link.approve` without reading anything. */
export async function sendApprove(phone: PhonePeer, account: PhoneAccount, shown: Shown): Promise<Approval> {
  const a = await approve(shown.payload, accountData(account));
  await phone.send({ t: 'link.approve', ref: shown.ref, pub: a.pub, box: a.box });
  return a;
}

/** The web reads `offer {ref, pub, box}` with `pub` and `box` exactly as the phone sent them [LINK-5]. */
export async function readOffer(ctx: CaseContext, web: WebConn, ref: string, pub: string, box: string) {
  const offer = await web.peer.next('offer', 'LINK-5', 'the phone approved');
  expect(ctx, offer.ref === ref, 'LINK-5', 'offer names another ref', ref, offer.ref);
  expect(ctx, offer.pub === pub, 'LINK-5', 'offer.pub differs from link.approve.pub', pub, offer.pub);
  expect(ctx, offer.box === box, 'LINK-5', 'offer.box differs from link.approve.box', box, offer.box);
  return offer;
}

/** Approve with a real box and read the unchanged offer [LINK-5]. */
export async function approveClaim(
  ctx: CaseContext,
  phone: PhonePeer,
  account: PhoneAccount,
  web: WebConn,
  shown: Shown,
): Promise<Approval> {
  const a = await sendApprove(phone, account, shown);
  await readOffer(ctx, web, shown.ref, a.pub, a.box);
  return a;
}

/** What the web client derived from the offer. */
export interface Accepted {
  readonly account: AccountData;
  readonly tag: string;
  readonly keys: LinkKeys;
}

/** The web opens the box and sends `confirm {ref, tag}`; the phone reads it unchanged [E2E-7, LINK-8]. */
export async function confirmOffer(
  ctx: CaseContext,
  web: WebConn,
  phone: PhonePeer,
  shown: Shown,
  approval: Approval,
): Promise<Accepted> {
  const accepted = await acceptOffer(shown.secrets, shown.refBytes, { pub: approval.pub, box: approval.box });
  await web.peer.send({ t: 'confirm', ref: shown.ref, tag: accepted.tag });
  const lc = await phone.next('link.confirm', 'LINK-8', 'the web client confirmed');
  expect(ctx, lc.ref === shown.ref, 'LINK-8', 'link.confirm names another ref', shown.ref, lc.ref);
  expect(ctx, lc.tag === accepted.tag, 'LINK-8', 'link.confirm.tag differs from confirm.tag', accepted.tag, lc.tag);
  return { account: accepted.account, tag: accepted.tag, keys: accepted.keys };
}

/** A live session as both ends hold it. */
export interface Session {
  readonly sessionId: string;
  readonly accountId: string;
  /** The resume token the web client holds (undefined with keep: false). */
  token: string | undefined;
  /** kRoot as the web client derived it (stored with the token, E2E-14). */
  readonly webRoot: Uint8Array;
  /** kRoot as the phone derived it. */
  readonly phoneRoot: Uint8Array;
  /** The web connection holding the session. */
  web: WebConn;
  /** The account's phone connection (updated when the phone reconnects). */
  phone: PhonePeer | undefined;
  readonly account: PhoneAccount;
  /** The current attachment of the web connection, after `attach`. */
  attachment: Attachment | undefined;
  /** Every epoch this session has had (to check RELAY-1's reuse rule). */
  readonly epochs: string[];
}

/** `link.finalize`: the web reads `linked` then `phone {online: true}`, the phone `link.ok` [LINK-9]. */
export async function finalize(
  ctx: CaseContext,
  phone: PhonePeer,
  web: WebConn,
  shown: Shown,
  account: PhoneAccount,
  approval: Approval,
  accepted: Accepted,
): Promise<Session> {
  await phone.send({ t: 'link.finalize', ref: shown.ref });
  const linked = await web.peer.next('linked', 'LINK-9', 'the phone finalized');
  expect(
    ctx,
    linked.accountId === account.accountId,
    'LINK-9',
    'linked.accountId is not the account of the phone that finalized',
    account.accountId,
    linked.accountId,
  );
  expect(
    ctx,
    (linked.token !== undefined) === web.keep,
    'LINK-10',
    `linked ${linked.token === undefined ? 'lacks' : 'carries'} a token although hello.keep was ${web.keep}`,
    web.keep ? 'a token' : 'no token',
    linked,
  );
  const online = await web.peer.next('phone', 'LINK-9', 'phone {online: true} follows linked');
  expect(ctx, online.online, 'LINK-9', 'the phone is online, yet phone {online: false} followed linked', true, online);
  const ok = await phone.next('link.ok', 'LINK-9', 'admission');
  expect(ctx, ok.ref === shown.ref, 'LINK-9', 'link.ok names another ref', shown.ref, ok.ref);
  expect(ctx, ok.sessionId === linked.sessionId, 'LINK-9', 'link.ok and linked name different sessions', linked, ok);
  return {
    sessionId: linked.sessionId,
    accountId: linked.accountId,
    token: linked.token,
    webRoot: accepted.keys.kRoot,
    phoneRoot: approval.keys.kRoot,
    web,
    phone,
    account,
    attachment: undefined,
    epochs: [],
  };
}

/** One attachment of a web connection to its session, with its epoch keys and counters [E2E-10, E2E-11]. */
export interface Attachment {
  readonly e: string;
  /** Keys as the web client derived them. */
  readonly web: { readonly kW2P: Uint8Array; readonly kP2W: Uint8Array };
  /** Keys as the phone derives them from its own kRoot. */
  readonly phone: { readonly kW2P: Uint8Array; readonly kP2W: Uint8Array };
  /** The last `n` sent in each direction. */
  toPhone: number;
  toWeb: number;
}

/**
 * The web client draws a fresh epoch and sends `attach {e}`; the phone, when one is given, reads
 * `web.attached {sessionId, e}` [RELAY-1, RELAY-2].
 */
export async function attach(ctx: CaseContext, session: Session, phone = session.phone): Promise<Attachment> {
  const eBytes = randomBytes(16);
  const e = toB64u(eBytes);
  await session.web.peer.send({ t: 'attach', e });
  if (phone !== undefined) {
    const wa = await phone.find('web.attached', 'RELAY-2', 'the web client attached');
    expect(ctx, wa.sessionId === session.sessionId && wa.e === e, 'RELAY-2', 'web.attached differs', { e }, wa);
  }
  const att: Attachment = {
    e,
    web: epochKeys(session.webRoot, eBytes),
    phone: epochKeys(session.phoneRoot, eBytes),
    toPhone: 0,
    toWeb: 0,
  };
  session.attachment = att;
  session.epochs.push(e);
  return att;
}

/** A link run up to `link.confirm` (claim, approve, confirm): what `finalize` needs next. */
export interface Prepared {
  readonly shown: Shown;
  readonly approval: Approval;
  readonly accepted: Accepted;
}

/** claim -> link.claimed/scanned -> approve -> offer -> confirm -> link.confirm, all checked. */
export async function prepareLink(ctx: CaseContext, phone: PhoneConn, web: WebConn): Promise<Prepared> {
  const shown = await showQr(web);
  await claim(ctx, phone.peer, web, shown);
  const approval = await approveClaim(ctx, phone.peer, phone.account, web, shown);
  const accepted = await confirmOffer(ctx, web, phone.peer, shown, approval);
  return { shown, approval, accepted };
}

export interface LinkOptions {
  /** Send `attach` after `linked` (default true). */
  readonly attach?: boolean;
}

/**
 * Links `web` to the phone's account end to end with real crypto: claim -> link.claimed/scanned ->
 * approve -> offer -> confirm -> link.confirm -> finalize -> linked/phone/link.ok, then attach.
 */
export async function linkWeb(
  ctx: CaseContext,
  phone: PhoneConn,
  web: WebConn,
  options: LinkOptions = {},
): Promise<Session> {
  const { shown, approval, accepted } = await prepareLink(ctx, phone, web);
  const session = await finalize(ctx, phone.peer, web, shown, phone.account, approval, accepted);
  if (options.attach ?? true) await attach(ctx, session);
  return session;
}

/** A phone registered and a web client linked to it (attached), in one call. */
export async function linkedPair(
  ctx: CaseContext,
  options: { phone?: string; keep?: boolean; web?: string; phoneName?: string } = {},
): Promise<{ phone: PhoneConn; session: Session }> {
  const phone = await registerPhone(ctx, options.phoneName ?? 'phone1', options.phone ?? phoneNumber(1));
  const web = await openWeb(ctx, options.web ?? 'web1', { keep: options.keep ?? true });
  const session = await linkWeb(ctx, phone, web);
  return { phone, session };
}

/**
 * A new web connection resumes a kept session with `token`: `resumed` then `phone {online}`
 * [SESS-4, RELAY-10]. The session's web connection and token are updated; attach is separate.
 */
export async function resume(
  ctx: CaseContext,
  session: Session,
  name: string,
  token = session.token,
): Promise<{ token: string; online: boolean }> {
  if (token === undefined) fail(ctx, 'the check tried to resume a session without a token (a check defect)');
  const peer = await openWebPeer(ctx, name);
  await peer.send({ t: 'resume', token });
  const r = await peer.next('resumed', 'SESS-4', 'resume with a valid token');
  expect(ctx, r.sessionId === session.sessionId, 'SESS-4', 'resumed names another session', session.sessionId, r);
  expect(ctx, r.accountId === session.accountId, 'SESS-4', 'resumed names another account', session.accountId, r);
  expect(ctx, r.token !== token, 'SESS-4', 'resumed repeats the presented token instead of a fresh one', 'new', r);
  const p = await peer.next('phone', 'RELAY-10', 'phone {online} follows resumed');
  session.web = { peer, keep: true, device: session.web.device, qr: session.web.qr };
  session.token = r.token;
  session.attachment = undefined;
  return { token: r.token, online: p.online };
}

/** A resume that must be refused: `error unauthorized` and close 4401 [SESS-2]. */
export async function resumeRefused(ctx: CaseContext, name: string, token: string, clause: string, why: string) {
  const peer = await openWebPeer(ctx, name);
  await peer.send({ t: 'resume', token });
  await peer.error('unauthorized', clause, why);
}

// ---------------------------------------------------------------------------------------------
// Relay (sections 8.7, 9)
// ---------------------------------------------------------------------------------------------

/** A relay frame as sent: epoch, counter, sealed payload (base64url): `to_phone` without its `t`. */
export type Sealed = Omit<z.infer<typeof ToPhone>, 't'>;

function attached(ctx: CaseContext, session: Session): Attachment {
  const a = session.attachment;
  if (a === undefined) fail(ctx, 'the check relays on a session that is not attached (a check defect)');
  return a;
}

/** Seals `op` as the web client's next `to_phone` frame and sends it (n = last + 1, or `n` given). */
export async function sendToPhone(ctx: CaseContext, session: Session, op: object, n?: number): Promise<Sealed> {
  const a = attached(ctx, session);
  const count = n ?? a.toPhone + 1;
  if (n === undefined) a.toPhone = count;
  const frame = { e: a.e, n: count, c: sealOp(a.web.kW2P, count, op) };
  await session.web.peer.send({ t: 'to_phone', ...frame }, `sends to_phone n=${count}`);
  return frame;
}

/** Seals `op` as the phone's next `to_web` frame of the session and sends it. */
export async function sendToWeb(
  ctx: CaseContext,
  session: Session,
  op: object,
  n?: number,
  phone = session.phone,
): Promise<Sealed> {
  const a = attached(ctx, session);
  if (phone === undefined) fail(ctx, 'the check sends to_web without a phone connection (a check defect)');
  const count = n ?? a.toWeb + 1;
  if (n === undefined) a.toWeb = count;
  const frame = { e: a.e, n: count, c: sealOp(a.phone.kP2W, count, op) };
  await phone.send({ t: 'to_web', sessionId: session.sessionId, ...frame }, `sends to_web n=${count}`);
  return frame;
}

/**
 * The phone reads `from_web {sessionId, e, n, c}` with the values of `sent` unchanged [RELAY-4] and
 * opens it with the keys it derives from its own kRoot; returns the op.
 */
export async function readFromWeb(
  ctx: CaseContext,
  session: Session,
  sent: Sealed,
  clause = 'RELAY-4',
  phone = session.phone,
): Promise<unknown> {
  if (phone === undefined) fail(ctx, 'the check reads from_web without a phone connection (a check defect)');
  const f = await phone.next('from_web', clause, `to_phone n=${sent.n} relayed`);
  expect(
    ctx,
    f.sessionId === session.sessionId && f.e === sent.e && f.n === sent.n && f.c === sent.c,
    'RELAY-4',
    'from_web does not carry the sessionId and the e, n, c of to_phone unchanged',
    { sessionId: session.sessionId, ...sent },
    f,
  );
  const eBytes = fromB64u(f.e);
  if (eBytes === undefined) fail(ctx, '[RELAY-4] from_web.e is not base64url', sent.e, f.e);
  return openOp(epochKeys(session.phoneRoot, eBytes).kW2P, f.n, f.c);
}

/** The web reads `from_phone {e, n, c}` with the values of `sent` unchanged [RELAY-4]; returns the op. */
export async function readFromPhone(
  ctx: CaseContext,
  session: Session,
  sent: Sealed,
  clause = 'RELAY-4',
): Promise<unknown> {
  const a = attached(ctx, session);
  const f = await session.web.peer.next('from_phone', clause, `to_web n=${sent.n} relayed`);
  expect(
    ctx,
    f.e === sent.e && f.n === sent.n && f.c === sent.c,
    'RELAY-4',
    'from_phone does not carry the e, n, c of to_web unchanged',
    sent,
    f,
  );
  return openOp(a.web.kP2W, f.n, f.c);
}

/** A `history` request op (web to phone) with a marker. */
export function historyOp(i: number): { op: 'history'; limit: number; chatId: string } {
  return { op: 'history', limit: 1 + (i % 200), chatId: `chat-${i}` };
}

/** A `message` push op (phone to web) with a marker. */
export function messageOp(i: number) {
  return {
    op: 'message',
    message: { id: `m${i}`, chatId: 'chat-1', from: '+15550100000', text: `hello ${i}`, at: 1_700_000_000_000 + i },
  };
}

/** Every frame the server sent any peer during the case (wire log, `in`). */
export function framesFromServer(ctx: CaseContext): { peer: string; frame: unknown }[] {
  return ctx.wire.entries
    .filter((w) => w.dir === 'in' && w.frame !== undefined)
    .map((w) => ({ peer: w.peer, frame: w.frame }));
}
