/**
 * Clause-targeted checks of docs/protocol.md section 3 (Transport) against a server: the opening
 * handshake and its subprotocol (TR-1), unknown paths (TR-3), one JSON object per message and
 * unknown members ignored (TR-4), the frame limit counted in UTF-8 bytes (TR-5), nothing processed
 * after the decision to close (TR-6), one connection's bad input isolated from the others (TR-7),
 * and the per-connection rate limit on the manual clock (TR-8, through the control endpoint).
 */
import { parseValue } from '../../model/protocol/parse.js';
import type { Case, CaseContext } from '../engine/case.js';
import { openPeerSocket, UpgradeRefused } from '../target/peer-socket.js';
import { type PeerOptions, type PeerSocket, TargetError } from '../target/target.js';
import {
  type AnyPeer,
  type Endpoint,
  expectOutcome,
  helloFrame,
  inputCheck,
  openPeer,
  type Payload,
  sayHello,
  sendPayload,
} from './errors.js';
import { advance, configure, expect, fail, freshB64u, phoneNumber, serverCheck } from './flow.js';

export const TRANSPORT_SECTION = '3 Transport';

const REQ = {
  'TR-1':
    'The server MUST serve /v1/phone and /v1/web as WebSocket endpoints, MUST refuse the opening handshake with HTTP 400 when the client does not offer the subprotocol qrlink.v1 in Sec-WebSocket-Protocol, and otherwise MUST select qrlink.v1.',
  'TR-3': 'The server MUST refuse a handshake on any other path with HTTP 404',
  'TR-4':
    'Every peer MUST send exactly one JSON object per WebSocket text message, with a string member t naming the message type (op inside relay plaintext, section 8.8), and every receiver MUST ignore members it does not know (the only exception is config.set, section 15.3).',
  'TR-5':
    'The server MUST close with 1009, sending no error frame, a connection whose message payload (the UTF-8 bytes of one WebSocket message, after reassembly of fragments) exceeds frameLimit bytes; a message of exactly frameLimit bytes is accepted.',
  'TR-6':
    "Once the server has decided to close a connection (it has sent its last frame, or its Close frame, or has seen the peer's Close), it MUST NOT process any further frame received on that connection.",
  'TR-7':
    "The server MUST NOT let one connection's input, however malformed, change the state of any other connection, ref or session except through the effects this document assigns to that input.",
  'TR-8':
    'When a /v1/phone or /v1/web connection sends more than rateMessages messages (text or binary) within any interval of rateWindowMs milliseconds, the server MUST send error {code: "rate_limited"} and close the connection with 4429.',
} as const;

/** The requirement quotes of this file (a test pins each to the spec). */
export const transportRequirements: Readonly<Record<string, string>> = REQ;

// ---------------------------------------------------------------------------------------------
// TR-1, TR-3: the opening handshake
// ---------------------------------------------------------------------------------------------

type Upgrade = { readonly socket: PeerSocket } | { readonly status: number } | { readonly error: string };

/** Opens `path` offering `protocols`: the socket, the HTTP status of a refusal, or why it failed. */
async function upgrade(ctx: CaseContext, path: string, name: string, protocols: readonly string[]): Promise<Upgrade> {
  const offered = protocols.length === 0 ? 'no subprotocol' : `subprotocols ${protocols.join(', ')}`;
  ctx.step(name, `opens ${path} offering ${offered}`);
  const options: PeerOptions = { protocols };
  try {
    const socket =
      path === '/v1/web' || path === '/v1/phone'
        ? await ctx.target.openPeer(path, name, ctx.wire, options)
        : await openPeerSocket(`${ctx.target.wsUrl}${path}`, name, ctx.wire, options);
    return { socket };
  } catch (err) {
    if (err instanceof UpgradeRefused) return { status: err.status };
    if (err instanceof TargetError) return { error: err.message };
    throw err;
  }
}

function describeUpgrade(u: Upgrade): string {
  if ('socket' in u) return `the handshake succeeded (subprotocol "${u.socket.protocol}")`;
  if ('status' in u) return `HTTP ${u.status}`;
  return `the handshake failed: ${u.error}`;
}

