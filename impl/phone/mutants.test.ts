import { describe, expect, it } from 'vitest';
import { fromB64u, toB64u } from '../../model/protocol/encoding.js';
import { ManualClock } from '../client-clock.js';
import { acceptOffer, epochKeys, makeQr, randomBytes, sealOp } from '../crypto/index.js';
import { until } from '../until.harness.js';
import { ScriptedServer } from '../web/scripted-server.js';
import { startPhone } from './index.js';
import {
  type PhoneMutantId,
  phoneMutantIds,
  phoneMutantSet,
  phoneMutants,
  UnknownPhoneMutantError,
} from './mutants.js';
import { PhoneCore } from './phone-core.js';
import { MemoryPhoneState } from './phone-state.js';

const PHONE = '+15551234567';
const SESSION = 'SessionSSSSSSSSSSSSSSS';
const DEVICE = { name: 'Firefox on Linux', platform: 'web' };

/** A registered phone with `mutants` on, talking to a scripted server. */
async function registered(mutants: PhoneMutantId[] = [], state?: MemoryPhoneState) {
  const srv = new ScriptedServer();
  const core = new PhoneCore({
    connector: srv.connector,
    clock: new ManualClock(),
    consentMs: 0,
    mutants: phoneMutantSet(mutants),
    ...(state ? { state } : {}),
  });
  await core.connect('ws://fake');
  const c = srv.current;
  core.register(PHONE);
  await core.code('1234');
  c.push({ t: 'register.ok', accountId: 'AccountAAAAAAAAAAAAAAA', deviceToken: 'DeviceTokenDDDD' });
  return { srv, core, c };
}
type Env = Awaited<ReturnType<typeof registered>>;

async function toConsent(env: Env) {
  const ref = toB64u(randomBytes(16));
  const { qr, secrets } = await makeQr(ref);
  env.core.scan(qr);
  env.c.push({ t: 'link.claimed', ref, device: DEVICE, address: '203.0.113.9', requestedAt: 1, keep: true });
  return { ref, qr, secrets };
}

async function attached(env: Env) {
  const w = await toConsent(env);
  await env.core.approve();
  const web = await acceptOffer(w.secrets, fromB64u(w.ref) as Uint8Array, env.c.last('link.approve') as never);
  env.c.push({ t: 'link.confirm', ref: w.ref, tag: web.tag });
  env.c.push({ t: 'link.ok', ref: w.ref, sessionId: SESSION });
  const eBytes = randomBytes(16);
  const e = toB64u(eBytes);
  env.c.push({ t: 'web.attached', sessionId: SESSION, e });
  return { e, keys: epochKeys(web.keys.kRoot, eBytes) };
}

/** (e, n) pairs the phone sealed two different ciphertexts under. */
function reusedNonces(frames: Record<string, unknown>[]): string[] {
  const seen = new Map<string, unknown>();
  const out: string[] = [];
  for (const f of frames) {
    const key = `${f.e}/${f.n}`;
    if (seen.has(key) && seen.get(key) !== f.c) out.push(key);
    seen.set(key, f.c);
  }
  return out;
}

describe('phone mutants: catalogue', () => {
  it('has at least 6 phone mutants, each with a description and clauses', () => {
    expect(phoneMutants.length).toBeGreaterThanOrEqual(6);
    for (const m of phoneMutants) {
      expect(m.id).toMatch(/^phone\.[a-z-]+$/);
      expect(m.role).toBe('phone');
      expect(m.description.length).toBeGreaterThan(10);
      expect(m.clauses.length).toBeGreaterThan(0);
    }
  });

  it('startPhone rejects unknown mutant ids, naming every one', async () => {
    await expect(startPhone({ mutants: ['phone.nope', 'phone.reuses-counter', 'server.x'] })).rejects.toThrow(
      /unknown phone mutants "phone\.nope", "server\.x"; valid mutants: phone\./,
    );
    expect(() => phoneMutantSet(['x'])).toThrow(UnknownPhoneMutantError);
    const p = await startPhone({ mutants: [...phoneMutantIds] });
    await p.close();
  });
});

