/**
 * Clause-targeted checks of docs/protocol.md section 15 (the control endpoint) and of the close
 * reasons of section 12.2: the control handshake refused without the token (CTL-2), the SMS outbox
 * read back (CTL-5), `config {set}` validated as a whole and applied at once (CTL-6), every invalid
 * control message answered with `error bad_request` on a connection that stays open (CTL-8), `config`
 * without `set` answering the complete configuration (CTL-9), and short ASCII close reasons (ERR-8).
 * Control replies are read raw (`ControlClient.sendRaw`), so that a malformed reply is a verdict
 * naming the clause, not a broken control channel.
 */
import { ConfigShape } from '../../model/protocol/config.js';
import { ControlError } from '../../model/protocol/control-frames.js';
import { type Case, type CaseContext, CaseSkip } from '../engine/case.js';
import { openPeerSocket, UpgradeRefused } from '../target/peer-socket.js';
import { type PeerSocket, TargetError } from '../target/target.js';
import {
  type Endpoint,
  ERRORS_SECTION,
  expectOutcome,
  helloFrame,
  type Outcome,
  openPeer,
  type Payload,
  sayHello,
  sendPayload,
} from './errors.js';
import {
  advance,
  configure,
  control,
  expect,
  fail,
  freshB64u,
  openPhonePeer,
  type PhonePeer,
  phoneNumber,
  sameJson,
  serverCheck,
} from './flow.js';

export const CONTROL_SECTION = '15 Control endpoint (conformance mode)';

/** The clauses the checks cite, quoted from docs/protocol.md (a test pins each quote to the spec). */
const REQ = {
  'CTL-2':
    'The server MUST refuse the /v1/control handshake with HTTP 401 unless the request carries Authorization: Bearer <token> with the configured control token',
  'CTL-5':
    'On sms {phone} the server MUST answer sms.ok {phone, code} with the last code its SMS gateway sent to phone since the last reset (whether or not it has since been used, replaced or expired), or code: null when none was sent.',
  'CTL-6':
    'On config {set} the server MUST validate every key and value of set against section 13 (an unknown key, a non-integer or an out-of-range value is invalid), and if any is invalid MUST answer error bad_request naming it and change nothing; otherwise it MUST apply all of them at once, each taking effect as section 13 says, and answer config.ok {config} with the complete configuration.',
  'CTL-8':
    'The server MUST answer every control text message that is not a valid request (not JSON, not an object, unknown t, a schema violation, an invalid config) with error {id?, code: "bad_request", detail} naming what was wrong, change nothing, and keep the control connection open.',
  'CTL-9':
    'On config without set, the server MUST change nothing and answer config.ok {config} with the complete current configuration.',
  'ERR-8':
    'Peers MUST NOT depend on the reason string of a Close frame; the server sends short ASCII reasons (at most 123 bytes) for people reading logs.',
} as const;

/** The requirement quotes of this file (a test pins each to the spec). */
export const controlRequirements: Readonly<Record<string, string>> = REQ;

/** A JSON object as read off the wire. */
type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

// ---------------------------------------------------------------------------------------------
// Raw control requests
// ---------------------------------------------------------------------------------------------

/**
 * Sends `text` on the control connection as it is and returns the reply; a control connection that
 * closes or stops answering instead is a CaseFailure of `clause` [CTL-8: it stays open].
 */
async function ask(ctx: CaseContext, clause: string, text: string, action?: string): Promise<unknown> {
  const sendRaw = control(ctx).sendRaw?.bind(control(ctx));
  if (sendRaw === undefined) throw new CaseSkip('the control client cannot send raw messages (sendRaw)');
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    frame = undefined;
  }
  ctx.step('control', action ?? `sends ${shown(text)}`, isObject(frame) ? frame : undefined);
  try {
    return await sendRaw(text);
  } catch (err) {
    if (!(err instanceof TargetError)) throw err;
    fail(ctx, `[${clause}] the control endpoint did not answer ${shown(text)}: ${err.message}`, 'a reply', err.message);
  }
}