/** The handshake must be refused with `status`. */
function refusedCheck(
  id: string,
  title: string,
  clause: 'TR-1' | 'TR-3',
  path: string,
  protocols: string[],
  status: number,
) {
  return serverCheck({
    id,
    title,
    section: TRANSPORT_SECTION,
    clauses: [clause],
    requirement: REQ[clause],
    needs: [],
    async run(ctx) {
      const u = await upgrade(ctx, path, 'peer1', protocols);
      if ('socket' in u) await u.socket.close();
      if (!('status' in u) || u.status !== status) {
        fail(
          ctx,
          `[${clause}] ${path}: expected HTTP ${status}, got ${describeUpgrade(u)}`,
          `HTTP ${status}`,
          describeUpgrade(u),
        );
      }
    },
  });
}

/** The handshake must succeed with subprotocol qrlink.v1 selected. */
function selectedCheck(id: string, title: string, path: '/v1/web' | '/v1/phone', protocols: string[]) {
  return serverCheck({
    id,
    title,
    section: TRANSPORT_SECTION,
    clauses: ['TR-1'],
    requirement: REQ['TR-1'],
    needs: [],
    async run(ctx) {
      const u = await upgrade(ctx, path, 'peer1', protocols);
      if (!('socket' in u) || u.socket.protocol !== 'qrlink.v1') {
        fail(
          ctx,
          `[TR-1] ${path}: expected the handshake to select qrlink.v1, got ${describeUpgrade(u)}`,
          'qrlink.v1',
          describeUpgrade(u),
        );
      }
      await u.socket.close();
    },
  });
}

const handshakeChecks: Case[] = [
  selectedCheck('TR-1-web-selects-qrlink', '/v1/web selects qrlink.v1', '/v1/web', ['qrlink.v1']),
  selectedCheck('TR-1-phone-selects-qrlink', '/v1/phone selects qrlink.v1', '/v1/phone', ['qrlink.v1']),
  selectedCheck(
    'TR-1-selects-among-offers',
    '/v1/web selects qrlink.v1 when it is offered second, after an unknown subprotocol',
    '/v1/web',
    ['chat.v9', 'qrlink.v1'],
  ),
  refusedCheck(
    'TR-1-web-no-subprotocol',
    '/v1/web without a subprotocol is refused with HTTP 400',
    'TR-1',
    '/v1/web',
    [],
    400,
  ),
  refusedCheck(
    'TR-1-phone-no-subprotocol',
    '/v1/phone without a subprotocol is refused with HTTP 400',
    'TR-1',
    '/v1/phone',
    [],
    400,
  ),
  refusedCheck(
    'TR-1-web-wrong-subprotocol',
    '/v1/web offering only qrlink.v2 is refused with HTTP 400',
    'TR-1',
    '/v1/web',
    ['qrlink.v2'],
    400,
  ),
  refusedCheck(
    'TR-1-phone-wrong-subprotocol',
    '/v1/phone offering only chat is refused with HTTP 400',
    'TR-1',
    '/v1/phone',
    ['chat'],
    400,
  ),
  refusedCheck(
    'TR-3-unknown-path',
    'a handshake on /v1/unknown is refused with HTTP 404',
    'TR-3',
    '/v1/unknown',
    ['qrlink.v1'],
    404,
  ),
  refusedCheck(
    'TR-3-other-version-path',
    'a handshake on /v2/web is refused with HTTP 404',
    'TR-3',
    '/v2/web',
    ['qrlink.v1'],
    404,
  ),
  refusedCheck(
    'TR-3-root-path',
    'a WebSocket handshake on / is refused with HTTP 404',
    'TR-3',
    '/',
    ['qrlink.v1'],
    404,
  ),
  refusedCheck(
    'TR-3-prefix-path',
    'a handshake on /v1/webx (a prefix match of /v1/web) is refused with HTTP 404',
    'TR-3',
    '/v1/webx',
    ['qrlink.v1'],
    404,
  ),
];

