/**
 * The QR Link v1 key schedule (docs/protocol.md section "Crypto"): the link transcript T, the link
 * keys from HKDF-SHA256 (RFC 5869) [E2E-4], and the per-attachment epoch keys [E2E-11].
 */
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { CryptoError } from './errors.js';
import { hkdfExpand, hkdfExtract } from './hkdf.js';
import { isAllZero, zeroSharedSecret } from './x25519-backend.js';

export const LINK_LABEL = 'qrlink/1 link';
export const RELAY_LABEL = 'qrlink/1 relay';
export const REF_MIN_BYTES = 16;
export const REF_MAX_BYTES = 32;
export const EPOCH_BYTES = 16;

const linkLabel = utf8ToBytes(LINK_LABEL);
const relayLabel = utf8ToBytes(RELAY_LABEL);

export interface LinkKeys {
  /** HKDF-Extract(salt = linkSecret, IKM = shared). */
  prk: Uint8Array;
  /** Phone-to-web key: seals the approval box [E2E-5]. */
  kP2W: Uint8Array;
  /** Web-to-phone key: makes the confirm tag [E2E-7]. */
  kW2P: Uint8Array;
  /** Root of the epoch keys [E2E-11]. */
  kRoot: Uint8Array;
}

export interface EpochKeys {
  /** Seals web-to-phone relay frames (to_phone / from_web) of this epoch. */
  kW2P: Uint8Array;
  /** Seals phone-to-web relay frames (to_web / from_phone) of this epoch. */
  kP2W: Uint8Array;
}

function need(
  bytes: Uint8Array,
  min: number,
  max: number,
  what: string,
  code: 'bad_key' | 'bad_input',
  clause = 'E2E-4',
): void {
  if (!(bytes instanceof Uint8Array) || bytes.length < min || bytes.length > max) {
    const size = min === max ? `${min}` : `${min} to ${max}`;
    const got = bytes instanceof Uint8Array ? `${bytes.length}` : typeof bytes;
    throw new CryptoError(code, `${what} must be ${size} bytes, got ${got}`, clause);
  }
}

/** T = UTF8("qrlink/1 link") || ref || webPub || phoneEphPub [E2E-4]. */
export function transcript(ref: Uint8Array, webPub: Uint8Array, phoneEphPub: Uint8Array): Uint8Array {
  need(ref, REF_MIN_BYTES, REF_MAX_BYTES, 'ref', 'bad_input');
  need(webPub, 32, 32, 'webPub', 'bad_key');
  need(phoneEphPub, 32, 32, 'phoneEphPub', 'bad_key');
  return concatBytes(linkLabel, ref, webPub, phoneEphPub);
}

/**
 * prk = HKDF-Extract(salt = linkSecret, IKM = shared); okm = HKDF-Expand(prk, info = T, 96);
 * kP2W | kW2P | kRoot = okm [E2E-4]. An all-zero `shared` is refused [E2E-3].
 */
export function linkKeys(shared: Uint8Array, linkSecret: Uint8Array, T: Uint8Array): LinkKeys {
  need(shared, 32, 32, 'shared secret', 'bad_key');
  need(linkSecret, 32, 32, 'linkSecret', 'bad_key');
  if (isAllZero(shared)) throw zeroSharedSecret();
  const prk = hkdfExtract(linkSecret, shared);
  const okm = hkdfExpand(prk, T, 96);
  return { prk, kP2W: okm.slice(0, 32), kW2P: okm.slice(32, 64), kRoot: okm.slice(64, 96) };
}

/** okm_e = HKDF-Expand(PRK = kRoot, info = UTF8("qrlink/1 relay") || e, 64); kW2P_e | kP2W_e = okm_e [E2E-11]. */
export function epochKeys(kRoot: Uint8Array, e: Uint8Array): EpochKeys {
  need(kRoot, 32, 32, 'kRoot', 'bad_key', 'E2E-11');
  need(e, EPOCH_BYTES, EPOCH_BYTES, 'epoch e', 'bad_input', 'E2E-11');
  const okm = hkdfExpand(kRoot, concatBytes(relayLabel, e), 64);
  return { kW2P: okm.slice(0, 32), kP2W: okm.slice(32, 64) };
}