/** The reply must be `error {code: "bad_request", detail}`, the detail naming `names` when given. */
function expectBadRequest(ctx: CaseContext, clause: string, sent: string, reply: unknown, names?: string): void {
  const parsed = ControlError.safeParse(reply);
  if (!parsed.success) {
    fail(ctx, `[${clause}] expected error bad_request for ${shown(sent)}, got ${shown(reply)}`, 'error', reply);
  }
  expect(
    ctx,
    parsed.data.detail !== '',
    clause,
    `error bad_request for ${shown(sent)} has an empty detail`,
    'a detail',
  );
  if (names !== undefined) {
    expect(
      ctx,
      parsed.data.detail.includes(names),
      clause,
      `the detail of error bad_request for ${shown(sent)} does not name ${names}: ${shown(parsed.data.detail)}`,
      `a detail naming ${names}`,
      parsed.data.detail,
    );
  }
}

/** The target's clock through a valid request: the control connection still answers [CTL-8]. */
async function clockNow(ctx: CaseContext, clause: string, why: string): Promise<number> {
  const reply = await ask(ctx, clause, JSON.stringify({ t: 'clock', advanceMs: 0 }), `clock {advanceMs: 0} (${why})`);
  if (!isObject(reply) || reply.t !== 'clock.ok' || typeof reply.now !== 'number') {
    fail(ctx, `[${clause}] expected clock.ok {now} (${why}), got ${shown(reply)}`, 'clock.ok', reply);
  }
  return reply.now;
}

/** `config` without `set`: the `config` member of `config.ok` [CTL-9]. */
async function readConfig(ctx: CaseContext, clause: string, why: string): Promise<Json> {
  const reply = await ask(ctx, clause, JSON.stringify({ t: 'config' }), `config (${why})`);
  if (!isObject(reply) || reply.t !== 'config.ok' || !isObject(reply.config)) {
    fail(ctx, `[${clause}] expected config.ok {config} (${why}), got ${shown(reply)}`, 'config.ok', reply);
  }
  return reply.config;
}

/** `sms {phone}`: the code of `sms.ok {phone, code}` [CTL-5]. */
async function smsOf(ctx: CaseContext, phone: string, why: string): Promise<string | null> {
  const reply = await ask(ctx, 'CTL-5', JSON.stringify({ t: 'sms', phone }), `sms ${phone} (${why})`);
  if (!isObject(reply) || reply.t !== 'sms.ok' || !(typeof reply.code === 'string' || reply.code === null)) {
    fail(ctx, `[CTL-5] expected sms.ok {phone, code} for ${phone} (${why}), got ${shown(reply)}`, 'sms.ok', reply);
  }
  expect(ctx, reply.phone === phone, 'CTL-5', `sms.ok names another number (${why})`, phone, reply.phone);
  return reply.code;
}

// ---------------------------------------------------------------------------------------------
// CTL-2: the control handshake
// ---------------------------------------------------------------------------------------------

type Handshake = { readonly socket: PeerSocket } | { readonly status: number } | { readonly error: string };

function describeHandshake(h: Handshake): string {
  if ('socket' in h) return 'the handshake succeeded';
  if ('status' in h) return `HTTP ${h.status}`;
  return `the handshake failed: ${h.error}`;
}

/** Opens `/v1/control` with `headers` (no subprotocol, as the control client does). */
async function controlHandshake(
  ctx: CaseContext,
  action: string,
  headers: Readonly<Record<string, string>>,
): Promise<Handshake> {
  ctx.step('control2', action);
  try {
    const socket = await openPeerSocket(`${ctx.target.wsUrl}/v1/control`, 'control2', ctx.wire, {
      protocols: [],
      headers,
    });
    return { socket };
  } catch (err) {
    if (err instanceof UpgradeRefused) return { status: err.status };
    if (err instanceof TargetError) return { error: err.message };
    throw err;
  }
}

