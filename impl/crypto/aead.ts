/**
 * ChaCha20-Poly1305 (RFC 8439 section 2.8) as QR Link uses it: a 32-byte key, a 12-byte nonce,
 * associated data. The box, the confirm tag and relay frames all go through here.
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';

export const AEAD_TAG_BYTES = 16;

/** ciphertext || 16-byte tag. */
export function aeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  return chacha20poly1305(key, nonce, aad).encrypt(plaintext);
}

/** The plaintext, or `undefined` when the tag does not verify (or the input is shorter than a tag). */
export function aeadOpen(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array | undefined {
  if (sealed.length < AEAD_TAG_BYTES) return undefined;
  try {
    return chacha20poly1305(key, nonce, aad).decrypt(sealed);
  } catch {
    return undefined;
  }
}
