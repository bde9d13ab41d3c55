import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromB64u, toB64u } from '../../model/protocol/encoding.js';
import { parseQr } from '../../model/protocol/qr-payload.js';
import { ManualClock } from '../client-clock.js';
import { type AccountData, approve, epochKeys, openOp, randomBytes, sealOp, verifyConfirm } from '../crypto/index.js';
import { until } from '../until.harness.js';
import { decodeKeptSessions, KeptSessionStore } from './kept-session.js';
import { ScriptedServer } from './scripted-server.js';
import { MemoryStorageSlot } from './storage-slot.js';
import { WebCore } from './web-core.js';

const ACCOUNT: AccountData = {
  accountId: 'AccountAAAAAAAAAAAAAAA',
  phone: '+15551234567',
  name: 'Alice',
  identityKey: toB64u(new Uint8Array(32).fill(7)),
};
const SESSION = 'SessionSSSSSSSSSSSSSSS';
const OTHER = 'SessionOOOOOOOOOOOOOOO';
const newRef = () => toB64u(randomBytes(16));

function setup(options: { pollMs?: number; storage?: MemoryStorageSlot } = {}) {
  const srv = new ScriptedServer();
  const clock = new ManualClock();
  const storage = options.storage ?? new MemoryStorageSlot();
  const states: ReturnType<WebCore['state']>[] = [];
  const secrets: { label: string; value: Uint8Array | string }[] = [];
  const core = new WebCore({
    connector: srv.connector,
    storage,
    clock,
    pollMs: options.pollMs ?? 0,
    onSecret: (label, value) => secrets.push({ label, value }),
  });
  core.onChange((s) => states.push(s));
  return { srv, clock, storage, core, states, secrets };
}

/** The token of the stored record of `sessionId` (undefined when none or corrupt). */
function storedToken(storage: MemoryStorageSlot, sessionId = SESSION): string | undefined {
  const r = decodeKeptSessions(storage.read());
  return r.kind === 'ok' ? r.records.find((x) => x.sessionId === sessionId)?.token : undefined;
}

/** Writes a kept-session record as an earlier run or another tab would have (now the most recent). */
function storeRecord(
  storage: MemoryStorageSlot,
  token: string,
  kRoot: Uint8Array,
  account = ACCOUNT,
  sessionId = SESSION,
  logoutPending = false,
): void {
  new KeptSessionStore(storage).write({
    token,
    sessionId,
    kRoot,
    account,
    ...(logoutPending ? { logoutPending: true as const } : {}),
  });
}

type Env = ReturnType<typeof setup>;

/** Opens, shows a QR for a fresh ref, and returns it with the parsed payload. */
async function showQr(env: Env, keep: boolean, n = 1) {
  if (env.core.state().state === 'idle') await env.core.open('ws://fake', keep);
  const c = env.srv.current;
  const ref = newRef();
  c.push({ t: 'qr', ref, ttlMs: 60_000, n, of: 6 });
  const s = await env.core.waitFor((st) => st.qr !== null && st.qrN === n && parseQr(st.qr).text.ref === ref);
  return { c, ref, qr: s.qr as string, payload: parseQr(s.qr as string) };
}

/** Runs a link as an honest phone and server would, up to `linked` and `attach`. */
async function link(env: Env, keep: boolean, accountId = ACCOUNT.accountId) {
  const { c, ref, payload } = await showQr(env, keep);
  c.push({ t: 'scanned', ref });
  const approval = await approve(payload, ACCOUNT);
  c.push({ t: 'offer', ref, pub: approval.pub, box: approval.box });
  await env.core.waitFor((s) => s.state === 'confirming');
  const tag = c.last('confirm').tag as string;
  c.push({ t: 'linked', sessionId: SESSION, accountId, ...(keep ? { token: 'TokenOne' } : {}) });
  await env.core.settled();
  return { c, ref, approval, tag };
}

/** Yields to the event loop until `cond` holds (no timers, no sleeps); fails after many turns. */
function epochOf(kRoot: Uint8Array, e: string) {
  return epochKeys(kRoot, fromB64u(e) as Uint8Array);
}