function refusedCheck(id: string, title: string, action: string, headers: () => Record<string, string>): Case {
  return serverCheck({
    id,
    title,
    section: CONTROL_SECTION,
    clauses: ['CTL-2'],
    requirement: REQ['CTL-2'],
    needs: [],
    async run(ctx) {
      const h = await controlHandshake(ctx, action, headers());
      if ('socket' in h) await h.socket.close();
      if ('status' in h && h.status === 404) throw new CaseSkip('the target has no control endpoint');
      if (!('status' in h) || h.status !== 401) {
        fail(
          ctx,
          `[CTL-2] /v1/control ${action}: expected HTTP 401, got ${describeHandshake(h)}`,
          'HTTP 401',
          describeHandshake(h),
        );
      }
    },
  });
}

const handshakeChecks: Case[] = [
  refusedCheck(
    'CTL-2-no-authorization',
    'a /v1/control handshake without an Authorization header is refused with HTTP 401',
    'opens /v1/control without an Authorization header',
    () => ({}),
  ),
  refusedCheck(
    'CTL-2-wrong-token',
    'a /v1/control handshake with a wrong Bearer token is refused with HTTP 401',
    'opens /v1/control with a random Bearer token',
    () => ({ authorization: `Bearer ${freshB64u(32)}` }),
  ),
  refusedCheck(
    'CTL-2-empty-token',
    'a /v1/control handshake with an empty Bearer token is refused with HTTP 401',
    'opens /v1/control with "Authorization: Bearer "',
    () => ({ authorization: 'Bearer ' }),
  ),
  refusedCheck(
    'CTL-2-basic-scheme',
    'a /v1/control handshake with Basic credentials instead of a Bearer token is refused with HTTP 401',
    'opens /v1/control with Basic credentials',
    () => ({ authorization: `Basic ${btoa(`qrlink:${freshB64u(16)}`)}` }),
  ),
];

// ---------------------------------------------------------------------------------------------
// CTL-5: the SMS outbox
// ---------------------------------------------------------------------------------------------

/** `register {phone}` on `peer` and the `register.sent` that answers it [REG-1]. */
async function register(peer: PhonePeer, phone: string): Promise<void> {
  await peer.send({ t: 'register', phone });
  await peer.next('register.sent', 'REG-1', `register ${phone}`);
}

/** The code after `register.sent`: a code must be there [CTL-5]. */
async function sentCode(ctx: CaseContext, phone: string, why: string): Promise<string> {
  const code = await smsOf(ctx, phone, why);
  expect(ctx, code !== null, 'CTL-5', `sms ${phone} answers code null after register.sent (${why})`, 'a code', null);
  return code;
}

/** `register.verify` with `code` must succeed: `code` is the outstanding code [CTL-5, REG-7]. */
async function verifyWith(ctx: CaseContext, peer: PhonePeer, phone: string, code: string, why: string) {
  await peer.send({ t: 'register.verify', phone, code, identityKey: freshB64u(32) });
  const answer = await peer.settle();
  const first = answer[0];
  const ok = first?.kind === 'frame' && isObject(first.frame) && first.frame.t === 'register.ok';
  expect(
    ctx,
    ok,
    'CTL-5',
    `register.verify with the code sms answered (${why}) was not accepted: sms did not answer the last code sent`,
    'register.ok',
    first?.kind === 'frame' ? first.frame : first,
  );
}

