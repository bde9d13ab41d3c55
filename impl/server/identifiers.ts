/**
 * Server-made identifiers, tokens and one-time codes, all from the CSPRNG [ENC-2] [ENC-3] [REG-1].
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

const b64u = (bytes: Buffer): string => bytes.toString('base64url');

/** A ref: 16 random bytes (128 bits) [ENC-2]. */
export const newRef = (): string => b64u(randomBytes(16));
/** accountId / sessionId: 16 random bytes [ENC-3]. */
export const newId = (): string => b64u(randomBytes(16));
/** deviceToken / resume token: 32 random bytes [ENC-3]. */
export const newToken = (): string => b64u(randomBytes(32));

/** A uniformly random decimal code of `length` digits, leading zeros allowed [REG-1]. */
export function newCode(length: number): string {
  return String(randomInt(0, 10 ** length)).padStart(length, '0');
}

/** The digest under which a token is stored and looked up (tokens are never stored in clear). */
export function tokenHash(token: string): string {
  return b64u(createHash('sha256').update(token).digest());
}

/** Constant-time comparison of two strings. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