describe('phone mutants: each fault is live when on, absent when off', () => {
  it('phone.approves-without-user [PHONE-1]: link.claimed alone leads to link.approve', async () => {
    const off = await registered();
    await toConsent(off);
    expect(off.c.ofType('link.approve')).toHaveLength(0);
    const on = await registered(['phone.approves-without-user']);
    await toConsent(on);
    await until(() => on.c.ofType('link.approve').length === 1);
    expect(on.core.state().state).toBe('approving');
  });

  it('phone.approves-rotated-ref [CONS-2]: the consent screen survives link.error and approve goes out', async () => {
    for (const [mutants, approves] of [
      [[], false],
      [['phone.approves-rotated-ref'], true],
    ] as const) {
      const env = await registered([...mutants]);
      const w = await toConsent(env);
      env.c.push({ t: 'link.error', ref: w.ref, reason: 'expired_ref' });
      if (approves) {
        expect(env.core.state().state).toBe('consenting');
        await env.core.approve();
        expect(env.c.last('link.approve')).toMatchObject({ ref: w.ref });
      } else {
        expect(env.core.state()).toMatchObject({ state: 'ready', consent: null });
        await expect(env.core.approve()).rejects.toMatchObject({ code: 'bad_state' });
      }
    }
  });

  it('phone.reuses-counter [E2E-12]: two relay frames share one n', async () => {
    for (const [mutants, reused] of [
      [[], 0],
      [['phone.reuses-counter'], 1],
    ] as const) {
      const env = await registered([...mutants]);
      await attached(env);
      env.core.receiveMessage('c1', 'Bob', 'one');
      env.core.receiveMessage('c1', 'Bob', 'two');
      const ns = env.c.ofType('to_web').map((f) => f.n);
      expect(ns).toEqual(reused ? [1, 1] : [1, 2]);
      expect(reusedNonces(env.c.ofType('to_web'))).toHaveLength(reused);
    }
  });

  it('phone.skips-confirm-check [E2E-8]: a forged tag is finalized', async () => {
    for (const [mutants, finalizes] of [
      [[], false],
      [['phone.skips-confirm-check'], true],
    ] as const) {
      const env = await registered([...mutants]);
      const w = await toConsent(env);
      await env.core.approve();
      env.c.push({ t: 'link.confirm', ref: w.ref, tag: toB64u(randomBytes(16)) });
      expect(env.c.ofType('link.finalize')).toHaveLength(finalizes ? 1 : 0);
      expect(env.c.ofType('link.decline')).toHaveLength(finalizes ? 0 : 1);
    }
  });

  it('phone.leaks-link-secret [E2E-5]: link.approve carries the QR linkSecret', async () => {
    for (const [mutants, leaks] of [
      [[], false],
      [['phone.leaks-link-secret'], true],
    ] as const) {
      const env = await registered([...mutants]);
      const w = await toConsent(env);
      await env.core.approve();
      const secret = toB64u(w.secrets.linkSecret);
      expect(JSON.stringify(env.c.last('link.approve')).includes(secret)).toBe(leaks);
    }
  });

  it('phone.reseals-on-repeated-epoch [RELAY-14]: the flush after a reconnect re-seals from n = 1 under a used key', async () => {
    for (const [mutants, reused] of [
      [[], false],
      [['phone.reseals-on-repeated-epoch'], true],
    ] as const) {
      const env = await registered([...mutants]);
      const { e } = await attached(env);
      env.core.receiveMessage('c1', 'Bob', 'one');
      env.core.receiveMessage('c1', 'Bob', 'two');
      env.c.push({ t: 'acked', sessionId: SESSION, e, n: 1 });
      const sent = [...env.c.ofType('to_web')];
      await env.core.setOnline(false);
      await env.core.setOnline(true);
      const c2 = env.srv.current;
      c2.push({
        t: 'auth.ok',
        accountId: 'AccountAAAAAAAAAAAAAAA',
        sessions: [{ sessionId: SESSION, device: DEVICE, keep: true }],
      });
      c2.push({ t: 'web.attached', sessionId: SESSION, e });
      const all = [...sent, ...c2.ofType('to_web')];
      expect(reusedNonces(all).length > 0).toBe(reused);
    }
  });

  it('phone.accepts-replay [E2E-13]: a replayed history request is served twice', async () => {
    for (const [mutants, pages] of [
      [[], 1],
      [['phone.accepts-replay'], 2],
    ] as const) {
      const env = await registered([...mutants]);
      const { e, keys } = await attached(env);
      const f = { t: 'from_web', sessionId: SESSION, e, n: 1, c: sealOp(keys.kW2P, 1, { op: 'history', limit: 5 }) };
      env.c.push(f);
      env.c.push(f);
      expect(env.c.ofType('to_web')).toHaveLength(pages);
      expect(env.c.ofType('ack')).toHaveLength(2);
    }
  });

  it('phone.ignores-queue-full [RELAY-15]: new frames keep coming after queue_full', async () => {
    for (const [mutants, sent] of [
      [[], 1],
      [['phone.ignores-queue-full'], 2],
    ] as const) {
      const env = await registered([...mutants]);
      const { e } = await attached(env);
      env.core.receiveMessage('c1', 'Bob', 'one');
      env.c.push({ t: 'queue_full', sessionId: SESSION, e, n: 1 });
      env.core.receiveMessage('c1', 'Bob', 'two');
      expect(env.c.ofType('to_web')).toHaveLength(sent);
    }
  });
});

describe('phone reset [DRV-13]', () => {
  it('closes the connection with 1000 and forgets token, identity, number, account, sessions, server and the state file', async () => {
    const store = new MemoryPhoneState();
    const env = await registered([], store);
    await attached(env);
    env.core.receiveMessage('c1', 'Bob', 'extra');
    expect(store.text).toBeDefined();
    const firstIdentity = (env.c.last('register.verify') as { identityKey: string }).identityKey;
    const conn = env.srv.current;
    const state = env.core.reset();
    expect(conn.closedByClient).toBe(1000);
    expect(state).toEqual({ state: 'idle', phone: null, accountId: null, consent: null, sessions: [], error: null });
    expect(store.text).toBeUndefined();
    expect(env.core.store.messagesOf('c1').some((m) => m.text === 'extra')).toBe(false);
    // No server is known any more; a new connect starts unregistered (no auth with an old token).
    await expect(env.core.setOnline(true)).rejects.toMatchObject({ code: 'bad_state' });
    await env.core.connect('ws://fake2');
    expect(env.core.state().state).toBe('unregistered');
    expect(env.srv.current.ofType('auth')).toHaveLength(0);
    env.core.register(PHONE);
    await env.core.code('1234');
    expect((env.srv.current.last('register.verify') as { identityKey: string }).identityKey).not.toBe(firstIdentity);
  });
});