const smsChecks: Case[] = [
  serverCheck({
    id: 'CTL-5-null-when-none-sent',
    title: 'sms for a number no code was sent to answers sms.ok {phone, code: null}',
    section: CONTROL_SECTION,
    clauses: ['CTL-5'],
    requirement: REQ['CTL-5'],
    async run(ctx) {
      for (const phone of [phoneNumber(1), '+447700900123']) {
        const code = await smsOf(ctx, phone, 'no code sent since the reset');
        expect(ctx, code === null, 'CTL-5', `sms ${phone} answers a code although none was sent`, null, code);
      }
    },
  }),
  serverCheck({
    id: 'CTL-5-same-code-after-use',
    title: 'sms answers the code sent, the same on every read, and still after it was used; null for another number',
    section: CONTROL_SECTION,
    clauses: ['CTL-5'],
    requirement: REQ['CTL-5'],
    async run(ctx) {
      const phone = phoneNumber(1);
      const peer = await openPhonePeer(ctx, 'phone1');
      await register(peer, phone);
      const first = await sentCode(ctx, phone, 'after register.sent');
      const again = await smsOf(ctx, phone, 'read a second time');
      expect(ctx, again === first, 'CTL-5', `a second sms ${phone} answers another code`, first, again);
      const other = await smsOf(ctx, phoneNumber(2), 'a number no code was sent to');
      expect(ctx, other === null, 'CTL-5', `sms ${phoneNumber(2)} answers a code although none was sent`, null, other);
      await verifyWith(ctx, peer, phone, first, 'the only code sent');
      const used = await smsOf(ctx, phone, 'the code was used');
      expect(ctx, used === first, 'CTL-5', `sms ${phone} no longer answers the code once it was used`, first, used);
    },
  }),
  serverCheck({
    id: 'CTL-5-replaced-code',
    title: 'after a second register of the same number (codeResendMs 0), sms answers the new code',
    section: CONTROL_SECTION,
    clauses: ['CTL-5', 'REG-4'],
    requirement: REQ['CTL-5'],
    async run(ctx) {
      // 8 digits: a replacement equal to the old code by chance is one in 10^8
      await configure(ctx, { codeResendMs: 0, codeLength: 8 });
      const phone = phoneNumber(1);
      const peer = await openPhonePeer(ctx, 'phone1');
      await register(peer, phone);
      const old = await sentCode(ctx, phone, 'the first code');
      await register(peer, phone);
      const fresh = await sentCode(ctx, phone, 'register again: a new code replaces the old');
      await verifyWith(ctx, peer, phone, fresh, `the code answered after the replacement (the first was ${old})`);
    },
  }),
  serverCheck({
    id: 'CTL-5-expired-code',
    title: 'sms still answers a code after it expired',
    section: CONTROL_SECTION,
    clauses: ['CTL-5'],
    requirement: REQ['CTL-5'],
    async run(ctx) {
      const config = await configure(ctx, { codeTtlMs: 1000 });
      const phone = phoneNumber(1);
      const peer = await openPhonePeer(ctx, 'phone1');
      await register(peer, phone);
      const code = await sentCode(ctx, phone, 'after register.sent');
      await advance(ctx, config.codeTtlMs, 'the code expires');
      const expired = await smsOf(ctx, phone, 'the code expired');
      expect(ctx, expired === code, 'CTL-5', `sms ${phone} no longer answers the code once it expired`, code, expired);
    },
  }),
  serverCheck({
    id: 'CTL-5-null-after-reset',
    title: 'after reset, sms for a number that was sent a code before it answers code: null',
    section: CONTROL_SECTION,
    clauses: ['CTL-5', 'CTL-3'],
    requirement: REQ['CTL-5'],
    async run(ctx) {
      const phone = phoneNumber(1);
      const peer = await openPhonePeer(ctx, 'phone1');
      await register(peer, phone);
      await sentCode(ctx, phone, 'after register.sent');
      ctx.step('control', 'reset');
      await control(ctx).reset();
      const code = await smsOf(ctx, phone, 'after reset');
      expect(ctx, code === null, 'CTL-5', `sms ${phone} answers a code sent before the last reset`, null, code);
    },
  }),
];

// ---------------------------------------------------------------------------------------------
// CTL-6, CTL-9: configuration
// ---------------------------------------------------------------------------------------------

/** Every key of section 13, in the order of model/protocol/config.ts. */
const configKeys = Object.keys(ConfigShape) as (keyof typeof ConfigShape)[];

/** The configuration must be complete, each value in its range [CTL-9]. */
function expectComplete(ctx: CaseContext, clause: string, config: Json, why: string): void {
  for (const key of configKeys) {
    expect(ctx, key in config, clause, `the configuration (${why}) lacks ${key}`, key, config);
    const valid = ConfigShape[key].safeParse(config[key]);
    expect(
      ctx,
      valid.success,
      clause,
      `${key} = ${shown(config[key])} is out of its range (${why})`,
      'in range',
      config,
    );
  }
}

