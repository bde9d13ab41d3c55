/**
 * The suite's side of one phone case: the scripted server and the web client of every link, with
 * real cryptography, and the phone's user through the driver. Every step does one concrete thing
 * (a driver command, or a frame a server, honest or not, would send) and checks what the phone did
 * in return: the frames it sent, read in order on its connection, and the state its driver reports.
 *
 * Every frame the phone sends is audited as it is read: schema [TR-4], no duplicate members [ENC-5],
 * no linkSecret of any QR the suite made [E2E-5, E2E-16], and every `to_web` against the session's
 * relay model: sent only under the latest `web.attached` epoch [PHONE-6], opening under kP2W_e at
 * its n [E2E-11, E2E-12], never a second ciphertext under one (e, n) [E2E-12, RELAY-14].
 *
 * Client checks have no ping barrier. To prove the phone did NOT do something, a step follows it
 * with a probe whose answer must come after (frames on one connection are processed in order):
 * a relay request when a session is attached, else a frame that changes the driver state.
 */

import {
  acceptOffer,
  confirmTag,
  epochKeys,
  type LinkKeys,
  type LinkSecrets,
  makeQr,
  openOp,
  randomBytes,
  sealOp,
} from '../../../impl/crypto/index.js';
import { PhoneToWebOp } from '../../../model/protocol/app-ops.js';
import type { PhoneDriverState } from '../../../model/protocol/driver-frames.js';
import { fromB64u, toB64u } from '../../../model/protocol/encoding.js';
import { PhoneToServer } from '../../../model/protocol/phone-frames.js';
import { type CaseContext, CaseFailure } from '../../engine/case.js';
import type { Inbound } from '../../target/target.js';
import type { ClientDriver, ClientReply, ClientTarget } from '../client-target.js';
import type { ScriptedServer, ServerSide } from '../scripted-server.js';

export type PhoneCtx = CaseContext<ClientTarget<'phone'>>;
export type PhoneDriver = ClientDriver<'phone'>;
export type PhoneState = PhoneDriverState;
type Frame = Record<string, unknown>;

/** How long the suite waits for something the phone must do (no sleep: a bound on a wait). */
export const WAIT_MS = 3_000;

export const PHONE_NUMBER = '+15550001234';
export const DEVICE = { name: 'Firefox 140 on Linux', platform: 'Linux x86_64' } as const;
export const ADDRESS = '198.51.100.23';
export const REQUESTED_AT = 1_767_225_600_000;

const b64 = (n: number) => toB64u(randomBytes(n));

/** JSON with object members sorted: equality of values whatever the member order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
const describe = (item: Inbound) => (item.kind === 'close' ? `close ${item.code}` : item.kind);

/** A QR code the suite's web client shows: fresh keys for a fresh ref [E2E-1]. */
export interface WebQr {
  readonly ref: string;
  readonly text: string;
  readonly secrets: LinkSecrets;
}

export async function webQr(refBytes = 16): Promise<WebQr> {
  const ref = b64(refBytes);
  const { qr, secrets } = await makeQr(ref);
  return { ref, text: qr, secrets };
}

/** A phone-to-web frame the suite holds for the session, as the phone sealed it. */
interface P2W {
  readonly e: string;
  readonly n: number;
  readonly c: string;
  readonly op: PhoneToWebOp;
}

/** One linked session as the suite (server and web client) tracks it. */
export interface SuiteSession {
  readonly id: string;
  readonly kRoot: Uint8Array;
  readonly keep: boolean;
  /** The epoch of the latest web.attached sent, null before any. */
  epoch: string | null;
  attached: boolean;
  /** Next web-to-phone n per epoch. */
  readonly w2pNext: Map<string, number>;
  /** Highest n the phone must have accepted per epoch. */
  readonly hw: Map<string, number>;
  /** Every (e/n) -> c the phone ever sent for this session. */
  readonly sealed: Map<string, string>;
  /** Next n the phone must use per epoch. */
  readonly p2wNext: Map<string, number>;
  /** Operations the phone sent and the suite has not acked, in order. */
  outbox: P2W[];
  /** n refused with queue_full and not yet released by acked. */
  blockedAt: number | undefined;
  /** Ops the phone still owes (requests answered while not attached or blocked). */
  owed: number;
  /** Whether the session ended (session.ended, unlinked, re-registration). */
  ended: boolean;
  /** Identical re-sends of earlier frames the suite expects next (repeated epoch, after queue_full). */
  resends: number;
}

