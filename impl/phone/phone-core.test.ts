import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromB64u, toB64u } from '../../model/protocol/encoding.js';
import { ManualClock } from '../client-clock.js';
import { acceptOffer, epochKeys, makeQr, openOp, randomBytes, sealOp } from '../crypto/index.js';
import { until } from '../until.harness.js';
import { ScriptedServer } from '../web/scripted-server.js';
import { PhoneCore } from './phone-core.js';
import { MemoryPhoneState, type PhoneStateStore } from './phone-state.js';

const PHONE = '+15551234567';
const ACCOUNT_ID = 'AccountAAAAAAAAAAAAAAA';
const SESSION = 'SessionSSSSSSSSSSSSSSS';
const DEVICE = { name: 'Firefox on Linux', platform: 'web' };

async function registered(options: { consentMs?: number; state?: PhoneStateStore } = {}) {
  const srv = new ScriptedServer();
  const clock = new ManualClock();
  const log: string[] = [];
  const core = new PhoneCore({
    connector: srv.connector,
    clock,
    name: 'Alice',
    log: (l) => log.push(l),
    ...options,
  });
  await core.connect('ws://fake');
  const c = srv.current;
  core.register(PHONE);
  expect(c.last('register')).toEqual({ t: 'register', phone: PHONE });
  c.push({ t: 'register.sent', phone: PHONE, ttlMs: 300_000, length: 4 });
  await core.code('1234');
  expect(c.last('register.verify')).toMatchObject({ phone: PHONE, code: '1234', identityKey: expect.any(String) });
  c.push({ t: 'register.ok', accountId: ACCOUNT_ID, deviceToken: 'DeviceTokenDDDD' });
  expect(core.state()).toMatchObject({ state: 'ready', accountId: ACCOUNT_ID, phone: PHONE });
  return { srv, clock, core, c, log };
}

type Env = Awaited<ReturnType<typeof registered>>;

/** The web side of a link: a QR with fresh secrets for a fresh ref. */
async function webQr() {
  const ref = toB64u(randomBytes(16));
  const { qr, secrets } = await makeQr(ref);
  return { ref, qr, secrets };
}

/** Scans and shows the consent screen. */
async function toConsent(env: Env) {
  const w = await webQr();
  env.core.scan(w.qr);
  expect(env.c.last('link.claim')).toEqual({ t: 'link.claim', ref: w.ref });
  env.c.push({
    t: 'link.claimed',
    ref: w.ref,
    device: DEVICE,
    address: '203.0.113.9',
    requestedAt: 1_767_225_600_000,
    keep: true,
  });
  return w;
}

/** A full link, the web's part played with the real crypto. */
async function linked(env: Env) {
  const w = await toConsent(env);
  await env.core.approve();
  const approveFrame = env.c.last('link.approve') as { pub: string; box: string };
  const web = await acceptOffer(w.secrets, fromB64u(w.ref) as Uint8Array, approveFrame);
  env.c.push({ t: 'link.confirm', ref: w.ref, tag: web.tag });
  expect(env.c.last('link.finalize')).toEqual({ t: 'link.finalize', ref: w.ref });
  env.c.push({ t: 'link.ok', ref: w.ref, sessionId: SESSION });
  return { w, web, kRoot: web.keys.kRoot };
}

function epoch() {
  const bytes = randomBytes(16);
  return { e: toB64u(bytes), bytes };
}

