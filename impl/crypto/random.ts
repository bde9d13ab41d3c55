/** Cryptographically secure random bytes from `crypto.getRandomValues` (Node 20 and browsers). */

/** getRandomValues fills at most 65536 bytes per call. */
const CHUNK = 65536;

/** Returns `n` bytes from the platform CSPRNG. */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randomBytes: n must be a non-negative integer, got ${n}`);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += CHUNK) globalThis.crypto.getRandomValues(out.subarray(i, Math.min(n, i + CHUNK)));
  return out;
}
