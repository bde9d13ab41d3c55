/**
 * The suite's hands on a web client under test: its driver (the user) and the scripted server it
 * connects to (the server, with the phone behind it), with the real cryptography the reference
 * phone uses (impl/crypto): the approval box and its key schedule, the confirm tag check, sealed
 * relay frames. Every wait is bounded, and a client that does not do what a clause requires fails
 * the case with a message naming that clause. Checks, model paths and properties all use this.
 *
 * There is no barrier on client connections (a pong says nothing about a client's JS): what the
 * client did is read from what it sends and from its driver state events. `status` polls (TR-10)
 * may come at any time while a QR is shown; they are skipped when the next frame is expected.
 */
import {
  type AccountData,
  approve,
  type EpochKeys,
  epochKeys,
  type LinkKeys,
  openOp,
  randomBytes,
  sealOp,
  verifyConfirm,
} from '../../../impl/crypto/index.js';
import type { WebDriverState } from '../../../model/protocol/driver-frames.js';
import { fromB64u, toB64u } from '../../../model/protocol/encoding.js';
import { parseQr, type QrPayload } from '../../../model/protocol/qr-payload.js';
import { type CaseContext, CaseFailure } from '../../engine/case.js';
import type { Inbound } from '../../target/target.js';
import { type ClientDriver, type ClientTarget, DriverWaitTimeout } from '../client-target.js';
import { describeInbound, type ScriptedServer, type ServerSide } from '../scripted-server.js';

export type WebCtx = CaseContext<ClientTarget<'web'>>;
export type Frame = Record<string, unknown>;

/** How long the client gets to react to one step (frames or a state change). */
export const REACT_MS = 3_000;

/** The account the suite's phone approves with, and one the scripted server may claim instead. */
export function suiteAccount(seed: number, name = 'Suite Phone'): AccountData {
  return {
    accountId: `acct${seed.toString(36)}${toB64u(randomBytes(12))}`.slice(0, 40),
    phone: '+15550100001',
    name,
    identityKey: toB64u(randomBytes(32)),
  };
}

const b64 = (n: number) => toB64u(randomBytes(n));
export const freshRef = () => b64(16);
export const freshOpaque = () => b64(16);
export const freshToken = () => b64(32);

/** A QR the client showed: the ref, and what the phone's camera reads. */
export interface ShownQr {
  readonly ref: string;
  readonly n: number;
  readonly text: string;
  readonly payload: QrPayload;
}

/** The phone's side of one approval: what it sent and the keys it derived. */
export interface Approval {
  readonly pub: string;
  readonly box: string;
  readonly keys: LinkKeys;
  readonly T: Uint8Array;
}

/** A linked attachment: its epoch, the keys of both directions and the phone's send counter. */
export interface Attached {
  readonly e: string;
  readonly keys: EpochKeys;
  readonly kRoot: Uint8Array;
  readonly sessionId: string;
  readonly accountId: string;
}

export class WebRig {
  /** The client's current connection to the scripted server. */
  conn: ServerSide | undefined;
  readonly account: AccountData;

  constructor(
    readonly ctx: WebCtx,
    readonly driver: ClientDriver<'web'>,
    readonly server: ScriptedServer,
  ) {
    this.account = suiteAccount(ctx.seed);
  }

  get side(): ServerSide {
    if (!this.conn) throw new CaseFailure('the client has no connection to the scripted server', this.ctx.wire.step);
    return this.conn;
  }

  /** A user action through the driver; a refused command fails the case (citing DRV-8). */
  async cmd(cmd: string, args: Readonly<Record<string, unknown>> = {}): Promise<WebDriverState> {
    this.ctx.step('user', cmd, Object.keys(args).length > 0 ? args : undefined);
    const reply = await this.driver.request(cmd, args);
    if (!reply.ok) {
      throw new CaseFailure(
        `the driver refused ${cmd}: ${reply.error.code} ${reply.error.detail} [DRV-8]`,
        this.ctx.wire.step,
        'ok',
        reply.error,
      );
    }
    return reply.result;
  }

  /** The server sends `frame` on the current connection. */
  send(frame: Frame, note?: string): void {
    this.ctx.step('server', note ?? String(frame.t), frame);
    this.side.send(frame);
  }

  /** Waits for a driver state; a timeout fails naming `clause` and what was expected. */
  async until(pred: (s: WebDriverState) => boolean, what: string, clause: string, ms = REACT_MS) {
    try {
      return await this.driver.waitFor(pred, ms);
    } catch (err) {
      if (err instanceof DriverWaitTimeout) {
        const now = this.driver.current;
        throw new CaseFailure(
          `[${clause}] the client never showed ${what} (state ${now?.state ?? 'unknown'}${now?.error ? `, error ${now.error.code}` : ''})`,
          this.ctx.wire.step,
          what,
          now,
        );
      }
      throw err;
    }
  }