// ---------------------------------------------------------------------------------------------
// TR-4: one JSON object per message; unknown members ignored
// ---------------------------------------------------------------------------------------------

/** Every message the server sent during the case is one JSON object with a string `t` valid on its channel. */
function serverFramesValid(ctx: CaseContext, peers: Readonly<Record<string, Endpoint>>): void {
  for (const w of ctx.wire.entries) {
    if (w.dir !== 'in' || w.close !== undefined) continue;
    const endpoint = peers[w.peer];
    if (endpoint === undefined) continue;
    if (w.frame === undefined) {
      fail(
        ctx,
        `[TR-4] ${w.peer}: the server sent a message that is not a JSON text: ${w.text ?? ''}`,
        'a JSON object',
        w.text,
      );
    }
    const parsed = parseValue(endpoint === 'web' ? 'server-to-web' : 'server-to-phone', w.frame);
    expect(
      ctx,
      parsed.ok,
      'TR-4',
      `${w.peer}: the server sent a frame that is not a valid frame of its channel (section 4): ${parsed.ok ? '' : parsed.error.detail}`,
      'a frame of section 4',
      w.frame,
    );
  }
}

const memberChecks: Case[] = [
  inputCheck({
    id: 'TR-4-unknown-members-hello',
    title: 'hello with unknown members is answered with qr',
    section: TRANSPORT_SECTION,
    clauses: ['TR-4'],
    requirement: REQ['TR-4'],
    endpoint: 'web',
    send: { frame: { ...helloFrame, x: 1, lang: 'fr', extra: { nested: [1, 2] } } },
    action: 'sends hello with members x, lang and extra',
    expect: { answer: 'qr' },
  }),
  inputCheck({
    id: 'TR-4-unknown-members-nested',
    title: 'hello with an unknown member inside device is answered with qr',
    section: TRANSPORT_SECTION,
    clauses: ['TR-4'],
    requirement: REQ['TR-4'],
    endpoint: 'web',
    send: { frame: { ...helloFrame, device: { ...helloFrame.device, model: 'X1', year: 2026 } } },
    action: 'sends hello with device.model and device.year',
    expect: { answer: 'qr' },
  }),
  inputCheck({
    id: 'TR-4-unknown-members-prototype-names',
    title: 'hello with members named __proto__ and constructor is answered with qr',
    section: TRANSPORT_SECTION,
    clauses: ['TR-4'],
    requirement: REQ['TR-4'],
    endpoint: 'web',
    send: {
      text: JSON.stringify(helloFrame).replace('{', '{"__proto__":{"t":"status","keep":true},"constructor":{},'),
    },
    action: 'sends hello with members __proto__ and constructor',
    expect: { answer: 'qr' },
  }),
  inputCheck({
    id: 'TR-4-unknown-member-deep',
    title: 'hello with an unknown member nested 10000 deep is answered with qr',
    section: TRANSPORT_SECTION,
    clauses: ['TR-4'],
    requirement: REQ['TR-4'],
    endpoint: 'web',
    send: { text: JSON.stringify(helloFrame).replace('{', `{"x":${'{"a":'.repeat(10000)}1${'}'.repeat(10000)},`) },
    action: 'sends hello with a member x nested 10000 objects deep',
    expect: { answer: 'qr' },
  }),
  inputCheck({
    id: 'TR-4-unknown-members-status',
    title: 'status with an unknown member is answered with status.result',
    section: TRANSPORT_SECTION,
    clauses: ['TR-4', 'QR-6'],
    requirement: REQ['TR-4'],
    endpoint: 'web',
    after: 'hello',
    send: (ref) => ({ frame: { t: 'status', ref, since: 0 } }),
    action: 'sends status of its ref with a member since',
    expect: { answer: 'status.result' },
  }),
  serverCheck({
    id: 'TR-4-unknown-members-register',
    title: 'register with an unknown member is answered like register',
    section: TRANSPORT_SECTION,
    clauses: ['TR-4'],
    requirement: REQ['TR-4'],
    needs: [],
    async run(ctx) {
      const phone = await openPeer(ctx, 'phone', 'phone1');
      await phone.sendUntyped(
        { t: 'register', phone: phoneNumber(2), via: 'sms', locale: 'en' },
        'sends register with via and locale',
      );
      const [first] = await phone.settle();
      const t = first?.kind === 'frame' ? (first.frame as { t?: unknown }).t : undefined;
      expect(
        ctx,
        t === 'register.sent' || t === 'register.error',
        'TR-4',
        'phone1: expected register.sent or register.error for a register with unknown members',
        'register.sent',
        first,
      );
      await phone.discard('register.sent', 'register.error');
      await phone.nothing('TR-4', 'the connection stays open');
      serverFramesValid(ctx, { phone1: 'phone' });
    },
  }),
  serverCheck({
    id: 'TR-4-server-sends-json-objects',
    title: 'every message the server sends is one JSON object with a string t, valid on its channel',
    section: TRANSPORT_SECTION,
    clauses: ['TR-4'],
    requirement: REQ['TR-4'],
    needs: [],
    async run(ctx) {
      const web = await openPeer(ctx, 'web', 'web1');
      const ref = await sayHello(web);
      await web.sendUntyped({ t: 'status', ref }, 'sends status of its ref');
      await web.next('status.result', 'QR-6', 'status of its own ref');
      await web.sendUntyped({ t: 'status', ref: freshB64u(16) }, 'sends status of a ref never issued');
      await web.next('status.result', 'QR-6', 'status of a ref never issued');
      await web.sendUntyped({ t: 'nope' }, 'sends an unknown type');
      await web.error('bad_frame', 'ERR-4', 'an unknown type');
      const phone = await openPeer(ctx, 'phone', 'phone1');
      await phone.sendUntyped({ t: 'link.claim', ref }, 'sends link.claim before auth');
      await phone.error('unauthorized', 'REG-11', 'a phone frame before auth');
      serverFramesValid(ctx, { web1: 'web', phone1: 'phone' });
    },
  }),
];

