/**
 * The driver protocol (DRV-*): every command of the web and phone drivers through the catalogue
 * (parseFrame dispatches on `cmd`), and every reply and event a client sends back (DriverMessage).
 */
import { describe, expect, it } from 'vitest';
import { channels } from './catalog.js';
import { describeChannel } from './channel-table.harness.js';
import { Close } from './codes.js';
import {
  DriverEvent,
  DriverMessage,
  DriverReply,
  initialPhoneDriverState,
  initialWebDriverState,
  PhoneDriverEvent,
  PhoneDriverReply,
  PhoneDriverRequest,
  PhoneDriverState,
  phoneDriverStates,
  WebDriverEvent,
  WebDriverReply,
  WebDriverRequest,
  WebDriverState,
  webDriverStates,
} from './driver-frames.js';
import { toB64u } from './encoding.js';
import { parseFrame, parseValue } from './parse.js';

const b64 = (bytes: number, fill: number) => toB64u(new Uint8Array(bytes).fill(fill));
const ref = b64(16, 1);
const sessionId = b64(16, 7);
const accountId = b64(16, 8);
const phone = '+15551234567';
const device = { name: 'Firefox on Linux', platform: 'web' };
const qrText = `qrlink:1,${ref},${b64(32, 2)},${b64(32, 3)}`;

describeChannel('web-driver-request', {
  samples: {
    open: { id: 1, cmd: 'open', server: 'ws://127.0.0.1:41234', keep: true },
    state: { id: 'st-1', cmd: 'state' },
    history: { id: 2, cmd: 'history', chatId: 'c-1' },
    send: { id: 3, cmd: 'send', chatId: 'c-1', text: 'hello from the suite' },
    logout: { id: 4, cmd: 'logout' },
    close: { id: 5, cmd: 'close' },
    reopen: { id: 6, cmd: 'reopen' },
    reset: { id: 7, cmd: 'reset' },
  },
  optional: { history: ['chatId'] },
  invalid: [
    ['open', 'an http URL', { server: 'http://127.0.0.1:8080' }, 'server'],
    ['open', 'a URL with a path', { server: 'ws://127.0.0.1:8080/v1/web' }, 'server'],
    ['open', 'a URL without host', { server: 'ws://' }, 'server'],
    ['open', 'a bare host', { server: '127.0.0.1:8080' }, 'server'],
    ['open', 'a fractional id', { id: 1.5 }, 'id'],
    ['open', 'an empty id', { id: '' }, 'id'],
    ['open', 'an id of 65 characters', { id: 'i'.repeat(65) }, 'id'],
    ['history', 'an empty chatId', { chatId: '' }, 'chatId'],
    ['send', 'an empty text', { text: '' }, 'text'],
    ['send', 'a text of 4097 characters', { text: 't'.repeat(4097) }, 'text'],
  ],
});

describeChannel('phone-driver-request', {
  samples: {
    connect: { id: 1, cmd: 'connect', server: 'wss://qrlink.example:443' },
    register: { id: 2, cmd: 'register', phone },
    code: { id: 3, cmd: 'code', code: '0421' },
    scan: { id: 4, cmd: 'scan', qr: qrText },
    approve: { id: 5, cmd: 'approve' },
    decline: { id: 6, cmd: 'decline' },
    unlink: { id: 7, cmd: 'unlink', sessionId },
    unlink_all: { id: 8, cmd: 'unlink_all' },
    online: { id: 9, cmd: 'online', value: false },
    state: { id: 'st', cmd: 'state' },
    reset: { id: 10, cmd: 'reset' },
  },
  invalid: [
    ['connect', 'a URL with a query', { server: 'ws://127.0.0.1:1?x=1' }, 'server'],
    ['register', 'a number without "+"', { phone: '15551234567' }, 'phone'],
    ['code', 'a code of 3 digits', { code: '042' }, 'code'],
    ['code', 'a code with a letter', { code: '04a1' }, 'code'],
    ['scan', 'a text of 4097 characters', { qr: 'q'.repeat(4097) }, 'qr'],
    ['unlink', 'a sessionId with a space', { sessionId: 'a b' }, 'sessionId'],
    ['unlink', 'an empty sessionId', { sessionId: '' }, 'sessionId'],
    ['state', 'a fractional id', { id: 0.5 }, 'id'],
  ],
});

