/**
 * Sealing relay frames (docs/protocol.md section "Crypto"): c = ChaCha20-Poly1305(direction key of
 * epoch e, nonce 0^4 || uint64be(n), UTF8(JSON op), aad empty) [E2E-12]. The receiver drops a frame
 * that does not open [E2E-13]; replay (n at or below the high-water) is the caller's check.
 */
import { fromB64u, toB64u } from '../../model/protocol/encoding.js';
import { aeadOpen, aeadSeal } from './aead.js';
import { CryptoError } from './errors.js';

/** Sealed payload limits from the frame schema (`Sealed` in model/protocol/web-frames.ts): 17..48896 bytes. */
export const RELAY_MAX_BYTES = 48896;
const NO_AAD = new Uint8Array(0);

function validCounter(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 1;
}

/** The 12-byte nonce of frame `n`: 4 zero bytes, then n as a 64-bit big-endian integer [E2E-12]. */
export function relayNonce(n: number): Uint8Array {
  if (!validCounter(n)) {
    throw new CryptoError('bad_input', `relay counter n must be an integer 1..2^53-1, got ${n}`, 'ENC-4');
  }
  const nonce = new Uint8Array(12);
  const view = new DataView(nonce.buffer);
  view.setUint32(4, Math.floor(n / 2 ** 32));
  view.setUint32(8, n >>> 0);
  return nonce;
}

function needKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new CryptoError(
      'bad_key',
      `relay key must be 32 bytes, got ${key instanceof Uint8Array ? key.length : typeof key}`,
      'E2E-12',
    );
  }
}

/** Seals `plaintext` as frame `n` under `key` (kW2P_e or kP2W_e). */
export function sealRelay(key: Uint8Array, n: number, plaintext: Uint8Array): Uint8Array {
  needKey(key);
  const c = aeadSeal(key, relayNonce(n), plaintext, NO_AAD);
  if (c.length > RELAY_MAX_BYTES) {
    throw new CryptoError('bad_input', `sealed frame is ${c.length} bytes, more than ${RELAY_MAX_BYTES}`, 'E2E-12');
  }
  return c;
}

/** Opens frame `n`; `undefined` when it does not open (wrong key, n or bytes) or n is not a valid counter. */
export function openRelay(key: Uint8Array, n: number, c: Uint8Array): Uint8Array | undefined {
  needKey(key);
  if (!validCounter(n)) return undefined;
  return aeadOpen(key, relayNonce(n), c, NO_AAD);
}

/** Seals an app op as UTF-8 JSON and returns `c` in base64url, as the wire carries it. */
export function sealOp(key: Uint8Array, n: number, op: object): string {
  return toB64u(sealRelay(key, n, new TextEncoder().encode(JSON.stringify(op))));
}

/**
 * Opens a base64url `c` and parses its JSON. `undefined` when `c` is not strict base64url, does not
 * open, or opens to something that is not UTF-8 JSON. The caller validates the op's schema.
 */
export function openOp(key: Uint8Array, n: number, c: string): unknown | undefined {
  const bytes = fromB64u(c);
  if (bytes === undefined) return undefined;
  const plain = openRelay(key, n, bytes);
  if (plain === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain));
  } catch {
    return undefined;
  }
}