/** `config {set: {...valid, [key]: value}}` with one invalid member must change nothing [CTL-6]. */
function invalidSetCheck(id: string, title: string, key: string, value: unknown): Case {
  return serverCheck({
    id,
    title,
    section: CONTROL_SECTION,
    clauses: ['CTL-6', 'CTL-8'],
    requirement: REQ['CTL-6'],
    async run(ctx) {
      const before = await readConfig(ctx, 'CTL-9', 'before');
      const qrTtlMs = typeof before.qrTtlMs === 'number' ? before.qrTtlMs : 20_000;
      // a valid member first: a server that applies members one by one until one fails changes it
      const text = JSON.stringify({ t: 'config', set: { qrTtlMs: qrTtlMs + 1, [key]: value } });
      const reply = await ask(ctx, 'CTL-6', text);
      expectBadRequest(ctx, 'CTL-6', text, reply, key);
      const after = await readConfig(ctx, 'CTL-6', 'after the invalid set');
      expect(
        ctx,
        sameJson(after, before),
        'CTL-6',
        `config {set} with an invalid ${key} changed the configuration`,
        before,
        after,
      );
    },
  });
}

const configChecks: Case[] = [
  invalidSetCheck(
    'CTL-6-unknown-key',
    'config {set} with a misspelt key (qrMaxRef) is refused and changes nothing',
    'qrMaxRef',
    3,
  ),
  invalidSetCheck(
    'CTL-6-non-integer',
    'config {set} with consentMs 1500.5 is refused and changes nothing',
    'consentMs',
    1500.5,
  ),
  invalidSetCheck(
    'CTL-6-string-value',
    'config {set} with codeLength "6" (a string) is refused and changes nothing',
    'codeLength',
    '6',
  ),
  invalidSetCheck(
    'CTL-6-null-value',
    'config {set} with rateWindowMs null is refused and changes nothing',
    'rateWindowMs',
    null,
  ),
  invalidSetCheck(
    'CTL-6-above-range',
    'config {set} with codeLength 9 (max 8) is refused and changes nothing',
    'codeLength',
    9,
  ),
  invalidSetCheck(
    'CTL-6-below-range',
    'config {set} with frameLimit 1023 (min 1024) is refused and changes nothing',
    'frameLimit',
    1023,
  ),
  invalidSetCheck(
    'CTL-6-zero-refs',
    'config {set} with qrMaxRefs 0 (min 1) is refused and changes nothing',
    'qrMaxRefs',
    0,
  ),
  serverCheck({
    id: 'CTL-6-applies-all',
    title: 'a valid config {set} of several keys applies all of them and answers the complete configuration',
    section: CONTROL_SECTION,
    clauses: ['CTL-6'],
    requirement: REQ['CTL-6'],
    async run(ctx) {
      const before = await readConfig(ctx, 'CTL-9', 'before');
      const n = (key: string, fallback: number): number => (typeof before[key] === 'number' ? before[key] : fallback);
      const set = {
        qrTtlMs: n('qrTtlMs', 20_000) + 1,
        consentMs: n('consentMs', 60_000) + 1,
        codeLength: n('codeLength', 4) === 6 ? 7 : 6,
        rateWindowMs: n('rateWindowMs', 1000) === 777 ? 778 : 777,
        lockMs: 0,
        qrMaxRefs: 100,
      };
      const text = JSON.stringify({ t: 'config', set });
      const reply = await ask(ctx, 'CTL-6', text);
      if (!isObject(reply) || reply.t !== 'config.ok' || !isObject(reply.config)) {
        fail(ctx, `[CTL-6] expected config.ok {config} for a valid set, got ${shown(reply)}`, 'config.ok', reply);
      }
      const expected = { ...before, ...set };
      expectComplete(ctx, 'CTL-6', reply.config, 'config.ok after a valid set');
      expect(
        ctx,
        sameJson(reply.config, expected),
        'CTL-6',
        'config.ok does not carry every key set',
        expected,
        reply.config,
      );
      const after = await readConfig(ctx, 'CTL-6', 'read back');
      expect(ctx, sameJson(after, expected), 'CTL-6', 'the configuration read back lacks a key set', expected, after);
    },
  }),
  serverCheck({
    id: 'CTL-6-empty-set',
    title: 'config {set: {}} changes nothing and answers the complete configuration',
    section: CONTROL_SECTION,
    clauses: ['CTL-6'],
    requirement: REQ['CTL-6'],
    async run(ctx) {
      const before = await readConfig(ctx, 'CTL-9', 'before');
      const reply = await ask(ctx, 'CTL-6', JSON.stringify({ t: 'config', set: {} }));
      if (!isObject(reply) || reply.t !== 'config.ok' || !isObject(reply.config)) {
        fail(ctx, `[CTL-6] expected config.ok {config} for an empty set, got ${shown(reply)}`, 'config.ok', reply);
      }
      expect(
        ctx,
        sameJson(reply.config, before),
        'CTL-6',
        'config {set: {}} changed the configuration',
        before,
        reply.config,
      );
    },
  }),
  serverCheck({
    id: 'CTL-9-complete-config',
    title:
      'config without set answers every key of section 13 in range, the configuration in force, and changes nothing',
    section: CONTROL_SECTION,
    clauses: ['CTL-9'],
    requirement: REQ['CTL-9'],
    async run(ctx) {
      const first = await readConfig(ctx, 'CTL-9', 'the configuration in force');
      expectComplete(ctx, 'CTL-9', first, 'config without set');
      const inForce = Object.fromEntries(configKeys.map((k) => [k, first[k]]));
      expect(
        ctx,
        sameJson(inForce, ctx.config),
        'CTL-9',
        'config without set does not answer the configuration the suite set',
        ctx.config,
        first,
      );
      const second = await readConfig(ctx, 'CTL-9', 'read again');
      expect(
        ctx,
        sameJson(second, first),
        'CTL-9',
        'a second config without set answers another configuration',
        first,
        second,
      );
    },
  }),
  serverCheck({
    id: 'CTL-9-current-after-set',
    title: 'config without set answers the values a config {set} applied',
    section: CONTROL_SECTION,
    clauses: ['CTL-9'],
    requirement: REQ['CTL-9'],
    async run(ctx) {
      const set = await configure(ctx, { qrMaxRefs: 3, consentMs: 12_345, frameLimit: 4096 });
      const read = await readConfig(ctx, 'CTL-9', 'after config {set}');
      expectComplete(ctx, 'CTL-9', read, 'config without set');
      expect(
        ctx,
        sameJson(read, set),
        'CTL-9',
        'config without set does not answer the current configuration',
        set,
        read,
      );
    },
  }),
];

