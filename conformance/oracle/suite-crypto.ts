/**
 * The real cryptography behind the suite's simulated peers: the web client's QR keys per ref, the
 * phone's approval (ephemeral key, box) and confirm check, epochs and sealed relay frames. The
 * model names every value (`A1.1`, `eA1`, `K(A1.1,P1)`); this turns an abstract frame the model
 * sends into the concrete frame the suite puts on the wire, binding each value the suite makes up.
 * It uses impl/crypto, the crypto library checked against the test vectors of docs/protocol.md.
 */

import {
  acceptOffer,
  approve,
  epochKeys,
  type LinkSecrets,
  makeQr,
  randomBytes,
  sealOp,
} from '../../impl/crypto/index.js';
import type { PhoneUp, WebUp } from '../../model/abstract/frames.js';
import type { PhoneId } from '../../model/abstract/values.js';
import { fromB64u, toB64u } from '../../model/protocol/encoding.js';
import { parseQr, type QrPayload } from '../../model/protocol/qr-payload.js';
import { modelCode } from '../../model/server/phone-reg-chart.js';
import type { ServerState } from '../../model/server/server.js';
import { CaseFailure } from '../engine/case.js';
import type { ControlClient } from '../target/target.js';
import type { Bindings } from './bindings.js';
import { boxName, cipherName } from './frame-match.js';
import { phoneNumber } from './world.js';

interface WebRef {
  readonly qr: QrPayload;
  readonly secrets: LinkSecrets;
  offer?: { pub: string; box: string };
  kRoot?: Uint8Array;
}

const random = (n: number) => toB64u(randomBytes(n));

export class SuiteCrypto {
  readonly #refs = new Map<string, WebRef>();
  /** The phone side's kRoot per ref it approved. */
  readonly #phoneRoots = new Map<string, Uint8Array>();
  /** Every linkSecret the suite's web clients drew (the server must never see one) [E2E-16]. */
  readonly linkSecrets: string[] = [];

  constructor(
    private readonly bindings: Bindings,
    private readonly control: ControlClient | undefined,
  ) {}

  /** A `qr` for abstract ref `ref` arrived (and was bound): draw the QR's keys [E2E-1]. */
  async onQr(ref: string): Promise<void> {
    const concrete = this.bindings.concrete(ref);
    if (concrete === undefined || this.#refs.has(ref)) return;
    const { qr, secrets } = await makeQr(concrete);
    this.#refs.set(ref, { qr: parseQr(qr), secrets });
    this.linkSecrets.push(toB64u(secrets.linkSecret));
  }

  /** An `offer` for `ref` arrived: remember it for the confirm tag. */
  onOffer(ref: string, frame: { pub?: unknown; box?: unknown }): void {
    const r = this.#refs.get(ref);
    if (r && typeof frame.pub === 'string' && typeof frame.box === 'string')
      r.offer = { pub: frame.pub, box: frame.box };
  }

  /** A suite-made value: the bound one, or a fresh random one bound now. */
  #suite(name: string, bytes: number): string {
    const known = this.bindings.concrete(name);
    if (known !== undefined) return known;
    const v = random(bytes);
    this.bindings.bind('suite', name, v);
    return v;
  }

