/**
 * Clause-targeted checks of docs/protocol.md section 12 (Errors and close codes) against a server:
 * every malformed-frame class (binary, not UTF-8, not JSON, not an object, no `t`, unknown type,
 * a type of another endpoint, schema violations including ENC-1 and ENC-4), frames in a state that
 * does not allow them (LINK-16, RELAY-1, RELAY-3, RELAY-13, LINK-17, LINK-18, REG-11), a wrong
 * protocol version (ERR-9), and every `error` code a server sends without a link (bad_frame,
 * bad_state, unsupported_version, unauthorized, conflict; rate_limited is in transport.ts). Each
 * check opens its own connections, waits on the server by barrier, and names the clause it
 * enforces in every failure.
 */
import type { ErrorCode } from '../../model/protocol/codes.js';
import type { Case, CaseContext } from '../engine/case.js';
import {
  advance,
  authPhone,
  configure,
  expect,
  freshB64u,
  openPhonePeer,
  openWebPeer,
  type Peer,
  phoneNumber,
  registerPhone,
  serverCheck,
  stats,
} from './flow.js';

export const ERRORS_SECTION = '12 Errors and close codes';

/** A peer of either endpoint, read loosely (the checks here send frames outside the typed unions). */
export type AnyPeer = Peer<{ readonly t: string }, { readonly t: string }>;
export type Endpoint = 'web' | 'phone';

/** The clauses the checks cite, quoted from docs/protocol.md (a test pins each quote to the spec). */
export const requirements = {
  'ERR-1':
    'The server MUST close a connection that sends a binary message, on any endpoint, with 1003 and send no error frame.',
  'ERR-2':
    'On /v1/phone and /v1/web, the server MUST close a connection whose text message is not valid UTF-8 or not valid JSON (RFC 8259; this includes the literals NaN, Infinity and -Infinity, comments and trailing characters) with 1007 and send no error frame.',
  'ERR-3':
    'The server MUST answer a JSON text whose top-level value is not an object, or whose t is missing or not a string, with error {code: "bad_frame"} and close 4000.',
  'ERR-4':
    'The server MUST answer a frame whose t is not a type of that endpoint and direction (section 4) with error {code: "bad_frame"} and close 4000.',
  'ERR-5':
    'The server MUST answer a frame of a known type whose fields break its schema (a missing field, a wrong type, a value out of range, a base64url value failing clause ENC-1) with error {code: "bad_frame"} and close 4000.',
  'ERR-6':
    'The server MUST answer a frame that passes its schema but that the receiving connection\'s state does not allow with error {code: "bad_state"} and close 4000',
  'ERR-9':
    'On a first hello whose v is an integer other than 1 (a hello that is not the first frame is bad_state under clause LINK-16, whatever its v), the server MUST send error {code: "unsupported_version"} and close with 4000.',
  'ENC-4': 'Every relay counter n MUST be an integer from 1 to 2^53 - 1 inclusive.',
  'LINK-16':
    'The server MUST accept hello or resume only as the first frame of a /v1/web connection, and MUST answer a second hello, a hello after resume, a resume after hello, and any other frame before the first hello or resume, with error {code: "bad_state"} and close 4000.',
  'LINK-17':
    'On confirm for a live ref of this connection in any phase but approved (pending, claimed but not approved, or already confirmed), or for a ref never issued to this connection or forgotten, the server MUST send error {code: "bad_state"} and close 4000.',
  'LINK-18-close':
    'After an abort that killed a ref, the server MUST issue no further ref on that connection and close it with 1000',
  'LINK-18':
    'for an abort naming a ref never issued to this connection (or forgotten) it MUST send error {code: "bad_state"} and close 4000.',
  'RELAY-1':
    'MUST answer any other attach (before admission or resumption, a second one) or an attach whose e equals any earlier epoch of the session with error {code: "bad_state"} and close 4000.',
  'RELAY-3':
    'The server MUST answer to_phone on a connection that has not attached, or whose e is not the connection\'s own epoch, with error {code: "bad_state"} and close 4000.',
  'RELAY-13':
    'The server MUST answer ack on a web connection that has not attached with error {code: "bad_state"} and close 4000.',
  'LINK-13':
    'When a web connection closes while it holds a live ref, the server MUST kill the ref (reason web_gone), cancel every timer of that connection',
  'ERR-7':
    'The server MUST precede close 4401 and 4429 with the matching error frame, and on /v1/web close 4001, 4002 and 4003 with revoked and close 4008 with qr.exhausted.',
  'CTL-3': 'On reset the server MUST close every /v1/phone and /v1/web connection with 1012 (no preceding frame)',
  'REG-9': 'on any other auth it MUST send error {code: "unauthorized"} and close with 4401.',
  'REG-10':
    'When a phone connection authenticates by auth for an account that already has an authenticated phone connection, the server MUST send the older connection error {code: "conflict"} and close it with 4002',
  'REG-11-unauth':
    'On an unauthenticated phone connection, the server MUST answer any frame other than register, register.verify and auth with error {code: "unauthorized"} and close 4401',
  'REG-11-auth':
    'on an authenticated connection it MUST answer register, register.verify and auth with error {code: "bad_state"} and close 4000.',
  'SESS-2':
    'The server MUST answer a resume {token} whose token is neither the current nor the pending token of a live session with error {code: "unauthorized"} and close 4401.',
} as const;

// ---------------------------------------------------------------------------------------------
// What a check sends and what it expects
// ---------------------------------------------------------------------------------------------

/** The `hello` every check's web client sends when it needs a linking connection. */
export const helloFrame = { t: 'hello', v: 1, device: { name: 'qrlink check', platform: 'conformance' }, keep: false };

/** What a check sends: a frame (as JSON text), a raw text, or raw bytes as a text or binary message. */
export type Payload =
  | { readonly frame: Record<string, unknown> }
  | { readonly text: string }
  | { readonly bytes: Uint8Array; readonly binary: boolean };

/** What the server must do with it. */
export type Outcome =
  /** Close with this code and no frame before it. */
  | { readonly close: number }
  /** `error {code}` then the close its code assigns [ERR-10]. */
  | { readonly error: ErrorCode }
  /** An answer of this type, and the connection stays open. */
  | { readonly answer: string };

/** Opens a peer on `/v1/web` or `/v1/phone` as `name`. */
export async function openPeer(ctx: CaseContext, endpoint: Endpoint, name: string): Promise<AnyPeer> {
  const peer = endpoint === 'web' ? await openWebPeer(ctx, name) : await openPhonePeer(ctx, name);
  return peer as unknown as AnyPeer;
}

