/**
 * The protocol's flows as a real client pair runs them, over lean sockets (wire-peer.ts) and with the
 * real crypto of impl/crypto: register a phone (SMS code from the control endpoint), authenticate it,
 * link a web client end to end (hello -> qr -> claim -> approve with a real box -> offer -> confirm
 * with the real tag, checked by the phone -> finalize -> linked), attach an epoch. Frame types are the
 * schema's (model/protocol); every step waits at most `timeoutMs` (0: no limit) and throws `PeerGone`
 * or `FlowError` when the server does not answer as the spec says.
 */
import type { z } from 'zod';
import type { ControlClient } from '../conformance/target/target.js';
import { type AccountData, acceptOffer, approve, epochKeys, makeQr, verifyConfirm } from '../impl/crypto/index.js';
import type { EpochKeys } from '../impl/crypto/key-schedule.js';
import { randomBytes } from '../impl/crypto/random.js';
import { toB64u } from '../model/protocol/encoding.js';
import type { AuthOk, LinkConfirm, LinkOk, RegisterOk, WebAttached } from '../model/protocol/phone-frames.js';
import { parseQr } from '../model/protocol/qr-payload.js';
import type { Linked, Offer, Qr } from '../model/protocol/web-frames.js';
import { type Frame, WirePeer } from './wire-peer.js';

/** The server answered, but not as the spec says (a benchmark must not count it as a success). */
export class FlowError extends Error {
  override name = 'FlowError';
}

type F<S extends z.ZodType> = z.infer<S> & Frame;

export interface PhoneAccount extends AccountData {
  readonly deviceToken: string;
}

/** `+1555` numbers for benchmark phones (valid E.164). */
export function benchPhoneNumber(i: number): string {
  return `+1555${String(i).padStart(7, '0')}`;
}

/** register -> register.sent -> (control sms) -> register.verify -> register.ok [REG-1, REG-7]. */
export async function registerPhone(
  phoneUrl: string,
  control: ControlClient,
  phone: string,
  timeoutMs = 0,
): Promise<{ peer: WirePeer; account: PhoneAccount }> {
  const peer = await WirePeer.open(phoneUrl);
  peer.send({ t: 'register', phone });
  await peer.next('register.sent', timeoutMs);
  const code = await control.sms(phone);
  if (code === null) throw new FlowError(`no SMS code for ${phone}`);
  const identityKey = toB64u(randomBytes(32));
  peer.send({ t: 'register.verify', phone, code, identityKey });
  const ok = await peer.next<F<typeof RegisterOk>>('register.ok', timeoutMs);
  const account = { phone, accountId: ok.accountId, deviceToken: ok.deviceToken, identityKey, name: `Bench ${phone}` };
  return { peer, account };
}

/** A new phone connection authenticated with the device token [REG-9]. */
export async function authPhone(phoneUrl: string, account: PhoneAccount, timeoutMs = 0): Promise<WirePeer> {
  const peer = await WirePeer.open(phoneUrl);
  try {
    peer.send({ t: 'auth', phone: account.phone, deviceToken: account.deviceToken });
    const ok = await peer.next<F<typeof AuthOk>>('auth.ok', timeoutMs);
    if (ok.accountId !== account.accountId) throw new FlowError('auth.ok names another account');
    return peer;
  } catch (err) {
    peer.terminate();
    throw err;
  }
}

/** A linked web connection with the keys both ends derived. */
export interface LinkedSession {
  readonly web: WirePeer;
  readonly sessionId: string;
  readonly token: string | undefined;
  readonly webRoot: Uint8Array;
  readonly phoneRoot: Uint8Array;
  /** Milliseconds from `hello` sent to `linked` read. */
  readonly linkMs: number;
}

/** Opens `/v1/web` and sends `hello`; resolves with the socket and its first `qr` [QR-1]. */
export async function openWeb(
  webUrl: string,
  keep: boolean,
  timeoutMs = 0,
): Promise<{ web: WirePeer; qr: F<typeof Qr>; t0: number }> {
  const web = await WirePeer.open(webUrl);
  const t0 = performance.now();
  web.send({ t: 'hello', v: 1, device: { name: 'Bench browser', platform: 'Linux' }, keep });
  const qr = await web.next<F<typeof Qr>>('qr', timeoutMs);
  return { web, qr, t0 };
}