// ---------------------------------------------------------------------------------------------
// TR-5: the frame limit, in UTF-8 bytes
// ---------------------------------------------------------------------------------------------

const encoder = new TextEncoder();
const bytesOf = (s: string): number => encoder.encode(s).length;

/**
 * `frame` as JSON text with a `pad` member filled so that the text is exactly `bytes` UTF-8 bytes,
 * using `unit` ('x' is 1 byte; 'é' is 2 bytes and 1 UTF-16 unit) and 'x' for an odd remainder.
 */
export function paddedText(frame: Record<string, unknown>, bytes: number, unit: 'x' | 'é' = 'x'): string {
  const base = bytesOf(JSON.stringify({ ...frame, pad: '' }));
  const room = bytes - base;
  if (room < 0) throw new RangeError(`paddedText: ${bytes} bytes is less than the frame itself (${base})`);
  const width = bytesOf(unit);
  const text = JSON.stringify({ ...frame, pad: unit.repeat(Math.floor(room / width)) + 'x'.repeat(room % width) });
  if (bytesOf(text) !== bytes) throw new RangeError(`paddedText: made ${bytesOf(text)} bytes, not ${bytes}`);
  return text;
}

interface LimitCheckSpec {
  readonly id: string;
  readonly title: string;
  readonly endpoint: Endpoint;
  readonly after?: 'hello';
  /** The payload for the limit in force. */
  readonly send: (limit: number, ref: string) => Payload;
  readonly action: string;
  readonly accepted: string | undefined;
  /** Set this frame limit first (needs control). */
  readonly frameLimit?: number;
}