// ---------------------------------------------------------------------------------------------
// CTL-8: invalid control messages
// ---------------------------------------------------------------------------------------------

/** One invalid control message: the reply, the detail naming `names`, the clock unchanged, still open. */
function badRequestCheck(id: string, title: string, text: string, names?: string): Case {
  return serverCheck({
    id,
    title,
    section: CONTROL_SECTION,
    clauses: ['CTL-8'],
    requirement: REQ['CTL-8'],
    async run(ctx) {
      const before = await clockNow(ctx, 'CTL-8', 'before');
      const reply = await ask(ctx, 'CTL-8', text);
      expectBadRequest(ctx, 'CTL-8', text, reply, names);
      const after = await clockNow(ctx, 'CTL-8', `the connection stays open after ${shown(text)}`);
      expect(ctx, after === before, 'CTL-8', `the invalid ${shown(text)} moved the clock`, before, after);
    },
  });
}

const badRequestChecks: Case[] = [
  badRequestCheck('CTL-8-not-json', 'a control message that is not JSON ("{")', '{'),
  badRequestCheck(
    'CTL-8-trailing-characters',
    'a control message with trailing characters after the JSON',
    '{"t":"stats"} x',
  ),
  badRequestCheck('CTL-8-not-object-array', 'a control message that is a JSON array', '[{"t":"stats"}]'),
  badRequestCheck('CTL-8-not-object-string', 'a control message that is a JSON string', '"stats"'),
  badRequestCheck('CTL-8-no-t', 'a control message without t', '{"id":"x"}'),
  badRequestCheck('CTL-8-t-not-string', 'a control message whose t is a number', '{"t":5}'),
  badRequestCheck('CTL-8-unknown-t', 'a control message of an unknown type', '{"t":"nope"}', 'nope'),
  badRequestCheck(
    'CTL-8-web-type',
    'a /v1/web frame (hello) on the control connection is an unknown type there',
    JSON.stringify(helloFrame),
    'hello',
  ),
  badRequestCheck('CTL-8-clock-negative', 'clock with advanceMs -1', '{"t":"clock","advanceMs":-1}', 'advanceMs'),
  badRequestCheck('CTL-8-clock-non-integer', 'clock with advanceMs 1.5', '{"t":"clock","advanceMs":1.5}', 'advanceMs'),
  badRequestCheck(
    'CTL-8-clock-too-large',
    'clock with advanceMs 2^31 + 1',
    `{"t":"clock","advanceMs":${2 ** 31 + 1}}`,
    'advanceMs',
  ),
  badRequestCheck('CTL-8-clock-missing-field', 'clock without advanceMs', '{"t":"clock"}', 'advanceMs'),
  badRequestCheck(
    'CTL-8-clock-bad-id',
    'clock {advanceMs: 5} with id 1.5 (neither integer nor string)',
    '{"t":"clock","advanceMs":5,"id":1.5}',
    'id',
  ),
  badRequestCheck('CTL-8-sms-not-e164', 'sms with a phone that is not E.164', '{"t":"sms","phone":"5550100"}', 'phone'),
];

