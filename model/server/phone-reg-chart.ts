/**
 * Server entity: one phone number — its registration (code, bad tries, device token version) and
 * its authenticated connection. Link, relay and unlink frames are routed by the server to the ref's
 * connection or the session; this chart answers registration and authentication.
 *
 * Once the number has an account (`offline`, `online`), the code state lives in the context (`code`,
 * `attemptsLeft`: it is per number, shared by every connection, section 5), so a re-registration
 * [REG-8] can be asked for, tried and locked from `offline`, and a code sent before an `auth` still
 * verifies after that connection closed. The model has one connection per number: a re-registration
 * comes on an unauthenticated connection [REG-11], so no other connection of the number is
 * authenticated then (REG-8's 4401 to such a connection, and LINK-15 for its claims, have nothing to
 * act on: the previous connection's close already ended its attempts).
 */
import type { AbsPhoneToServer, CloseMark, PhoneDown } from '../abstract/frames.js';
import type { PhoneId } from '../abstract/values.js';
import { defineChart, type TransitionDef } from '../chart/chart.js';
import { Close } from '../protocol/codes.js';
import type { ServerOut } from './server-out.js';

export interface PhoneRegContext {
  readonly phone: PhoneId;
  readonly number: string;
  readonly account: string;
  /** Version of the valid device token (-1: none issued). */
  readonly tokenVersion: number;
  readonly code: string | null;
  readonly attemptsLeft: number;
  readonly maxAttempts: number;
}

type PhoneFrame = Extract<AbsPhoneToServer, { t: 'register' | 'register.verify' | 'auth' }> | CloseMark;
export type PhoneRegEvent =
  | (PhoneFrame extends infer F ? (F extends { t: infer K } ? F & { readonly type: K } : never) : never)
  | { readonly type: 'SERVER_CLOSED' };

type Ev<K extends PhoneRegEvent['type']> = Extract<PhoneRegEvent, { type: K }>;

export function phoneRegContext(phone: PhoneId, number: string, maxAttempts = 5): PhoneRegContext {
  return {
    phone,
    number,
    account: `acct${phone.slice(1)}`,
    tokenVersion: -1,
    code: null,
    attemptsLeft: maxAttempts,
    maxAttempts,
  };
}

/** The code the model's SMS gateway sends (the model needs only right and wrong codes). */
export const modelCode = '1234';
const deviceToken = (c: PhoneRegContext, v: number) => `dt${c.phone}.${v}`;
const to = (c: PhoneRegContext, frame: PhoneDown): ServerOut => ({ type: 'phone', phone: c.phone, frame });

/** [REG-7] [REG-6] [REG-14] register.ok with a fresh device token; the code is used, bad tries reset. */
function registered(c: PhoneRegContext, out: ServerOut[]): PhoneRegContext {
  const v = c.tokenVersion + 1;
  out.push(to(c, { t: 'register.ok', accountId: c.account, deviceToken: deviceToken(c, v) }));
  out.push({ type: 'phoneUp', phone: c.phone, account: c.account });
  return { ...c, tokenVersion: v, code: null, attemptsLeft: c.maxAttempts };
}

const guards = {
  codeRight: (c: PhoneRegContext, e: PhoneRegEvent) => c.code !== null && (e as Ev<'register.verify'>).code === c.code,
  lastTry: (c: PhoneRegContext) => c.attemptsLeft <= 1,
  noCode: (c: PhoneRegContext) => c.code === null,
  tokenValid: (c: PhoneRegContext, e: PhoneRegEvent) =>
    c.tokenVersion >= 0 && (e as Ev<'auth'>).deviceToken === deviceToken(c, c.tokenVersion),
  /** [REG-3] the number is locked (lock expiry is not modelled). */
  lockedOut: (c: PhoneRegContext) => c.attemptsLeft <= 0,
};
type G = keyof typeof guards;

const effects = {
  sendCode: (c: PhoneRegContext, _e: PhoneRegEvent, out: ServerOut[]): PhoneRegContext => {
    out.push(to(c, { t: 'register.sent', phone: c.number, ttlMs: 300_000, length: 4 }));
    return { ...c, code: modelCode };
  },
  registered: (c: PhoneRegContext, _e: PhoneRegEvent, out: ServerOut[]) => registered(c, out),
  /**
   * [REG-8] a verify succeeded for a number that already has an account: every session of the account
   * ends (revoked reregistered + 4003 to its holder), then register.ok with a fresh device token (the
   * previous one stops working); the order of the reference server (phone-endpoint.ts).
   */
  reregistered: (c: PhoneRegContext, _e: PhoneRegEvent, out: ServerOut[]): PhoneRegContext => {
    out.push({ type: 'reregistered', account: c.account });
    return registered(c, out);
  },
  badCode: (c: PhoneRegContext, _e: PhoneRegEvent, out: ServerOut[]): PhoneRegContext => {
    out.push(to(c, { t: 'register.error', reason: 'bad_code', attemptsLeft: c.attemptsLeft - 1 }));
    return { ...c, attemptsLeft: c.attemptsLeft - 1 };
  },
  lock: (c: PhoneRegContext, _e: PhoneRegEvent, out: ServerOut[]): PhoneRegContext => {
    out.push(to(c, { t: 'register.error', reason: 'locked', retryAfterMs: 900_000 }));
    return { ...c, code: null, attemptsLeft: 0 };
  },
  noCode: (c: PhoneRegContext, _e: PhoneRegEvent, out: ServerOut[]): PhoneRegContext => {
    out.push(to(c, { t: 'register.error', reason: 'no_code' }));
    return c;
  },
  authOk: (c: PhoneRegContext, _e: PhoneRegEvent, out: ServerOut[]): PhoneRegContext => {
    // auth.ok's session list is filled in by the server (it spans sessions); see server.ts.
    out.push(to(c, { t: 'auth.ok', accountId: c.account, sessions: [] }));
    out.push({ type: 'phoneUp', phone: c.phone, account: c.account });
    return c;
  },
  unauthorized: (c: PhoneRegContext, _e: PhoneRegEvent, out: ServerOut[]): PhoneRegContext => {
    out.push(to(c, { t: 'error', code: 'unauthorized', detail: 'device token' }));
    out.push(to(c, { t: '$close', code: Close.unauthorized }));
    return c;
  },
  badState: (c: PhoneRegContext, e: PhoneRegEvent, out: ServerOut[]): PhoneRegContext => {
    out.push(to(c, { t: 'error', code: 'bad_state', detail: `${e.type} on an authenticated connection` }));
    out.push(to(c, { t: '$close', code: Close.protocol }));
    return c;
  },
  gone: (c: PhoneRegContext, _e: PhoneRegEvent, out: ServerOut[]): PhoneRegContext => {
    out.push({ type: 'phoneDown', phone: c.phone, account: c.account });
    return c;
  },
};
type A = keyof typeof effects;
type T = TransitionDef<G, A>;