function limitCheck(spec: LimitCheckSpec): Case {
  return serverCheck({
    id: spec.id,
    title: spec.title,
    section: TRANSPORT_SECTION,
    clauses: ['TR-5'],
    requirement: REQ['TR-5'],
    needs: spec.frameLimit === undefined ? [] : ['control'],
    async run(ctx) {
      const limit = spec.frameLimit ?? ctx.config.frameLimit;
      if (spec.frameLimit !== undefined) await configure(ctx, { frameLimit: spec.frameLimit });
      const peer = await openPeer(ctx, spec.endpoint, `${spec.endpoint}1`);
      const ref = spec.after === 'hello' ? await sayHello(peer) : freshB64u(16);
      const action = `${spec.action} (frameLimit ${limit})`;
      sendPayload(peer, spec.send(limit, ref), action);
      await expectOutcome(
        peer,
        spec.accepted === undefined ? { close: 1009 } : { answer: spec.accepted },
        'TR-5',
        action,
      );
    },
  });
}

const limitChecks: Case[] = [
  limitCheck({
    id: 'TR-5-at-limit-web',
    title: 'a hello of exactly frameLimit bytes is accepted',
    endpoint: 'web',
    send: (limit) => ({ text: paddedText(helloFrame, limit) }),
    action: 'sends hello of exactly frameLimit bytes',
    accepted: 'qr',
  }),
  limitCheck({
    id: 'TR-5-over-limit-web',
    title: 'a hello of frameLimit + 1 bytes closes 1009 without an error frame',
    endpoint: 'web',
    send: (limit) => ({ text: paddedText(helloFrame, limit + 1) }),
    action: 'sends hello of frameLimit + 1 bytes',
    accepted: undefined,
  }),
  limitCheck({
    id: 'TR-5-over-limit-linking',
    title: 'a status of frameLimit + 1 bytes after hello closes 1009',
    endpoint: 'web',
    after: 'hello',
    send: (limit, ref) => ({ text: paddedText({ t: 'status', ref }, limit + 1) }),
    action: 'sends status of frameLimit + 1 bytes',
    accepted: undefined,
  }),
  limitCheck({
    id: 'TR-5-over-limit-phone',
    title: 'a register of frameLimit + 1 bytes on /v1/phone closes 1009',
    endpoint: 'phone',
    send: (limit) => ({ text: paddedText({ t: 'register', phone: phoneNumber(3) }, limit + 1) }),
    action: 'sends register of frameLimit + 1 bytes',
    accepted: undefined,
  }),
  limitCheck({
    id: 'TR-5-utf8-bytes-over-limit',
    title: 'the limit counts UTF-8 bytes: a hello of fewer than frameLimit characters but more bytes closes 1009',
    endpoint: 'web',
    send: (limit) => ({ text: paddedText(helloFrame, limit + 1, 'é') }),
    action: 'sends hello of frameLimit + 1 UTF-8 bytes (about frameLimit / 2 characters)',
    accepted: undefined,
  }),
  limitCheck({
    id: 'TR-5-utf8-bytes-at-limit',
    title: 'a hello of exactly frameLimit UTF-8 bytes with two-byte characters is accepted',
    endpoint: 'web',
    send: (limit) => ({ text: paddedText(helloFrame, limit, 'é') }),
    action: 'sends hello of exactly frameLimit UTF-8 bytes, mostly two-byte characters',
    accepted: 'qr',
  }),
  limitCheck({
    id: 'TR-5-binary-over-limit',
    title: 'a binary message over frameLimit closes 1009 (size is checked before the message type)',
    endpoint: 'web',
    send: (limit) => ({ bytes: new Uint8Array(limit + 1), binary: true }),
    action: 'sends a binary message of frameLimit + 1 bytes',
    accepted: undefined,
  }),
  limitCheck({
    id: 'TR-5-configured-limit-at',
    title: 'with frameLimit set to 1024, a hello of 1024 bytes is accepted',
    endpoint: 'web',
    frameLimit: 1024,
    send: (limit) => ({ text: paddedText(helloFrame, limit) }),
    action: 'sends hello of exactly frameLimit bytes',
    accepted: 'qr',
  }),
  limitCheck({
    id: 'TR-5-configured-limit-over',
    title: 'with frameLimit set to 1024, a hello of 1025 bytes closes 1009',
    endpoint: 'web',
    frameLimit: 1024,
    send: (limit) => ({ text: paddedText(helloFrame, limit + 1) }),
    action: 'sends hello of frameLimit + 1 bytes',
    accepted: undefined,
  }),
];

