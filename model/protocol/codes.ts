/**
 * Close codes, error codes and reasons of QR Link v1 (docs/protocol.md section "Errors and close codes").
 */

/** WebSocket close codes the server uses, by meaning. */
export const Close = {
  normal: 1000,
  binary: 1003,
  badPayload: 1007,
  tooLarge: 1009,
  internal: 1011,
  serverReset: 1012,
  protocol: 4000,
  replaced: 4001,
  conflict: 4002,
  revokedByPhone: 4003,
  qrExhausted: 4008,
  unauthorized: 4401,
  rateLimited: 4429,
} as const;
export type CloseCode = (typeof Close)[keyof typeof Close];

/** `error.code` values, each with the close code that follows the `error` frame. */
export const ErrorCodes = {
  bad_frame: Close.protocol,
  bad_state: Close.protocol,
  unsupported_version: Close.protocol,
  unauthorized: Close.unauthorized,
  rate_limited: Close.rateLimited,
  conflict: Close.conflict,
  internal: Close.internal,
} as const;
export type ErrorCode = keyof typeof ErrorCodes;
export const errorCodeList = Object.keys(ErrorCodes) as [ErrorCode, ...ErrorCode[]];

/** `link.error.reason` values. */
export const linkErrorReasons = [
  'unknown_ref',
  'expired_ref',
  'used_ref',
  'web_gone',
  'unauthorized',
  'lapsed',
  'aborted',
] as const;
export type LinkErrorReason = (typeof linkErrorReasons)[number];

/** `register.error.reason` values. */
export const registerErrorReasons = ['bad_code', 'code_expired', 'locked', 'no_code', 'too_soon'] as const;
export type RegisterErrorReason = (typeof registerErrorReasons)[number];

/** `declined.reason` values: why a linking attempt ended without a link. */
export const declinedReasons = ['declined', 'lapsed', 'phone_gone'] as const;
export type DeclinedReason = (typeof declinedReasons)[number];

/** `abort.reason` values: why a web client gave up on an attempt. */
export const abortReasons = ['bad_box', 'second_offer', 'bad_offer'] as const;
export type AbortReason = (typeof abortReasons)[number];

/** `revoked.reason` values with the close code that follows each. */
export const RevokedReasons = {
  replaced: Close.replaced,
  conflict: Close.conflict,
  unlinked: Close.revokedByPhone,
  reregistered: Close.revokedByPhone,
  logout: Close.normal,
} as const;
export type RevokedReason = keyof typeof RevokedReasons;
export const revokedReasonList = Object.keys(RevokedReasons) as [RevokedReason, ...RevokedReason[]];

/** `session.ended.reason` values (told to the phone). */
export const sessionEndedReasons = ['logout', 'closed', 'replaced', 'idle'] as const;
export type SessionEndedReason = (typeof sessionEndedReasons)[number];

/** `status.result.state` values. */
export const refStatuses = ['pending', 'scanned', 'expired', 'used', 'unknown'] as const;
export type RefStatus = (typeof refStatuses)[number];

/** The WebSocket subprotocol every client MUST offer. */
export const SUBPROTOCOL = 'qrlink.v1';
/** Endpoint paths. */
export const Paths = { phone: '/v1/phone', web: '/v1/web', control: '/v1/control' } as const;
