/**
 * One link's crypto, end to end, as both clients and the conformance suite run it:
 * web `makeQr` -> phone `approve` -> web `acceptOffer` -> phone `verifyConfirm`
 * (docs/protocol.md sections "Linking" and "Crypto").
 */
import { fromB64u, toB64u } from '../../model/protocol/encoding.js';
import { encodeQr, type QrPayload, QrPayloadError } from '../../model/protocol/qr-payload.js';
import type { AccountData } from './account.js';
import { checkTag, confirmTag, openBox, sealBox } from './box.js';
import { CryptoError } from './errors.js';
import { type LinkKeys, linkKeys, transcript } from './key-schedule.js';
import { randomBytes } from './random.js';
import { generateKeyPair, sharedSecret } from './x25519.js';

/** What the web client keeps in memory for one ref, never in storage and never sent [E2E-1, E2E-14]. */
export interface LinkSecrets {
  webPriv: Uint8Array;
  webPub: Uint8Array;
  linkSecret: Uint8Array;
}

/** The phone's answer, as `link.approve {pub, box}` carries it (base64url). */
export interface Offer {
  pub: string;
  box: string;
}

/**
 * Web side, per `qr {ref}`: a fresh key pair and a fresh 32-byte linkSecret, and the QR text
 * [E2E-1]. A ref that is not base64url of 16..32 bytes throws QrPayloadError (field ref).
 */
export async function makeQr(ref: string): Promise<{ qr: string; secrets: LinkSecrets }> {
  const refBytes = fromB64u(ref);
  if (refBytes === undefined) {
    throw new QrPayloadError('base64url', 'ref is not canonical base64url without padding', 'ref');
  }
  const { privateKey, publicKey } = await generateKeyPair();
  const secrets: LinkSecrets = { webPriv: privateKey, webPub: publicKey, linkSecret: randomBytes(32) };
  return { qr: encodeQr({ ref: refBytes, webPub: secrets.webPub, linkSecret: secrets.linkSecret }), secrets };
}

/**
 * Phone side, after the user approved a scanned QR [PHONE-2]: a fresh ephemeral key [E2E-3], the key
 * schedule [E2E-4] and the sealed account data [E2E-5]. Rejects with CryptoError
 * `zero_shared_secret` for a low-order webPub, `bad_account_data` for invalid account data.
 */
export async function approve(
  qr: QrPayload,
  account: AccountData,
): Promise<{ pub: string; box: string; keys: LinkKeys; T: Uint8Array }> {
  const eph = await generateKeyPair();
  const shared = await sharedSecret(eph.privateKey, qr.webPub);
  const T = transcript(qr.ref, qr.webPub, eph.publicKey);
  const keys = linkKeys(shared, qr.linkSecret, T);
  const box = sealBox(keys.kP2W, T, account);
  return { pub: toB64u(eph.publicKey), box: toB64u(box), keys, T };
}

/**
 * Web side, on `offer {pub, box}` for its claimed ref: derives the keys, opens the box and makes the
 * confirm tag [E2E-6, E2E-7]. Throws CryptoError: `bad_key` (pub not base64url of 32 bytes),
 * `zero_shared_secret`, `box_does_not_open` (also for a box that is not base64url),
 * `bad_account_data`. Any of them means: abort the attempt [E2E-6].
 */
export async function acceptOffer(
  secrets: LinkSecrets,
  refBytes: Uint8Array,
  offer: Offer,
): Promise<{ account: AccountData; tag: string; keys: LinkKeys; T: Uint8Array }> {
  const pub = fromB64u(offer.pub);
  if (pub === undefined || pub.length !== 32) {
    throw new CryptoError('bad_key', 'offer.pub is not base64url of a 32-byte X25519 public key', 'E2E-6');
  }
  const box = fromB64u(offer.box);
  if (box === undefined) {
    throw new CryptoError('box_does_not_open', 'offer.box is not canonical base64url');
  }
  const shared = await sharedSecret(secrets.webPriv, pub);
  const T = transcript(refBytes, secrets.webPub, pub);
  const keys = linkKeys(shared, secrets.linkSecret, T);
  const account = openBox(keys.kP2W, T, box);
  return { account, tag: toB64u(confirmTag(keys.kW2P, T, box)), keys, T };
}

/**
 * Phone side, on `link.confirm {tag}`: true iff the tag is the web's tag over T and exactly the box
 * this phone sent [E2E-8]. False (never a throw) for a tag or box that is not base64url.
 */
export function verifyConfirm(keys: LinkKeys, T: Uint8Array, box: Uint8Array | string, tag: string): boolean {
  const boxBytes = typeof box === 'string' ? fromB64u(box) : box;
  const tagBytes = fromB64u(tag);
  if (boxBytes === undefined || tagBytes === undefined) return false;
  return checkTag(keys.kW2P, T, boxBytes, tagBytes);
}
