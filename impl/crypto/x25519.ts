/**
 * X25519 (RFC 7748) for QR Link: WebCrypto where the platform has it, @noble/curves otherwise.
 * Raw 32-byte keys at the API. The backend is chosen once, on first use.
 */
import { type KeyPair, X25519_KEY_BYTES, type X25519Backend } from './x25519-backend.js';
import { nobleX25519 } from './x25519-noble.js';
import { webCryptoX25519 } from './x25519-webcrypto.js';

export type { KeyPair, X25519Backend } from './x25519-backend.js';
export { X25519_KEY_BYTES };

/**
 * Picks WebCrypto X25519 when `subtle` can generate an X25519 key, else the pure-JS backend
 * (older browsers without Secure Curves).
 */
export async function detectX25519Backend(subtle: SubtleCrypto | undefined): Promise<X25519Backend> {
  if (subtle === undefined) return nobleX25519;
  try {
    await subtle.generateKey({ name: 'X25519' }, true, ['deriveBits']);
    return webCryptoX25519(subtle);
  } catch {
    return nobleX25519;
  }
}

let chosen: Promise<X25519Backend> | undefined;

/** The backend this process uses (detected once). */
export function x25519Backend(): Promise<X25519Backend> {
  chosen ??= detectX25519Backend(globalThis.crypto?.subtle);
  return chosen;
}

/** A fresh X25519 key pair [E2E-1, E2E-3]. */
export async function generateKeyPair(): Promise<KeyPair> {
  return (await x25519Backend()).generateKeyPair();
}

/** The public key of a raw 32-byte private key; `bad_key` for another length. */
export async function publicKeyOf(privateKey: Uint8Array): Promise<Uint8Array> {
  return (await x25519Backend()).publicKeyOf(privateKey);
}

/**
 * X25519(privateKey, publicKey). Rejects with CryptoError `zero_shared_secret` for an all-zero
 * result (a low-order public key) [E2E-3] and `bad_key` for a key that is not 32 bytes.
 */
export async function sharedSecret(privateKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array> {
  return (await x25519Backend()).sharedSecret(privateKey, publicKey);
}