// ---------------------------------------------------------------------------------------------
// ERR-8: close reasons
// ---------------------------------------------------------------------------------------------

const MAX_REASON_BYTES = 123;

/** The reason of the close `peer` saw: ASCII and at most 123 bytes [ERR-8]. */
function expectShortAsciiReason(ctx: CaseContext, socket: PeerSocket, code: number): void {
  const reason = socket.closed?.reason ?? '';
  const bytes = new TextEncoder().encode(reason).length;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII is 0x00..0x7f
  const ascii = /^[\x00-\x7f]*$/.test(reason);
  expect(
    ctx,
    ascii,
    'ERR-8',
    `${socket.peer}: the reason of close ${code} is not ASCII: ${JSON.stringify(reason)}`,
    'ASCII',
    reason,
  );
  expect(
    ctx,
    bytes <= MAX_REASON_BYTES,
    'ERR-8',
    `${socket.peer}: the reason of close ${code} is ${bytes} bytes (at most ${MAX_REASON_BYTES})`,
    `at most ${MAX_REASON_BYTES} bytes`,
    reason,
  );
}

interface ReasonSpec {
  readonly id: string;
  readonly title: string;
  /** The clause that assigns the close provoked. */
  readonly clause: string;
  readonly endpoint: Endpoint;
  readonly after?: 'hello';
  readonly send: Payload | ((frameLimit: number) => Payload);
  readonly action: string;
  readonly expect: Outcome;
  readonly code: number;
}

function reasonCheck(spec: ReasonSpec): Case {
  return serverCheck({
    id: spec.id,
    title: spec.title,
    section: ERRORS_SECTION,
    clauses: ['ERR-8', spec.clause],
    requirement: REQ['ERR-8'],
    needs: [],
    async run(ctx) {
      const peer = await openPeer(ctx, spec.endpoint, `${spec.endpoint}1`);
      if (spec.after === 'hello') await sayHello(peer);
      sendPayload(peer, typeof spec.send === 'function' ? spec.send(ctx.config.frameLimit) : spec.send, spec.action);
      await expectOutcome(peer, spec.expect, spec.clause, spec.action);
      expectShortAsciiReason(ctx, peer.socket, spec.code);
    },
  });
}