  /** The state now must satisfy `pred` (after a wait proved the client handled what came before). */
  now(pred: (s: WebDriverState) => boolean, what: string, clause: string): WebDriverState {
    const s = this.driver.current;
    if (!s || !pred(s)) {
      throw new CaseFailure(`[${clause}] ${what}`, this.ctx.wire.step, what, s);
    }
    return s;
  }

  /** The next thing the client sent on `side`, `status` polls skipped. */
  async next(side: ServerSide = this.side, ms = REACT_MS): Promise<Inbound> {
    for (;;) {
      const item = await side.next(ms);
      if (item.kind === 'frame' && item.duplicates !== undefined && item.duplicates.length > 0) {
        throw new CaseFailure(
          `[ENC-5] the client sent a frame with the member ${item.duplicates.join(', ')} twice`,
          this.ctx.wire.step,
        );
      }
      if (item.kind === 'frame' && (item.frame as Frame | null)?.t === 'status') continue;
      return item;
    }
  }

  /** The next frame (polls skipped) must be `t`; else a failure naming `clause`. */
  async expect(t: string, clause: string, side: ServerSide = this.side): Promise<Frame> {
    let item: Inbound;
    try {
      item = await this.next(side);
    } catch (err) {
      if (err instanceof CaseFailure)
        throw new CaseFailure(`[${clause}] expected ${t} from the client, it sent nothing`, this.ctx.wire.step, { t });
      throw err;
    }
    const frame = item.kind === 'frame' ? (item.frame as Frame | null) : null;
    if (!frame || frame.t !== t) {
      throw new CaseFailure(
        `[${clause}] expected ${t} from the client, got ${describeInbound(item)}`,
        this.ctx.wire.step,
        { t },
        item.kind === 'frame' ? item.frame : item,
      );
    }
    return frame;
  }

  /** The next thing (polls skipped) must be the client's close with `code`. */
  async expectClose(code: number, clause: string, side: ServerSide = this.side): Promise<void> {
    let item: Inbound;
    try {
      item = await this.next(side);
    } catch {
      throw new CaseFailure(`[${clause}] expected the client to close with ${code}; it did not`, this.ctx.wire.step);
    }
    if (item.kind !== 'close' || item.code !== code) {
      throw new CaseFailure(
        `[${clause}] expected the client to close with ${code}, got ${describeInbound(item)}`,
        this.ctx.wire.step,
        { close: code },
        item,
      );
    }
  }

  /** Accepts the client's next `/v1/web` connection, which must offer `qrlink.v1` [TR-2]. */
  async accept(): Promise<ServerSide> {
    const side = await this.server.accept('/v1/web', REACT_MS).catch(() => {
      throw new CaseFailure('[TR-2] the client opened no connection to /v1/web', this.ctx.wire.step);
    });
    if (!side.protocols.includes('qrlink.v1')) {
      throw new CaseFailure(
        `[TR-2] the client did not offer the subprotocol qrlink.v1 (offered: ${side.protocols.join(', ') || 'none'})`,
        this.ctx.wire.step,
      );
    }
    this.conn = side;
    return side;
  }

  /** The client's `hello` on its new connection, with `keep` [LINK-16]. */
  async expectHello(keep: boolean): Promise<Frame> {
    const hello = await this.expect('hello', 'LINK-16');
    if (hello.v !== 1) throw new CaseFailure(`[LINK-16] hello.v is ${String(hello.v)}, not 1`, this.ctx.wire.step);
    if (hello.keep !== keep) {
      throw new CaseFailure(
        `[LINK-16] hello.keep is ${String(hello.keep)}, the user chose ${keep}`,
        this.ctx.wire.step,
      );
    }
    return hello;
  }

  /** The user opens the client [DRV-8]: a connection and `hello {v: 1, keep}`. */
  async open(keep: boolean): Promise<ServerSide> {
    const s = await this.cmd('open', { server: this.server.wsUrl, keep });
    if (s.state !== 'connecting') {
      throw new CaseFailure(`[DRV-8] open replied in state ${s.state}, not connecting`, this.ctx.wire.step);
    }
    const side = await this.accept();
    await this.expectHello(keep);
    return side;
  }

  /** The server issues ref number `n`; the client must show its QR [E2E-1] [WEB-1]. */
  async qr(n: number, ref = freshRef()): Promise<ShownQr> {
    this.send({ t: 'qr', ref, ttlMs: 60_000, n, of: 6 });
    const s = await this.until(
      (st) => st.state === 'qr' && st.qrN === n && st.qr !== null && qrRef(st.qr) === ref,
      `the QR of ref ${n}`,
      'WEB-1',
    );
    const text = s.qr as string;
    let payload: QrPayload;
    try {
      payload = parseQr(text);
    } catch (err) {
      throw new CaseFailure(
        `[E2E-1] the QR text is not a valid payload: ${(err as Error).message}`,
        this.ctx.wire.step,
      );
    }
    return { ref, n, text, payload };
  }