export class PhoneRig {
  conn: ServerSide | undefined;
  /** Every frame type (`$close` for a close) read from the phone, in order (model paths compare it with the chart). */
  consumed: string[] = [];
  readonly qrs: WebQr[] = [];
  readonly sessions: SuiteSession[] = [];
  accountId = b64(16);
  deviceToken: string | undefined;
  identityKey: string | undefined;
  /** The attempt in progress: the QR scanned and, once approved, the box and the web's keys. */
  attempt:
    | {
        qr: WebQr;
        approve?: { pub: string; box: string };
        tag?: string;
        kRoot?: Uint8Array;
        web?: { keys: LinkKeys; T: Uint8Array };
        keep: boolean;
      }
    | undefined;

  constructor(
    readonly ctx: PhoneCtx,
    readonly driver: PhoneDriver,
    readonly server: ScriptedServer,
  ) {}

  // ------------------------------------------------------------------ failures and steps

  /** A CaseFailure citing `clause`. */
  fail(clause: string, message: string, expected?: unknown, actual?: unknown): never {
    this.ctx.cite([clause]);
    throw new CaseFailure(`[${clause}] ${message}`, this.ctx.wire.step, expected, actual);
  }

  step(actor: string, action: string, frame?: unknown): void {
    this.ctx.step(actor, action, frame);
  }

  /** Sends a frame as the server. */
  send(frame: Frame): void {
    if (!this.conn) throw new Error('no phone connection to send on');
    this.step('server', `send ${String(frame.t)}`, frame);
    this.conn.send(frame);
  }

  // ------------------------------------------------------------------ driver

  /** A driver command that must succeed; returns the state it reports. */
  async cmd(cmd: string, args: Readonly<Record<string, unknown>> = {}, clause = 'DRV-10'): Promise<PhoneState> {
    this.step('user', `${cmd}${Object.keys(args).length ? ` ${JSON.stringify(args)}` : ''}`);
    const reply = await this.driver.request(cmd, args);
    if (!reply.ok) this.fail(clause, `${cmd} failed: ${reply.error.code} ${reply.error.detail}`, { ok: true }, reply);
    return reply.result;
  }

  /** A driver command whose reply is returned whatever it is. */
  async raw(cmd: string, args: Readonly<Record<string, unknown>> = {}): Promise<ClientReply<'phone'>> {
    this.step('user', `${cmd}${Object.keys(args).length ? ` ${JSON.stringify(args)}` : ''}`);
    return this.driver.request(cmd, args);
  }

  /** A driver command that must fail with `code`, changing nothing. */
  async refused(cmd: string, args: Readonly<Record<string, unknown>>, code: string, clause: string): Promise<void> {
    const before = this.driver.current;
    const reply = await this.raw(cmd, args);
    if (reply.ok || reply.error.code !== code) {
      this.fail(clause, `${cmd} ${JSON.stringify(args)} must answer ${code}`, { ok: false, code }, reply);
    }
    const after = this.driver.current;
    if (code !== 'failed' && before !== undefined && canonical(after) !== canonical(before)) {
      this.fail('DRV-4', `${cmd} answered ${code} but changed the state`, before, after);
    }
  }

  /** Waits for a driver state; a state that never comes is a failure citing `clause`. */
  async until(
    pred: (s: PhoneState) => boolean,
    what: string,
    clause: string,
    timeoutMs = WAIT_MS,
  ): Promise<PhoneState> {
    try {
      return await this.driver.waitFor(pred, timeoutMs);
    } catch (err) {
      if (err instanceof Error && err.name === 'DriverWaitTimeout') {
        this.fail(clause, `the phone never reached ${what}: ${err.message}`, what, this.driver.current);
      }
      throw err;
    }
  }

  /** Checks the driver's current state name (after a reply or a wait). */
  expectState(name: PhoneState['state'] | readonly PhoneState['state'][], clause: string): PhoneState {
    const s = this.driver.current;
    const names = typeof name === 'string' ? [name] : name;
    if (!s || !names.includes(s.state)) this.fail(clause, `expected state ${names.join(' or ')}`, names, s);
    return s as PhoneState;
  }

  // ------------------------------------------------------------------ the phone's frames