describe('phone core: registration and consent', () => {
  it('[CONS-1] the consent screen shows device name, platform, address, requestedAt, keep and what approval grants', async () => {
    const env = await registered();
    const w = await toConsent(env);
    expect(env.core.state()).toMatchObject({
      state: 'consenting',
      consent: { ref: w.ref, device: DEVICE, address: '203.0.113.9', requestedAt: 1_767_225_600_000, keep: true },
    });
    expect(env.log.join('\n')).toMatch(
      /Firefox on Linux.*web.*203\.0\.113\.9.*asking to stay signed in.*chat history/s,
    );
  });

  it('[CONS-2, PHONE-1] nothing is approved without the user: no link.approve until approve()', async () => {
    const env = await registered();
    await toConsent(env);
    env.clock.advance(59_999);
    expect(env.c.ofType('link.approve')).toHaveLength(0);
    await env.core.approve();
    expect(env.c.ofType('link.approve')).toHaveLength(1);
  });

  it('[CONS-2] a consent not answered within consentMs lapses: approve is refused afterwards', async () => {
    const env = await registered({ consentMs: 60_000 });
    await toConsent(env);
    env.clock.advance(60_000);
    expect(env.core.state()).toMatchObject({ state: 'ready', consent: null, error: { code: 'lapsed' } });
    await expect(env.core.approve()).rejects.toMatchObject({ code: 'bad_state' });
    expect(env.c.ofType('link.approve')).toHaveLength(0);
  });

  it('[DRV-12] with consentMs 0 (a driven phone) the consent screen never ends by a local timeout', async () => {
    const env = await registered({ consentMs: 0 });
    await toConsent(env);
    env.clock.advance(24 * 3_600_000);
    expect(env.core.state()).toMatchObject({ state: 'consenting', consent: { device: DEVICE } });
    await env.core.approve();
    expect(env.c.ofType('link.approve')).toHaveLength(1);
  });

  it('[CONS-2] decline sends link.decline and never approves', async () => {
    const env = await registered();
    const w = await toConsent(env);
    env.core.decline();
    expect(env.c.last('link.decline')).toEqual({ t: 'link.decline', ref: w.ref });
    expect(env.c.ofType('link.approve')).toHaveLength(0);
    await expect(env.core.approve()).rejects.toMatchObject({ code: 'bad_state' });
  });

  it('[E2E-2, CONS-3] a scan of text that is not a QR Link code claims nothing', async () => {
    const env = await registered();
    for (const bad of ['https://example.com', 'qrlink:2,a,b,c', 'qrlink:1,AAAA,BBBB', '']) {
      expect(() => env.core.scan(bad)).toThrow(/not a QR Link code/);
    }
    expect(env.c.ofType('link.claim')).toHaveLength(0);
    expect(env.core.state().error?.code).toBe('bad_qr');
  });

  it('register.error bad_code lets the user retry; approve before registration is refused', async () => {
    const srv = new ScriptedServer();
    const core = new PhoneCore({ connector: srv.connector, clock: new ManualClock() });
    await core.connect('ws://fake');
    await expect(core.approve()).rejects.toMatchObject({ code: 'bad_state' });
    expect(() => core.scan('qrlink:1,x,y,z')).toThrow(/not authenticated/);
    core.register(PHONE);
    await core.code('0000');
    srv.current.push({ t: 'register.error', reason: 'bad_code', attemptsLeft: 4 });
    expect(core.state()).toMatchObject({ state: 'registering', error: { code: 'bad_code' } });
  });

  it('[REG-9] reconnecting authenticates with the stored device token', async () => {
    const env = await registered();
    await env.core.setOnline(false);
    expect(env.core.state().state).toBe('offline');
    await env.core.setOnline(true);
    const c2 = env.srv.current;
    expect(c2.sent[0]).toEqual({ t: 'auth', phone: PHONE, deviceToken: 'DeviceTokenDDDD' });
    c2.push({ t: 'auth.ok', accountId: ACCOUNT_ID, sessions: [] });
    expect(env.core.state().state).toBe('ready');
  });
});