const reasonChecks: Case[] = [
  reasonCheck({
    id: 'ERR-8-reason-binary-1003',
    title: 'the reason of close 1003 (binary message) is ASCII of at most 123 bytes',
    clause: 'ERR-1',
    endpoint: 'web',
    send: { bytes: new Uint8Array([0x7b, 0x7d]), binary: true },
    action: 'sends a binary message',
    expect: { close: 1003 },
    code: 1003,
  }),
  reasonCheck({
    id: 'ERR-8-reason-not-json-1007',
    title: 'the reason of close 1007 (not JSON) is ASCII of at most 123 bytes',
    clause: 'ERR-2',
    endpoint: 'phone',
    send: { text: '{"t":' },
    action: 'sends the text {"t":',
    expect: { close: 1007 },
    code: 1007,
  }),
  reasonCheck({
    id: 'ERR-8-reason-oversize-1009',
    title: 'the reason of close 1009 (over frameLimit) is ASCII of at most 123 bytes',
    clause: 'TR-5',
    endpoint: 'web',
    send: (frameLimit) => ({ text: 'x'.repeat(frameLimit + 1) }),
    action: 'sends frameLimit + 1 bytes',
    expect: { close: 1009 },
    code: 1009,
  }),
  reasonCheck({
    id: 'ERR-8-reason-bad-frame-4000',
    title: 'the reason of close 4000 after bad_frame is ASCII of at most 123 bytes',
    clause: 'ERR-4',
    endpoint: 'web',
    send: { frame: { t: 'nope' } },
    action: 'sends an unknown type',
    expect: { error: 'bad_frame' },
    code: 4000,
  }),
  reasonCheck({
    id: 'ERR-8-reason-bad-state-4000',
    title: 'the reason of close 4000 after bad_state (a second hello) is ASCII of at most 123 bytes',
    clause: 'LINK-16',
    endpoint: 'web',
    after: 'hello',
    send: { frame: helloFrame },
    action: 'sends a second hello',
    expect: { error: 'bad_state' },
    code: 4000,
  }),
  reasonCheck({
    id: 'ERR-8-reason-unauthorized-4401',
    title: 'the reason of close 4401 (a phone frame before authentication) is ASCII of at most 123 bytes',
    clause: 'REG-11',
    endpoint: 'phone',
    send: () => ({ frame: { t: 'link.claim', ref: freshB64u(16) } }),
    action: 'sends link.claim before authenticating',
    expect: { error: 'unauthorized' },
    code: 4401,
  }),
  serverCheck({
    id: 'ERR-8-reason-exhausted-4008',
    title: 'the reason of close 4008 (QR refs exhausted, on the clock) is ASCII of at most 123 bytes',
    section: ERRORS_SECTION,
    clauses: ['ERR-8', 'QR-3'],
    requirement: REQ['ERR-8'],
    async run(ctx) {
      const config = await configure(ctx, { qrMaxRefs: 1 });
      const web = await openPeer(ctx, 'web', 'web1');
      await sayHello(web);
      await advance(ctx, config.qrFirstTtlMs, 'the only ref expires');
      await web.next('qr.exhausted', 'QR-3', 'the last ref expired');
      await web.closedWith(4008, 'QR-3', 'after qr.exhausted');
      expectShortAsciiReason(ctx, web.socket, 4008);
    },
  }),
  serverCheck({
    id: 'ERR-8-reason-reset-1012',
    title: 'the reason of close 1012 (reset by the control endpoint) is ASCII of at most 123 bytes',
    section: ERRORS_SECTION,
    clauses: ['ERR-8', 'CTL-3'],
    requirement: REQ['ERR-8'],
    async run(ctx) {
      const web = await openPeer(ctx, 'web', 'web1');
      await sayHello(web);
      ctx.step('control', 'reset');
      await control(ctx).reset();
      await web.closedWith(1012, 'CTL-3', 'reset');
      expectShortAsciiReason(ctx, web.socket, 1012);
    },
  }),
];

/** Every check of section 15 (control endpoint) and of close reasons (section 12.2, ERR-8). */
export const controlChecks: readonly Case[] = [
  ...handshakeChecks,
  ...smsChecks,
  ...configChecks,
  ...badRequestChecks,
  ...reasonChecks,
];