  /** A phone claimed the ref: the QR must go [WEB-1]. */
  async scanned(q: ShownQr): Promise<void> {
    this.send({ t: 'scanned', ref: q.ref });
    await this.until((s) => s.state === 'scanned' && s.qr === null, 'scanned with no QR', 'WEB-1');
  }

  /** The phone approves `q` with `account` (honest crypto unless `forge` changes what goes in). */
  async approval(q: ShownQr, account: AccountData = this.account, forge?: 'wrong_secret'): Promise<Approval> {
    const payload = forge === 'wrong_secret' ? { ...q.payload, linkSecret: randomBytes(32) } : q.payload;
    return approve(payload, account);
  }

  /** Sends the offer and checks the client's confirm tag [E2E-7]. */
  async offerAccepted(q: ShownQr, a: Approval): Promise<void> {
    this.send({ t: 'offer', ref: q.ref, pub: a.pub, box: a.box });
    const confirm = await this.expect('confirm', 'E2E-7');
    if (confirm.ref !== q.ref) throw new CaseFailure('[E2E-7] confirm names another ref', this.ctx.wire.step);
    if (typeof confirm.tag !== 'string' || !verifyConfirm(a.keys, a.T, a.box, confirm.tag)) {
      throw new CaseFailure('[E2E-7] the confirm tag is not Seal(kW2P, 0^12, empty, T || box)', this.ctx.wire.step);
    }
    await this.until((s) => s.state === 'confirming', 'confirming', 'E2E-7');
  }

  /** `linked` (token iff keep) and the client's `attach {e}` with a fresh 16-byte epoch [E2E-10]. */
  async linked(a: Approval, keep: boolean, accountId = this.account.accountId): Promise<Attached> {
    const sessionId = freshOpaque();
    this.send({ t: 'linked', sessionId, accountId, ...(keep ? { token: freshToken() } : {}) });
    return this.attached(a.keys.kRoot, sessionId, accountId);
  }

  /** The client's attach after linked/resumed, then `phone {online: true}` as the server sends it. */
  async attached(kRoot: Uint8Array, sessionId: string, accountId: string): Promise<Attached> {
    const attach = await this.expect('attach', 'E2E-10');
    const eBytes = typeof attach.e === 'string' ? fromB64u(attach.e) : undefined;
    if (eBytes?.length !== 16) throw new CaseFailure('[E2E-10] attach.e is not 16 bytes', this.ctx.wire.step);
    this.send({ t: 'phone', online: true });
    await this.until((s) => s.state === 'linked' && s.phoneOnline === true, 'linked', 'E2E-10');
    return { e: attach.e as string, keys: epochKeys(kRoot, eBytes), kRoot, sessionId, accountId };
  }

  /** Opens, shows the first QR and has a phone claim it: the client is `scanned`. */
  async openScanned(keep: boolean): Promise<ShownQr> {
    await this.open(keep);
    const q = await this.qr(1);
    await this.scanned(q);
    return q;
  }

  /** Opens, shows a QR, scans, approves and links honestly. */
  async link(keep: boolean): Promise<{ q: ShownQr; a: Approval; att: Attached }> {
    const q = await this.openScanned(keep);
    const a = await this.approval(q);
    await this.offerAccepted(q, a);
    const att = await this.linked(a, keep);
    return { q, a, att };
  }

  /** A `from_phone` sealed as the phone seals it (`key` overrides for forgeries). */
  fromPhone(att: Attached, n: number, op: object, key: Uint8Array = att.keys.kP2W, e = att.e): Frame {
    return { t: 'from_phone', e, n, c: sealOp(key, n, op) };
  }

  /** Opens a `to_phone` as the phone would [E2E-12]. */
  openToPhone(att: Attached, f: Frame): unknown {
    if (f.e !== att.e || typeof f.n !== 'number' || typeof f.c !== 'string') return undefined;
    return openOp(att.keys.kW2P, f.n, f.c);
  }
}

/** A relay `message` op carrying a chat message the state shows under `id`. */
export function messageOp(id: string, text: string, at: number): object {
  return { op: 'message', message: { id, chatId: 'c1', from: '+15550100001', text, at } };
}

/** The ref in a QR text, or undefined when it does not parse. */
export function qrRef(text: string): string | undefined {
  try {
    return parseQr(text).text.ref;
  } catch {
    return undefined;
  }
}
