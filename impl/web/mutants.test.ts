import { describe, expect, it } from 'vitest';
import { fromB64u, toB64u } from '../../model/protocol/encoding.js';
import { parseQr } from '../../model/protocol/qr-payload.js';
import { type AccountData, approve, epochKeys, randomBytes, sealOp } from '../crypto/index.js';
import { startWeb } from './index.js';
import { UnknownWebMutantError, type WebMutantId, webMutantIds, webMutants } from './mutants.js';
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

function setup(mutants: WebMutantId[]) {
  const srv = new ScriptedServer();
  const storage = new MemoryStorageSlot();
  const core = new WebCore({ connector: srv.connector, storage, pollMs: 0, mutants });
  return { srv, storage, core };
}
type Env = ReturnType<typeof setup>;

async function showQr(env: Env, keep: boolean, n = 1) {
  if (env.core.state().state === 'idle') await env.core.open('ws://fake', keep);
  const c = env.srv.current;
  const ref = toB64u(randomBytes(16));
  c.push({ t: 'qr', ref, ttlMs: 60_000, n, of: 6 });
  const s = await env.core.waitFor((st) => st.qrN === n && st.qr !== null && parseQr(st.qr).text.ref === ref);
  return { c, ref, payload: parseQr(s.qr as string) };
}

/** Scanned and offered an honest box; resolves in `confirming`. */
async function offered(env: Env, keep: boolean) {
  const q = await showQr(env, keep);
  q.c.push({ t: 'scanned', ref: q.ref });
  const approval = await approve(q.payload, ACCOUNT);
  q.c.push({ t: 'offer', ref: q.ref, pub: approval.pub, box: approval.box });
  await env.core.waitFor((s) => s.state === 'confirming');
  return { ...q, approval };
}

async function linked(env: Env, keep: boolean, token?: string) {
  const o = await offered(env, keep);
  o.c.push({ t: 'linked', sessionId: SESSION, accountId: ACCOUNT.accountId, ...(token ? { token } : {}) });
  await env.core.waitFor((s) => s.state === 'linked');
  const e = o.c.last('attach').e as string;
  const keys = epochKeys(o.approval.keys.kRoot, fromB64u(e) as Uint8Array);
  const fromPhone = (n: number, op: object) => ({ t: 'from_phone', e, n, c: sealOp(keys.kP2W, n, op) });
  return { ...o, e, fromPhone };
}

const msg = (id: string, text: string, at: number) => ({
  op: 'message',
  message: { id, chatId: 'c1', from: 'me', text, at },
});

/** Each scenario returns what the user or the server can observe; `faulty` is the mutant's value. */
const scenarios: Record<WebMutantId, { run: (env: Env) => Promise<unknown>; good: unknown; faulty: unknown }> = {
  'web.accepts-forged-offer': {
    async run(env) {
      const q = await showQr(env, false);
      q.c.push({ t: 'scanned', ref: q.ref });
      const other = await approve({ ...q.payload, linkSecret: randomBytes(32) }, ACCOUNT); // wrong key
      q.c.push({ t: 'offer', ref: q.ref, pub: other.pub, box: other.box });
      await env.core.waitFor((s) => s.state === 'confirming' || s.error?.code === 'bad_box');
      return env.srv.connections[0]?.types.slice(1, 2);
    },
    good: ['abort'],
    faulty: ['confirm'],
  },
  'web.accepts-replay': {
    async run(env) {
      const l = await linked(env, false);
      l.c.push(l.fromPhone(1, msg('m1', 'first', 1)));
      l.c.push(l.fromPhone(2, msg('m1', 'edited', 1)));
      l.c.push(l.fromPhone(1, msg('m1', 'first', 1))); // replayed
      l.c.push(l.fromPhone(3, msg('m2', 'later', 2)));
      const s = await env.core.waitFor((st) => st.messages.some((m) => m.id === 'm2'));
      return s.messages.find((m) => m.id === 'm1')?.text;
    },
    good: 'edited',
    faulty: 'first',
  },
  'web.ignores-account-mismatch': {
    async run(env) {
      const o = await offered(env, false);
      o.c.push({ t: 'linked', sessionId: SESSION, accountId: 'SomeoneElseXXXXXXXXXXX' });
      const s = await env.core.waitFor((st) => st.state !== 'confirming');
      return { state: s.state, account: s.account?.accountId ?? null };
    },
    good: { state: 'error', account: null },
    faulty: { state: 'linked', account: ACCOUNT.accountId },
  },
  'web.shows-account-before-linked': {
    async run(env) {
      await offered(env, false);
      return env.core.state().account?.name ?? null;
    },
    good: null,
    faulty: 'Alice',
  },
  'web.keeps-token-without-keep': {
    async run(env) {
      await linked(env, false, 'TokenFromABrokenServer');
      return env.core.state().tokenStored;
    },
    good: false,
    faulty: true,
  },
  'web.reuses-qr-key': {
    async run(env) {
      const a = await showQr(env, false, 1);
      const b = await showQr(env, false, 2);
      return toB64u(a.payload.linkSecret) === toB64u(b.payload.linkSecret);
    },
    good: false,
    faulty: true,
  },
  'web.accepts-second-offer': {
    async run(env) {
      const o = await offered(env, false);
      o.c.push({ t: 'offer', ref: o.ref, pub: o.approval.pub, box: o.approval.box });
      o.c.push({ t: 'phone', online: true }); // a later frame: once handled, the offer was too
      await env.core.waitFor((s) => s.phoneOnline === true || s.state !== 'confirming');
      return o.c.ofType('abort').map((f) => f.reason);
    },
    good: ['second_offer'],
    faulty: [],
  },
  'web.wipes-on-conflict': {
    async run(env) {
      const l = await linked(env, true, 'TokenOne');
      l.c.push({ t: 'revoked', reason: 'conflict' });
      await env.core.waitFor((s) => s.state === 'revoked');
      return env.core.state().tokenStored;
    },
    good: true,
    faulty: false,
  },
  'web.no-ack': {
    async run(env) {
      const l = await linked(env, false);
      l.c.push(l.fromPhone(1, msg('m1', 'hi', 1)));
      await env.core.waitFor((s) => s.messages.length === 1);
      return l.c.ofType('ack').map((f) => f.n);
    },
    good: [1],
    faulty: [],
  },
};

describe('web mutants: each fault is live only when switched on', () => {
  it('the catalogue has an entry per scenario, role web, ids web.<fault>', () => {
    expect(Object.keys(scenarios).sort()).toEqual([...webMutantIds].sort());
    for (const m of webMutants) {
      expect(m.id).toMatch(/^web\.[a-z-]+$/);
      expect(m.role).toBe('web');
      expect(m.clauses.length).toBeGreaterThan(0);
    }
  });

  for (const m of webMutants) {
    const sc = scenarios[m.id];
    it(`${m.id} [${m.clauses[0]}]: off behaves, on shows the fault`, async () => {
      expect(await sc.run(setup([]))).toEqual(sc.good);
      expect(await sc.run(setup([m.id]))).toEqual(sc.faulty);
    });
  }

  it('an unknown id is refused with an error naming it and the valid ones', async () => {
    expect(() => setup(['web.nope' as WebMutantId])).toThrow(UnknownWebMutantError);
    await expect(startWeb({ mutants: ['web.nope', 'web.no-ack', 'web.also-nope'] })).rejects.toThrow(
      /"web\.nope", "web\.also-nope".*web\.accepts-forged-offer/,
    );
  });
});