/** [REG-5] no account and no code: `noAccount` always has `code === null`. */
const verifyNoCode: T[] = [{ actions: ['noCode'], clauses: ['REG-5'] }];
/** `codeSent` always has a code outstanding (no branch for none). */
const verify: T[] = [
  { target: 'online', guard: 'codeRight', actions: ['registered'], clauses: ['REG-7', 'REG-6', 'REG-14'] },
  { target: 'locked', guard: 'lastTry', actions: ['lock'], clauses: ['REG-3'] },
  { actions: ['badCode'], clauses: ['REG-3'] },
];
/** [REG-9] an `auth` for a number without an account. */
const authNoAccount: T[] = [{ actions: ['unauthorized'], clauses: ['REG-9'] }];
/** [REG-8] a registered number, no authenticated connection: registration again, on any connection. */
const reregister: Record<string, T[]> = {
  register: [
    { guard: 'lockedOut', actions: ['lock'], clauses: ['REG-3', 'REG-8'] },
    { actions: ['sendCode'], clauses: ['REG-1', 'REG-4', 'REG-12', 'REG-8'] },
  ],
  'register.verify': [
    { guard: 'lockedOut', actions: ['lock'], clauses: ['REG-3', 'REG-8'] },
    { guard: 'noCode', actions: ['noCode'], clauses: ['REG-5', 'REG-8'] },
    {
      target: 'online',
      guard: 'codeRight',
      actions: ['reregistered'],
      clauses: ['REG-8', 'REG-7', 'REG-6', 'REG-14', 'SESS-13', 'RELAY-12'],
    },
    { guard: 'lastTry', actions: ['lock'], clauses: ['REG-3', 'REG-8'] },
    { actions: ['badCode'], clauses: ['REG-3', 'REG-8'] },
  ],
};
const authedFrames: Record<string, T[]> = {
  register: [{ target: 'offline', actions: ['badState', 'gone'], clauses: ['REG-11'] }],
  'register.verify': [{ target: 'offline', actions: ['badState', 'gone'], clauses: ['REG-11'] }],
  auth: [{ target: 'offline', actions: ['badState', 'gone'], clauses: ['REG-11'] }],
  $close: [{ target: 'offline', actions: ['gone'], clauses: ['RELAY-10', 'LINK-15'] }],
  SERVER_CLOSED: [{ target: 'offline', actions: ['gone'], clauses: ['TR-6', 'LINK-15'] }],
};

export const phoneRegChart = defineChart<PhoneRegContext, PhoneRegEvent, ServerOut, G, A>({
  id: 'server-phone',
  initial: 'noAccount',
  context: phoneRegContext('P1', '+15550000001'),
  guards,
  effects,
  states: {
    noAccount: {
      description: 'no account for the number (or a connection not yet registered)',
      on: {
        register: [{ target: 'codeSent', actions: ['sendCode'], clauses: ['REG-1', 'REG-12'] }],
        'register.verify': verifyNoCode,
        auth: authNoAccount,
      },
    },
    codeSent: {
      description: 'a code is outstanding',
      on: { 'register.verify': verify, register: [{ actions: ['sendCode'], clauses: ['REG-4'] }], auth: authNoAccount },
    },
    locked: {
      description: 'too many bad codes: the number is locked',
      on: {
        register: [{ actions: ['lock'], clauses: ['REG-3'] }],
        'register.verify': [{ actions: ['lock'], clauses: ['REG-3'] }],
        auth: authNoAccount,
      },
    },
    offline: {
      description: 'registered; no authenticated connection (a re-registration code may be outstanding)',
      on: {
        auth: [
          { target: 'online', guard: 'tokenValid', actions: ['authOk'], clauses: ['REG-9', 'RELAY-9'] },
          { actions: ['unauthorized'], clauses: ['REG-9', 'REG-8'] },
        ],
        ...reregister,
      },
    },
    online: { description: 'authenticated connection open', on: authedFrames },
  },
});
