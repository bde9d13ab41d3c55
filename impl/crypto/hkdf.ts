/** HKDF with SHA-256 (RFC 5869), named in the RFC's argument order. */
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';

/** PRK = HMAC-SHA256(salt, IKM) (RFC 5869 section 2.2). */
export function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return extract(sha256, ikm, salt);
}

/** OKM = the first `length` bytes of T(1) | T(2) | ... (RFC 5869 section 2.3); length <= 8160. */
export function hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return expand(sha256, prk, info, length);
}