/**
 * Links a web connection already showing `qr` to the account of `phone` with real crypto: claim ->
 * link.claimed + scanned -> approve (real box) -> offer -> confirm (real tag, verified by the phone,
 * E2E-8) -> link.confirm -> finalize -> linked + phone {online} + link.ok [LINK-1..LINK-9].
 * One link at a time per phone connection (its replies are matched by type).
 */
export async function linkShown(
  shown: { web: WirePeer; qr: F<typeof Qr>; t0: number },
  phone: WirePeer,
  account: PhoneAccount,
  timeoutMs = 0,
): Promise<LinkedSession> {
  const { web, qr } = shown;
  const { qr: text, secrets } = await makeQr(qr.ref);
  const payload = parseQr(text); // what the phone's camera reads
  phone.send({ t: 'link.claim', ref: qr.ref });
  await Promise.all([phone.next('link.claimed', timeoutMs), web.next('scanned', timeoutMs)]);
  const a = await approve(payload, account);
  phone.send({ t: 'link.approve', ref: qr.ref, pub: a.pub, box: a.box });
  const offer = await web.next<F<typeof Offer>>('offer', timeoutMs);
  if (offer.pub !== a.pub || offer.box !== a.box) throw new FlowError('offer differs from link.approve [LINK-5]');
  const accepted = await acceptOffer(secrets, payload.ref, { pub: offer.pub, box: offer.box });
  web.send({ t: 'confirm', ref: qr.ref, tag: accepted.tag });
  const lc = await phone.next<F<typeof LinkConfirm>>('link.confirm', timeoutMs);
  if (!verifyConfirm(a.keys, a.T, a.box, lc.tag)) throw new FlowError('the confirm tag does not verify [E2E-8]');
  phone.send({ t: 'link.finalize', ref: qr.ref });
  const [linked, , ok] = await Promise.all([
    web.next<F<typeof Linked>>('linked', timeoutMs),
    web.next('phone', timeoutMs),
    phone.next<F<typeof LinkOk>>('link.ok', timeoutMs),
  ]);
  const linkMs = performance.now() - shown.t0;
  if (ok.sessionId !== linked.sessionId) throw new FlowError('link.ok and linked name different sessions [LINK-9]');
  return {
    web,
    sessionId: linked.sessionId,
    token: linked.token,
    webRoot: accepted.keys.kRoot,
    phoneRoot: a.keys.kRoot,
    linkMs,
  };
}

/** hello to linked on a new web connection. */
export async function linkWeb(
  webUrl: string,
  phone: WirePeer,
  account: PhoneAccount,
  keep: boolean,
  timeoutMs = 0,
): Promise<LinkedSession> {
  const shown = await openWeb(webUrl, keep, timeoutMs);
  try {
    return await linkShown(shown, phone, account, timeoutMs);
  } catch (err) {
    shown.web.terminate();
    throw err;
  }
}

/** An attachment: its epoch and the keys as each end derived them [E2E-11]. */
export interface Attached {
  readonly e: string;
  readonly web: EpochKeys;
  readonly phone: EpochKeys;
}

/** `attach {e}` with a fresh epoch; the phone reads `web.attached` [RELAY-1, RELAY-2]. */
export async function attachWeb(session: LinkedSession, phone: WirePeer, timeoutMs = 0): Promise<Attached> {
  const eBytes = randomBytes(16);
  const e = toB64u(eBytes);
  session.web.send({ t: 'attach', e });
  const wa = await phone.next<F<typeof WebAttached>>('web.attached', timeoutMs);
  if (wa.sessionId !== session.sessionId || wa.e !== e) throw new FlowError('web.attached differs [RELAY-2]');
  return { e, web: epochKeys(session.webRoot, eBytes), phone: epochKeys(session.phoneRoot, eBytes) };
}