/** Sends `hello` and reads the `qr` that answers it; returns the ref [QR-1]. */
export async function sayHello(peer: AnyPeer, hello: Record<string, unknown> = helloFrame): Promise<string> {
  await peer.sendUntyped({ ...hello, t: 'hello' }, 'sends hello');
  const qr = (await peer.next('qr', 'QR-1', 'the answer to hello')) as unknown as { ref: string };
  return qr.ref;
}

/** Sends a payload without waiting (recorded as one trace step). */
export function sendPayload(peer: AnyPeer, payload: Payload, action: string): void {
  if ('frame' in payload) {
    peer.ctx.step(peer.name, action, payload.frame);
    peer.socket.send(payload.frame);
  } else if ('text' in payload) {
    peer.ctx.step(peer.name, action);
    peer.socket.sendRaw(payload.text);
  } else {
    peer.ctx.step(peer.name, action);
    peer.socket.sendRaw(payload.bytes, payload.binary);
  }
}

/** Reads what the server did after a barrier and compares it with `outcome`. */
export async function expectOutcome(peer: AnyPeer, outcome: Outcome, clause: string, why: string): Promise<void> {
  if ('close' in outcome) {
    await peer.closedWith(outcome.close, clause, `${why}; no error frame before it`);
  } else if ('error' in outcome) {
    await peer.error(outcome.error, clause, why);
  } else {
    await peer.next(outcome.answer, clause, why);
    await peer.nothing(clause, `the connection stays open after ${outcome.answer}`);
  }
}

/** One malformed or misplaced input on a fresh connection, and what the server must do with it. */
export interface InputCheckSpec {
  readonly id: string;
  readonly title: string;
  readonly section?: string;
  /** The first is the clause the verdict names. */
  readonly clauses: readonly string[];
  readonly requirement: string;
  readonly endpoint: Endpoint;
  /** `hello`: the web connection says hello (and reads its `qr`) first. */
  readonly after?: 'hello';
  /** The input; a function receives the connection's ref (after `hello`) or a fresh one. */
  readonly send: Payload | ((ref: string) => Payload);
  /** The trace step's action, e.g. `sends a binary message`. */
  readonly action: string;
  readonly expect: Outcome;
}