// ---------------------------------------------------------------------------------------------
// TR-6: nothing processed after the decision to close
// ---------------------------------------------------------------------------------------------

function afterCloseCheck(
  id: string,
  title: string,
  first: Payload,
  firstAction: string,
  outcome: { close: number } | { error: 'bad_frame' },
) {
  return serverCheck({
    id,
    title,
    section: TRANSPORT_SECTION,
    clauses: ['TR-6'],
    requirement: REQ['TR-6'],
    needs: [],
    async run(ctx) {
      const web = await openPeer(ctx, 'web', 'web1');
      sendPayload(web, first, firstAction);
      sendPayload(web, { frame: helloFrame }, 'sends hello right behind it, before any answer');
      // the close must come right after the answer to the first message: no qr in between
      await expectOutcome(web, outcome, 'TR-6', `${firstAction}, then hello`);
    },
  });
}

const afterCloseChecks: Case[] = [
  afterCloseCheck(
    'TR-6-after-bad-frame',
    'a hello right behind a bad frame is not processed: error, close 4000, no qr',
    { frame: { t: 'nope' } },
    'sends an unknown type',
    { error: 'bad_frame' },
  ),
  afterCloseCheck(
    'TR-6-after-binary',
    'a hello right behind a binary message is not processed: close 1003, no qr',
    { bytes: new Uint8Array([1]), binary: true },
    'sends a binary message',
    { close: 1003 },
  ),
  afterCloseCheck(
    'TR-6-after-not-json',
    'a hello right behind a text that is not JSON is not processed: close 1007, no qr',
    { text: '{' },
    'sends the text "{"',
    { close: 1007 },
  ),
  serverCheck({
    id: 'TR-6-phone-after-unauthorized',
    title: 'a register right behind a refused phone frame is not processed: no register.sent, no SMS',
    section: TRANSPORT_SECTION,
    clauses: ['TR-6', 'REG-11'],
    requirement: REQ['TR-6'],
    needs: ['control'],
    async run(ctx) {
      const number = phoneNumber(4);
      const phone = await openPeer(ctx, 'phone', 'phone1');
      sendPayload(phone, { frame: { t: 'unlink_all' } }, 'sends unlink_all before auth');
      sendPayload(phone, { frame: { t: 'register', phone: number } }, 'sends register right behind it');
      await phone.error('unauthorized', 'TR-6', 'unlink_all before auth, then register');
      ctx.step('control', `sms ${number}`);
      const code = await ctx.control?.sms(number);
      expect(
        ctx,
        code === null,
        'TR-6',
        'the register sent after the refused frame was processed: an SMS code went out',
        null,
        code,
      );
    },
  }),
];

// ---------------------------------------------------------------------------------------------
// TR-7: one connection's bad input leaves the others as they were
// ---------------------------------------------------------------------------------------------

