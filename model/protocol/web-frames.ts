/**
 * Frames on `/v1/web`, in both directions (docs/protocol.md sections "Linking", "Relay", "Sessions").
 */
import { z } from 'zod';
import { abortReasons, declinedReasons, errorCodeList, refStatuses, revokedReasonList } from './codes.js';
import { b64uBytes, Counter, Device, Epoch, Key32, Millis, Opaque, Ref, Tag } from './encoding.js';

/**
 * A sealed relay payload: 17 bytes (empty plaintext plus tag) to 48,896 bytes, so that the largest
 * `from_web` frame (envelope included) still fits the default 65,536-byte frame limit [TR-5].
 */
export const Sealed = b64uBytes(17, 48896);
/** An approval box: 17 bytes to 16 KiB. */
export const Box = b64uBytes(17, 16384);

// ---- web client -> server ----
export const Hello = z.object({ t: z.literal('hello'), v: z.number().int(), device: Device, keep: z.boolean() });
export const Resume = z.object({ t: z.literal('resume'), token: Opaque });
export const Status = z.object({ t: z.literal('status'), ref: Ref });
export const Confirm = z.object({ t: z.literal('confirm'), ref: Ref, tag: Tag });
export const Abort = z.object({ t: z.literal('abort'), ref: Ref, reason: z.enum(abortReasons) });
export const Attach = z.object({ t: z.literal('attach'), e: Epoch });
export const ToPhone = z.object({ t: z.literal('to_phone'), e: Epoch, n: Counter, c: Sealed });
export const WebAck = z.object({ t: z.literal('ack'), e: Epoch, n: Counter });
export const Logout = z.object({ t: z.literal('logout') });

// ---- server -> web client ----
export const Qr = z.object({
  t: z.literal('qr'),
  ref: Ref,
  ttlMs: Millis,
  n: z.number().int().min(1),
  of: z.number().int().min(1),
});
export const QrExhausted = z.object({ t: z.literal('qr.exhausted') });
export const StatusResult = z.object({ t: z.literal('status.result'), ref: Ref, state: z.enum(refStatuses) });
export const Scanned = z.object({ t: z.literal('scanned'), ref: Ref });
export const Declined = z.object({ t: z.literal('declined'), ref: Ref, reason: z.enum(declinedReasons) });
export const Offer = z.object({ t: z.literal('offer'), ref: Ref, pub: Key32, box: Box });
export const Linked = z.object({
  t: z.literal('linked'),
  sessionId: Opaque,
  accountId: Opaque,
  token: Opaque.optional(),
});
export const Resumed = z.object({ t: z.literal('resumed'), sessionId: Opaque, accountId: Opaque, token: Opaque });
export const PhoneOnline = z.object({ t: z.literal('phone'), online: z.boolean() });
export const FromPhone = z.object({ t: z.literal('from_phone'), e: Epoch, n: Counter, c: Sealed });
export const WebAcked = z.object({ t: z.literal('acked'), e: Epoch, n: Counter });
export const WebQueueFull = z.object({ t: z.literal('queue_full'), e: Epoch, n: Counter });
export const Revoked = z.object({ t: z.literal('revoked'), reason: z.enum(revokedReasonList) });
/** The error frame, on every endpoint. */
export const ErrorFrame = z.object({
  t: z.literal('error'),
  code: z.enum(errorCodeList),
  detail: z.string().max(1024),
  clause: z.string().optional(),
});

export const webToServer = [Hello, Resume, Status, Confirm, Abort, Attach, ToPhone, WebAck, Logout] as const;
export const serverToWeb = [
  Qr,
  QrExhausted,
  StatusResult,
  Scanned,
  Declined,
  Offer,
  Linked,
  Resumed,
  PhoneOnline,
  FromPhone,
  WebAcked,
  WebQueueFull,
  Revoked,
  ErrorFrame,
] as const;

export const WebToServer = z.discriminatedUnion('t', webToServer);
export type WebToServer = z.infer<typeof WebToServer>;
export const ServerToWeb = z.discriminatedUnion('t', serverToWeb);
export type ServerToWeb = z.infer<typeof ServerToWeb>;
