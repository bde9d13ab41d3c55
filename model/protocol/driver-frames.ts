/**
 * The driver protocol: a small WebSocket protocol that a web-client or phone implementation under
 * test exposes so the conformance suite can act as its user (docs/protocol.md section "Driver
 * endpoint", clauses DRV-*). JSON, one object per text frame.
 *
 * - Request (suite -> client): `{id, cmd, ...args}`; `cmd` names the command.
 * - Reply (client -> suite), exactly one per request, same `id`: `{id, ok: true, result}` where
 *   `result` is the client's state right after the command took effect (the object `state` returns),
 *   or `{id, ok: false, error: {code, detail}}`.
 * - Event (client -> suite, unsolicited): `{event: "state", state}`, pushed on every state change,
 *   so the suite can wait for a state without polling.
 *
 * Replies carry no string type field (they are told apart by the boolean `ok`), so the catalogue's
 * `driver-reply` channel is parsed with `DriverMessage` rather than `parseValue` (which only
 * recognises the event there).
 */
import { z } from 'zod';
import { Chat, ChatMessage, SendRequest } from './app-ops.js';
import { E164, Opaque } from './encoding.js';
import { LinkClaimed, RegisterVerify, SessionInfo } from './phone-frames.js';

/** A request id, echoed in the reply: an integer or a string of 1 to 64 characters. */
export const DriverId = z.union([z.number().int(), z.string().min(1).max(64)]);
export type DriverId = z.infer<typeof DriverId>;

/**
 * The server the client should talk to: the base URL `ws://host:port` or `wss://host:port` (no path,
 * query or fragment); the client appends the endpoint path (`/v1/web` or `/v1/phone`).
 */