describe('web core: linking', () => {
  it('[LINK-16] says hello {v:1, device, keep} first', async () => {
    const env = setup();
    await env.core.open('ws://fake', true);
    expect(env.srv.current.sent[0]).toMatchObject({
      t: 'hello',
      v: 1,
      keep: true,
      device: { name: expect.any(String) },
    });
  });

  it('[E2E-1, WEB-1] shows a fresh key pair and linkSecret for every ref and never sends them', async () => {
    const env = setup();
    const a = await showQr(env, false, 1);
    const b = await showQr(env, false, 2);
    expect(toB64u(a.payload.webPub)).not.toBe(toB64u(b.payload.webPub));
    expect(toB64u(a.payload.linkSecret)).not.toBe(toB64u(b.payload.linkSecret));
    expect(env.core.state().qr).toBe(b.qr);
    const wire = JSON.stringify(env.srv.connections.flatMap((c) => c.sent));
    for (const p of [a.payload, b.payload]) {
      expect(wire).not.toContain(toB64u(p.webPub));
      expect(wire).not.toContain(toB64u(p.linkSecret));
    }
  });

  it('[TR-10] polls status at most once per second while the QR is shown', async () => {
    const env = setup({ pollMs: 1000 });
    const { c, ref } = await showQr(env, false);
    env.clock.advance(999);
    expect(c.ofType('status')).toHaveLength(0);
    env.clock.advance(1);
    expect(c.ofType('status')).toEqual([{ t: 'status', ref }]);
    env.clock.advance(3000);
    expect(c.ofType('status')).toHaveLength(4);
    c.push({ t: 'scanned', ref });
    await env.core.settled();
    env.clock.advance(5000);
    expect(c.ofType('status')).toHaveLength(4);
  });

  it('[WEB-1] a status expired hides the QR of the dead ref', async () => {
    const env = setup();
    const { c, ref } = await showQr(env, false);
    c.push({ t: 'status.result', ref, state: 'expired' });
    await env.core.settled();
    expect(env.core.state().qr).toBeNull();
  });

  it('links: confirm tag over T and the box, attach with a fresh epoch, account shown', async () => {
    const env = setup();
    const { c, approval, tag } = await link(env, false);
    expect(verifyConfirm(approval.keys, approval.T, approval.box, tag)).toBe(true);
    const s = env.core.state();
    expect(s).toMatchObject({
      state: 'linked',
      sessionId: SESSION,
      account: { accountId: ACCOUNT.accountId, name: 'Alice' },
    });
    expect(c.last('attach').e).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('[E2E-6] a box that does not open: abort bad_box, error shown, close 1000, fresh hello', async () => {
    const env = setup();
    const { c, ref, payload } = await showQr(env, false);
    c.push({ t: 'scanned', ref });
    const forged = await approve({ ...payload, linkSecret: randomBytes(32) }, ACCOUNT);
    c.push({ t: 'offer', ref, pub: forged.pub, box: forged.box });
    await until(() => env.srv.connections.length === 2 && env.srv.current.sent.length > 0);
    expect(c.last('abort')).toEqual({ t: 'abort', ref, reason: 'bad_box' });
    expect(c.ofType('confirm')).toHaveLength(0);
    expect(c.closedByClient).toBe(1000);
    expect(env.core.state().error?.code).toBe('bad_box');
    expect(env.srv.current.sent[0]).toMatchObject({ t: 'hello' });
    expect(env.states.every((s) => s.account === null)).toBe(true);
  });

  it('[E2E-6] a second offer ends the attempt: abort second_offer', async () => {
    const env = setup();
    const { c, ref, payload } = await showQr(env, false);
    c.push({ t: 'scanned', ref });
    const approval = await approve(payload, ACCOUNT);
    c.push({ t: 'offer', ref, pub: approval.pub, box: approval.box });
    c.push({ t: 'offer', ref, pub: approval.pub, box: approval.box });
    await until(() => c.closedByClient !== undefined);
    expect(c.last('abort')).toEqual({ t: 'abort', ref, reason: 'second_offer' });
    expect(env.core.state().error?.code).toBe('second_offer');
    expect(env.core.state().account).toBeNull();
  });

  it('[E2E-6] an offer for a ref that is not the claimed one: abort bad_offer', async () => {
    const env = setup();
    const { c, ref, payload } = await showQr(env, false);
    c.push({ t: 'scanned', ref });
    const approval = await approve(payload, ACCOUNT);
    c.push({ t: 'offer', ref: newRef(), pub: approval.pub, box: approval.box });
    await until(() => c.closedByClient !== undefined);
    expect(c.last('abort')).toEqual({ t: 'abort', ref, reason: 'bad_offer' });
    expect(c.ofType('confirm')).toHaveLength(0);
  });

  it('[E2E-6] an offer before scanned (no claimed ref) is refused: abort bad_offer', async () => {
    const env = setup();
    const { c, ref, payload } = await showQr(env, false);
    const approval = await approve(payload, ACCOUNT);
    c.push({ t: 'offer', ref, pub: approval.pub, box: approval.box });
    await until(() => c.closedByClient !== undefined);
    expect(c.last('abort')).toMatchObject({ reason: 'bad_offer' });
  });

  it('[E2E-9, WEB-2] linked with another accountId: logout, error, the account is never shown', async () => {
    const env = setup();
    const { c } = await link(env, true, 'SomeoneElseAAAAAAAAAAA');
    expect(c.ofType('logout')).toHaveLength(1);
    expect(c.ofType('attach')).toHaveLength(0);
    const s = env.core.state();
    expect(s.state).toBe('error');
    expect(s.error?.code).toBe('account_mismatch');
    expect(s.tokenStored).toBe(false);
    expect(env.storage.writes).toEqual([]);
    expect(env.states.every((st) => st.account === null)).toBe(true);
    c.push({ t: 'revoked', reason: 'logout' });
    c.serverClose(1000);
    await env.core.settled();
    expect(env.core.state().state).toBe('error');
  });

  it('[E2E-15] keep: false stores no token', async () => {
    const env = setup();
    await link(env, false);
    expect(env.storage.writes).toEqual([]);
    expect(env.core.state().tokenStored).toBe(false);
  });

  it('[E2E-14] keep: true stores one versioned record for the session: exactly token, sessionId, kRoot and the account data; no other secret', async () => {
    const env = setup();
    const { approval, c } = await link(env, true);
    expect(env.storage.writes).toHaveLength(1);
    const json = JSON.parse(env.storage.writes[0] as string) as Record<string, unknown>;
    expect(json).toEqual({
      v: 2,
      sessions: [
        { token: 'TokenOne', sessionId: SESSION, kRoot: toB64u(approval.keys.kRoot), account: { ...ACCOUNT } },
      ],
    });
    expect(env.core.state().tokenStored).toBe(true);
    // linkSecret, webPriv, kP2W, kW2P, prk, the epoch and its keys appear in no write, in no encoding.
    const written = env.storage.writes.join('\n');
    const e = c.last('attach').e as string;
    const forbidden = env.secrets.filter((x) => x.label !== 'kRoot' && x.label !== 'plaintext');
    expect(new Set(forbidden.map((x) => x.label))).toEqual(
      new Set(['linkSecret', 'webPriv', 'prk', 'kP2W', 'kW2P', 'kW2P_e', 'kP2W_e']),
    );
    for (const { label, value } of forbidden) {
      const b = Buffer.from(typeof value === 'string' ? value : value);
      for (const f of [b.toString('base64url'), b.toString('base64'), b.toString('hex')])
        expect(written.includes(f), label).toBe(false);
    }
    expect(written.includes(e)).toBe(false);
  });

  it('[E2E-15] keep: false stores no token even when the server sends one', async () => {
    const env = setup();
    const { c, ref, payload } = await showQr(env, false);
    c.push({ t: 'scanned', ref });
    const approval = await approve(payload, ACCOUNT);
    c.push({ t: 'offer', ref, pub: approval.pub, box: approval.box });
    await env.core.waitFor((s) => s.state === 'confirming');
    c.push({ t: 'linked', sessionId: SESSION, accountId: ACCOUNT.accountId, token: 'Unwanted' });
    await env.core.waitFor((s) => s.state === 'linked');
    expect(env.storage.writes).toEqual([]);
  });

  it('[LINK-4] declined hides the QR and shows why; the next qr shows a fresh code', async () => {
    const env = setup();
    const { c, ref } = await showQr(env, false);
    c.push({ t: 'scanned', ref });
    c.push({ t: 'declined', ref, reason: 'declined' });
    await env.core.settled();
    // [14.6, DRV-7] waiting for the next qr: connecting.
    expect(env.core.state()).toMatchObject({ state: 'connecting', qr: null, error: { code: 'declined' } });
    await showQr(env, false, 2);
  });

  it('[QR-3, DRV-7] qr.exhausted then 4008: state closed, error qr_exhausted', async () => {
    const env = setup();
    const { c } = await showQr(env, false);
    c.push({ t: 'qr.exhausted' });
    c.serverClose(4008);
    await env.core.settled();
    expect(env.core.state().state).toBe('closed');
    expect(env.core.state()).toMatchObject({ qr: null, error: { code: 'qr_exhausted' } });
  });
});

describe('web core: relay', () => {
  it('[E2E-12] seals to_phone under kW2P_e from n = 1; history and send reach the phone', async () => {
    const env = setup();
    const { c, approval } = await link(env, false);
    const e = c.last('attach').e as string;
    env.core.history();
    env.core.sendMessage('c1', 'hi there');
    const frames = c.ofType('to_phone');
    expect(frames.map((f) => f.n)).toEqual([1, 2]);
    const k = epochOf(approval.keys.kRoot, e);
    expect(openOp(k.kW2P, 1, frames[0]?.c as string)).toEqual({ op: 'history', limit: 50 });
    expect(openOp(k.kW2P, 2, frames[1]?.c as string)).toMatchObject({ op: 'send', chatId: 'c1', text: 'hi there' });
  });

  it('[E2E-13, RELAY-18] accepts its own epoch above the high-water only; duplicates re-acked, other epochs and forgeries dropped unacked', async () => {
    const env = setup();
    const { c, approval } = await link(env, false);
    const e = c.last('attach').e as string;
    const k = epochOf(approval.keys.kRoot, e);
    const msg = (id: string, text: string) => ({
      op: 'message',
      message: { id, chatId: 'c1', from: 'Bob', text, at: 1 },
    });
    c.push({ t: 'from_phone', e, n: 2, c: sealOp(k.kP2W, 2, msg('m2', 'two')) });
    await env.core.settled();
    expect(c.ofType('ack')).toEqual([{ t: 'ack', e, n: 2 }]);
    c.push({ t: 'from_phone', e, n: 2, c: sealOp(k.kP2W, 2, msg('m2x', 'replay')) });
    c.push({ t: 'from_phone', e, n: 1, c: sealOp(k.kP2W, 1, msg('m1', 'lower')) });
    const otherE = toB64u(randomBytes(16));
    const ko = epochOf(approval.keys.kRoot, otherE);
    c.push({ t: 'from_phone', e: otherE, n: 3, c: sealOp(ko.kP2W, 3, msg('m3o', 'other epoch')) });
    c.push({ t: 'from_phone', e, n: 3, c: sealOp(ko.kP2W, 3, msg('m3f', 'wrong key')) });
    c.push({ t: 'from_phone', e, n: 4, c: sealOp(k.kW2P, 4, msg('m4f', 'wrong direction')) });
    await env.core.settled();
    expect(env.core.state().messages.map((m) => m.text)).toEqual(['two']);
    // [RELAY-18] each duplicate (n <= high-water) is answered with the cumulative ack of the high-water.
    expect(c.ofType('ack')).toEqual([
      { t: 'ack', e, n: 2 },
      { t: 'ack', e, n: 2 },
      { t: 'ack', e, n: 2 },
    ]);
    expect(env.core.relay?.highWater).toBe(2);
    c.push({ t: 'from_phone', e, n: 5, c: sealOp(k.kP2W, 5, msg('m5', 'five')) });
    await env.core.settled();
    expect(env.core.state().messages.map((m) => m.text)).toEqual(['two', 'five']);
  });

  it('applies history pages: chat list and messages', async () => {
    const env = setup();
    const { c, approval } = await link(env, false);
    const e = c.last('attach').e as string;
    const k = epochOf(approval.keys.kRoot, e);
    const page = {
      op: 'history',
      chats: [{ chatId: 'c1', title: 'Bob' }],
      messages: [{ id: 'x', chatId: 'c1', from: 'Bob', text: 'yo', at: 5 }],
      more: false,
    };
    c.push({ t: 'from_phone', e, n: 1, c: sealOp(k.kP2W, 1, page) });
    await env.core.settled();
    expect(env.core.state()).toMatchObject({ chats: [{ chatId: 'c1', title: 'Bob' }], messages: [{ text: 'yo' }] });
  });

  it('[RELAY-15] after queue_full sends nothing new; after acked re-sends from the refused n in order', async () => {
    const env = setup();
    const { c } = await link(env, false);
    const e = c.last('attach').e as string;
    env.core.sendMessage('c1', 'one');
    env.core.sendMessage('c1', 'two');
    env.core.sendMessage('c1', 'three');
    const before = c.ofType('to_phone');
    c.push({ t: 'queue_full', e, n: 2 });
    await env.core.settled();
    env.core.sendMessage('c1', 'four');
    expect(c.ofType('to_phone')).toHaveLength(3);
    c.push({ t: 'acked', e, n: 1 });
    await env.core.settled();
    const after = c.ofType('to_phone').slice(3);
    expect(after.map((f) => f.n)).toEqual([2, 3, 4]);
    expect(after[0]?.c).toBe(before[1]?.c);
    expect(after[1]?.c).toBe(before[2]?.c);
  });

  it('[RELAY-15, RELAY-17] an acked of another epoch means room: re-send identical; only acked of the own epoch releases', async () => {
    const env = setup();
    const { c, approval } = await link(env, true);
    const e = c.last('attach').e as string;
    env.core.sendMessage('c1', 'one');
    env.core.sendMessage('c1', 'two');
    const before = c.ofType('to_phone');
    c.push({ t: 'queue_full', e, n: 2 });
    await env.core.settled();
    expect(env.core.relay?.blocked).toBe(true);
    env.core.sendMessage('c1', 'three');
    expect(c.ofType('to_phone')).toHaveLength(2);
    const earlier = toB64u(randomBytes(16));
    c.push({ t: 'acked', e: earlier, n: 99 }); // an earlier tab's frames left custody
    await env.core.settled();
    expect(env.core.relay?.blocked).toBe(false);
    const after = c.ofType('to_phone').slice(2);
    expect(after.map((f) => f.n)).toEqual([2, 3]);
    expect(after[0]).toEqual(before[1]);
    // Nothing was released: a re-attachment carries all three operations to the new epoch.
    env.core.close();
    await env.core.reopen();
    const c2 = env.srv.current;
    c2.push({ t: 'resumed', sessionId: SESSION, accountId: ACCOUNT.accountId, token: 'TokenTwo' });
    await env.core.waitFor((s) => s.state === 'linked');
    const k2 = epochOf(approval.keys.kRoot, c2.last('attach').e as string);
    const texts = c2
      .ofType('to_phone')
      .map((f) => (openOp(k2.kW2P, f.n as number, f.c as string) as { text: string }).text);
    expect(texts).toEqual(['one', 'two', 'three']);
  });

  it('[RELAY-17] acked of the own epoch releases the held operations it covers', async () => {
    const env = setup();
    const { c, approval } = await link(env, true);
    const e = c.last('attach').e as string;
    env.core.sendMessage('c1', 'one');
    env.core.sendMessage('c1', 'two');
    c.push({ t: 'acked', e, n: 1 });
    await env.core.settled();
    env.core.close();
    await env.core.reopen();
    const c2 = env.srv.current;
    c2.push({ t: 'resumed', sessionId: SESSION, accountId: ACCOUNT.accountId, token: 'TokenTwo' });
    await env.core.waitFor((s) => s.state === 'linked');
    const k2 = epochOf(approval.keys.kRoot, c2.last('attach').e as string);
    const texts = c2
      .ofType('to_phone')
      .map((f) => (openOp(k2.kW2P, f.n as number, f.c as string) as { text: string }).text);
    expect(texts).toEqual(['two']);
  });

  it('phone {online} drives the offline banner', async () => {
    const env = setup();
    const { c } = await link(env, false);
    c.push({ t: 'phone', online: false });
    await env.core.settled();
    expect(env.core.state().phoneOnline).toBe(false);
    c.push({ t: 'phone', online: true });
    await env.core.settled();
    expect(env.core.state().phoneOnline).toBe(true);
  });
});

describe('web core: sessions', () => {
  it('[E2E-10] resume attaches with a fresh epoch and n restarts at 1; unacked ops are re-sealed', async () => {
    const env = setup();
    const { c, approval } = await link(env, true);
    const e1 = c.last('attach').e as string;
    env.core.sendMessage('c1', 'pending');
    env.core.close();
    await env.core.reopen();
    const c2 = env.srv.current;
    expect(c2.sent[0]).toEqual({ t: 'resume', token: 'TokenOne' });
    c2.push({ t: 'resumed', sessionId: SESSION, accountId: ACCOUNT.accountId, token: 'TokenTwo' });
    await env.core.waitFor((s) => s.state === 'linked');
    const e2 = c2.last('attach').e as string;
    expect(e2).not.toBe(e1);
    expect(storedToken(env.storage)).toBe('TokenTwo');
    const resent = c2.ofType('to_phone');
    expect(resent.map((f) => f.n)).toEqual([1]);
    expect(openOp(epochOf(approval.keys.kRoot, e2).kW2P, 1, resent[0]?.c as string)).toMatchObject({ text: 'pending' });
  });

  it('[SESS-14, WEB-3] revoked unlinked wipes the token and keys and shows why', async () => {
    const env = setup();
    const { c } = await link(env, true);
    c.push({ t: 'revoked', reason: 'unlinked' });
    c.serverClose(4003);
    await env.core.settled();
    expect(env.core.state()).toMatchObject({
      state: 'revoked',
      revokedReason: 'unlinked',
      tokenStored: false,
      account: null,
      sessionId: null,
      messages: [],
    });
    expect(() => env.core.sendMessage('c1', 'x')).toThrow(/not linked/);
  });

  it('[SESS-14, E2E-14] 4401 on resume deletes that record; with none left the client links afresh', async () => {
    const env = setup();
    storeRecord(env.storage, 'Forged', randomBytes(32));
    env.core.configure('ws://fake', true);
    await env.core.reopen();
    const c = env.srv.current;
    expect(c.sent[0]).toEqual({ t: 'resume', token: 'Forged' });
    c.push({ t: 'error', code: 'unauthorized', detail: 'unknown token' });
    c.serverClose(4401);
    await until(() => env.srv.connections.length === 2 && env.srv.current.sent.length > 0);
    expect(env.srv.current.sent[0]).toMatchObject({ t: 'hello', v: 1, keep: true });
    expect(env.core.state()).toMatchObject({ state: 'connecting', tokenStored: false, account: null });
  });

  it('[SESS-14, E2E-14] a bare close 4401 after resume deletes that record and tries the next most recent', async () => {
    const env = setup();
    storeRecord(env.storage, 'OlderToken', randomBytes(32), ACCOUNT, OTHER);
    storeRecord(env.storage, 'NewerToken', randomBytes(32));
    env.core.configure('ws://fake', true);
    await env.core.reopen();
    expect(env.srv.current.sent[0]).toEqual({ t: 'resume', token: 'NewerToken' }); // most recently written first
    env.srv.current.serverClose(4401);
    await until(() => env.srv.connections.length === 2 && env.srv.current.sent.length > 0);
    expect(storedToken(env.storage)).toBeUndefined();
    const c2 = env.srv.current;
    expect(c2.sent[0]).toEqual({ t: 'resume', token: 'OlderToken' });
    c2.push({ t: 'resumed', sessionId: OTHER, accountId: ACCOUNT.accountId, token: 'OlderNext' });
    await env.core.waitFor((s) => s.state === 'linked');
    expect(env.core.state().sessionId).toBe(OTHER);
    expect(storedToken(env.storage, OTHER)).toBe('OlderNext');
  });

  it('[WEB-6, SESS-9] logout drops the keys at once but keeps the record marked logout-pending until revoked logout', async () => {
    const env = setup();
    const { c } = await link(env, true);
    env.core.logout();
    expect(c.last('logout')).toEqual({ t: 'logout' });
    expect(env.core.state()).toMatchObject({ state: 'logged_out', tokenStored: true, account: null, sessionId: null });
    expect(new KeptSessionStore(env.storage).get(SESSION)).toMatchObject({ token: 'TokenOne', logoutPending: true });
    c.push({ t: 'revoked', reason: 'logout' });
    c.serverClose(4000);
    await env.core.settled();
    expect(env.core.state()).toMatchObject({ state: 'logged_out', tokenStored: false });
    expect(env.storage.read()).toBeUndefined();
  });

  it('[WEB-6, SESS-14] logout crossed by a takeover (conflict): the record stays marked; the next open resumes it, logs out first, then links afresh', async () => {
    const env = setup();
    const { c, approval } = await link(env, true);
    storeRecord(env.storage, 'TabBToken', approval.keys.kRoot); // tab B's resume wrote its successor
    env.core.logout();
    c.push({ t: 'revoked', reason: 'conflict' }); // tab B's resume reached the server first
    c.serverClose(4002);
    await env.core.settled();
    expect(new KeptSessionStore(env.storage).get(SESSION)).toMatchObject({ token: 'TabBToken', logoutPending: true });
    // The next open (any tab on this storage): resume the pending record and send logout before anything else.
    const next = setup({ storage: env.storage });
    next.core.configure('ws://fake', true);
    await next.core.reopen();
    const r = next.srv.current;
    expect(r.sent).toEqual([{ t: 'resume', token: 'TabBToken' }]);
    r.push({ t: 'resumed', sessionId: SESSION, accountId: ACCOUNT.accountId, token: 'TokenFour' });
    await next.core.settled();
    expect(r.types).toEqual(['resume', 'logout']); // no attach: nothing is shown
    expect(next.core.state()).toMatchObject({ state: 'resuming', account: null });
    expect(new KeptSessionStore(env.storage).get(SESSION)).toMatchObject({ token: 'TokenFour', logoutPending: true });
    r.push({ t: 'revoked', reason: 'logout' });
    r.serverClose(4000);
    await until(() => next.srv.connections.length === 2 && next.srv.current.sent.length > 0);
    expect(env.storage.read()).toBeUndefined();
    expect(next.srv.current.sent[0]).toMatchObject({ t: 'hello' });
  });

  it('[WEB-6] a logout-pending record whose connection closes before revoked stays marked for the next open', async () => {
    const env = setup();
    storeRecord(env.storage, 'Pending', randomBytes(32), ACCOUNT, SESSION, true);
    env.core.configure('ws://fake', true);
    await env.core.reopen();
    const c = env.srv.current;
    c.push({ t: 'resumed', sessionId: SESSION, accountId: ACCOUNT.accountId, token: 'PendingNext' });
    await env.core.settled();
    expect(c.types).toEqual(['resume', 'logout']);
    c.serverClose(1006); // network gone before revoked logout
    await env.core.settled();
    expect(env.core.state().state).toBe('closed');
    expect(new KeptSessionStore(env.storage).get(SESSION)).toMatchObject({ token: 'PendingNext', logoutPending: true });
  });

  it('[SESS-14, E2E-14] 4401 on resume leaves a record another tab wrote meanwhile, and tries it next', async () => {
    const env = setup();
    const kRoot = randomBytes(32);
    storeRecord(env.storage, 'Forged', kRoot);
    env.core.configure('ws://fake', true);
    await env.core.reopen();
    const c = env.srv.current;
    storeRecord(env.storage, 'OtherTab', kRoot);
    c.push({ t: 'error', code: 'unauthorized', detail: 'unknown token' });
    c.serverClose(4401);
    await until(() => env.srv.connections.length === 2 && env.srv.current.sent.length > 0);
    expect(storedToken(env.storage)).toBe('OtherTab');
    expect(env.srv.current.sent[0]).toEqual({ t: 'resume', token: 'OtherTab' });
  });

  it('[SESS-14] revoked conflict deletes no record, even one whose token this connection holds (the tab that took over presented it)', async () => {
    const env = setup();
    const { c } = await link(env, true); // the stored token is TokenOne, received by this connection
    c.push({ t: 'revoked', reason: 'conflict' }); // tab B presented TokenOne; its resumed is not stored yet
    c.serverClose(4002);
    await env.core.settled();
    expect(env.core.state()).toMatchObject({
      state: 'revoked',
      revokedReason: 'conflict',
      account: null,
      sessionId: null,
    });
    expect(storedToken(env.storage)).toBe('TokenOne');
  });

  it('[SESS-14] revoked with a reason other than conflict deletes only that session’s record', async () => {
    const env = setup();
    storeRecord(env.storage, 'Elsewhere', randomBytes(32), ACCOUNT, OTHER);
    const { c } = await link(env, true);
    c.push({ t: 'revoked', reason: 'replaced' });
    c.serverClose(4003);
    await env.core.settled();
    expect(storedToken(env.storage)).toBeUndefined();
    expect(storedToken(env.storage, OTHER)).toBe('Elsewhere');
  });

  it('[E2E-14] a late linked of one session never overwrites another session’s record (one record per session)', async () => {
    const env = setup();
    storeRecord(env.storage, 'TabBToken', randomBytes(32), ACCOUNT, OTHER); // tab B linked its session first
    await link(env, true); // tab A's linked (of the session B's replaced) arrives late
    expect(storedToken(env.storage, OTHER)).toBe('TabBToken');
    expect(storedToken(env.storage)).toBe('TokenOne');
    const order = decodeKeptSessions(env.storage.read());
    expect(order.kind === 'ok' && order.records.map((r) => r.sessionId)).toEqual([SESSION, OTHER]);
  });

  it('[WEB-3, SESS-14] revoked conflict leaves another tab’s record alone; "use here" resumes with it', async () => {
    const env = setup();
    const { c, approval } = await link(env, true);
    storeRecord(env.storage, 'TabBToken', approval.keys.kRoot); // tab B resumed and stored its successor
    c.push({ t: 'revoked', reason: 'conflict' });
    c.serverClose(4002);
    await env.core.settled();
    expect(env.core.state()).toMatchObject({ state: 'revoked', revokedReason: 'conflict', tokenStored: true });
    await env.core.reopen();
    expect(env.srv.current.sent[0]).toEqual({ t: 'resume', token: 'TabBToken' });
    env.srv.current.push({ t: 'resumed', sessionId: SESSION, accountId: ACCOUNT.accountId, token: 'TokenThree' });
    await env.core.waitFor((s) => s.state === 'linked');
  });

  it('[E2E-14, E2E-11] a new client instance on the same storage resumes and reads the session with the stored kRoot', async () => {
    const first = setup();
    const { approval } = await link(first, true);
    first.core.close();
    // A reloaded page / restarted process: a new core, nothing in memory, the same storage.
    const env = setup({ storage: first.storage });
    env.core.configure('ws://fake', true);
    await env.core.reopen();
    const c = env.srv.current;
    expect(c.sent[0]).toEqual({ t: 'resume', token: 'TokenOne' });
    c.push({ t: 'resumed', sessionId: SESSION, accountId: ACCOUNT.accountId, token: 'TokenTwo' });
    await env.core.waitFor((s) => s.state === 'linked');
    expect(env.core.state()).toMatchObject({ sessionId: SESSION, account: { name: 'Alice' }, error: null });
    expect(storedToken(env.storage)).toBe('TokenTwo');
    const e = c.last('attach').e as string;
    const k = epochOf(approval.keys.kRoot, e); // fresh epoch keys from the stored kRoot
    env.core.history();
    expect(openOp(k.kW2P, 1, c.last('to_phone').c as string)).toEqual({ op: 'history', limit: 50 });
    const page = { op: 'history', chats: [{ chatId: 'c1', title: 'Bob' }], messages: [], more: false };
    c.push({ t: 'from_phone', e, n: 1, c: sealOp(k.kP2W, 1, page) });
    await env.core.settled();
    expect(env.core.state().chats).toEqual([{ chatId: 'c1', title: 'Bob' }]);
    expect(c.ofType('ack')).toEqual([{ t: 'ack', e, n: 1 }]);
  });

  it('[WEB-5, SESS-14] resumed with another accountId: logout, the stored record wiped, error account_mismatch', async () => {
    const env = setup();
    storeRecord(env.storage, 'Stored', randomBytes(32));
    env.core.configure('ws://fake', true);
    await env.core.reopen();
    const c = env.srv.current;
    c.push({ t: 'resumed', sessionId: SESSION, accountId: 'SomeoneElseAAAAAAAAAAA', token: 'Next' });
    await env.core.settled();
    expect(c.types).toEqual(['resume', 'logout']);
    expect(env.core.state()).toMatchObject({ state: 'error', error: { code: 'account_mismatch' }, account: null });
    expect(env.core.state().tokenStored).toBe(false);
  });

  it('[E2E-14] a corrupt or incomplete stored record: reopen fails with bad_storage and connects nowhere', async () => {
    for (const text of ['not json', JSON.stringify({ v: 1, token: 'T', sessionId: SESSION })]) {
      const env = setup();
      env.storage.write(text);
      env.core.configure('ws://fake', true);
      await expect(env.core.reopen()).rejects.toMatchObject({ code: 'failed' });
      expect(env.core.state()).toMatchObject({ state: 'error', error: { code: 'bad_storage' }, tokenStored: false });
      expect(env.srv.connections).toHaveLength(0);
      expect(env.storage.read()).toBe(text);
    }
  });

  it('[DRV-5, DRV-7] a failed handshake: the command fails and the state is error connect_failed', async () => {
    const env = setup();
    env.srv.autoOpen = false;
    const opening = env.core.open('ws://fake', false);
    env.srv.current.serverClose(1006);
    await expect(opening).rejects.toMatchObject({ code: 'failed' });
    expect(env.core.state()).toMatchObject({ state: 'error', error: { code: 'connect_failed' } });
  });

  it('[14.6] a close without revoked is closed for a network/normal close, error for an unexpected code', async () => {
    for (const [code, state] of [
      [1006, 'closed'],
      [1012, 'closed'],
      [4000, 'error'],
      [1011, 'error'],
    ] as const) {
      const env = setup();
      const { c } = await link(env, true);
      c.serverClose(code);
      await env.core.settled();
      expect(env.core.state(), String(code)).toMatchObject({ state, error: { code: 'closed' } });
      expect(env.core.state().tokenStored).toBe(true); // nothing wiped without revoked
    }
  });

  it('ignores frames that break the schema without crashing', async () => {
    const env = setup();
    const { c } = await showQr(env, false);
    c.push('not json');
    c.push({ t: 'offer', ref: 'short' });
    c.push({ t: 'nonsense' });
    await env.core.settled();
    expect(env.core.state().state).toBe('qr');
  });
});

describe('web core: hostile server input', () => {
  const seed = process.env.QRLINK_SEED ? Number(process.env.QRLINK_SEED) : undefined;

  it('a frame that breaks the schema never changes the state nor makes the client send anything', async () => {
    const env = setup();
    const { c } = await link(env, true);
    const e = c.last('attach').e as string;
    const valid: Record<string, unknown>[] = [
      { t: 'from_phone', e, n: 1, c: 'A'.repeat(24) },
      { t: 'acked', e, n: 1 },
      { t: 'queue_full', e, n: 1 },
      { t: 'phone', online: false },
      { t: 'revoked', reason: 'unlinked' },
      { t: 'qr', ref: newRef(), ttlMs: 1, n: 1, of: 6 },
      { t: 'offer', ref: newRef(), pub: toB64u(randomBytes(32)), box: toB64u(randomBytes(40)) },
      { t: 'linked', sessionId: 'S', accountId: 'A' },
      { t: 'error', code: 'unauthorized', detail: 'x' },
    ];
    const mutated = fc.tuple(fc.constantFrom(...valid), fc.nat(), fc.anything()).map(([f, i, value]) => {
      const keys = Object.keys(f);
      return JSON.stringify({ ...f, [keys[i % keys.length] as string]: value });
    });
    const hostile = fc.oneof(fc.string(), fc.json(), mutated);
    const { parseFrame } = await import('../../model/protocol/parse.js');
    await fc.assert(
      fc.asyncProperty(fc.array(hostile, { maxLength: 20 }), async (texts) => {
        const bad = texts.filter((t) => !parseFrame('server-to-web', t).ok);
        const before = JSON.stringify(env.core.state());
        const sent = c.sent.length;
        for (const t of bad) c.push(t);
        await env.core.settled();
        expect(JSON.stringify(env.core.state())).toBe(before);
        expect(c.sent.length).toBe(sent);
      }),
      { numRuns: 60, ...(seed !== undefined ? { seed } : {}) },
    );
  });
});