  /** The next thing the phone sent on its connection, audited. */
  async next(timeoutMs = WAIT_MS): Promise<Inbound> {
    if (!this.conn) throw new Error('no phone connection');
    const item = await this.conn.next(timeoutMs);
    this.consumed.push(
      item.kind === 'frame' ? String((item.frame as Frame).t) : item.kind === 'close' ? '$close' : item.kind,
    );
    if (item.kind === 'frame') this.audit(item.frame as Frame, item.duplicates);
    if (item.kind === 'text' || item.kind === 'binary') {
      this.fail('TR-4', `the phone sent ${item.kind === 'text' ? 'text that is not JSON' : 'a binary frame'}`);
    }
    return item;
  }

  /** The next frame must be `t`; anything else fails citing `clause`. */
  async expect(t: string, clause: string, timeoutMs = WAIT_MS): Promise<Frame> {
    let item: Inbound;
    try {
      item = await this.next(timeoutMs);
    } catch (err) {
      if (err instanceof CaseFailure && !err.message.startsWith('[')) {
        this.fail(clause, `expected ${t} from the phone, nothing came within ${timeoutMs} ms`, { t });
      }
      throw err;
    }
    if (item.kind !== 'frame' || (item.frame as Frame).t !== t) {
      const got = item.kind === 'frame' ? `frame ${String((item.frame as Frame).t)}` : describe(item);
      this.fail(clause, `expected ${t} from the phone, got ${got}`, { t }, item.kind === 'frame' ? item.frame : item);
    }
    return (item as { frame: Frame }).frame;
  }