describe('phone core: approval and key confirmation', () => {
  it('[E2E-5, PHONE-2, CONS-1] the box opens for the web client holding the QR secrets; the session is listed as kept as link.claimed said', async () => {
    const env = await registered();
    const { web } = await linked(env);
    expect(web.account).toMatchObject({ accountId: ACCOUNT_ID, phone: PHONE, name: 'Alice' });
    expect(env.core.state().sessions).toEqual([{ sessionId: SESSION, device: DEVICE, keep: true, attached: false }]);
  });

  it('[E2E-3] every approval uses a fresh ephemeral key', async () => {
    const env = await registered();
    await linked(env);
    await linked(env);
    const pubs = env.c.ofType('link.approve').map((f) => f.pub);
    expect(new Set(pubs).size).toBe(2);
  });

  it('[E2E-8] a wrong confirm tag declines and never finalizes', async () => {
    const env = await registered();
    const w = await toConsent(env);
    await env.core.approve();
    env.c.push({ t: 'link.confirm', ref: w.ref, tag: toB64u(randomBytes(16)) });
    expect(env.c.last('link.decline')).toEqual({ t: 'link.decline', ref: w.ref });
    expect(env.c.ofType('link.finalize')).toHaveLength(0);
    expect(env.core.state()).toMatchObject({ state: 'ready', error: { code: 'bad_tag' }, sessions: [] });
  });

  it('[E2E-8] a tag made over another box is refused', async () => {
    const env = await registered();
    const w = await toConsent(env);
    await env.core.approve();
    const sent = env.c.last('link.approve') as { pub: string; box: string };
    // A server that swapped the box: the web client would confirm the box it got, not the phone's.
    const other = await registered();
    const w2 = await toConsent(other);
    await other.core.approve();
    const otherBox = other.c.last('link.approve') as { pub: string; box: string };
    const web2 = await acceptOffer(w2.secrets, fromB64u(w2.ref) as Uint8Array, otherBox);
    expect(sent.box).not.toBe(otherBox.box);
    env.c.push({ t: 'link.confirm', ref: w.ref, tag: web2.tag });
    expect(env.c.ofType('link.finalize')).toHaveLength(0);
    expect(env.c.ofType('link.decline')).toHaveLength(1);
  });

  it('[LINK-3] link.error lapsed ends the attempt', async () => {
    const env = await registered();
    const w = await toConsent(env);
    env.c.push({ t: 'link.error', ref: w.ref, reason: 'lapsed' });
    expect(env.core.state()).toMatchObject({ state: 'ready', consent: null, error: { code: 'lapsed' } });
  });
});