describe('driver requests: values the schema lets through on purpose', () => {
  it('[E2E-2] scan takes any text, so the suite can show the phone malformed QR codes', () => {
    for (const qr of ['', 'qrlink:2,x', 'https://example.org/?ref=1', qrText.replace('qrlink', 'QRLINK')]) {
      expect(parseFrame('phone-driver-request', JSON.stringify({ id: 1, cmd: 'scan', qr })).ok, qr).toBe(true);
    }
  });

  it('accepts ws and wss base URLs with a host name, an IPv4 or IPv6 address and a port', () => {
    for (const server of ['ws://localhost', 'ws://127.0.0.1:8080', 'wss://qrlink.example', 'ws://[::1]:9000']) {
      expect(WebDriverRequest.safeParse({ id: 1, cmd: 'open', server, keep: false }).success, server).toBe(true);
      expect(PhoneDriverRequest.safeParse({ id: 1, cmd: 'connect', server }).success, server).toBe(true);
    }
  });

  it('keeps web and phone commands apart', () => {
    expect(parseFrame('web-driver-request', JSON.stringify({ id: 1, cmd: 'approve' }))).toMatchObject({
      ok: false,
      error: { kind: 'unknown_type', clause: 'ERR-4' },
    });
    expect(parseFrame('phone-driver-request', JSON.stringify({ id: 1, cmd: 'reopen' }))).toMatchObject({
      ok: false,
      error: { kind: 'unknown_type', clause: 'ERR-4' },
    });
  });
});

// ---- client -> suite ----

const message = { id: 'm-1', chatId: 'c-1', from: phone, text: 'hi', at: 1_700_000_000_000 };
const webState = {
  state: 'linked',
  qr: null,
  qrN: null,
  sessionId,
  account: { accountId, phone, name: 'Alice' },
  phoneOnline: true,
  keep: true,
  tokenStored: true,
  revokedReason: null,
  error: null,
  chats: [{ chatId: 'c-1', title: 'Bob' }],
  messages: [message],
};
const webQrState = { ...webState, state: 'qr', qr: qrText, qrN: 1, sessionId: null, account: null, phoneOnline: null };
const phoneState = {
  state: 'consenting',
  phone,
  accountId,
  consent: { ref, device, address: '127.0.0.1', requestedAt: 1_700_000_000_000, keep: true },
  sessions: [{ sessionId, device, keep: false, attached: true }],
  error: null,
};

/** One valid sample per frame type of the driver-reply channel. */
const replySamples: Record<string, Record<string, unknown>> = {
  'reply.ok': { id: 7, ok: true, result: webState },
  'reply.error': { id: 'x', ok: false, error: { code: 'bad_state', detail: 'no consent screen is shown' } },
  state: { event: 'state', state: phoneState },
};

