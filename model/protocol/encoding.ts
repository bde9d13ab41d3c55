/**
 * Wire encodings shared by every role: strict base64url (RFC 4648 section 5, no padding) and the
 * zod field types built on it. See docs/protocol.md section "Encoding" [ENC-1]..[ENC-4].
 */
import { z } from 'zod';

const B64U = /^[A-Za-z0-9_-]*$/;

/** Number of base64url characters (no padding) that encode `bytes` bytes. */
export function b64uLength(bytes: number): number {
  return Math.ceil((bytes * 4) / 3);
}

const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;

/** Encodes bytes as base64url without padding (Node's Buffer where present, else btoa in a browser). */
export function toB64u(bytes: Uint8Array): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decodeB64u(text: string): Uint8Array {
  if (NodeBuffer) return new Uint8Array(NodeBuffer.from(text, 'base64url'));
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Decodes strict base64url without padding. Returns `undefined` for anything else: padding,
 * characters outside the alphabet, or a length no byte string encodes to (length mod 4 = 1),
 * and non-canonical trailing bits (so every byte string has exactly one encoding).
 */
export function fromB64u(text: string): Uint8Array | undefined {
  if (!B64U.test(text) || text.length % 4 === 1) return undefined;
  const bytes = decodeB64u(text);
  return toB64u(bytes) === text ? bytes : undefined;
}

/** A base64url string that decodes to between `min` and `max` bytes. */
export function b64uBytes(min: number, max: number = min) {
  const lo = b64uLength(min);
  const hi = b64uLength(max);
  return z
    .string()
    .min(lo)
    .max(hi)
    .regex(B64U, 'must be base64url without padding')
    .refine(
      (s) => {
        const bytes = fromB64u(s);
        return bytes !== undefined && bytes.length >= min && bytes.length <= max;
      },
      `must be base64url of ${min === max ? `${min}` : `${min} to ${max}`} bytes`,
    )
    .meta({ contentEncoding: 'base64url' });
}

/** A `ref` (the "web ID"): 16 to 32 random bytes [ENC-2]. */
export const Ref = b64uBytes(16, 32);
/** An X25519 public key or a 32-byte secret. */
export const Key32 = b64uBytes(32);
/** An attachment epoch: 16 random bytes. */
export const Epoch = b64uBytes(16);
/** A confirm tag: a 16-byte Poly1305 tag. */
export const Tag = b64uBytes(16);
/** An opaque server-made identifier or token: 1 to 128 base64url characters. */
export const Opaque = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be 1 to 128 base64url characters');
/** A relay counter: 1 .. 2^53-1. */
export const Counter = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** A duration or timestamp in milliseconds. */
export const Millis = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** An E.164 phone number. */
export const E164 = z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'must be an E.164 number such as +15551234567');
/** A device description shown on the consent screen. */
export const Device = z.object({
  name: z.string().min(1).max(64),
  platform: z.string().min(1).max(32),
});
export type Device = z.infer<typeof Device>;