describe('phone core: relay', () => {
  async function attached(env: Env) {
    const l = await linked(env);
    const ep = epoch();
    env.c.push({ t: 'web.attached', sessionId: SESSION, e: ep.e });
    const keys = epochKeys(l.kRoot, ep.bytes);
    return { ...l, ep, keys };
  }

  it('serves history pages under kP2W_e from n = 1 and acks the request', async () => {
    const env = await registered();
    const { ep, keys } = await attached(env);
    env.c.push({
      t: 'from_web',
      sessionId: SESSION,
      e: ep.e,
      n: 1,
      c: sealOp(keys.kW2P, 1, { op: 'history', limit: 50 }),
    });
    expect(env.c.last('ack')).toEqual({ t: 'ack', sessionId: SESSION, e: ep.e, n: 1 });
    const out = env.c.last('to_web');
    expect(out).toMatchObject({ sessionId: SESSION, e: ep.e, n: 1 });
    const page = openOp(keys.kP2W, 1, out.c as string) as { chats: unknown[]; messages: unknown[] };
    expect(page.chats).toHaveLength(3);
    expect(page.messages).toHaveLength(3);
  });

  it('[E2E-13, PHONE-3] drops replays and frames that do not open, per (session, epoch)', async () => {
    const env = await registered();
    const { ep, keys, kRoot } = await attached(env);
    const hist = (n: number, k = keys.kW2P) => ({
      t: 'from_web',
      sessionId: SESSION,
      e: ep.e,
      n,
      c: sealOp(k, n, { op: 'history', limit: 1 }),
    });
    env.c.push(hist(3));
    env.c.push(hist(3)); // replay: re-acked, not served
    env.c.push(hist(2)); // lower
    env.c.push(hist(4, keys.kP2W)); // wrong key: not acked, not served
    expect(env.c.ofType('to_web')).toHaveLength(1);
    expect(env.c.ofType('ack').map((a) => a.n)).toEqual([3, 3, 3]);
    expect(env.core.session(SESSION)?.highWater(ep.e)).toBe(3);
    // another epoch has its own high-water
    const ep2 = epoch();
    const k2 = epochKeys(kRoot, ep2.bytes);
    env.c.push({
      t: 'from_web',
      sessionId: SESSION,
      e: ep2.e,
      n: 1,
      c: sealOp(k2.kW2P, 1, { op: 'history', limit: 1 }),
    });
    expect(env.core.session(SESSION)?.highWater(ep2.e)).toBe(1);
  });

  it('send: stores once per send id, answers sent, and a re-sent send is not stored twice', async () => {
    const env = await registered();
    const { ep, keys } = await attached(env);
    const send = { op: 'send', id: 'send-1', chatId: 'c1', text: 'hello from web' };
    env.c.push({ t: 'from_web', sessionId: SESSION, e: ep.e, n: 1, c: sealOp(keys.kW2P, 1, send) });
    env.c.push({ t: 'from_web', sessionId: SESSION, e: ep.e, n: 2, c: sealOp(keys.kW2P, 2, send) });
    const sent = env.c.ofType('to_web').map((f) => openOp(keys.kP2W, f.n as number, f.c as string));
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatchObject({ op: 'sent', id: 'send-1', message: { text: 'hello from web', from: 'Alice' } });
    expect(env.core.store.messagesOf('c1').filter((m) => m.text === 'hello from web')).toHaveLength(1);
  });

  it('pushes message to the attached web client', async () => {
    const env = await registered();
    const { keys } = await attached(env);
    expect(env.core.receiveMessage('c2', 'Bob', 'ping')).toBe(true);
    const f = env.c.last('to_web');
    expect(openOp(keys.kP2W, f.n as number, f.c as string)).toMatchObject({ op: 'message', message: { text: 'ping' } });
  });

  it('[RELAY-14] on web.attached with a new epoch re-seals every unacked frame from n = 1, in order', async () => {
    const env = await registered();
    const { kRoot, ep } = await attached(env);
    env.core.receiveMessage('c1', 'Bob', 'one');
    env.core.receiveMessage('c1', 'Bob', 'two');
    env.core.receiveMessage('c1', 'Bob', 'three');
    env.c.push({ t: 'acked', sessionId: SESSION, e: ep.e, n: 1 });
    env.c.push({ t: 'web.detached', sessionId: SESSION });
    env.core.receiveMessage('c1', 'Bob', 'four'); // held while detached
    expect(env.c.ofType('to_web')).toHaveLength(3);
    const ep2 = epoch();
    env.c.push({ t: 'web.attached', sessionId: SESSION, e: ep2.e });
    const k2 = epochKeys(kRoot, ep2.bytes);
    const resent = env.c.ofType('to_web').slice(3);
    expect(resent.map((f) => [f.e, f.n])).toEqual([
      [ep2.e, 1],
      [ep2.e, 2],
      [ep2.e, 3],
    ]);
    const texts = resent.map(
      (f) => (openOp(k2.kP2W, f.n as number, f.c as string) as { message: { text: string } }).message.text,
    );
    expect(texts).toEqual(['two', 'three', 'four']);
  });

  it('[E2E-12] the same epoch again (flush after reconnect) continues n and re-sends byte for byte', async () => {
    const env = await registered();
    const { ep } = await attached(env);
    env.core.receiveMessage('c1', 'Bob', 'one');
    const first = env.c.last('to_web');
    await env.core.setOnline(false);
    env.core.receiveMessage('c1', 'Bob', 'two');
    await env.core.setOnline(true);
    const c2 = env.srv.current;
    c2.push({ t: 'auth.ok', accountId: ACCOUNT_ID, sessions: [{ sessionId: SESSION, device: DEVICE, keep: true }] });
    c2.push({ t: 'web.attached', sessionId: SESSION, e: ep.e });
    const out = c2.ofType('to_web');
    expect(out.map((f) => f.n)).toEqual([1, 2]);
    expect(out[0]?.c).toBe(first.c);
  });

  it('[RELAY-15] after queue_full stops; after acked re-sends from the refused n', async () => {
    const env = await registered();
    const { ep } = await attached(env);
    for (const t of ['1', '2', '3']) env.core.receiveMessage('c1', 'Bob', t);
    const before = env.c.ofType('to_web');
    env.c.push({ t: 'queue_full', sessionId: SESSION, e: ep.e, n: 2 });
    env.core.receiveMessage('c1', 'Bob', '4');
    expect(env.c.ofType('to_web')).toHaveLength(3);
    env.c.push({ t: 'acked', sessionId: SESSION, e: ep.e, n: 1 });
    const after = env.c.ofType('to_web').slice(3);
    expect(after.map((f) => f.n)).toEqual([2, 3, 4]);
    expect(after[0]?.c).toBe(before[1]?.c);
  });

  it('[RELAY-15, RELAY-17] an acked of another epoch also ends the queue_full stop: re-sends identical from the refused n', async () => {
    const env = await registered();
    const { ep } = await attached(env);
    for (const t of ['1', '2', '3']) env.core.receiveMessage('c1', 'Bob', t);
    const before = env.c.ofType('to_web');
    env.c.push({ t: 'queue_full', sessionId: SESSION, e: ep.e, n: 2 });
    env.core.receiveMessage('c1', 'Bob', '4');
    expect(env.c.ofType('to_web')).toHaveLength(3);
    env.c.push({ t: 'acked', sessionId: SESSION, e: epoch().e, n: 7 }); // an earlier epoch's frames left custody
    const after = env.c.ofType('to_web').slice(3);
    expect(after.map((f) => f.n)).toEqual([2, 3, 4]);
    expect(after.slice(0, 2)).toEqual(before.slice(1));
  });

  it('[RELAY-14, RELAY-15] a repeated web.attached after queue_full re-sends every unacked frame identical, never re-sealed', async () => {
    const env = await registered();
    const { ep } = await attached(env);
    for (const t of ['1', '2', '3']) env.core.receiveMessage('c1', 'Bob', t);
    const before = env.c.ofType('to_web');
    env.c.push({ t: 'acked', sessionId: SESSION, e: ep.e, n: 1 });
    env.c.push({ t: 'queue_full', sessionId: SESSION, e: ep.e, n: 3 });
    await env.core.setOnline(false);
    env.core.receiveMessage('c1', 'Bob', '4'); // queued while offline
    await env.core.setOnline(true);
    const c2 = env.srv.current;
    c2.push({ t: 'auth.ok', accountId: ACCOUNT_ID, sessions: [{ sessionId: SESSION, device: DEVICE, keep: true }] });
    c2.push({ t: 'web.attached', sessionId: SESSION, e: ep.e });
    const out = c2.ofType('to_web');
    expect(out.map((f) => [f.e, f.n])).toEqual([
      [ep.e, 2],
      [ep.e, 3],
      [ep.e, 4],
    ]);
    expect(out.slice(0, 2)).toEqual(before.slice(1));
  });

  it('[RELAY-18, E2E-13] a duplicate from_web is not processed again but acknowledged with the high-water', async () => {
    const env = await registered();
    const { ep, keys } = await attached(env);
    const req = sealOp(keys.kW2P, 1, { op: 'history', limit: 1 });
    env.c.push({ t: 'from_web', sessionId: SESSION, e: ep.e, n: 1, c: req });
    const served = env.c.ofType('to_web').length;
    env.c.push({ t: 'from_web', sessionId: SESSION, e: ep.e, n: 1, c: req });
    expect(env.c.ofType('ack')).toEqual([
      { t: 'ack', sessionId: SESSION, e: ep.e, n: 1 },
      { t: 'ack', sessionId: SESSION, e: ep.e, n: 1 },
    ]);
    expect(env.c.ofType('to_web')).toHaveLength(served);
  });

  it('[SESS-10, SESS-11] unlink and unlink_all send their frames; unlinked and session.ended forget sessions', async () => {
    const env = await registered();
    await attached(env);
    env.core.unlink(SESSION);
    expect(env.c.last('unlink')).toEqual({ t: 'unlink', sessionId: SESSION });
    env.core.unlinkAll();
    expect(env.c.last('unlink_all')).toEqual({ t: 'unlink_all' });
    env.c.push({ t: 'unlinked', sessionIds: [SESSION] });
    expect(env.core.state().sessions).toEqual([]);
  });

  it('[REG-8] error unauthorized: the device token is dropped and sessions forgotten', async () => {
    const env = await registered();
    await attached(env);
    env.c.push({ t: 'error', code: 'unauthorized', detail: 'token revoked' });
    env.c.serverClose(4401);
    await until(() => env.core.state().state === 'error');
    expect(env.core.state()).toMatchObject({
      state: 'error',
      accountId: null,
      sessions: [],
      error: { code: 'unauthorized' },
    });
  });
});