describe('driver-reply (replies and events)', () => {
  const frames = channels['driver-reply'].frames;

  it('has a valid sample for every frame type of the catalogue, and none for another', () => {
    expect(Object.keys(replySamples).sort()).toEqual(frames.map((f) => f.type).sort());
  });

  it.each(frames.map((f) => [f.type, f] as const))(
    '%s: the sample is accepted by its schema and by DriverMessage, unknown fields dropped',
    (type, f) => {
      const sample = replySamples[type];
      expect(sample, `no valid sample for ${type}`).toBeDefined();
      expect(f.schema.parse({ ...sample, zz: 1 })).toStrictEqual(sample);
      expect(DriverMessage.parse(JSON.parse(JSON.stringify({ ...sample, zz: 1 })))).toStrictEqual(sample);
    },
  );

  it('accepts a phone state as a reply result and a web state in an event', () => {
    expect(DriverReply.safeParse({ id: 1, ok: true, result: phoneState }).success).toBe(true);
    expect(DriverEvent.safeParse({ event: 'state', state: webQrState }).success).toBe(true);
    expect(
      DriverReply.safeParse({ id: null, ok: false, error: { code: 'bad_request', detail: 'not JSON' } }).success,
    ).toBe(true);
  });

  it('role-specific replies and events accept only their role state', () => {
    expect(WebDriverReply.safeParse({ id: 1, ok: true, result: webState }).success).toBe(true);
    expect(WebDriverReply.safeParse({ id: 1, ok: true, result: phoneState }).success).toBe(false);
    expect(PhoneDriverReply.safeParse({ id: 1, ok: true, result: phoneState }).success).toBe(true);
    expect(PhoneDriverReply.safeParse({ id: 1, ok: true, result: webState }).success).toBe(false);
    expect(WebDriverEvent.safeParse({ event: 'state', state: phoneState }).success).toBe(false);
    expect(PhoneDriverEvent.safeParse({ event: 'state', state: webState }).success).toBe(false);
  });

  const refused: readonly [string, unknown][] = [
    ['a reply without id', { ok: true, result: webState }],
    ['a reply without result', { id: 1, ok: true }],
    ['a reply with ok "true"', { id: 1, ok: 'true', result: webState }],
    ['an error reply without error', { id: 1, ok: false }],
    ['an error with an unknown code', { id: 1, ok: false, error: { code: 'oops', detail: '' } }],
    [
      'an error with a detail of 1025 characters',
      { id: 1, ok: false, error: { code: 'failed', detail: 'd'.repeat(1025) } },
    ],
    ['an event of another name', { event: 'change', state: webState }],
    ['an event without state', { event: 'state' }],
    ['a web state with an unknown state name', { id: 1, ok: true, result: { ...webState, state: 'paired' } }],
    ['a web state with qrN = 0', { id: 1, ok: true, result: { ...webQrState, qrN: 0 } }],
    ['a web state without tokenStored', { id: 1, ok: true, result: { ...webState, tokenStored: undefined } }],
    [
      'a web state with an account phone not E.164',
      { id: 1, ok: true, result: { ...webState, account: { accountId, phone: '555', name: 'A' } } },
    ],
    [
      'a web state with a message lacking at',
      { id: 1, ok: true, result: { ...webState, messages: [{ ...message, at: undefined }] } },
    ],
    ['a phone state with an unknown state name', { event: 'state', state: { ...phoneState, state: 'linked' } }],
    [
      'a phone state whose session lacks attached',
      { event: 'state', state: { ...phoneState, sessions: [{ sessionId, device, keep: true }] } },
    ],
    [
      'a phone state whose consent ref is not base64url',
      { event: 'state', state: { ...phoneState, consent: { ...phoneState.consent, ref: 'not a ref' } } },
    ],
    ['a phone state with an error lacking detail', { event: 'state', state: { ...phoneState, error: { code: 'x' } } }],
    ['an array', [replySamples['reply.ok']]],
  ];
  it.each(refused)('DriverMessage refuses %s', (_what, value) => {
    expect(DriverMessage.safeParse(JSON.parse(JSON.stringify(value))).success).toBe(false);
  });

  it('parseValue recognises the event on driver-reply and refuses a reply as no_type (use DriverMessage)', () => {
    expect(parseValue('driver-reply', replySamples.state)).toStrictEqual({ ok: true, frame: replySamples.state });
    expect(parseValue('driver-reply', replySamples['reply.ok'])).toMatchObject({
      ok: false,
      error: { kind: 'no_type', close: Close.protocol, clause: 'ERR-3' },
    });
  });
});

describe('driver states', () => {
  it('names the web states of the driver protocol', () => {
    expect([...webDriverStates]).toEqual([
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
    ]);
  });

  it('names the phone states of the driver protocol', () => {
    expect([...phoneDriverStates]).toEqual([
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
    ]);
  });

  it('accepts every state name with the rest of a valid state', () => {
    for (const state of webDriverStates)
      expect(WebDriverState.safeParse({ ...webState, state }).success, state).toBe(true);
    for (const state of phoneDriverStates) {
      expect(PhoneDriverState.safeParse({ ...phoneState, state }).success, state).toBe(true);
    }
  });

  it('a fresh web client and a fresh phone have a valid state', () => {
    const idleWeb = initialWebDriverState();
    expect(WebDriverState.parse(idleWeb)).toStrictEqual(idleWeb);
    const idlePhone = initialPhoneDriverState();
    expect(PhoneDriverState.parse(idlePhone)).toStrictEqual(idlePhone);
  });
});