const isolationChecks: Case[] = [
  serverCheck({
    id: 'TR-7-bad-input-isolated',
    title:
      "malformed and misplaced frames naming another connection's ref leave that ref pending and its connection untouched",
    section: TRANSPORT_SECTION,
    clauses: ['TR-7', 'LINK-17', 'LINK-18', 'REG-11'],
    requirement: REQ['TR-7'],
    needs: [],
    async run(ctx) {
      const victim = await openPeer(ctx, 'web', 'webA');
      const ref = await sayHello(victim);
      const attacks: {
        name: string;
        endpoint: Endpoint;
        hello: boolean;
        payload: Payload;
        action: string;
        outcome: Parameters<typeof expectOutcome>[1];
        clause: string;
      }[] = [
        {
          name: 'webB',
          endpoint: 'web',
          hello: false,
          payload: { bytes: Buffer.from(JSON.stringify({ t: 'abort', ref, reason: 'bad_box' })), binary: true },
          action: "sends abort of webA's ref as a binary message",
          outcome: { close: 1003 },
          clause: 'ERR-1',
        },
        {
          name: 'webC',
          endpoint: 'web',
          hello: false,
          payload: { text: `{"t":"abort","ref":"${ref}"` },
          action: "sends a truncated abort of webA's ref",
          outcome: { close: 1007 },
          clause: 'ERR-2',
        },
        {
          name: 'webD',
          endpoint: 'web',
          hello: true,
          payload: { frame: { t: 'confirm', ref, tag: freshB64u(16) } },
          action: "sends confirm of webA's ref",
          outcome: { error: 'bad_state' },
          clause: 'LINK-17',
        },
        {
          name: 'webE',
          endpoint: 'web',
          hello: true,
          payload: { frame: { t: 'abort', ref, reason: 'bad_box' } },
          action: "sends abort of webA's ref",
          outcome: { error: 'bad_state' },
          clause: 'LINK-18',
        },
        {
          name: 'webF',
          endpoint: 'web',
          hello: false,
          payload: { frame: { t: 'abort', ref, reason: 'bad_box' } },
          action: "sends abort of webA's ref before hello",
          outcome: { error: 'bad_state' },
          clause: 'LINK-16',
        },
        {
          name: 'phoneP',
          endpoint: 'phone',
          hello: false,
          payload: { frame: { t: 'link.claim', ref } },
          action: "sends link.claim of webA's ref before auth",
          outcome: { error: 'unauthorized' },
          clause: 'REG-11',
        },
        {
          name: 'phoneQ',
          endpoint: 'phone',
          hello: false,
          payload: { frame: { t: 'link.decline', ref, x: [] } },
          action: "sends link.decline of webA's ref before auth",
          outcome: { error: 'unauthorized' },
          clause: 'REG-11',
        },
      ];
      for (const a of attacks) {
        const peer: AnyPeer = await openPeer(ctx, a.endpoint, a.name);
        if (a.hello) await sayHello(peer);
        sendPayload(peer, a.payload, a.action);
        await expectOutcome(peer, a.outcome, a.clause, a.action);
      }
      await victim.nothing('TR-7', 'other connections sent bad input naming its ref');
      await victim.sendUntyped({ t: 'status', ref }, 'sends status of its ref');
      const s = (await victim.next('status.result', 'TR-7', 'status of its ref')) as unknown as {
        ref: string;
        state: string;
      };
      expect(
        ctx,
        s.ref === ref && s.state === 'pending',
        'TR-7',
        "webA's ref is no longer pending after other connections' bad input",
        { ref, state: 'pending' },
        s,
      );
      await victim.nothing('TR-7', 'the connection stays open');
    },
  }),
];

// ---------------------------------------------------------------------------------------------
// TR-8: the rate limit (manual clock, through the control endpoint)
// ---------------------------------------------------------------------------------------------

/** Sends `status` of `ref` and reads its `status.result`. */
async function statusOk(peer: AnyPeer, ref: string, why: string): Promise<void> {
  await peer.sendUntyped({ t: 'status', ref }, 'sends status');
  await peer.next('status.result', 'TR-8', why);
}

async function rateLimited(peer: AnyPeer, payload: Payload, action: string, why: string): Promise<void> {
  sendPayload(peer, payload, action);
  await expectOutcome(peer, { error: 'rate_limited' }, 'TR-8', why);
}

function rateCheck(id: string, title: string, run: (ctx: CaseContext) => Promise<void>): Case {
  return serverCheck({
    id,
    title,
    section: TRANSPORT_SECTION,
    clauses: ['TR-8', 'ERR-7', 'ERR-10'],
    requirement: REQ['TR-8'],
    needs: ['control'],
    run,
  });
}

