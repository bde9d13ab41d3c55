/**
 * A snapshot of a page's DOM hooks turned into the web driver state object [DRV-7], every value
 * checked: a page that breaks the hooks spec (docs/conformance.md, "Checking a browser page") is a
 * `DriverBroken` whose message names the hook and what was wrong with it, never a crash.
 */
import {
  type WebDriverState,
  WebDriverState as WebDriverStateSchema,
  webDriverStates,
} from '../../../model/protocol/driver-frames.js';
import { DriverBroken } from '../client-target.js';
import {
  BODY_HOOKS,
  type BodyHook,
  CHAT_HOOK,
  CHAT_TITLE_HOOK,
  type HookSnapshot,
  MESSAGE_HOOKS,
  QR_HOOK,
  QR_N_HOOK,
} from './page-hooks.js';

/** The clause a page breaking the hooks breaks: the driver must report exactly these states. */
export const HOOKS_CLAUSE = 'DRV-7';

function broken(message: string): DriverBroken {
  return new DriverBroken(`the page breaks the browser-mode DOM hooks: ${message}`, HOOKS_CLAUSE);
}

function show(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
}

function required(s: HookSnapshot, hook: BodyHook): string {
  const value = s.body[hook];
  if (value === null) throw broken(`<body> has no ${BODY_HOOKS[hook]} attribute`);
  return value;
}

function flag(s: HookSnapshot, hook: BodyHook, nullable: boolean): boolean | null {
  const value = required(s, hook);
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (nullable && value === '') return null;
  throw broken(`<body> ${BODY_HOOKS[hook]}=${show(value)}: expected true or false${nullable ? ' or empty' : ''}`);
}

function orNull(value: string): string | null {
  return value === '' ? null : value;
}

/** Which hook gives the state field at `path` (to name it when the assembled state breaks its schema). */
function hookOf(path: readonly PropertyKey[]): string {
  // account.phone, error.detail; chats.0.title, messages.3.from
  const [field, index, member] = path;
  switch (field) {
    case 'state':
      return `<body> ${BODY_HOOKS.state}`;
    case 'qr':
      return `[${QR_HOOK}] (the QR code's pixels)`;
    case 'qrN':
      return `[${QR_HOOK}] ${QR_N_HOOK}`;
    case 'sessionId':
      return `<body> ${BODY_HOOKS.sessionId}`;
    case 'account':
      return `<body> ${index === 'phone' ? BODY_HOOKS.accountPhone : index === 'name' ? BODY_HOOKS.accountName : BODY_HOOKS.accountId}`;
    case 'revokedReason':
      return `<body> ${BODY_HOOKS.revokedReason}`;
    case 'error':
      return `<body> ${index === 'detail' ? BODY_HOOKS.errorDetail : BODY_HOOKS.errorCode}`;
    case 'chats':
      return `chat ${String(index)}: ${member === 'title' ? CHAT_TITLE_HOOK : CHAT_HOOK}`;
    case 'messages': {
      const hooks: Record<string, string> = MESSAGE_HOOKS;
      return `message ${String(index)}: ${hooks[String(member)] ?? MESSAGE_HOOKS.id}`;
    }
    default:
      return String(field);
  }
}

/**
 * The state the hooks give, with `qr` the text decoded from the QR code's pixels (the caller reads
 * them; null when no QR element is present). Throws DriverBroken naming the hook that is wrong.
 */
export function stateFromHooks(s: HookSnapshot, qr: string | null): WebDriverState {
  const name = required(s, 'state');
  if (!(webDriverStates as readonly string[]).includes(name))
    throw broken(`<body> ${BODY_HOOKS.state}=${show(name)} is no web driver state (${webDriverStates.join(', ')})`);
  if (s.qr !== null && s.qr.count > 1)
    throw broken(`${s.qr.count} elements carry ${QR_HOOK}; at most one QR code may be shown`);
  // State qr without a QR element is the moment between the qr frame and the code drawn (qr null).
  if (name !== 'qr' && s.qr !== null)
    throw broken(`state ${name} but an element still carries ${QR_HOOK} (only state qr shows a QR code)`);
  let qrN: number | null = null;
  if (s.qr !== null) {
    const n = s.qr.n ?? '';
    if (!/^[1-9][0-9]{0,8}$/.test(n))
      throw broken(`[${QR_HOOK}] ${QR_N_HOOK}=${show(n)}: expected the n of the qr frame (an integer >= 1)`);
    qrN = Number(n);
  }
  const accountId = orNull(required(s, 'accountId'));
  const errorCode = orNull(required(s, 'errorCode'));
  const state = {
    state: name,
    qr,
    qrN,
    sessionId: orNull(required(s, 'sessionId')),
    account:
      accountId === null ? null : { accountId, phone: required(s, 'accountPhone'), name: required(s, 'accountName') },
    phoneOnline: flag(s, 'phoneOnline', true),
    keep: flag(s, 'keep', false),
    tokenStored: flag(s, 'tokenStored', false),
    revokedReason: orNull(required(s, 'revokedReason')),
    error: errorCode === null ? null : { code: errorCode, detail: required(s, 'errorDetail') },
    chats: s.chats.map((c, i) => {
      if (c.title === null) throw broken(`chat ${i} (${CHAT_HOOK}=${show(c.chatId)}) has no ${CHAT_TITLE_HOOK}`);
      return { chatId: c.chatId, title: c.title };
    }),
    messages: s.messages.map((m, i) => {
      for (const [field, hook] of Object.entries(MESSAGE_HOOKS)) {
        if (m[field as keyof typeof m] === null)
          throw broken(`message ${i} (${MESSAGE_HOOKS.id}=${show(m.id)}) has no ${hook}`);
      }
      const at = m.at ?? '';
      if (!/^(0|[1-9][0-9]{0,15})$/.test(at))
        throw broken(`message ${i}: ${MESSAGE_HOOKS.at}=${show(at)}: expected milliseconds (an integer)`);
      return { id: m.id, chatId: m.chatId, from: m.from, text: m.text, at: Number(at) };
    }),
  };
  const parsed = WebDriverStateSchema.safeParse(state);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw broken(`${issue ? `${hookOf(issue.path)}: ${issue.message}` : 'invalid state'}`);
  }
  return parsed.data;
}
