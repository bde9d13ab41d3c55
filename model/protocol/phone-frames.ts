/**
 * Frames on `/v1/phone`, in both directions (docs/protocol.md sections "Registration", "Linking",
 * "Relay", "Sessions").
 */
import { z } from 'zod';
import { linkErrorReasons, registerErrorReasons, sessionEndedReasons } from './codes.js';
import { Counter, Device, E164, Epoch, Key32, Millis, Opaque, Ref, Tag } from './encoding.js';
import { Box, ErrorFrame, Sealed } from './web-frames.js';

/** A session as the phone lists it. */
export const SessionInfo = z.object({ sessionId: Opaque, device: Device, keep: z.boolean() });

// ---- phone -> server ----
export const Register = z.object({ t: z.literal('register'), phone: E164 });
export const RegisterVerify = z.object({
  t: z.literal('register.verify'),
  phone: E164,
  code: z.string().regex(/^[0-9]{4,8}$/, 'must be 4 to 8 decimal digits'),
  identityKey: Key32,
});
export const Auth = z.object({ t: z.literal('auth'), phone: E164, deviceToken: Opaque });
export const LinkClaim = z.object({ t: z.literal('link.claim'), ref: Ref });
export const LinkDecline = z.object({ t: z.literal('link.decline'), ref: Ref });
export const LinkApprove = z.object({ t: z.literal('link.approve'), ref: Ref, pub: Key32, box: Box });
export const LinkFinalize = z.object({ t: z.literal('link.finalize'), ref: Ref });
export const ToWeb = z.object({ t: z.literal('to_web'), sessionId: Opaque, e: Epoch, n: Counter, c: Sealed });
export const PhoneAck = z.object({ t: z.literal('ack'), sessionId: Opaque, e: Epoch, n: Counter });
export const Unlink = z.object({ t: z.literal('unlink'), sessionId: Opaque });
export const UnlinkAll = z.object({ t: z.literal('unlink_all') });

// ---- server -> phone ----
export const RegisterSent = z.object({
  t: z.literal('register.sent'),
  phone: E164,
  ttlMs: Millis,
  length: z.number().int().min(4).max(8),
});
export const RegisterError = z.object({
  t: z.literal('register.error'),
  reason: z.enum(registerErrorReasons),
  attemptsLeft: z.number().int().min(1).optional(),
  retryAfterMs: Millis.optional(),
});
export const RegisterOk = z.object({ t: z.literal('register.ok'), accountId: Opaque, deviceToken: Opaque });
export const AuthOk = z.object({ t: z.literal('auth.ok'), accountId: Opaque, sessions: z.array(SessionInfo) });
export const LinkClaimed = z.object({
  t: z.literal('link.claimed'),
  ref: Ref,
  device: Device,
  address: z.string().max(64),
  requestedAt: Millis,
  /** Whether the browser asked to stay signed in (a kept session does not expire by time) [CONS-1]. */
  keep: z.boolean(),
});
export const LinkError = z.object({ t: z.literal('link.error'), ref: Ref, reason: z.enum(linkErrorReasons) });
export const LinkConfirm = z.object({ t: z.literal('link.confirm'), ref: Ref, tag: Tag });
export const LinkOk = z.object({ t: z.literal('link.ok'), ref: Ref, sessionId: Opaque });
export const WebAttached = z.object({ t: z.literal('web.attached'), sessionId: Opaque, e: Epoch });
export const WebDetached = z.object({ t: z.literal('web.detached'), sessionId: Opaque });
export const FromWeb = z.object({ t: z.literal('from_web'), sessionId: Opaque, e: Epoch, n: Counter, c: Sealed });
export const PhoneAcked = z.object({ t: z.literal('acked'), sessionId: Opaque, e: Epoch, n: Counter });
export const PhoneQueueFull = z.object({ t: z.literal('queue_full'), sessionId: Opaque, e: Epoch, n: Counter });
export const SessionEnded = z.object({
  t: z.literal('session.ended'),
  sessionId: Opaque,
  reason: z.enum(sessionEndedReasons),
});
export const Unlinked = z.object({ t: z.literal('unlinked'), sessionIds: z.array(Opaque) });

export const phoneToServer = [
  Register,
  RegisterVerify,
  Auth,
  LinkClaim,
  LinkDecline,
  LinkApprove,
  LinkFinalize,
  ToWeb,
  PhoneAck,
  Unlink,
  UnlinkAll,
] as const;
export const serverToPhone = [
  RegisterSent,
  RegisterError,
  RegisterOk,
  AuthOk,
  LinkClaimed,
  LinkError,
  LinkConfirm,
  LinkOk,
  WebAttached,
  WebDetached,
  FromWeb,
  PhoneAcked,
  PhoneQueueFull,
  SessionEnded,
  Unlinked,
  ErrorFrame,
] as const;

export const PhoneToServer = z.discriminatedUnion('t', phoneToServer);
export type PhoneToServer = z.infer<typeof PhoneToServer>;
export const ServerToPhone = z.discriminatedUnion('t', serverToPhone);
export type ServerToPhone = z.infer<typeof ServerToPhone>;