export function inputCheck(spec: InputCheckSpec): Case {
  const clause = spec.clauses[0] ?? '?';
  return serverCheck({
    id: spec.id,
    title: spec.title,
    section: spec.section ?? ERRORS_SECTION,
    clauses: spec.clauses,
    requirement: spec.requirement,
    needs: [],
    async run(ctx) {
      const peer = await openPeer(ctx, spec.endpoint, `${spec.endpoint}1`);
      const ref = spec.after === 'hello' ? await sayHello(peer) : freshB64u(16);
      const payload = typeof spec.send === 'function' ? spec.send(ref) : spec.send;
      sendPayload(peer, payload, spec.action);
      await expectOutcome(peer, spec.expect, clause, spec.action);
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

const B64U = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A 16-byte value whose last character carries non-zero unused bits (non-canonical) [ENC-1]. */
export function nonCanonical16(): string {
  const ok = freshB64u(16); // 22 characters: 128 bits used, 4 unused bits in the last character
  const last = B64U.indexOf(ok.charAt(21));
  return ok.slice(0, 21) + B64U.charAt((last & 0b110000) | 0b0001);
}

const text = (s: string): Payload => ({ text: s });
const frame = (f: Record<string, unknown>): Payload => ({ frame: f });
const utf8 = (...bytes: number[]): Payload => ({ bytes: new Uint8Array(bytes), binary: false });
const helloText = JSON.stringify(helloFrame);
const REQ = requirements;
const web = 'web' as const;
const phone = 'phone' as const;
const badFrame: Outcome = { error: 'bad_frame' };
const badState: Outcome = { error: 'bad_state' };
const unauthorized: Outcome = { error: 'unauthorized' };
const e16 = (): string => freshB64u(16);
const c17 = (): string => freshB64u(17);

// ---------------------------------------------------------------------------------------------
// ERR-1 binary, ERR-2 not UTF-8 / not JSON: a bare close, no error frame
// ---------------------------------------------------------------------------------------------

const closeChecks: Case[] = [
  inputCheck({
    id: 'ERR-1-binary-web',
    title: 'a binary message on /v1/web closes 1003 without an error frame',
    clauses: ['ERR-1'],
    requirement: REQ['ERR-1'],
    endpoint: web,
    send: { bytes: Buffer.from(helloText), binary: true },
    action: 'sends hello as a binary message',
    expect: { close: 1003 },
  }),
  inputCheck({
    id: 'ERR-1-binary-web-linking',
    title: 'a binary message after hello closes 1003',
    clauses: ['ERR-1'],
    requirement: REQ['ERR-1'],
    endpoint: web,
    after: 'hello',
    send: { bytes: new Uint8Array([0, 1, 2, 3]), binary: true },
    action: 'sends a 4-byte binary message',
    expect: { close: 1003 },
  }),
  inputCheck({
    id: 'ERR-1-binary-empty',
    title: 'an empty binary message closes 1003',
    clauses: ['ERR-1'],
    requirement: REQ['ERR-1'],
    endpoint: web,
    send: { bytes: new Uint8Array([]), binary: true },
    action: 'sends an empty binary message',
    expect: { close: 1003 },
  }),
  inputCheck({
    id: 'ERR-1-binary-phone',
    title: 'a binary message on /v1/phone closes 1003 without an error frame',
    clauses: ['ERR-1'],
    requirement: REQ['ERR-1'],
    endpoint: phone,
    send: { bytes: Buffer.from(JSON.stringify({ t: 'register', phone: phoneNumber(1) })), binary: true },
    action: 'sends register as a binary message',
    expect: { close: 1003 },
  }),
  inputCheck({
    id: 'ERR-2-invalid-utf8-web',
    title: 'a text message that is not UTF-8 closes 1007',
    clauses: ['ERR-2'],
    requirement: REQ['ERR-2'],
    endpoint: web,
    send: utf8(0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d), // {"t":"<0xff>"}
    action: 'sends a text message with the byte 0xff',
    expect: { close: 1007 },
  }),
  inputCheck({
    id: 'ERR-2-invalid-utf8-surrogate',
    title: 'a text message with a UTF-8-encoded surrogate (ED A0 80) closes 1007',
    clauses: ['ERR-2'],
    requirement: REQ['ERR-2'],
    endpoint: web,
    send: utf8(0x22, 0xed, 0xa0, 0x80, 0x22),
    action: 'sends a text message with an encoded surrogate',
    expect: { close: 1007 },
  }),
  inputCheck({
    id: 'ERR-2-invalid-utf8-phone',
    title: 'a text message that is not UTF-8 on /v1/phone closes 1007',
    clauses: ['ERR-2'],
    requirement: REQ['ERR-2'],
    endpoint: phone,
    send: utf8(0x7b, 0xc3, 0x28, 0x7d), // an invalid two-byte sequence
    action: 'sends a text message with the bytes C3 28',
    expect: { close: 1007 },
  }),
  inputCheck({
    id: 'ERR-2-not-json-web',
    title: 'a text message that is not JSON closes 1007',
    clauses: ['ERR-2'],
    requirement: REQ['ERR-2'],
    endpoint: web,
    send: text('hello'),
    action: 'sends the text "hello"',
    expect: { close: 1007 },
  }),
  inputCheck({
    id: 'ERR-2-not-json-linking',
    title: 'a text message that is not JSON after hello closes 1007',
    clauses: ['ERR-2'],
    requirement: REQ['ERR-2'],
    endpoint: web,
    after: 'hello',
    send: (ref) => text(`{t: 'status', ref: '${ref}'}`),
    action: 'sends a JavaScript object literal (not JSON)',
    expect: { close: 1007 },
  }),
  inputCheck({
    id: 'ERR-2-not-json-phone',
    title: 'a text message that is not JSON on /v1/phone closes 1007',
    clauses: ['ERR-2'],
    requirement: REQ['ERR-2'],
    endpoint: phone,
    send: text(`{'t': 'register', 'phone': '${phoneNumber(1)}'}`),
    action: 'sends JSON with single quotes',
    expect: { close: 1007 },
  }),
  inputCheck({
    id: 'ERR-2-empty-text',
    title: 'an empty text message (not JSON) closes 1007',
    clauses: ['ERR-2'],
    requirement: REQ['ERR-2'],
    endpoint: web,
    send: text(''),
    action: 'sends an empty text message',
    expect: { close: 1007 },
  }),
  inputCheck({
    id: 'ERR-2-nan',
    title: 'the literal NaN is not JSON: close 1007 (not bad_frame)',
    clauses: ['ERR-2'],
    requirement: REQ['ERR-2'],
    endpoint: web,
    send: text(helloText.replace('"v":1', '"v":NaN')),
    action: 'sends hello with v: NaN',
    expect: { close: 1007 },
  }),
  inputCheck({
    id: 'ERR-2-infinity',
    title: 'the literal -Infinity is not JSON: close 1007',
    clauses: ['ERR-2'],
    requirement: REQ['ERR-2'],
    endpoint: web,
    send: text(helloText.replace('"v":1', '"v":-Infinity')),
    action: 'sends hello with v: -Infinity',
    expect: { close: 1007 },
  }),
  inputCheck({
    id: 'ERR-2-comment',
    title: 'a JSON text with a comment closes 1007',
    clauses: ['ERR-2'],
    requirement: REQ['ERR-2'],
    endpoint: web,
    send: text(`/* qrlink */ ${helloText}`),
    action: 'sends hello after a /* comment */',
    expect: { close: 1007 },
  }),
  inputCheck({
    id: 'ERR-2-trailing-characters',
    title: 'a JSON object followed by trailing characters closes 1007',
    clauses: ['ERR-2'],
    requirement: REQ['ERR-2'],
    endpoint: web,
    send: text(`${helloText}x`),
    action: 'sends hello followed by "x"',
    expect: { close: 1007 },
  }),
  inputCheck({
    id: 'ERR-2-whitespace-accepted',
    title: 'JSON whitespace around the object is valid JSON: hello is answered with qr',
    clauses: ['ERR-2'],
    requirement: REQ['ERR-2'],
    endpoint: web,
    send: text(` \n\t${helloText}\r\n `),
    action: 'sends hello between spaces, tabs and newlines',
    expect: { answer: 'qr' },
  }),
  inputCheck({
    id: 'ERR-2-two-objects',
    title: 'two JSON objects in one text message close 1007',
    clauses: ['ERR-2', 'TR-4'],
    requirement: REQ['ERR-2'],
    endpoint: web,
    send: text(`${helloText}${helloText}`),
    action: 'sends two hello objects in one message',
    expect: { close: 1007 },
  }),
];

// ---------------------------------------------------------------------------------------------
// ERR-3 not an object / no string t, ERR-4 unknown type, ERR-5 schema: bad_frame + 4000
// ---------------------------------------------------------------------------------------------

const shapeChecks: Case[] = [
  ...(
    [
      ['array', '[]', 'an array'],
      ['string', '"hello"', 'a string'],
      ['number', '1', 'a number'],
      ['null', 'null', 'null'],
      ['array-of-frame', `[${helloText}]`, 'hello wrapped in an array'],
    ] as const
  ).map(([id, body, what]) =>
    inputCheck({
      id: `ERR-3-not-object-${id}`,
      title: `a JSON text that is ${what}, not an object, is bad_frame`,
      clauses: ['ERR-3', 'ERR-10'],
      requirement: REQ['ERR-3'],
      endpoint: web,
      send: text(body),
      action: `sends ${what}`,
      expect: badFrame,
    }),
  ),
  inputCheck({
    id: 'ERR-3-deeply-nested-array',
    title: 'an array nested 20000 deep is bad_frame (the server survives the depth)',
    clauses: ['ERR-3', 'ERR-10'],
    requirement: REQ['ERR-3'],
    endpoint: web,
    send: text(`${'['.repeat(20000)}${']'.repeat(20000)}`),
    action: 'sends an array nested 20000 levels deep',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-3-not-object-phone',
    title: 'a JSON array on /v1/phone is bad_frame',
    clauses: ['ERR-3', 'ERR-10'],
    requirement: REQ['ERR-3'],
    endpoint: phone,
    send: text('[1,2]'),
    action: 'sends [1,2]',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-3-no-type-web',
    title: 'an object without t is bad_frame',
    clauses: ['ERR-3', 'ERR-10'],
    requirement: REQ['ERR-3'],
    endpoint: web,
    send: frame({ type: 'hello', v: 1, device: helloFrame.device, keep: false }),
    action: 'sends hello with "type" instead of "t"',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-3-empty-object',
    title: 'an empty object is bad_frame',
    clauses: ['ERR-3', 'ERR-10'],
    requirement: REQ['ERR-3'],
    endpoint: web,
    after: 'hello',
    send: text('{}'),
    action: 'sends {}',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-3-type-number',
    title: 'an object whose t is a number is bad_frame',
    clauses: ['ERR-3', 'ERR-10'],
    requirement: REQ['ERR-3'],
    endpoint: web,
    send: frame({ ...helloFrame, t: 1 }),
    action: 'sends hello with t: 1',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-3-type-null',
    title: 'an object whose t is null is bad_frame',
    clauses: ['ERR-3', 'ERR-10'],
    requirement: REQ['ERR-3'],
    endpoint: phone,
    send: frame({ t: null, phone: phoneNumber(1) }),
    action: 'sends {t: null}',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-3-type-array',
    title: 'an object whose t is an array of a type name is bad_frame',
    clauses: ['ERR-3', 'ERR-10'],
    requirement: REQ['ERR-3'],
    endpoint: web,
    send: frame({ ...helloFrame, t: ['hello'] }),
    action: 'sends hello with t: ["hello"]',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-4-unknown-type-web',
    title: 'an unknown t on /v1/web is bad_frame',
    clauses: ['ERR-4', 'ERR-10'],
    requirement: REQ['ERR-4'],
    endpoint: web,
    send: frame({ t: 'hi' }),
    action: 'sends {t: "hi"}',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-4-unknown-type-linking',
    title: 'an unknown t after hello is bad_frame',
    clauses: ['ERR-4', 'ERR-10'],
    requirement: REQ['ERR-4'],
    endpoint: web,
    after: 'hello',
    send: frame({ t: 'qr.refresh' }),
    action: 'sends {t: "qr.refresh"}',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-4-type-case',
    title: 'type names are case-sensitive: "Hello" is unknown, bad_frame',
    clauses: ['ERR-4', 'ERR-10'],
    requirement: REQ['ERR-4'],
    endpoint: web,
    send: frame({ ...helloFrame, t: 'Hello' }),
    action: 'sends hello with t: "Hello"',
    expect: badFrame,
  }),
  ...(['__proto__', 'constructor', 'toString', 'hasOwnProperty'] as const).map((t) =>
    inputCheck({
      id: `ERR-4-type-${t}`,
      title: `t: "${t}" (an Object.prototype name) is an unknown type: bad_frame`,
      clauses: ['ERR-4', 'ERR-10'],
      requirement: REQ['ERR-4'],
      endpoint: t === 'toString' ? phone : web,
      send: frame({ t }),
      action: `sends {t: "${t}"}`,
      expect: badFrame,
    }),
  ),
  inputCheck({
    id: 'ERR-4-type-very-long',
    title: 'an unknown t of 60000 characters is bad_frame with a detail of at most 1024 characters',
    clauses: ['ERR-4', 'ERR-10'],
    requirement: REQ['ERR-4'],
    endpoint: web,
    send: frame({ t: 'x'.repeat(60000) }),
    action: 'sends a 60000-character t',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-4-unknown-type-phone',
    title: 'an unknown t on /v1/phone is bad_frame (before the authentication check)',
    clauses: ['ERR-4', 'ERR-10'],
    requirement: REQ['ERR-4'],
    endpoint: phone,
    send: frame({ t: 'login', phone: phoneNumber(1) }),
    action: 'sends {t: "login"}',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-4-phone-type-on-web',
    title: 'a phone frame (auth) on /v1/web is bad_frame',
    clauses: ['ERR-4', 'ERR-10'],
    requirement: REQ['ERR-4'],
    endpoint: web,
    send: frame({ t: 'auth', phone: phoneNumber(1), deviceToken: freshB64u(32) }),
    action: 'sends auth on /v1/web',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-4-phone-type-on-web-linking',
    title: 'a phone frame (link.claim of its own ref) on /v1/web after hello is bad_frame',
    clauses: ['ERR-4', 'ERR-10'],
    requirement: REQ['ERR-4'],
    endpoint: web,
    after: 'hello',
    send: (ref) => frame({ t: 'link.claim', ref }),
    action: 'sends link.claim of its own ref on /v1/web',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-4-web-type-on-phone',
    title: 'a web frame (hello) on /v1/phone is bad_frame, not unauthorized',
    clauses: ['ERR-4', 'ERR-10'],
    requirement: REQ['ERR-4'],
    endpoint: phone,
    send: frame(helloFrame),
    action: 'sends hello on /v1/phone',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-4-server-type-on-web',
    title: 'a server-to-web frame (qr) sent by a web client is bad_frame',
    clauses: ['ERR-4', 'ERR-10'],
    requirement: REQ['ERR-4'],
    endpoint: web,
    send: frame({ t: 'qr', ref: e16(), ttlMs: 60000, n: 1, of: 6 }),
    action: 'sends qr',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-4-server-type-on-phone',
    title: 'a server-to-phone frame (register.ok) sent by a phone is bad_frame',
    clauses: ['ERR-4', 'ERR-10'],
    requirement: REQ['ERR-4'],
    endpoint: phone,
    send: frame({ t: 'register.ok', accountId: e16(), deviceToken: freshB64u(32) }),
    action: 'sends register.ok',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-4-control-type-on-web',
    title: 'a control request (reset) on /v1/web is bad_frame',
    clauses: ['ERR-4', 'ERR-10'],
    requirement: REQ['ERR-4'],
    endpoint: web,
    send: frame({ t: 'reset', id: 1 }),
    action: 'sends reset on /v1/web',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-4-control-type-on-phone',
    title: 'a control request (config) on /v1/phone is bad_frame',
    clauses: ['ERR-4', 'ERR-10'],
    requirement: REQ['ERR-4'],
    endpoint: phone,
    send: frame({ t: 'config', set: { rateMessages: 0 } }),
    action: 'sends config on /v1/phone',
    expect: badFrame,
  }),
];

/** A hello with one change: schema violations of the first frame [ERR-5]. */
function helloWith(change: Record<string, unknown>, drop?: 'device' | 'keep' | 'v'): Payload {
  const f: Record<string, unknown> = { ...helloFrame, ...change };
  if (drop) delete f[drop];
  return frame(f);
}

const schemaChecks: Case[] = [
  ...(
    [
      ['hello-no-device', helloWith({}, 'device'), 'hello without device'],
      ['hello-no-keep', helloWith({}, 'keep'), 'hello without keep'],
      ['hello-no-v', helloWith({}, 'v'), 'hello without v'],
      ['hello-v-fraction', helloWith({ v: 1.5 }), 'hello with v: 1.5'],
      ['hello-v-string', helloWith({ v: '1' }), 'hello with v: "1"'],
      ['hello-keep-string', helloWith({ keep: 'true' }), 'hello with keep: "true"'],
      [
        'hello-name-65',
        helloWith({ device: { name: 'n'.repeat(65), platform: 'p' } }),
        'hello with a 65-character name',
      ],
      ['hello-name-empty', helloWith({ device: { name: '', platform: 'p' } }), 'hello with an empty name'],
      [
        'hello-platform-33',
        helloWith({ device: { name: 'n', platform: 'p'.repeat(33) } }),
        'hello with a 33-character platform',
      ],
      ['hello-device-string', helloWith({ device: 'Firefox' }), 'hello with device: "Firefox"'],
      [
        'hello-name-huge',
        helloWith({ device: { name: 'n'.repeat(60000), platform: 'p' } }),
        'hello with a 60000-character name (the error detail stays within 1024 characters)',
      ],
      ['hello-keep-null', helloWith({ keep: null }), 'hello with keep: null'],
      [
        'hello-v-infinite',
        { text: helloText.replace('"v":1', '"v":1e400') },
        'hello with v: 1e400 (Infinity once parsed)',
      ],
    ] as const
  ).map(([id, payload, what]) =>
    inputCheck({
      id: `ERR-5-${id}`,
      title: `${what} breaks the schema: bad_frame`,
      clauses: ['ERR-5', 'ERR-10'],
      requirement: REQ['ERR-5'],
      endpoint: web,
      send: payload,
      action: `sends ${what}`,
      expect: badFrame,
    }),
  ),
  ...(
    [
      ['ref-padding', (ref: string) => `${ref}==`, 'a ref with = padding'],
      ['ref-standard-alphabet', (ref: string) => `+/${ref.slice(2)}`, 'a ref with + and / (standard base64)'],
      ['ref-length-1-mod-4', (ref: string) => ref.slice(0, 21), 'a ref of 21 characters (1 modulo 4)'],
      ['ref-non-canonical', () => nonCanonical16(), 'a ref with non-zero unused trailing bits'],
      ['ref-15-bytes', () => freshB64u(15), 'a ref of 15 bytes'],
      ['ref-33-bytes', () => freshB64u(33), 'a ref of 33 bytes'],
      ['ref-empty', () => '', 'an empty ref'],
    ] as const
  ).map(([id, bad, what]) =>
    inputCheck({
      id: `ERR-5-status-${id}`,
      title: `status with ${what} breaks ENC-1: bad_frame`,
      clauses: ['ERR-5', 'ENC-1', 'ERR-10'],
      requirement: REQ['ERR-5'],
      endpoint: web,
      after: 'hello',
      send: (ref) => frame({ t: 'status', ref: bad(ref) }),
      action: `sends status with ${what}`,
      expect: badFrame,
    }),
  ),
  inputCheck({
    id: 'ERR-5-status-ref-number',
    title: 'status with a number for ref is bad_frame',
    clauses: ['ERR-5', 'ERR-10'],
    requirement: REQ['ERR-5'],
    endpoint: web,
    after: 'hello',
    send: frame({ t: 'status', ref: 12345 }),
    action: 'sends status with ref: 12345',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-5-status-ref-32-bytes-accepted',
    title: 'a ref of 32 bytes is in range: status answers status.result unknown, not bad_frame',
    clauses: ['ERR-5', 'QR-6'],
    requirement: REQ['ERR-5'],
    endpoint: web,
    after: 'hello',
    send: frame({ t: 'status', ref: freshB64u(32) }),
    action: 'sends status with a fresh 32-byte ref',
    expect: { answer: 'status.result' },
  }),
  inputCheck({
    id: 'ERR-5-hello-v-1.0-accepted',
    title: 'hello with v written 1.0 is the integer 1: answered with qr',
    clauses: ['ERR-5', 'ERR-9'],
    requirement: REQ['ERR-5'],
    endpoint: web,
    send: text(helloText.replace('"v":1', '"v":1.0')),
    action: 'sends hello with v: 1.0',
    expect: { answer: 'qr' },
  }),
  inputCheck({
    id: 'ERR-5-hello-v-1e0-accepted',
    title: 'hello with v written 1e0 is the integer 1: answered with qr',
    clauses: ['ERR-5', 'ERR-9'],
    requirement: REQ['ERR-5'],
    endpoint: web,
    send: text(helloText.replace('"v":1', '"v":1e0')),
    action: 'sends hello with v: 1e0',
    expect: { answer: 'qr' },
  }),
  inputCheck({
    id: 'ERR-5-status-before-hello',
    title: 'a status with a padded ref before hello is bad_frame: the schema is checked before the state',
    clauses: ['ERR-5', 'ENC-1', 'ERR-10'],
    requirement: REQ['ERR-5'],
    endpoint: web,
    send: frame({ t: 'status', ref: `${e16()}==` }),
    action: 'sends status with a padded ref as its first frame',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-5-confirm-short-tag',
    title: 'confirm of its own ref with a 15-byte tag is bad_frame (schema before state)',
    clauses: ['ERR-5', 'ENC-1', 'ERR-10'],
    requirement: REQ['ERR-5'],
    endpoint: web,
    after: 'hello',
    send: (ref) => frame({ t: 'confirm', ref, tag: freshB64u(15) }),
    action: 'sends confirm with a 15-byte tag',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-5-abort-unknown-reason',
    title: 'abort with a reason outside its enum is bad_frame',
    clauses: ['ERR-5', 'ERR-10'],
    requirement: REQ['ERR-5'],
    endpoint: web,
    after: 'hello',
    send: (ref) => frame({ t: 'abort', ref, reason: 'tired' }),
    action: 'sends abort with reason "tired"',
    expect: badFrame,
  }),
  ...(
    [
      ['zero', 0, 'n: 0'],
      ['too-large', 2 ** 53, 'n: 2^53'],
      ['fraction', 1.5, 'n: 1.5'],
      ['negative', -1, 'n: -1'],
    ] as const
  ).map(([id, n, what]) =>
    inputCheck({
      id: `ERR-5-to_phone-counter-${id}`,
      title: `to_phone with ${what} breaks ENC-4: bad_frame (schema before state)`,
      clauses: ['ENC-4', 'ERR-5', 'ERR-10'],
      requirement: REQ['ENC-4'],
      endpoint: web,
      after: 'hello',
      send: frame({ t: 'to_phone', e: e16(), n, c: c17() }),
      action: `sends to_phone with ${what}`,
      expect: badFrame,
    }),
  ),
  inputCheck({
    id: 'ERR-5-resume-token-too-long',
    title: 'resume with a 129-character token is bad_frame',
    clauses: ['ERR-5', 'ERR-10'],
    requirement: REQ['ERR-5'],
    endpoint: web,
    send: frame({ t: 'resume', token: 'A'.repeat(129) }),
    action: 'sends resume with a 129-character token',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-5-resume-token-empty',
    title: 'resume with an empty token is bad_frame',
    clauses: ['ERR-5', 'ERR-10'],
    requirement: REQ['ERR-5'],
    endpoint: web,
    send: frame({ t: 'resume', token: '' }),
    action: 'sends resume with an empty token',
    expect: badFrame,
  }),
  ...(
    [
      ['no-plus', '15550101001', 'a number without +'],
      ['leading-zero', '+0155501010', 'a number starting +0'],
      ['too-short', '+123456', 'a 6-digit number'],
      ['too-long', '+1234567890123456', 'a 16-digit number'],
      ['spaces', '+1 555 0101 001', 'a number with spaces'],
    ] as const
  ).map(([id, number, what]) =>
    inputCheck({
      id: `ERR-5-register-${id}`,
      title: `register with ${what} breaks E.164: bad_frame`,
      clauses: ['ERR-5', 'ERR-10'],
      requirement: REQ['ERR-5'],
      endpoint: phone,
      send: frame({ t: 'register', phone: number }),
      action: `sends register with ${what}`,
      expect: badFrame,
    }),
  ),
  inputCheck({
    id: 'ERR-5-register-verify-code-letters',
    title: 'register.verify with a code of letters is bad_frame',
    clauses: ['ERR-5', 'ERR-10'],
    requirement: REQ['ERR-5'],
    endpoint: phone,
    send: frame({ t: 'register.verify', phone: phoneNumber(1), code: '12a4', identityKey: freshB64u(32) }),
    action: 'sends register.verify with code "12a4"',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-5-register-verify-code-3-digits',
    title: 'register.verify with a 3-digit code is bad_frame',
    clauses: ['ERR-5', 'ERR-10'],
    requirement: REQ['ERR-5'],
    endpoint: phone,
    send: frame({ t: 'register.verify', phone: phoneNumber(1), code: '123', identityKey: freshB64u(32) }),
    action: 'sends register.verify with code "123"',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-5-register-verify-key-31-bytes',
    title: 'register.verify with a 31-byte identity key is bad_frame',
    clauses: ['ERR-5', 'ENC-1', 'ERR-10'],
    requirement: REQ['ERR-5'],
    endpoint: phone,
    send: frame({ t: 'register.verify', phone: phoneNumber(1), code: '1234', identityKey: freshB64u(31) }),
    action: 'sends register.verify with a 31-byte identityKey',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-5-auth-token-padding',
    title: 'auth with a padded device token (not Opaque) is bad_frame, not unauthorized',
    clauses: ['ERR-5', 'ERR-10'],
    requirement: REQ['ERR-5'],
    endpoint: phone,
    send: frame({ t: 'auth', phone: phoneNumber(1), deviceToken: `${freshB64u(32)}=` }),
    action: 'sends auth with a device token ending in =',
    expect: badFrame,
  }),
  inputCheck({
    id: 'ERR-5-link-claim-before-auth',
    title: 'link.claim with a bad ref before auth is bad_frame: the schema is checked before authentication',
    clauses: ['ERR-5', 'ENC-1', 'ERR-10'],
    requirement: REQ['ERR-5'],
    endpoint: phone,
    send: frame({ t: 'link.claim', ref: 'not base64url!' }),
    action: 'sends link.claim with ref "not base64url!"',
    expect: badFrame,
  }),
];

// ---------------------------------------------------------------------------------------------
// bad_state (ERR-6 and the clauses naming it), unsupported_version, unauthorized, conflict
// ---------------------------------------------------------------------------------------------

const stateChecks: Case[] = [
  inputCheck({
    id: 'LINK-16-status-before-hello',
    title: 'status before hello is bad_state',
    clauses: ['LINK-16', 'ERR-6', 'ERR-10'],
    requirement: REQ['LINK-16'],
    endpoint: web,
    send: frame({ t: 'status', ref: e16() }),
    action: 'sends status as its first frame',
    expect: badState,
  }),
  inputCheck({
    id: 'LINK-16-logout-before-hello',
    title: 'logout before hello is bad_state',
    clauses: ['LINK-16', 'ERR-6', 'ERR-10'],
    requirement: REQ['LINK-16'],
    endpoint: web,
    send: frame({ t: 'logout' }),
    action: 'sends logout as its first frame',
    expect: badState,
  }),
  inputCheck({
    id: 'LINK-16-attach-before-hello',
    title: 'attach before hello is bad_state',
    clauses: ['LINK-16', 'RELAY-1', 'ERR-6', 'ERR-10'],
    requirement: REQ['LINK-16'],
    endpoint: web,
    send: frame({ t: 'attach', e: e16() }),
    action: 'sends attach as its first frame',
    expect: badState,
  }),
  inputCheck({
    id: 'LINK-16-second-hello',
    title: 'a second hello is bad_state',
    clauses: ['LINK-16', 'ERR-6', 'ERR-10'],
    requirement: REQ['LINK-16'],
    endpoint: web,
    after: 'hello',
    send: frame(helloFrame),
    action: 'sends hello again',
    expect: badState,
  }),
  inputCheck({
    id: 'LINK-16-second-hello-other-version',
    title: 'a second hello with v: 2 is bad_state, not unsupported_version',
    clauses: ['LINK-16', 'ERR-9', 'ERR-10'],
    requirement: REQ['LINK-16'],
    endpoint: web,
    after: 'hello',
    send: frame({ ...helloFrame, v: 2 }),
    action: 'sends hello {v: 2} again',
    expect: badState,
  }),
  inputCheck({
    id: 'LINK-16-resume-after-hello',
    title: 'resume after hello is bad_state',
    clauses: ['LINK-16', 'ERR-6', 'ERR-10'],
    requirement: REQ['LINK-16'],
    endpoint: web,
    after: 'hello',
    send: frame({ t: 'resume', token: freshB64u(32) }),
    action: 'sends resume after hello',
    expect: badState,
  }),
  inputCheck({
    id: 'RELAY-1-attach-while-linking',
    title: 'attach before admission is bad_state',
    clauses: ['RELAY-1', 'ERR-6', 'ERR-10'],
    requirement: REQ['RELAY-1'],
    endpoint: web,
    after: 'hello',
    send: frame({ t: 'attach', e: e16() }),
    action: 'sends attach while linking',
    expect: badState,
  }),
  inputCheck({
    id: 'RELAY-3-to_phone-while-linking',
    title: 'to_phone before attachment is bad_state',
    clauses: ['RELAY-3', 'ERR-6', 'ERR-10'],
    requirement: REQ['RELAY-3'],
    endpoint: web,
    after: 'hello',
    send: frame({ t: 'to_phone', e: e16(), n: 1, c: c17() }),
    action: 'sends to_phone while linking',
    expect: badState,
  }),
  inputCheck({
    id: 'RELAY-13-ack-while-linking',
    title: 'ack before attachment is bad_state',
    clauses: ['RELAY-13', 'ERR-6', 'ERR-10'],
    requirement: REQ['RELAY-13'],
    endpoint: web,
    after: 'hello',
    send: frame({ t: 'ack', e: e16(), n: 1 }),
    action: 'sends ack while linking',
    expect: badState,
  }),
  inputCheck({
    id: 'ERR-6-logout-while-linking',
    title: 'logout before admission is bad_state',
    clauses: ['ERR-6', 'ERR-10'],
    requirement: REQ['ERR-6'],
    endpoint: web,
    after: 'hello',
    send: frame({ t: 'logout' }),
    action: 'sends logout while linking',
    expect: badState,
  }),
  inputCheck({
    id: 'LINK-17-confirm-pending-ref',
    title: 'confirm of its own pending (unclaimed) ref is bad_state',
    clauses: ['LINK-17', 'ERR-6', 'ERR-10'],
    requirement: REQ['LINK-17'],
    endpoint: web,
    after: 'hello',
    send: (ref) => frame({ t: 'confirm', ref, tag: freshB64u(16) }),
    action: 'sends confirm of its pending ref',
    expect: badState,
  }),
  inputCheck({
    id: 'LINK-17-confirm-unknown-ref',
    title: 'confirm of a ref never issued to this connection is bad_state',
    clauses: ['LINK-17', 'ERR-6', 'ERR-10'],
    requirement: REQ['LINK-17'],
    endpoint: web,
    after: 'hello',
    send: frame({ t: 'confirm', ref: e16(), tag: freshB64u(16) }),
    action: 'sends confirm of a ref never issued',
    expect: badState,
  }),
  inputCheck({
    id: 'LINK-18-abort-unknown-ref',
    title: 'abort of a ref never issued to this connection is bad_state',
    clauses: ['LINK-18', 'ERR-6', 'ERR-10'],
    requirement: REQ['LINK-18'],
    endpoint: web,
    after: 'hello',
    send: frame({ t: 'abort', ref: e16(), reason: 'bad_box' }),
    action: 'sends abort of a ref never issued',
    expect: badState,
  }),
  ...(
    [
      ['2', 2],
      ['0', 0],
      ['negative', -1],
      ['large', 2 ** 31],
    ] as const
  ).map(([id, v]) =>
    inputCheck({
      id: `ERR-9-hello-v-${id}`,
      title: `a first hello with v: ${v} is unsupported_version`,
      clauses: ['ERR-9', 'ERR-10'],
      requirement: REQ['ERR-9'],
      endpoint: web,
      send: frame({ ...helloFrame, v }),
      action: `sends hello {v: ${v}}`,
      expect: { error: 'unsupported_version' },
    }),
  ),
  inputCheck({
    id: 'SESS-2-resume-unknown-token',
    title: 'resume with a token that was never issued is unauthorized, 4401',
    clauses: ['SESS-2', 'ERR-7', 'ERR-10'],
    requirement: REQ['SESS-2'],
    endpoint: web,
    send: frame({ t: 'resume', token: freshB64u(32) }),
    action: 'sends resume with a token never issued',
    expect: unauthorized,
  }),
  inputCheck({
    id: 'REG-9-auth-unknown-number',
    title: 'auth for a number with no account is unauthorized, 4401',
    clauses: ['REG-9', 'ERR-7', 'ERR-10'],
    requirement: REQ['REG-9'],
    endpoint: phone,
    send: frame({ t: 'auth', phone: phoneNumber(9), deviceToken: freshB64u(32) }),
    action: 'sends auth for a number never registered',
    expect: unauthorized,
  }),
  ...(
    [
      ['link.claim', () => ({ t: 'link.claim', ref: e16() })],
      ['link.decline', () => ({ t: 'link.decline', ref: e16() })],
      ['link.approve', () => ({ t: 'link.approve', ref: e16(), pub: freshB64u(32), box: c17() })],
      ['link.finalize', () => ({ t: 'link.finalize', ref: e16() })],
      ['to_web', () => ({ t: 'to_web', sessionId: e16(), e: e16(), n: 1, c: c17() })],
      ['ack', () => ({ t: 'ack', sessionId: e16(), e: e16(), n: 1 })],
      ['unlink', () => ({ t: 'unlink', sessionId: e16() })],
      ['unlink_all', () => ({ t: 'unlink_all' })],
    ] as const
  ).map(([t, make]) =>
    inputCheck({
      id: `REG-11-${t}-before-auth`,
      title: `${t} on an unauthenticated phone connection is unauthorized, 4401`,
      clauses: ['REG-11', 'ERR-7', 'ERR-10'],
      requirement: REQ['REG-11-unauth'],
      endpoint: phone,
      send: () => frame(make()),
      action: `sends ${t} before register or auth`,
      expect: unauthorized,
    }),
  ),
];

/** Checks that need a registered phone (through the control endpoint's SMS outbox). */
const registeredChecks: Case[] = [
  ...(
    [
      ['register', (p: string) => ({ t: 'register', phone: p })],
      [
        'register.verify',
        (p: string) => ({ t: 'register.verify', phone: p, code: '1234', identityKey: freshB64u(32) }),
      ],
      ['auth', (p: string, token: string) => ({ t: 'auth', phone: p, deviceToken: token })],
    ] as const
  ).map(([t, make]) =>
    serverCheck({
      id: `REG-11-${t}-after-auth`,
      title: `${t} on an authenticated phone connection is bad_state`,
      section: ERRORS_SECTION,
      clauses: ['REG-11', 'ERR-6', 'ERR-10'],
      requirement: REQ['REG-11-auth'],
      needs: ['control'],
      async run(ctx) {
        const number = phoneNumber(1);
        const { peer, account } = await registerPhone(ctx, 'phone1', number);
        const loose = peer as unknown as AnyPeer;
        await loose.sendUntyped(make(number, account.deviceToken), `sends ${t} after register.ok`);
        await loose.error('bad_state', 'REG-11', `${t} on an authenticated connection`);
      },
    }),
  ),
  serverCheck({
    id: 'REG-9-auth-wrong-token',
    title: 'auth with a device token that is not the account’s is unauthorized, 4401',
    section: ERRORS_SECTION,
    clauses: ['REG-9', 'ERR-7', 'ERR-10'],
    requirement: REQ['REG-9'],
    needs: ['control'],
    async run(ctx) {
      const number = phoneNumber(1);
      await registerPhone(ctx, 'phone1', number);
      const other = await openPeer(ctx, 'phone', 'phone2');
      await other.sendUntyped(
        { t: 'auth', phone: number, deviceToken: freshB64u(32) },
        'sends auth with a wrong token',
      );
      await other.error('unauthorized', 'REG-9', 'auth with a token that is not the current one');
    },
  }),
  serverCheck({
    id: 'REG-10-conflict',
    title: 'a second phone connection authenticating for the account closes the first with conflict, 4002',
    section: ERRORS_SECTION,
    clauses: ['REG-10', 'ERR-10'],
    requirement: REQ['REG-10'],
    needs: ['control'],
    async run(ctx) {
      const { peer, account } = await registerPhone(ctx, 'phone1', phoneNumber(1));
      await authPhone(ctx, 'phone2', account);
      await (peer as unknown as AnyPeer).error('conflict', 'REG-10', 'a newer connection authenticated');
    },
  }),
];

/**
 * A connection the server closes for bad input while it holds a live ref leaves nothing behind: no
 * connection, no live ref, no timer [LINK-13, CTL-7]. Counted by `stats` once the close has arrived.
 */
const releaseChecks: Case[] = (
  [
    ['bad-state', () => ({ frame: { t: 'logout' } }), 'sends logout while linking', { error: 'bad_state' }],
    ['bad-frame', () => ({ frame: { t: 'nope' } }), 'sends an unknown type', { error: 'bad_frame' }],
    ['binary', () => ({ bytes: new Uint8Array([1]), binary: true }), 'sends a binary message', { close: 1003 }],
    ['not-json', () => ({ text: '{' }), 'sends the text "{"', { close: 1007 }],
    ['oversize', (limit: number) => ({ text: 'x'.repeat(limit + 1) }), 'sends frameLimit + 1 bytes', { close: 1009 }],
  ] as const
).map(([id, payload, action, outcome]) =>
  serverCheck({
    id: `LINK-13-${id}-close-frees-ref`,
    title: `a linking connection closed for bad input (${action}) leaves no connection, live ref or timer`,
    section: ERRORS_SECTION,
    clauses: ['LINK-13', 'CTL-7', 'TR-6'],
    requirement: REQ['LINK-13'],
    needs: ['control'],
    async run(ctx) {
      const peer = await openPeer(ctx, web, 'web1');
      await sayHello(peer);
      sendPayload(peer, payload(ctx.config.frameLimit), action);
      await expectOutcome(peer, outcome, 'LINK-13', action);
      const counts = await stats(ctx);
      const left = { web: counts.connections.web, liveRefs: counts.refs.live, timers: counts.timers };
      expect(
        ctx,
        left.web === 0 && left.liveRefs === 0 && left.timers === 0,
        'LINK-13',
        `web1 was closed (${action}) but stats still counts its connection, ref or timer`,
        { web: 0, liveRefs: 0, timers: 0 },
        left,
      );
    },
  }),
);

/** The other close codes a server uses without a link: 1000 after abort, 1012 on reset, 4008. */
const otherCloseChecks: Case[] = [
  inputCheck({
    id: 'LINK-18-abort-own-ref-closes-1000',
    title: 'abort of its own pending ref closes 1000 with no frame before it (no error, no new qr)',
    clauses: ['LINK-18', 'LINK-12'],
    requirement: REQ['LINK-18-close'],
    endpoint: web,
    after: 'hello',
    send: (ref) => frame({ t: 'abort', ref, reason: 'bad_offer' }),
    action: 'sends abort of its pending ref',
    expect: { close: 1000 },
  }),
  serverCheck({
    id: 'CTL-3-reset-closes-1012',
    title: 'reset closes every web and phone connection with 1012 and no frame before it',
    section: ERRORS_SECTION,
    clauses: ['CTL-3'],
    requirement: REQ['CTL-3'],
    needs: ['control'],
    async run(ctx) {
      const w = await openPeer(ctx, web, 'web1');
      await sayHello(w);
      const fresh = await openPeer(ctx, web, 'web2');
      const p = await openPeer(ctx, phone, 'phone1');
      ctx.step('control', 'reset');
      await ctx.control?.reset();
      for (const peer of [w, fresh, p]) await peer.closedWith(1012, 'CTL-3', 'reset; no frame before the close');
    },
  }),
  serverCheck({
    id: 'ERR-7-qr-exhausted-4008',
    title: 'the last ref expiring sends qr.exhausted, then close 4008',
    section: ERRORS_SECTION,
    clauses: ['ERR-7', 'QR-3'],
    requirement: REQ['ERR-7'],
    needs: ['control'],
    async run(ctx) {
      const config = await configure(ctx, { qrMaxRefs: 1 });
      const w = await openPeer(ctx, web, 'web1');
      await sayHello(w);
      await advance(ctx, config.qrFirstTtlMs, 'the only ref expires');
      await w.next('qr.exhausted', 'ERR-7', 'the last ref expired');
      await w.closedWith(4008, 'ERR-7', 'after qr.exhausted');
    },
  }),
];

/** Every check of section 12 (and the state clauses that name its error codes). */
export const errorChecks: readonly Case[] = [
  ...closeChecks,
  ...shapeChecks,
  ...schemaChecks,
  ...stateChecks,
  ...registeredChecks,
  ...releaseChecks,
  ...otherCloseChecks,
];
