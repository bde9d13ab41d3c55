/**
 * The server mutants (mutants.ts): for each one, a scenario run twice, against the reference server
 * (which behaves per spec) and against the server with that one mutant on (which shows the fault),
 * with the clause it breaks in the test name. Plus the catalogue itself: every entry has a scenario,
 * cites real server clauses, and unknown ids are refused by name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { loadClauses } from '../../model/protocol/clauses.js';
import type { Config } from '../../model/protocol/config.js';
import { type ServerMutantId, serverMutantIds, serverMutantSet, serverMutants, UnknownMutantError } from './mutants.js';
import { type ServerOptions, startServer } from './server.js';
import {
  authPhone,
  type Harness,
  harness,
  helloWeb,
  link,
  newNumber,
  rand,
  registerPhone,
  resume,
} from './test-fixture.js';
import type { TestPeer } from './test-peer.js';

const running: Harness[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.close()));
});

/** A conformance-mode server on port 0, with `mutant` on (null: the reference behaviour). */
async function serverWith(mutant: ServerMutantId | null, config?: Partial<Config>): Promise<Harness> {
  // test-fixture's `server` option is typed for origins and claimFailureLimit only; `mutants` rides along
  // in the same spread into startServer (claimFailureLimit false is the conformance-mode default)
  const server: Pick<ServerOptions, 'claimFailureLimit'> = Object.assign(
    { claimFailureLimit: false as const },
    mutant === null ? {} : { mutants: [mutant] },
  );
  const h = await harness({ server, ...(config ? { config } : {}) });
  running.push(h);
  return h;
}

type AnyFrame = { t: string; code?: string; reason?: string };

/**
 * How a connection stands once the server handled everything sent on it: 'open', or the `error` /
 * `revoked` frames it got and its close code.
 */
async function fate<In extends { t: string }>(peer: TestPeer<In>): Promise<string> {
  await peer.barrier();
  const fatal = (): AnyFrame[] => (peer.frames as AnyFrame[]).filter((f) => f.t === 'error' || f.t === 'revoked');
  if (!peer.closed && fatal().length === 0) return 'open';
  const closed = await peer.waitClosed();
  const said = fatal().map((f) => (f.t === 'error' ? `error ${f.code}` : `revoked ${f.reason}`));
  return [...said, `close ${closed.code}`].join(', ');
}

/** The unread frames of a peer after a barrier, as `t` (with the reason of errors and declines). */
async function unreadTypes<In extends { t: string }>(peer: TestPeer<In>): Promise<string[]> {
  await peer.barrier();
  return (peer.drain() as AnyFrame[]).map((f) => (f.reason === undefined ? f.t : `${f.t} ${f.reason}`));
}

interface Case {
  readonly id: ServerMutantId;
  /** What the scenario does, for the test name. */
  readonly scenario: string;
  readonly config?: Partial<Config>;
  /** Runs the scenario on a fresh server and returns what a peer observed. */
  observe(h: Harness): Promise<unknown>;
  /** The observation per spec (the reference server). */
  readonly spec: unknown;
  /** The observation with the mutant on. */
  readonly mutant: unknown;
}