export const ServerUrl = z
  .string()
  .max(2048)
  .regex(/^wss?:\/\/[^\s/?#]+$/, 'must be a ws:// or wss:// base URL without a path, such as ws://127.0.0.1:8080');

const Text = z.string().max(1024);

/** An error as a client reports it: a short machine-readable code and a human-readable detail. */
export const DriverErrorInfo = z.object({ code: z.string().min(1).max(64), detail: Text });

// ---- suite -> web client ----
/** Starts the client afresh (as a new browser tab): connect to `server` and say hello with `keep`. */
export const WebOpen = z.object({ id: DriverId, cmd: z.literal('open'), server: ServerUrl, keep: z.boolean() });
/** Returns the current state (as every reply does). */
export const WebState = z.object({ id: DriverId, cmd: z.literal('state') });
/** Asks the phone for history (the `history` app op); the page arrives later in `messages`. */
export const WebHistory = z.object({
  id: DriverId,
  cmd: z.literal('history'),
  chatId: ChatMessage.shape.chatId.optional(),
});
/** Sends a chat message through the phone (the `send` app op). */
export const WebSend = z.object({
  id: DriverId,
  cmd: z.literal('send'),
  chatId: ChatMessage.shape.chatId,
  text: SendRequest.shape.text,
});
/** Logs out: the session ends and the stored token is wiped. */
export const WebLogout = z.object({ id: DriverId, cmd: z.literal('logout') });
/** Closes the client (as closing the tab): the connection closes, a stored token stays. */
export const WebClose = z.object({ id: DriverId, cmd: z.literal('close') });
/** Starts the client again with what it stored (as reopening the tab): resume if it kept a token. */
export const WebReopen = z.object({ id: DriverId, cmd: z.literal('reopen') });
/** Forgets everything (as a fresh install): closes any connection, wipes storage, state `idle` [DRV-13]. */
export const WebReset = z.object({ id: DriverId, cmd: z.literal('reset') });

// ---- suite -> phone ----
/** Connects to `server` (and authenticates if the phone is registered). */
export const PhoneConnect = z.object({ id: DriverId, cmd: z.literal('connect'), server: ServerUrl });
/** Starts registration of `phone` (the `register` frame). */
export const PhoneRegister = z.object({ id: DriverId, cmd: z.literal('register'), phone: E164 });
/** Types the code received by SMS (the `register.verify` frame). */
export const PhoneCode = z.object({ id: DriverId, cmd: z.literal('code'), code: RegisterVerify.shape.code });
/** Scans a QR code with the "Link a device" scanner: `qr` is the text the code holds, any text at all. */
export const PhoneScan = z.object({ id: DriverId, cmd: z.literal('scan'), qr: z.string().max(4096) });
/** The user approves the linking request on the consent screen. */
export const PhoneApprove = z.object({ id: DriverId, cmd: z.literal('approve') });
/** The user declines the linking request on the consent screen. */
export const PhoneDecline = z.object({ id: DriverId, cmd: z.literal('decline') });
/** Unlinks one linked device. */
export const PhoneUnlink = z.object({ id: DriverId, cmd: z.literal('unlink'), sessionId: Opaque });
/** Unlinks every linked device. */
export const PhoneUnlinkAll = z.object({ id: DriverId, cmd: z.literal('unlink_all') });
/** Takes the phone off the network (`value: false`: its connection closes) or back on (`true`). */
export const PhoneOnline = z.object({ id: DriverId, cmd: z.literal('online'), value: z.boolean() });
/** Returns the current state (as every reply does). */
export const PhoneState = z.object({ id: DriverId, cmd: z.literal('state') });
/** Forgets everything (as a fresh install): closes any connection, wipes the device token, state `idle` [DRV-13]. */
export const PhoneReset = z.object({ id: DriverId, cmd: z.literal('reset') });

export const webDriverRequests = [
  WebOpen,
  WebState,
  WebHistory,
  WebSend,
  WebLogout,
  WebClose,
  WebReopen,
  WebReset,
] as const;
export const phoneDriverRequests = [
  PhoneConnect,
  PhoneRegister,
  PhoneCode,
  PhoneScan,
  PhoneApprove,
  PhoneDecline,
  PhoneUnlink,
  PhoneUnlinkAll,
  PhoneOnline,
  PhoneState,
  PhoneReset,
] as const;
export const WebDriverRequest = z.discriminatedUnion('cmd', webDriverRequests);
export type WebDriverRequest = z.infer<typeof WebDriverRequest>;
export const PhoneDriverRequest = z.discriminatedUnion('cmd', phoneDriverRequests);
export type PhoneDriverRequest = z.infer<typeof PhoneDriverRequest>;

// ---- states ----
/** Web client state names. */
export const webDriverStates = [
  'idle',
  'connecting',
  'qr',
  'scanned',
  'confirming',
  'linked',
  'resuming',
  'revoked',
  'logged_out',
  'closed',
  'error',
] as const;
export type WebDriverStateName = (typeof webDriverStates)[number];

/** The account the web client shows, from the approval box; present only once linked with a matching accountId. */
export const DriverAccount = z.object({ accountId: Opaque, phone: E164, name: z.string().max(128) });

/** What a web client shows and holds. */
export const WebDriverState = z.object({
  state: z.enum(webDriverStates),
  /** The text of the QR code shown, or null when none is shown. */
  qr: z.string().max(4096).nullable(),
  /** The `n` of the `qr` frame whose code is shown. */
  qrN: z.number().int().min(1).nullable(),
  sessionId: Opaque.nullable(),
  account: DriverAccount.nullable(),
  /** The last `phone {online}` received in this session, or null before any. */
  phoneOnline: z.boolean().nullable(),
  keep: z.boolean(),
  /** Whether a resume token is in the client's persistent storage. */
  tokenStored: z.boolean(),
  /** The `revoked` reason (or another cause such as "unauthorized") that ended the session, or null. */
  revokedReason: z.string().max(64).nullable(),
  error: DriverErrorInfo.nullable(),
  chats: z.array(Chat),
  messages: z.array(ChatMessage),
});
export type WebDriverState = z.infer<typeof WebDriverState>;

/** A web client's state as a fresh installation has it: never opened, and right after `reset` [DRV-13]. */
export function initialWebDriverState(): WebDriverState {
  return {
    state: 'idle',
    qr: null,
    qrN: null,
    sessionId: null,
    account: null,
    phoneOnline: null,
    keep: false,
    tokenStored: false,
    revokedReason: null,
    error: null,
    chats: [],
    messages: [],
  };
}

/** Phone state names. */
export const phoneDriverStates = [
  'idle',
  'connecting',
  'unregistered',
  'registering',
  'verifying',
  'ready',
  'scanning',
  'consenting',
  'approving',
  'confirming',
  'offline',
  'error',
] as const;
export type PhoneDriverStateName = (typeof phoneDriverStates)[number];

/** The consent screen's content: what `link.claimed` told the phone. */
export const DriverConsent = LinkClaimed.pick({
  ref: true,
  device: true,
  address: true,
  requestedAt: true,
  keep: true,
});
/** A linked device as the phone lists it, with whether a web client is attached now. */
export const DriverSession = SessionInfo.extend({ attached: z.boolean() });

/** What a phone shows and holds. */
export const PhoneDriverState = z.object({
  state: z.enum(phoneDriverStates),
  phone: E164.nullable(),
  accountId: Opaque.nullable(),
  consent: DriverConsent.nullable(),
  sessions: z.array(DriverSession),
  error: DriverErrorInfo.nullable(),
});
export type PhoneDriverState = z.infer<typeof PhoneDriverState>;

/** A phone's state as a fresh installation has it: never connected, and right after `reset` [DRV-13]. */
export function initialPhoneDriverState(): PhoneDriverState {
  return { state: 'idle', phone: null, accountId: null, consent: null, sessions: [], error: null };
}

/** Either role's state. */
export const DriverState = z.union([WebDriverState, PhoneDriverState]);
export type DriverState = z.infer<typeof DriverState>;

// ---- client -> suite ----
/** Why a command failed. */
export const driverErrorCodes = [
  /** The request breaks its schema (or is not a JSON object with a string `cmd`). */
  'bad_request',
  /** `cmd` names no command of this role. */
  'unknown_cmd',
  /** The command is not possible in the current state (e.g. approve with no consent screen). */
  'bad_state',
  /** The command was tried and failed (e.g. the server could not be reached). */
  'failed',
] as const;
export type DriverErrorCode = (typeof driverErrorCodes)[number];

/** A successful reply: the state right after the command took effect. */
export const DriverReplyOk = z.object({ id: DriverId, ok: z.literal(true), result: DriverState });
/** A failed reply. `id` is null when the request had no usable id. */
export const DriverReplyError = z.object({
  id: DriverId.nullable(),
  ok: z.literal(false),
  error: z.object({ code: z.enum(driverErrorCodes), detail: Text }),
});
export const driverReplies = [DriverReplyOk, DriverReplyError] as const;
export const DriverReply = z.discriminatedUnion('ok', driverReplies);
export type DriverReply = z.infer<typeof DriverReply>;

/** Pushed on every state change. */
export const DriverStateEvent = z.object({ event: z.literal('state'), state: DriverState });
export const driverEvents = [DriverStateEvent] as const;
export const DriverEvent = z.discriminatedUnion('event', driverEvents);
export type DriverEvent = z.infer<typeof DriverEvent>;

/** Anything a client sends on its driver connection: a reply or an event. */
export const DriverMessage = z.union([DriverReply, DriverEvent]);
export type DriverMessage = z.infer<typeof DriverMessage>;

/** Role-specific reply and event shapes, for a suite that knows which role it drives. */
export const WebDriverReply = z.discriminatedUnion('ok', [
  DriverReplyOk.extend({ result: WebDriverState }),
  DriverReplyError,
]);
export type WebDriverReply = z.infer<typeof WebDriverReply>;
export const PhoneDriverReply = z.discriminatedUnion('ok', [
  DriverReplyOk.extend({ result: PhoneDriverState }),
  DriverReplyError,
]);
export type PhoneDriverReply = z.infer<typeof PhoneDriverReply>;
export const WebDriverEvent = DriverStateEvent.extend({ state: WebDriverState });
export type WebDriverEvent = z.infer<typeof WebDriverEvent>;
export const PhoneDriverEvent = DriverStateEvent.extend({ state: PhoneDriverState });
export type PhoneDriverEvent = z.infer<typeof PhoneDriverEvent>;