const rateChecks: Case[] = [
  rateCheck(
    'TR-8-web-over-limit',
    'the 4th message with rateMessages 3 on /v1/web: error rate_limited, close 4429',
    async (ctx) => {
      await configure(ctx, { rateMessages: 3, rateWindowMs: 1000 });
      const web = await openPeer(ctx, 'web', 'web1');
      const ref = await sayHello(web); // 1
      await statusOk(web, ref, 'message 2 of 3');
      await statusOk(web, ref, 'message 3 of 3');
      await rateLimited(
        web,
        { frame: { t: 'status', ref } },
        'sends status (message 4)',
        'a 4th message within the window',
      );
    },
  ),
  rateCheck(
    'TR-8-phone-over-limit',
    'the 3rd message with rateMessages 2 on /v1/phone: error rate_limited, close 4429',
    async (ctx) => {
      await configure(ctx, { rateMessages: 2, rateWindowMs: 1000 });
      const phone = await openPeer(ctx, 'phone', 'phone1');
      for (const i of [5, 6]) {
        await phone.sendUntyped({ t: 'register', phone: phoneNumber(i) }, `sends register ${phoneNumber(i)}`);
        await phone.next('register.sent', 'TR-8', `message ${i - 4} of 2`);
      }
      await rateLimited(
        phone,
        { frame: { t: 'register', phone: phoneNumber(7) } },
        'sends register (message 3)',
        'a 3rd message within the window',
      );
    },
  ),
  rateCheck(
    'TR-8-binary-counts',
    'a binary message over the limit counts: rate_limited and 4429, not 1003',
    async (ctx) => {
      await configure(ctx, { rateMessages: 1, rateWindowMs: 1000 });
      const web = await openPeer(ctx, 'web', 'web1');
      await sayHello(web);
      await rateLimited(
        web,
        { bytes: new Uint8Array([7]), binary: true },
        'sends a binary message (message 2)',
        'a binary message over the limit',
      );
    },
  ),
  rateCheck(
    'TR-8-window-inside',
    'a message rateWindowMs - 1 ms after the first ones still counts them',
    async (ctx) => {
      await configure(ctx, { rateMessages: 2, rateWindowMs: 1000 });
      const web = await openPeer(ctx, 'web', 'web1');
      const ref = await sayHello(web);
      await statusOk(web, ref, 'message 2 of 2');
      await advance(ctx, 999, 'the first two messages are still inside the window');
      await rateLimited(
        web,
        { frame: { t: 'status', ref } },
        'sends status (message 3 within 999 ms)',
        'a 3rd message 999 ms after the first two',
      );
    },
  ),
  rateCheck(
    'TR-8-window-slides',
    'messages exactly rateWindowMs old no longer count (the window is half-open)',
    async (ctx) => {
      await configure(ctx, { rateMessages: 2, rateWindowMs: 1000 });
      const web = await openPeer(ctx, 'web', 'web1');
      const ref = await sayHello(web);
      await statusOk(web, ref, 'message 2 of 2');
      await advance(ctx, 1000, 'the first two messages leave the window (t - rateWindowMs, t]');
      await statusOk(web, ref, 'message 1 of the new window');
      await statusOk(web, ref, 'message 2 of the new window');
      await rateLimited(
        web,
        { frame: { t: 'status', ref } },
        'sends status (message 3 of the new window)',
        'a 3rd message in the new window',
      );
    },
  ),
  rateCheck(
    'TR-8-per-connection',
    'the limit counts per connection: two connections each at the limit both stay open',
    async (ctx) => {
      await configure(ctx, { rateMessages: 2, rateWindowMs: 1000 });
      const a = await openPeer(ctx, 'web', 'webA');
      const b = await openPeer(ctx, 'web', 'webB');
      const refA = await sayHello(a);
      const refB = await sayHello(b);
      await statusOk(a, refA, 'webA message 2 of 2');
      await statusOk(b, refB, 'webB message 2 of 2');
      await a.nothing('TR-8', 'webA is at, not over, its limit');
      await b.nothing('TR-8', 'webB is at, not over, its limit');
    },
  ),
];

/** Every check of section 3. */
export const transportChecks: readonly Case[] = [
  ...handshakeChecks,
  ...memberChecks,
  ...limitChecks,
  ...afterCloseChecks,
  ...isolationChecks,
  ...rateChecks,
];
