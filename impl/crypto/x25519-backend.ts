/**
 * The contract both X25519 implementations meet (RFC 7748): raw 32-byte private keys (as RFC 7748
 * scalars, clamped by the function, not by the caller) and raw 32-byte public keys.
 */
import { CryptoError } from './errors.js';

export interface KeyPair {
  /** 32 raw bytes (the RFC 7748 scalar, as generated; X25519 clamps it on use). */
  privateKey: Uint8Array;
  /** 32 raw bytes: the u-coordinate, little-endian. */
  publicKey: Uint8Array;
}

export interface X25519Backend {
  readonly name: 'webcrypto' | 'noble';
  generateKeyPair(): Promise<KeyPair>;
  publicKeyOf(privateKey: Uint8Array): Promise<Uint8Array>;
  /** X25519(privateKey, publicKey); rejects an all-zero result with `zero_shared_secret` [E2E-3]. */
  sharedSecret(privateKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array>;
}

export const X25519_KEY_BYTES = 32;

/** Throws `bad_key` unless `key` is a Uint8Array of 32 bytes. */
export function assertKey32(key: Uint8Array, what: string): void {
  if (!(key instanceof Uint8Array) || key.length !== X25519_KEY_BYTES) {
    const got = key instanceof Uint8Array ? `${key.length} bytes` : typeof key;
    throw new CryptoError('bad_key', `${what} must be ${X25519_KEY_BYTES} bytes, got ${got}`);
  }
}

/** True when every byte is zero (constant time over the length). */
export function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (const b of bytes) acc |= b;
  return acc === 0;
}

export function zeroSharedSecret(): CryptoError {
  return new CryptoError(
    'zero_shared_secret',
    'X25519 shared secret is all zero: the public key is a low-order point; the approval must be refused',
  );
}