describe('phone core: hostile server input', () => {
  const seed = process.env.QRLINK_SEED ? Number(process.env.QRLINK_SEED) : undefined;

  it('a frame that breaks the schema never changes the state nor makes the phone send anything', async () => {
    const env = await registered();
    await linked(env);
    const e = toB64u(randomBytes(16));
    const valid: Record<string, unknown>[] = [
      { t: 'from_web', sessionId: SESSION, e, n: 1, c: 'A'.repeat(24) },
      { t: 'web.attached', sessionId: SESSION, e },
      { t: 'acked', sessionId: SESSION, e, n: 1 },
      {
        t: 'link.claimed',
        ref: toB64u(randomBytes(16)),
        device: DEVICE,
        address: '1.2.3.4',
        requestedAt: 0,
        keep: false,
      },
      { t: 'link.confirm', ref: toB64u(randomBytes(16)), tag: toB64u(randomBytes(16)) },
      { t: 'unlinked', sessionIds: [SESSION] },
      { t: 'session.ended', sessionId: SESSION, reason: 'logout' },
      { t: 'error', code: 'unauthorized', detail: 'x' },
    ];
    const mutated = fc.tuple(fc.constantFrom(...valid), fc.nat(), fc.anything()).map(([f, i, value]) => {
      const keys = Object.keys(f);
      return JSON.stringify({ ...f, [keys[i % keys.length] as string]: value });
    });
    const hostile = fc.oneof(fc.string(), fc.json(), mutated);
    const { parseFrame } = await import('../../model/protocol/parse.js');
    fc.assert(
      fc.property(fc.array(hostile, { maxLength: 20 }), (texts) => {
        const bad = texts.filter((t) => !parseFrame('server-to-phone', t).ok);
        const before = JSON.stringify(env.core.state());
        const sent = env.c.sent.length;
        for (const t of bad) env.c.push(t);
        expect(JSON.stringify(env.core.state())).toBe(before);
        expect(env.c.sent.length).toBe(sent);
      }),
      { numRuns: 100, ...(seed !== undefined ? { seed } : {}) },
    );
  });
});