  /** Checks one frame the phone sent. */
  private audit(frame: Frame, duplicates?: readonly string[]): void {
    if (duplicates && duplicates.length > 0) {
      this.fail('ENC-5', `the phone sent a frame with duplicate members ${duplicates.join(', ')}`, undefined, frame);
    }
    const parsed = PhoneToServer.safeParse(frame);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.fail(
        'TR-4',
        `the phone sent a frame that breaks its schema: ${issue?.path.join('.')}: ${issue?.message}`,
        undefined,
        frame,
      );
    }
    const text = JSON.stringify(frame);
    for (const q of this.qrs) {
      if (text.includes(toB64u(q.secrets.linkSecret))) {
        this.fail(
          'E2E-5',
          `the phone sent the linkSecret of a scanned QR to the server in ${String(frame.t)} (the server must never receive it, E2E-16)`,
          undefined,
          frame,
        );
      }
    }
    if (frame.t === 'to_web') this.auditToWeb(frame);
  }

  private auditToWeb(f: Frame): void {
    const s = this.sessions.find((x) => x.id === f.sessionId);
    const e = String(f.e);
    const n = Number(f.n);
    const c = String(f.c);
    if (!s)
      this.fail('PHONE-6', `to_web for session ${String(f.sessionId)}, which the phone never linked`, undefined, f);
    if (s.ended) this.fail('SESS-15', `to_web for session ${s.id}, which has ended`, undefined, f);
    if (s.epoch === null) {
      this.fail('PHONE-6', `to_web for session ${s.id} before any web.attached for it`, undefined, f);
    }
    if (e !== s.epoch)
      this.fail('PHONE-6', `to_web under epoch ${e}, not the latest web.attached epoch ${s.epoch}`, s.epoch, f);
    const key = `${e}/${n}`;
    const before = s.sealed.get(key);
    if (before !== undefined && before !== c) {
      this.fail(
        'E2E-12',
        `the phone sealed two different ciphertexts under epoch ${e} with n = ${n}: nonce reuse (RELAY-14: a repeated epoch is re-sent, never re-sealed)`,
        before,
        c,
      );
    }
    if (before !== undefined) {
      if (s.resends === 0) {
        this.fail(
          'E2E-12',
          `the phone sent n = ${n} of epoch ${e} again where a new frame (n = ${s.p2wNext.get(e) ?? 1}) was due: n must grow by 1 per new frame`,
          s.p2wNext.get(e) ?? 1,
          n,
        );
      }
      s.resends--;
    }
    s.sealed.set(key, c);
    const eBytes = fromB64u(e) as Uint8Array;
    const plain = openOp(epochKeys(s.kRoot, eBytes).kP2W, n, c);
    if (plain === undefined) this.fail('E2E-12', `to_web ${key} does not open under kP2W_e with nonce n`, undefined, f);
    const op = PhoneToWebOp.safeParse(plain);
    if (!op.success) this.fail('E2E-12', `to_web ${key} holds no valid phone-to-web operation`, undefined, plain);
    if (before !== undefined) return; // an identical re-send: checked by the step that expects it
    const expectedN = s.p2wNext.get(e) ?? 1;
    if (n !== expectedN) {
      this.fail('E2E-12', `a new to_web under epoch ${e} must have n = ${expectedN}, it has n = ${n}`, expectedN, n);
    }
    s.p2wNext.set(e, n + 1);
    s.outbox.push({ e, n, c, op: op.data });
  }

  /** Accepts the phone's next connection to /v1/phone and checks its subprotocol [TR-2]. */
  async acceptConnection(): Promise<ServerSide> {
    const conn = await this.server.accept('/v1/phone', WAIT_MS);
    if (!conn.protocols.includes('qrlink.v1')) {
      this.fail('TR-2', `the phone opened /v1/phone offering ${JSON.stringify(conn.protocols)}, not qrlink.v1`);
    }
    this.conn = conn;
    return conn;
  }

  // ------------------------------------------------------------------ registration

  /** `connect {server}` for a phone without a device token: state unregistered [DRV-10]. */
  async connectFresh(): Promise<void> {
    const state = await this.cmd('connect', { server: this.server.wsUrl });
    await this.acceptConnection();
    if (state.state !== 'unregistered')
      this.fail('DRV-10', 'connect without a device token must reply unregistered', 'unregistered', state);
  }

  /** register: the phone sends `register {phone}` [REG-1]. */
  async register(phone = PHONE_NUMBER): Promise<void> {
    const s = await this.cmd('register', { phone });
    if (s.state !== 'registering') this.fail('DRV-10', 'register must reply registering', 'registering', s);
    const f = await this.expect('register', 'REG-1');
    if (f.phone !== phone) this.fail('DRV-10', `register carries ${String(f.phone)}, not ${phone}`, phone, f.phone);
  }

  /** code: the phone sends `register.verify {phone, code, identityKey}` [REG-7]. */
  async code(code = '4321', phone = PHONE_NUMBER): Promise<void> {
    const s = await this.cmd('code', { code });
    if (s.state !== 'verifying') this.fail('DRV-10', 'code must reply verifying', 'verifying', s);
    const f = await this.expect('register.verify', 'REG-7');
    if (f.phone !== phone || f.code !== code)
      this.fail('DRV-10', 'register.verify must carry the number and the code typed', { phone, code }, f);
    const ik = fromB64u(String(f.identityKey));
    if (ik?.length !== 32) this.fail('REG-7', 'identityKey must be 32 bytes', 32, f.identityKey);
    this.identityKey = String(f.identityKey);
  }

  /** register.ok: the phone is ready with the account [REG-7]. */
  async registered(): Promise<void> {
    this.deviceToken = b64(32);
    this.send({ t: 'register.ok', accountId: this.accountId, deviceToken: this.deviceToken });
    const s = await this.until((x) => x.state === 'ready', 'ready after register.ok', 'REG-7');
    if (s.accountId !== this.accountId || s.phone !== PHONE_NUMBER) {
      this.fail(
        'DRV-9',
        'after register.ok the state must carry the accountId and number',
        { accountId: this.accountId },
        s,
      );
    }
    for (const x of this.sessions) x.ended = true; // [REG-8] a re-registration ends every session
  }

  /** From a fresh phone to `ready`: connect, register, code, register.ok. */
  async ready(): Promise<void> {
    await this.connectFresh();
    await this.register();
    this.send({ t: 'register.sent', phone: PHONE_NUMBER, ttlMs: 300_000, length: 4 });
    await this.code();
    await this.registered();
  }

  /** The phone goes offline (online false): it closes with 1000 [DRV-10, RELAY-10]. */
  async offline(): Promise<void> {
    const s = await this.cmd('online', { value: false });
    if (s.state !== 'offline') this.fail('DRV-10', 'online false must reply offline', 'offline', s);
    if (this.conn) {
      const item = await this.next();
      if (item.kind !== 'close' || item.code !== 1000)
        this.fail('DRV-10', 'online false must close the connection with 1000', 1000, item);
    }
    for (const x of this.sessions) x.attached = false;
  }

  /** online true: a new connection and `auth {phone, deviceToken}` [REG-9]. */
  async online(): Promise<void> {
    const s = await this.cmd('online', { value: true });
    await this.acceptConnection();
    if (s.state !== 'connecting')
      this.fail('DRV-10', 'online true with a device token must reply connecting', 'connecting', s);
    const f = await this.expect('auth', 'REG-9');
    if (f.phone !== PHONE_NUMBER || f.deviceToken !== this.deviceToken) {
      this.fail(
        'REG-9',
        'auth must carry the number and the device token of register.ok',
        { deviceToken: this.deviceToken },
        f,
      );
    }
  }

  /** auth.ok listing the live sessions: ready [REG-9]. */
  async authOk(): Promise<void> {
    const live = this.sessions.filter((s) => !s.ended);
    this.send({
      t: 'auth.ok',
      accountId: this.accountId,
      sessions: live.map((s) => ({ sessionId: s.id, device: DEVICE, keep: s.keep })),
    });
    const st = await this.until((x) => x.state === 'ready', 'ready after auth.ok', 'REG-9');
    this.checkSessions(st, 'CONS-4');
  }

  /** The driver's session list must be the live sessions, in admission order, with `attached` [CONS-4, DRV-9]. */
  checkSessions(st: PhoneState, clause: string): void {
    const want = this.sessions.filter((s) => !s.ended).map((s) => s.id);
    const got = st.sessions.map((s) => s.sessionId);
    if (JSON.stringify(want) !== JSON.stringify(got))
      this.fail(clause, 'the phone lists the wrong linked devices', want, got);
  }

  // ------------------------------------------------------------------ linking

  /** scan: the phone claims the QR's ref [E2E-2, CONS-3]. */
  async scan(qr?: WebQr): Promise<WebQr> {
    const q = qr ?? (await webQr());
    this.qrs.push(q);
    const s = await this.cmd('scan', { qr: q.text }, 'E2E-2');
    if (s.state !== 'scanning') this.fail('DRV-10', 'scan of a valid QR must reply scanning', 'scanning', s);
    const f = await this.expect('link.claim', 'E2E-2');
    if (f.ref !== q.ref) this.fail('PHONE-2', `link.claim must carry the scanned ref ${q.ref}`, q.ref, f.ref);
    this.attempt = { qr: q, keep: true };
    return q;
  }

  /** link.claimed for the scanned ref: the consent screen shows it [CONS-1]. */
  async claimed(keep = true): Promise<void> {
    const a = this.requireAttempt();
    a.keep = keep;
    this.send({ t: 'link.claimed', ref: a.qr.ref, device: DEVICE, address: ADDRESS, requestedAt: REQUESTED_AT, keep });
    const s = await this.until((x) => x.state === 'consenting', 'consenting after link.claimed', 'CONS-1');
    const want = { ref: a.qr.ref, device: DEVICE, address: ADDRESS, requestedAt: REQUESTED_AT, keep };
    if (canonical(s.consent) !== canonical(want)) {
      this.fail(
        'CONS-1',
        'the consent screen must show the device, address, requestedAt and keep of link.claimed',
        want,
        s.consent,
      );
    }
  }

  requireAttempt(): NonNullable<PhoneRig['attempt']> {
    if (!this.attempt) throw new Error('no attempt in progress');
    return this.attempt;
  }

  /** approve: link.approve {ref, pub, box}; the box opens with the QR's keys [E2E-4, E2E-5, PHONE-2]. */
  async approve(): Promise<void> {
    const a = this.requireAttempt();
    const s = await this.cmd('approve', {}, 'PHONE-1');
    if (s.state !== 'approving') this.fail('DRV-10', 'approve must reply approving', 'approving', s);
    const f = await this.expect('link.approve', 'PHONE-1');
    if (f.ref !== a.qr.ref)
      this.fail('PHONE-2', `link.approve must be for the scanned ref ${a.qr.ref}`, a.qr.ref, f.ref);
    const offer = { pub: String(f.pub), box: String(f.box) };
    let accepted: Awaited<ReturnType<typeof acceptOffer>>;
    try {
      accepted = await acceptOffer(a.qr.secrets, fromB64u(a.qr.ref) as Uint8Array, offer);
    } catch (err) {
      this.fail(
        'E2E-5',
        `the box does not open with the keys of the scanned QR: ${(err as Error).message}`,
        undefined,
        f,
      );
    }
    const acc = accepted.account;
    if (acc.accountId !== this.accountId || acc.phone !== PHONE_NUMBER || acc.identityKey !== this.identityKey) {
      this.fail(
        'E2E-5',
        'the box must hold the accountId, number and identity key of the registration',
        { accountId: this.accountId, phone: PHONE_NUMBER, identityKey: this.identityKey },
        acc,
      );
    }
    a.approve = offer;
    a.tag = accepted.tag;
    a.kRoot = accepted.keys.kRoot;
    a.web = { keys: accepted.keys, T: accepted.T };
  }

  /** link.confirm with the right tag: link.finalize [E2E-8]. */
  async confirm(): Promise<void> {
    const a = this.requireAttempt();
    if (!a.tag) throw new Error('confirm before approve');
    this.send({ t: 'link.confirm', ref: a.qr.ref, tag: a.tag });
    const f = await this.expect('link.finalize', 'E2E-8');
    if (f.ref !== a.qr.ref) this.fail('E2E-8', 'link.finalize must be for the confirmed ref', a.qr.ref, f.ref);
    await this.until((x) => x.state === 'confirming', 'confirming after link.confirm', 'DRV-9');
  }

  /** A tag that does not verify (forged, or over another box): link.decline, never finalize [E2E-8]. */
  async badConfirm(kind: 'forged' | 'other-box' = 'forged'): Promise<void> {
    const a = this.requireAttempt();
    // forged: random bytes; other-box: the right key and transcript over a box the phone did not
    // send (a server that swapped the box on the way to the web client).
    const tag = kind === 'other-box' && a.web ? toB64u(confirmTag(a.web.keys.kW2P, a.web.T, randomBytes(64))) : b64(16);
    this.send({ t: 'link.confirm', ref: a.qr.ref, tag });
    const f = await this.expect('link.decline', 'E2E-8');
    if (f.ref !== a.qr.ref) this.fail('E2E-8', 'link.decline must be for the ref', a.qr.ref, f.ref);
    await this.until((x) => x.state === 'ready' && x.consent === null, 'ready after a wrong tag', 'E2E-8');
    this.attempt = undefined;
  }

  /** link.ok: a new session, listed [LINK-9, CONS-4]. */
  async linkOk(): Promise<SuiteSession> {
    const a = this.requireAttempt();
    if (!a.kRoot) throw new Error('link.ok before approve');
    const s: SuiteSession = {
      id: b64(16),
      kRoot: a.kRoot,
      keep: a.keep,
      epoch: null,
      attached: false,
      w2pNext: new Map(),
      hw: new Map(),
      sealed: new Map(),
      p2wNext: new Map(),
      outbox: [],
      blockedAt: undefined,
      owed: 0,
      ended: false,
      resends: 0,
    };
    this.sessions.push(s);
    this.send({ t: 'link.ok', ref: a.qr.ref, sessionId: s.id });
    const st = await this.until(
      (x) => x.state === 'ready' && x.sessions.some((y) => y.sessionId === s.id),
      'ready with the new session listed after link.ok',
      'CONS-4',
    );
    const listed = st.sessions.find((y) => y.sessionId === s.id);
    if (listed?.keep !== a.keep || listed.attached) {
      this.fail(
        'DRV-9',
        'a new session is listed with keep from link.claimed and not attached',
        { keep: a.keep, attached: false },
        listed,
      );
    }
    this.attempt = undefined;
    return s;
  }

  /** A whole link from `ready`: scan, claimed, approve, confirm, link.ok. */
  async link(keep = true): Promise<SuiteSession> {
    await this.scan();
    await this.claimed(keep);
    await this.approve();
    await this.confirm();
    return this.linkOk();
  }

  /** link.error for the attempt's ref: the attempt ends, state ready [CONS-2, DRV-12, LINK-2]. */
  async linkError(reason: string, clause: string): Promise<void> {
    const a = this.requireAttempt();
    this.send({ t: 'link.error', ref: a.qr.ref, reason });
    await this.until(
      (x) => x.state === 'ready' && x.consent === null,
      `ready with no consent screen after link.error ${reason}`,
      clause,
    );
    this.attempt = undefined;
  }

  // ------------------------------------------------------------------ relay

  session(i = 0): SuiteSession {
    const s = this.sessions.filter((x) => !x.ended)[i];
    if (!s) throw new Error('no live session');
    return s;
  }

  /** web.attached with a new epoch (or `e`): the phone re-seals every unacked op from n = 1 [RELAY-14]. */
  async attach(s: SuiteSession, e = b64(16)): Promise<void> {
    const repeated = e === s.epoch;
    const pending = repeated ? s.outbox.filter((o) => o.e === e) : [...s.outbox];
    s.epoch = e;
    s.attached = true;
    s.blockedAt = undefined;
    s.resends = repeated ? pending.length : 0;
    if (!repeated) s.outbox = [];
    this.send({ t: 'web.attached', sessionId: s.id, e });
    for (const [i, old] of pending.entries()) {
      const f = await this.expect('to_web', 'RELAY-14');
      const want = repeated ? { n: old.n, c: old.c } : { n: i + 1 };
      if (f.n !== want.n || (repeated && f.c !== old.c)) {
        this.fail(
          'RELAY-14',
          repeated
            ? `after web.attached repeating epoch ${e}, unacked frame n = ${old.n} must be re-sent identical`
            : `after web.attached with a new epoch, unacked operation ${i + 1} must be re-sealed with n = ${i + 1}`,
          want,
          f,
        );
      }
      if (!repeated) {
        const got = s.outbox.at(-1);
        if (JSON.stringify(got?.op) !== JSON.stringify(old.op)) {
          this.fail('RELAY-14', 'unacked operations must be re-sealed in their original order', old.op, got?.op);
        }
      }
    }
    if (s.owed > 0) {
      for (let i = 0; i < s.owed; i++) await this.expect('to_web', 'PHONE-6');
      s.owed = 0;
    }
    await this.until(
      (x) => x.sessions.find((y) => y.sessionId === s.id)?.attached === true,
      'the session listed as attached after web.attached',
      'DRV-9',
    );
  }

  /** web.detached: listed as not attached [RELAY-11, DRV-9]. */
  async detach(s: SuiteSession): Promise<void> {
    this.send({ t: 'web.detached', sessionId: s.id });
    await this.until(
      (x) => x.sessions.find((y) => y.sessionId === s.id)?.attached === false,
      'the session listed as not attached after web.detached',
      'DRV-9',
    );
  }

  /** A sealed web-to-phone frame of `s` (next n of epoch `e` unless given). */
  fromWeb(s: SuiteSession, op: object, options: { e?: string; n?: number } = {}): Frame {
    const e = options.e ?? s.epoch ?? b64(16);
    const n = options.n ?? s.w2pNext.get(e) ?? 1;
    s.w2pNext.set(e, Math.max(s.w2pNext.get(e) ?? 1, n + 1));
    const c = sealOp(epochKeys(s.kRoot, fromB64u(e) as Uint8Array).kW2P, n, op);
    return { t: 'from_web', sessionId: s.id, e, n, c };
  }

  /**
   * A request the phone must process: ack {sessionId, e, n} [RELAY-18], then (when attached and not
   * blocked) one to_web answering it [PHONE-5]. Returns the answer's op when it came.
   */
  async request(s: SuiteSession, op: object = { op: 'history', limit: 5 }, frame?: Frame): Promise<P2W | undefined> {
    const f = frame ?? this.fromWeb(s, op);
    this.send(f);
    if (s.epoch === null || s.blockedAt !== undefined) {
      // [PHONE-6] no to_web before any web.attached; [RELAY-15] none after queue_full until acked.
      const clause = s.epoch === null ? 'PHONE-6' : 'RELAY-15';
      const what =
        s.epoch === null
          ? 'for a session before any web.attached'
          : 'after queue_full and before acked (a new relay frame)';
      await this.ackAndAnswer(s, f, 'no', clause, what);
      s.owed++;
      await this.nothingSent(clause, what);
      return undefined;
    }
    if (!s.attached) {
      // Detached: the phone may answer now under the current epoch (the server keeps it in custody)
      // or hold the answer until the next web.attached; both conform [PHONE-6, RELAY-5].
      const sent = (await this.ackAndAnswer(s, f, 'maybe', 'PHONE-6', '')) + (await this.drain());
      if (sent === 0) s.owed++;
      return sent === 0 ? undefined : s.outbox.at(-1);
    }
    await this.ackAndAnswer(s, f, 'yes', 'PHONE-5', '');
    return s.outbox.at(-1);
  }

  /**
   * Reads the ack of `f` [RELAY-18] and, as `answer` says, exactly one to_web answering it ('yes'),
   * none ('no': a to_web breaks `clause`), or at most one ('maybe'), in either order. Returns how
   * many to_web came.
   */
  private async ackAndAnswer(
    s: SuiteSession,
    f: Frame,
    answer: 'yes' | 'no' | 'maybe',
    clause: string,
    what: string,
  ): Promise<number> {
    let acked = false;
    let answers = 0;
    while (!acked || (answer === 'yes' && answers === 0)) {
      const item = await this.next();
      const fr = item.kind === 'frame' ? (item.frame as Frame) : undefined;
      if (fr?.t === 'ack' && !acked) {
        if (fr.sessionId !== s.id || fr.e !== f.e || fr.n !== f.n) {
          this.fail(
            'RELAY-18',
            `the phone must ack {sessionId, e, n: ${String(f.n)}} after processing a frame`,
            { e: f.e, n: f.n },
            fr,
          );
        }
        s.hw.set(String(f.e), Number(f.n));
        acked = true;
        continue;
      }
      if (fr?.t === 'to_web' && answer !== 'no' && answers === 0) {
        answers++;
        continue;
      }
      if (fr?.t === 'to_web' && answer === 'no') this.fail(clause, `the phone sent to_web ${what}`, { t: 'ack' }, fr);
      const got = fr ? `frame ${String(fr.t)}` : describe(item);
      this.fail(
        acked ? 'PHONE-5' : 'RELAY-18',
        acked ? `expected one to_web answering the request, got ${got}` : `expected ack n = ${String(f.n)}, got ${got}`,
        acked ? { t: 'to_web' } : { t: 'ack', n: f.n },
        item,
      );
    }
    return answers;
  }

  /** Acks every phone frame of the current epoch (`acked` from the server) [RELAY-6]. */
  ackAll(s: SuiteSession): void {
    const last = s.outbox.filter((o) => o.e === s.epoch).at(-1);
    if (!last) return;
    this.send({ t: 'acked', sessionId: s.id, e: last.e, n: last.n });
    s.outbox = s.outbox.filter((o) => !(o.e === last.e && o.n <= last.n));
  }

  /**
   * Reads what the phone sends up to the answer of an `unlink` probe (for a random session), every
   * `to_web` audited; returns how many came. Without a probe possible (not authenticated), 0.
   */
  async drain(): Promise<number> {
    const reply = await this.raw('unlink', { sessionId: b64(16) });
    if (!reply.ok) return 0;
    let count = 0;
    for (;;) {
      const item = await this.next();
      const fr = item.kind === 'frame' ? (item.frame as Frame) : undefined;
      if (fr?.t === 'unlink') break;
      if (fr?.t !== 'to_web')
        this.fail(
          'DRV-5',
          `expected the unlink the driver asked for, got ${fr ? String(fr.t) : describe(item)}`,
          { t: 'unlink' },
          item,
        );
      count++;
    }
    this.send({ t: 'unlinked', sessionIds: [] });
    return count;
  }

  /**
   * Proves that nothing was sent since the last read: a probe request (when a session is attached)
   * must be answered first, or a frame that changes the driver state must be reflected with nothing
   * sent before the next probe. `clause` is what an unexpected frame breaks.
   */
  async nothingSent(clause: string, what: string): Promise<void> {
    const s = this.sessions.find((x) => !x.ended && x.attached && x.blockedAt === undefined);
    if (s) {
      // A history request for a chat nobody has: its answer names it, so it cannot be taken for a stray.
      const probe = `probe-${b64(6)}`;
      const f = this.fromWeb(s, { op: 'history', chatId: probe, limit: 1 });
      this.send(f);
      let acked = false;
      let answered = false;
      while (!acked || !answered) {
        const item = await this.next();
        const fr = item.kind === 'frame' ? (item.frame as Frame) : undefined;
        if (fr?.t === 'ack' && !acked && fr.n === f.n && fr.e === f.e && fr.sessionId === s.id) {
          s.hw.set(String(f.e), Number(f.n));
          acked = true;
          continue;
        }
        if (
          fr?.t === 'to_web' &&
          !answered &&
          (s.outbox.at(-1)?.op as { chatId?: string } | undefined)?.chatId === probe
        ) {
          answered = true;
          continue;
        }
        this.fail(clause, `the phone sent ${fr ? String(fr.t) : describe(item)} ${what}`, { t: 'ack', n: f.n }, item);
      }
      return;
    }
    // No attached session: a web.detached for an unknown session is ignored [LATE-3]; then the
    // phone must still have sent nothing when its next frame is asked for by a driver command.
    const reply = await this.raw('unlink', { sessionId: b64(16) });
    if (!reply.ok) return;
    const item = await this.next();
    const fr = item.kind === 'frame' ? (item.frame as Frame) : undefined;
    if (fr?.t !== 'unlink')
      this.fail(clause, `the phone sent ${fr ? String(fr.t) : describe(item)} ${what}`, { t: 'unlink' }, item);
    this.send({ t: 'unlinked', sessionIds: [] });
  }
}