  /**
   * The concrete value of a target-made name; a name the target has not issued gets a random value
   * for this step only (the target may issue that name later, with its own value).
   */
  #target(kind: 'ref' | 'token' | 'session' | 'deviceToken', name: string): string {
    const known = this.bindings.concrete(name);
    if (known !== undefined) return known;
    const v = random(16);
    this.bindings.provisional(kind, name, v);
    return v;
  }

  async web(frame: WebUp, server: ServerState): Promise<unknown> {
    switch (frame.t) {
      case 'hello':
      case 'logout':
      case '$close':
        return frame;
      case 'resume':
        return { ...frame, token: this.#target('token', frame.token) };
      case 'status':
      case 'abort':
        return { ...frame, ref: this.#target('ref', frame.ref) };
      case 'confirm':
        return { ...frame, ref: this.#target('ref', frame.ref), tag: await this.#tag(frame.ref, frame.tag) };
      case 'attach':
        return { ...frame, e: this.#suite(frame.e, 16) };
      case 'ack':
        return { ...frame, e: this.#suite(frame.e, 16) };
      case 'to_phone': {
        const e = this.#suite(frame.e, 16);
        const session = server.sessions.find((s) => s.context.epoch === frame.e || s.context.epochs.includes(frame.e));
        const root = session ? this.#refs.get(session.context.origin)?.kRoot : undefined;
        const c = this.#seal(cipherName(frame.c), root, e, 'w2p', frame.n, frame.c.m);
        return { ...frame, e, c };
      }
    }
  }

  async #tag(ref: string, tag: string): Promise<string> {
    const known = this.bindings.concrete(tag);
    if (known !== undefined) return known;
    const r = this.#refs.get(ref);
    if (tag.startsWith('forged') || !r?.offer) return this.#suite(tag, 16);
    try {
      const accepted = await acceptOffer(r.secrets, r.qr.ref, r.offer);
      r.kRoot = accepted.keys.kRoot;
      this.bindings.bind('suite', tag, accepted.tag);
      return accepted.tag;
    } catch (err) {
      throw new CaseFailure(
        `[E2E-6] the offer the target forwarded for ${ref} does not open with the keys of its QR: ${String(err)}`,
      );
    }
  }

  #seal(name: string, root: Uint8Array | undefined, e: string, dir: 'w2p' | 'p2w', n: number, m: string): string {
    const known = this.bindings.concrete(name);
    if (known !== undefined) return known;
    const eBytes = fromB64u(e);
    let c: string;
    if (root && eBytes) {
      const keys = epochKeys(root, eBytes);
      c = sealOp(dir === 'w2p' ? keys.kW2P : keys.kP2W, n, { op: 'send', id: String(n), chatId: 'suite', text: m });
    } else {
      c = random(48);
    }
    this.bindings.bind('suite', name, c);
    return c;
  }

  async phone(phone: PhoneId, frame: PhoneUp, server: ServerState): Promise<unknown> {
    switch (frame.t) {
      case 'register':
      case 'unlink_all':
      case '$close':
        return frame;
      case 'register.verify': {
        const code = await this.#code(frame.phone);
        const wrong = code.replace(/.$/, (d) => String((Number(d) + 1) % 10));
        return {
          ...frame,
          code: frame.code === modelCode ? code : wrong,
          identityKey: this.#suite(frame.identityKey, 32),
        };
      }
      case 'auth':
        return { ...frame, deviceToken: this.#target('deviceToken', frame.deviceToken) };
      case 'link.claim':
      case 'link.decline':
      case 'link.finalize':
        return { ...frame, ref: this.#target('ref', frame.ref) };
      case 'link.approve': {
        const ref = this.#target('ref', frame.ref);
        const r = this.#refs.get(frame.ref);
        const account = {
          accountId: this.bindings.concrete(frame.box.account) ?? random(16),
          phone: phoneNumber(phone),
          name: `qrlink suite ${phone}`,
          identityKey: this.#suite(`ik${phone}`, 32),
        };
        if (!r) {
          return { ...frame, ref, pub: this.#suite(frame.pub, 32), box: this.#suite(boxName(frame.box), 64) };
        }
        const a = await approve(r.qr, account);
        this.#phoneRoots.set(frame.ref, a.keys.kRoot);
        this.bindings.bind('suite', frame.pub, a.pub);
        this.bindings.bind('suite', boxName(frame.box), a.box);
        return { ...frame, ref, pub: a.pub, box: a.box };
      }
      case 'to_web': {
        const sessionId = this.#target('session', frame.sessionId);
        const e = this.#suite(frame.e, 16);
        const s = server.sessions.find((x) => x.context.id === frame.sessionId);
        const root = s ? this.#phoneRoots.get(s.context.origin) : undefined;
        return { ...frame, sessionId, e, c: this.#seal(cipherName(frame.c), root, e, 'p2w', frame.n, frame.c.m) };
      }
      case 'ack':
        return { ...frame, sessionId: this.#target('session', frame.sessionId), e: this.#suite(frame.e, 16) };
      case 'unlink':
        return { ...frame, sessionId: this.#target('session', frame.sessionId) };
    }
  }

  async #code(phone: string): Promise<string> {
    if (!this.control) throw new CaseFailure('registration needs the control endpoint to read the SMS code');
    // No code outstanding: any code will do (the model says what the target must answer).
    return (await this.control.sms(phone)) ?? '1234';
  }
}