describe('phone core: no (key, n) ever seals two different plaintexts [E2E-12, RELAY-14, RELAY-15]', () => {
  const seed = process.env.QRLINK_SEED ? Number(process.env.QRLINK_SEED) : undefined;

  type Action =
    | { k: 'push' }
    | { k: 'ack'; frac: number }
    | { k: 'ackOld'; n: number }
    | { k: 'queueFull'; frac: number }
    | { k: 'repeatAttached' }
    | { k: 'takeover' }
    | { k: 'detach' }
    | { k: 'reconnect' }
    | { k: 'restart' };

  const action: fc.Arbitrary<Action> = fc.oneof(
    { weight: 5, arbitrary: fc.constant<Action>({ k: 'push' }) },
    { weight: 2, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map((frac): Action => ({ k: 'ack', frac })) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 20 }).map((n): Action => ({ k: 'ackOld', n })) },
    {
      weight: 2,
      arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map((frac): Action => ({ k: 'queueFull', frac })),
    },
    { weight: 1, arbitrary: fc.constant<Action>({ k: 'repeatAttached' }) },
    { weight: 1, arbitrary: fc.constant<Action>({ k: 'takeover' }) },
    { weight: 1, arbitrary: fc.constant<Action>({ k: 'detach' }) },
    { weight: 2, arbitrary: fc.constant<Action>({ k: 'reconnect' }) },
    { weight: 1, arbitrary: fc.constant<Action>({ k: 'restart' }) },
  );

  it('across reconnect flushes, takeovers by a second tab, queue_full retries and restarts from the state', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 25 }), async (actions) => {
        const state = new MemoryPhoneState();
        const env = await registered({ state });
        const { kRoot } = await linked(env);
        let core = env.core;
        let e = epoch().e;
        const epochs = [e];
        env.c.push({ t: 'web.attached', sessionId: SESSION, e });
        const allToWeb = () => env.srv.connections.flatMap((c) => c.ofType('to_web'));
        const maxN = (ep: string) =>
          Math.max(
            0,
            ...allToWeb()
              .filter((f) => f.e === ep)
              .map((f) => f.n as number),
          );
        const authOk = () =>
          env.srv.current.push({
            t: 'auth.ok',
            accountId: ACCOUNT_ID,
            sessions: [{ sessionId: SESSION, device: DEVICE, keep: true }],
          });
        let i = 0;
        for (const a of actions) {
          i++;
          const c = env.srv.current;
          switch (a.k) {
            case 'push':
              core.receiveMessage('c1', 'Bob', `message ${i}`);
              break;
            case 'ack':
              if (maxN(e) > 0)
                c.push({ t: 'acked', sessionId: SESSION, e, n: Math.max(1, Math.floor(a.frac * maxN(e))) });
              break;
            case 'ackOld':
              c.push({ t: 'acked', sessionId: SESSION, e: epochs[0] as string, n: a.n });
              break;
            case 'queueFull':
              c.push({ t: 'queue_full', sessionId: SESSION, e, n: 1 + Math.floor(a.frac * maxN(e)) });
              break;
            case 'repeatAttached':
              c.push({ t: 'web.attached', sessionId: SESSION, e });
              break;
            case 'takeover':
              e = epoch().e;
              epochs.push(e);
              c.push({ t: 'web.attached', sessionId: SESSION, e });
              break;
            case 'detach':
              c.push({ t: 'web.detached', sessionId: SESSION });
              break;
            case 'reconnect':
              await core.setOnline(false);
              await core.setOnline(true);
              authOk();
              env.srv.current.push({ t: 'web.attached', sessionId: SESSION, e }); // the flush [RELAY-9]
              break;
            case 'restart':
              core.close();
              core = new PhoneCore({ connector: env.srv.connector, clock: env.clock, name: 'Alice', state });
              await core.connect('ws://fake');
              expect(env.srv.current.sent[0]).toMatchObject({
                t: 'auth',
                phone: PHONE,
                deviceToken: 'DeviceTokenDDDD',
              });
              authOk();
              env.srv.current.push({ t: 'web.attached', sessionId: SESSION, e });
              break;
          }
        }
        // Every (e, n) ever sent carries one ciphertext, which opens under kP2W_e at n.
        const seen = new Map<string, string>();
        for (const f of allToWeb()) {
          const key = `${f.e}/${f.n}`;
          const prev = seen.get(key);
          if (prev !== undefined) expect(f.c, `(e, n) = ${key} sealed twice differently`).toBe(prev);
          seen.set(key, f.c as string);
          const k = epochKeys(kRoot, fromB64u(f.e as string) as Uint8Array);
          expect(openOp(k.kP2W, f.n as number, f.c as string)).toBeDefined();
        }
        // [RELAY-14] within each epoch, n runs 1, 2, 3, ... without a hole.
        for (const ep of epochs) {
          const ns = [
            ...new Set(
              allToWeb()
                .filter((f) => f.e === ep)
                .map((f) => f.n as number),
            ),
          ].sort((x, y) => x - y);
          expect(ns).toEqual(ns.map((_, j) => j + 1));
        }
      }),
      { numRuns: 60, ...(seed !== undefined ? { seed } : {}) },
    );
  });
});