const cases: readonly Case[] = [
  {
    id: 'server.accepts-expired-ref',
    scenario: 'a phone claims a ref again after declining it',
    async observe(h) {
      const phone = await registerPhone(h);
      const web = await helloWeb(h);
      phone.peer.send({ t: 'link.claim', ref: web.ref });
      await phone.peer.next('link.claimed');
      phone.peer.send({ t: 'link.decline', ref: web.ref });
      await web.peer.next('declined');
      await web.peer.next('qr');
      phone.peer.send({ t: 'link.claim', ref: web.ref });
      return unreadTypes(phone.peer);
    },
    spec: ['link.error expired_ref'],
    mutant: ['link.claimed'],
  },
  {
    id: 'server.rotated-ref-claimable',
    scenario: 'after the first TTL, the web asks the status of ref 1 and a phone claims it',
    async observe(h) {
      const phone = await registerPhone(h);
      const web = await helloWeb(h);
      await h.advance(60_000);
      const second = await web.peer.next('qr');
      web.peer.send({ t: 'status', ref: web.ref });
      const status = await web.peer.next('status.result');
      phone.peer.send({ t: 'link.claim', ref: web.ref });
      return { n: second.n, status: status.state, claim: await unreadTypes(phone.peer) };
    },
    spec: { n: 2, status: 'expired', claim: ['link.error expired_ref'] },
    mutant: { n: 2, status: 'pending', claim: ['link.claimed'] },
  },
  {
    id: 'server.admits-before-approve',
    scenario: 'a phone claims and does nothing more',
    async observe(h) {
      const phone = await registerPhone(h);
      const web = await helloWeb(h);
      phone.peer.send({ t: 'link.claim', ref: web.ref });
      await phone.peer.barrier();
      return unreadTypes(web.peer);
    },
    spec: ['scanned'],
    mutant: ['scanned', 'linked', 'phone'],
  },
  {
    id: 'server.second-claim-wins',
    scenario: 'a second phone claims a ref the first phone claimed',
    async observe(h) {
      const first = await registerPhone(h);
      const second = await registerPhone(h);
      const web = await helloWeb(h);
      first.peer.send({ t: 'link.claim', ref: web.ref });
      await first.peer.next('link.claimed');
      second.peer.send({ t: 'link.claim', ref: web.ref });
      return unreadTypes(second.peer);
    },
    spec: ['link.error used_ref'],
    mutant: ['link.claimed'],
  },
  {
    id: 'server.lapse-ignored',
    scenario: 'a claim is left unanswered for consentMs',
    async observe(h) {
      const phone = await registerPhone(h);
      const web = await helloWeb(h);
      phone.peer.send({ t: 'link.claim', ref: web.ref });
      await phone.peer.next('link.claimed');
      await web.peer.next('scanned');
      await h.advance(60_000);
      return { phone: await unreadTypes(phone.peer), web: await unreadTypes(web.peer) };
    },
    spec: { phone: ['link.error lapsed'], web: ['declined lapsed', 'qr'] },
    mutant: { phone: [], web: [] },
  },
  {
    id: 'server.late-confirm-punished',
    scenario: 'the web sends confirm for a ref the phone declined meanwhile',
    async observe(h) {
      const phone = await registerPhone(h);
      const web = await helloWeb(h);
      phone.peer.send({ t: 'link.claim', ref: web.ref });
      await phone.peer.next('link.claimed');
      phone.peer.send({ t: 'link.approve', ref: web.ref, pub: rand(32), box: rand(80) });
      await web.peer.next('offer');
      phone.peer.send({ t: 'link.decline', ref: web.ref });
      await web.peer.next('declined');
      web.peer.send({ t: 'confirm', ref: web.ref, tag: rand(16) });
      return fate(web.peer);
    },
    spec: 'open',
    mutant: 'error bad_state, close 4000',
  },
  {
    id: 'server.reveals-account-before-approve',
    scenario: 'the web polls status of its scanned ref',
    async observe(h) {
      const phone = await registerPhone(h);
      const web = await helloWeb(h);
      phone.peer.send({ t: 'link.claim', ref: web.ref });
      await web.peer.next('scanned');
      web.peer.send({ t: 'status', ref: web.ref });
      const r = await web.peer.next('status.result');
      return { state: r.state, members: Object.keys(r).sort() };
    },
    spec: { state: 'scanned', members: ['ref', 'state', 't'] },
    mutant: { state: 'scanned', members: ['accountId', 'ref', 'state', 't'] },
  },
  {
    id: 'server.token-without-keep',
    scenario: 'a web client that said keep: false is linked',
    async observe(h) {
      const phone = await registerPhone(h);
      const linked = await link(h, phone.peer, false);
      return typeof linked.token;
    },
    spec: 'undefined',
    mutant: 'string',
  },
  {
    id: 'server.relay-duplicates',
    scenario: 'the web sends one to_phone',
    async observe(h) {
      const phone = await registerPhone(h);
      const a = await link(h, phone.peer);
      a.web.send({ t: 'to_phone', e: a.e, n: 1, c: rand(32) });
      await a.web.barrier();
      return unreadTypes(phone.peer);
    },
    spec: ['from_web'],
    mutant: ['from_web', 'from_web'],
  },
  {
    id: 'server.relay-reorders',
    scenario: 'the web sends n = 1, 2 while the phone is away; the phone comes back',
    async observe(h) {
      const phone = await registerPhone(h);
      const a = await link(h, phone.peer, true);
      await phone.peer.closeAndWait();
      await h.statsWhen((s) => s.connections.phone === 0);
      a.web.send({ t: 'to_phone', e: a.e, n: 1, c: rand(32) });
      a.web.send({ t: 'to_phone', e: a.e, n: 2, c: rand(32) });
      await a.web.barrier();
      const back = await authPhone(h, phone);
      await back.barrier();
      return back.unread('from_web').map((f) => f.n);
    },
    spec: [1, 2],
    mutant: [2, 1],
  },
  {
    id: 'server.drops-while-offline',
    scenario: 'the web sends a frame while the phone is away; the phone comes back',
    async observe(h) {
      const phone = await registerPhone(h);
      const a = await link(h, phone.peer, true);
      await phone.peer.closeAndWait();
      await h.statsWhen((s) => s.connections.phone === 0);
      a.web.send({ t: 'to_phone', e: a.e, n: 1, c: rand(32) });
      await a.web.barrier();
      const held = (await h.stats()).custody.toPhone;
      const back = await authPhone(h, phone);
      await back.barrier();
      return { held, delivered: back.unread('from_web').map((f) => f.n) };
    },
    spec: { held: 1, delivered: [1] },
    mutant: { held: 0, delivered: [] },
  },
  {
    id: 'server.ack-not-cumulative',
    scenario: 'the phone acks n = 2 after receiving n = 1 and 2',
    async observe(h) {
      const phone = await registerPhone(h);
      const a = await link(h, phone.peer);
      a.web.send({ t: 'to_phone', e: a.e, n: 1, c: rand(32) });
      a.web.send({ t: 'to_phone', e: a.e, n: 2, c: rand(32) });
      await phone.peer.next('from_web');
      await phone.peer.next('from_web');
      phone.peer.send({ t: 'ack', sessionId: a.sessionId, e: a.e, n: 2 });
      const acked = await a.web.next('acked');
      return { acked: acked.n, custody: (await h.stats()).custody.toPhone };
    },
    spec: { acked: 2, custody: 0 },
    mutant: { acked: 2, custody: 1 },
  },
  {
    id: 'server.epoch-reuse-accepted',
    scenario: 'a resumed connection attaches with the epoch of the previous attachment',
    async observe(h) {
      const phone = await registerPhone(h);
      const a = await link(h, phone.peer, true);
      const b = await resume(h, a.token as string);
      b.peer.send({ t: 'attach', e: a.e });
      return fate(b.peer);
    },
    spec: 'error bad_state, close 4000',
    mutant: 'open',
  },
  {
    id: 'server.no-offline-notice',
    scenario: "the account's phone connection closes",
    async observe(h) {
      const phone = await registerPhone(h);
      const a = await link(h, phone.peer);
      await phone.peer.closeAndWait();
      await h.statsWhen((s) => s.connections.phone === 0);
      await a.web.barrier();
      return a.web.unread('phone').map((f) => f.online);
    },
    spec: [false],
    mutant: [],
  },
  {
    id: 'server.no-replace-on-new-link',
    scenario: 'a second web client links the account (sessionLimit 1)',
    async observe(h) {
      const phone = await registerPhone(h);
      const a = await link(h, phone.peer);
      await link(h, phone.peer);
      return { first: await fate(a.web), live: (await h.stats()).sessions.live };
    },
    spec: { first: 'revoked replaced, close 4001', live: 1 },
    mutant: { first: 'open', live: 2 },
  },
  {
    id: 'server.resume-token-reusable',
    scenario: 'the token of linked is presented again after resumed rotated it and attach retired it',
    async observe(h) {
      const phone = await registerPhone(h);
      const a = await link(h, phone.peer, true);
      const b = await resume(h, a.token as string);
      b.peer.send({ t: 'attach', e: rand(16) });
      await phone.peer.next('web.attached');
      const c = await h.web();
      c.send({ t: 'resume', token: a.token });
      return fate(c);
    },
    spec: 'error unauthorized, close 4401',
    mutant: 'open',
  },
  {
    id: 'server.keeps-unkept-session',
    scenario: 'the web connection of a keep: false session closes',
    async observe(h) {
      const phone = await registerPhone(h);
      const a = await link(h, phone.peer, false);
      await a.web.closeAndWait();
      const stats = await h.statsWhen((s) => s.connections.web === 0);
      return { phone: await unreadTypes(phone.peer), live: stats.sessions.live };
    },
    spec: { phone: ['session.ended closed'], live: 0 },
    mutant: { phone: ['web.detached'], live: 1 },
  },
  {
    id: 'server.unlink-not-immediate',
    scenario: 'the phone unlinks the session',
    async observe(h) {
      const phone = await registerPhone(h);
      const a = await link(h, phone.peer);
      phone.peer.send({ t: 'unlink', sessionId: a.sessionId });
      const answer = await phone.peer.next('unlinked');
      return { unlinked: answer.sessionIds.length, web: await fate(a.web) };
    },
    spec: { unlinked: 1, web: 'revoked unlinked, close 4003' },
    mutant: { unlinked: 1, web: 'open' },
  },
  {
    id: 'server.sms-code-reusable',
    scenario: 'a second phone verifies with the code the first one used',
    async observe(h) {
      const first = await registerPhone(h);
      const sms = await h.control.request({ t: 'sms', phone: first.number });
      const code = sms.t === 'sms.ok' ? sms.code : null;
      const second = await h.phone();
      second.send({ t: 'register.verify', phone: first.number, code, identityKey: rand(32) });
      return unreadTypes(second);
    },
    spec: ['register.error no_code'],
    mutant: ['register.ok'],
  },
  {
    id: 'server.no-lockout',
    scenario: 'five wrong codes, then the right one',
    async observe(h) {
      const number = newNumber();
      const phone = await h.phone();
      phone.send({ t: 'register', phone: number });
      await phone.next('register.sent');
      const sms = await h.control.request({ t: 'sms', phone: number });
      const code = sms.t === 'sms.ok' ? (sms.code as string) : '';
      const wrong = String((Number(code) + 1) % 10_000).padStart(4, '0');
      const answers: string[] = [];
      for (const guess of [wrong, wrong, wrong, wrong, wrong, code]) {
        phone.send({ t: 'register.verify', phone: number, code: guess, identityKey: rand(32) });
        await phone.barrier();
        for (const f of phone.drain()) {
          answers.push(f.t === 'register.error' ? `${f.reason} ${f.attemptsLeft ?? ''}`.trim() : f.t);
        }
      }
      return answers;
    },
    spec: ['bad_code 4', 'bad_code 3', 'bad_code 2', 'bad_code 1', 'locked', 'locked'],
    mutant: ['bad_code 4', 'bad_code 3', 'bad_code 2', 'bad_code 1', 'bad_code 1', 'register.ok'],
  },
  {
    id: 'server.wrong-close-code',
    scenario: 'a web connection sends a binary message',
    async observe(h) {
      const web = await h.web();
      web.sendRaw(Buffer.from('{"t":"hello"}'), true);
      return fate(web);
    },
    spec: 'close 1003',
    mutant: 'close 1002',
  },
  {
    id: 'server.crashes-on-binary',
    scenario: 'a phone connection sends a binary message',
    async observe(h) {
      const phone = await h.phone();
      phone.sendRaw(Buffer.from([0xff, 0x00]), true);
      return fate(phone);
    },
    spec: 'close 1003',
    mutant: 'error internal, close 1011',
  },
  {
    id: 'server.frame-limit-off-by-one',
    scenario: 'a web frame of exactly frameLimit (1024) bytes',
    config: { frameLimit: 1024 },
    async observe(h) {
      const web = await helloWeb(h);
      const bare = JSON.stringify({ t: 'status', ref: web.ref, pad: '' });
      const text = JSON.stringify({ t: 'status', ref: web.ref, pad: 'x'.repeat(1024 - bare.length) });
      expect(Buffer.byteLength(text)).toBe(1024);
      web.peer.sendRaw(text);
      return { fate: await fate(web.peer), answered: web.peer.unread('status.result').length };
    },
    spec: { fate: 'open', answered: 1 },
    mutant: { fate: 'close 1009', answered: 0 },
  },
  {
    id: 'server.queue-drops-silently',
    scenario: 'the phone is away and the web sends custodyLimit (2) + 1 frames',
    config: { custodyLimit: 2 },
    async observe(h) {
      const phone = await registerPhone(h);
      const a = await link(h, phone.peer, true);
      await phone.peer.closeAndWait();
      await h.statsWhen((s) => s.connections.phone === 0);
      for (const n of [1, 2, 3]) a.web.send({ t: 'to_phone', e: a.e, n, c: rand(32) });
      await a.web.barrier();
      return { refused: a.web.unread('queue_full').map((f) => f.n), held: (await h.stats()).custody.toPhone };
    },
    spec: { refused: [3], held: 2 },
    mutant: { refused: [], held: 2 },
  },
  {
    id: 'server.leaks-timer',
    scenario: 'a web connection holding a pending ref closes',
    async observe(h) {
      const web = await helloWeb(h);
      await web.peer.closeAndWait();
      const s = await h.statsWhen((x) => x.connections.web === 0);
      return { live: s.refs.live, timers: s.timers };
    },
    spec: { live: 0, timers: 0 },
    mutant: { live: 0, timers: 1 },
  },
  {
    id: 'server.qr-never-exhausts',
    scenario: 'with qrMaxRefs 2, a web connection outlives the TTL of both its refs',
    config: { qrMaxRefs: 2 },
    async observe(h) {
      const web = await helloWeb(h);
      await h.advance(60_000);
      await web.peer.next('qr');
      await h.advance(20_000);
      const next = await unreadTypes(web.peer);
      const closed = next.includes('qr.exhausted') ? (await web.peer.waitClosed()).code : null;
      return { next, closed };
    },
    spec: { next: ['qr.exhausted'], closed: 4008 },
    mutant: { next: ['qr'], closed: null },
  },
  {
    id: 'server.status-of-any-ref',
    scenario: "a web connection asks the status of another connection's pending ref",
    async observe(h) {
      const mine = await helloWeb(h);
      const theirs = await helloWeb(h);
      mine.peer.send({ t: 'status', ref: theirs.ref });
      return (await mine.peer.next('status.result')).state;
    },
    spec: 'unknown',
    mutant: 'pending',
  },
];

describe('server mutants: each deviates from the spec where the reference conforms', () => {
  for (const c of cases) {
    const info = serverMutants.find((m) => m.id === c.id);
    test(`[${info?.clauses.join('] [')}] ${c.id}: ${c.scenario}`, async () => {
      expect(c.mutant).not.toEqual(c.spec);
      expect(await c.observe(await serverWith(null, c.config))).toEqual(c.spec);
      expect(await c.observe(await serverWith(c.id, c.config))).toEqual(c.mutant);
    });
  }
});

describe('the server mutant catalogue', () => {
  test('every mutant has a scenario above, and no scenario names a mutant twice', () => {
    expect(cases.map((c) => c.id).sort()).toEqual([...serverMutantIds].sort());
  });

  test('ids are unique, role server, descriptions one line, and every cited clause is a server clause of docs/protocol.md', () => {
    expect(new Set(serverMutantIds).size).toBe(serverMutantIds.length);
    const clauses = new Map(loadClauses().map((c) => [c.id, c.text]));
    for (const m of serverMutants) {
      expect(m.id).toMatch(/^server\.[a-z0-9-]+$/);
      expect(m.role).toBe('server');
      expect(m.description).not.toMatch(/\n/);
      expect(m.clauses.length).toBeGreaterThan(0);
      for (const id of m.clauses) {
        expect(clauses.has(id), `${m.id} cites ${id}`).toBe(true);
        expect(clauses.get(id), `${m.id} cites ${id}`).toMatch(/the server/i);
      }
    }
  });

  test('every mutant is marked `MUTANT <id>` at its fault in the server sources', () => {
    const dir = new URL('./', import.meta.url);
    const sources = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'mutants.ts')
      .map((f) => readFileSync(new URL(f, dir), 'utf8'))
      .join('\n');
    const unmarked = serverMutantIds.filter((id) => !sources.includes(`MUTANT ${id}`));
    expect(unmarked).toEqual([]);
  });

  test('an unknown id is refused by name, with the valid ids listed; known ids pass', async () => {
    expect(() => serverMutantSet(['server.relay-duplicates', 'server.nope'])).toThrow(UnknownMutantError);
    expect(() => serverMutantSet(['server.nope'])).toThrow(
      /unknown server mutant "server\.nope"; valid mutants: server\./,
    );
    expect([...serverMutantSet(['server.no-lockout', 'server.no-lockout'])]).toEqual(['server.no-lockout']);
    const err = await startServer({ mutants: ['server.nope' as ServerMutantId], log: () => {} }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnknownMutantError);
    expect((err as UnknownMutantError).id).toBe('server.nope');
    expect((err as UnknownMutantError).valid).toEqual(serverMutantIds);
  });
});
