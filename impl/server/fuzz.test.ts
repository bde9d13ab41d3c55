/**
 * Hostile input against a live server [TR-7] [ERR-1]..[ERR-6]: 10,000+ fast-check generated frames
 * (random bytes as binary and as text, random strings and JSON, mutated valid frames, valid frames in
 * the wrong state, oversize frames) over a pool of web and phone connections, while a bystander web
 * client and phone keep linking and relaying. Checks: no uncaught exception and no internal error,
 * every server close uses a protocol close code, the bystander loses nothing, and stats return to the
 * baseline. The seed is printed; QRLINK_SEED=<seed> replays the same frames.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Stats } from '../../model/protocol/control-frames.js';
import { type Harness, harness, helloWeb, type Phone, rand, registerPhone } from './test-fixture.js';
import type { TestPeer } from './test-peer.js';

const SEED = Number(process.env.QRLINK_SEED ?? Math.floor(Math.random() * 2 ** 31));
const FRAMES = Number(process.env.QRLINK_FUZZ_FRAMES ?? 10_500);
const ADVANCE_MS = 5_000; // clock step between rounds
const POOL = 64; // hostile connections at a time: even indexes /v1/web, odd /v1/phone

// Types by weight: frames that a live connection survives (status, claims, late frames) come more often
// than the ones that end it in most states, so a round keeps many connections open and deep in state.
const webTypes = [
  'status',
  'status',
  'confirm',
  'abort',
  'hello',
  'resume',
  'attach',
  'to_phone',
  'ack',
  'logout',
] as const;
const phoneTypes = [
  'link.claim',
  'link.claim',
  'link.decline',
  'link.approve',
  'unlink',
  'register',
  'register.verify',
  'auth',
  'link.claim',
  'link.decline',
  'link.approve',
  'link.finalize',
  'to_web',
  'ack',
  'unlink',
  'unlink_all',
] as const;

type Mutation =
  | { kind: 'none' }
  | { kind: 'drop'; index: number }
  | { kind: 'set'; index: number; value: unknown }
  | { kind: 'retype'; t: string }
  | { kind: 'extra'; key: string; value: unknown };

type Payload =
  | { kind: 'binary'; bytes: Uint8Array }
  | { kind: 'bytesAsText'; bytes: Uint8Array }
  | { kind: 'string'; text: string }
  | { kind: 'json'; value: unknown }
  | { kind: 'frame'; type: number; pick: number; mutation: Mutation }
  | { kind: 'oversize'; extra: number };

const jsonish = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', 'AAAAAAAAAAAAAAAAAAAAAA', 'AAAAAAAAAAAAAAAAAAAAAA==', '+15550001234', '1234', -1, 2 ** 53, 1e308),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 8, arbitrary: fc.constant<Mutation>({ kind: 'none' }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop' as const), index: fc.nat(6) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('set' as const), index: fc.nat(6), value: jsonish }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('retype' as const),
      t: fc.oneof(fc.constantFrom(...webTypes, ...phoneTypes, 'qr', 'linked', 'error'), fc.string({ maxLength: 12 })),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('extra' as const), key: fc.string({ maxLength: 8 }), value: jsonish }),
  },
);

const payload: fc.Arbitrary<Payload> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ kind: fc.constant('binary' as const), bytes: fc.uint8Array({ maxLength: 64 }) }),
  },
  {
    weight: 8,
    arbitrary: fc.record({ kind: fc.constant('bytesAsText' as const), bytes: fc.uint8Array({ maxLength: 64 }) }),
  },
  {
    weight: 8,
    arbitrary: fc.record({ kind: fc.constant('string' as const), text: fc.string({ unit: 'binary', maxLength: 60 }) }),
  },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('json' as const), value: fc.jsonValue({ maxDepth: 2 }) }) },
  {
    weight: 280,
    arbitrary: fc.record({ kind: fc.constant('frame' as const), type: fc.nat(20), pick: fc.nat(1000), mutation }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('oversize' as const), extra: fc.integer({ min: 1, max: 512 }) }),
  },
);

const action = payload;

/** What the hostile side has seen, to build frames that are valid but in the wrong state or for the wrong party. */
interface Knowledge {
  refs: string[];
  sessions: string[];
  tokens: string[];
  epochs: string[];
}

function pickFrom(list: string[], pick: number, fresh: () => string): string {
  if (list.length === 0 || pick % 4 === 0) return fresh();
  return list[pick % list.length] as string;
}

function buildFrame(
  web: boolean,
  type: number,
  pick: number,
  k: Knowledge,
  hostile: Phone,
  ownRefs: string[],
): Record<string, unknown> {
  const ref = () =>
    web && ownRefs.length > 0 && pick % 2 === 0
      ? (ownRefs[pick % ownRefs.length] as string)
      : pickFrom(k.refs, pick, () => rand(16));
  const session = () => pickFrom(k.sessions, pick, () => rand(16));
  const e = () => pickFrom(k.epochs, pick, () => rand(16));
  const n = 1 + (pick % 70);
  if (web) {
    const t = webTypes[type % webTypes.length] as (typeof webTypes)[number];
    switch (t) {
      case 'hello':
        return { t, v: pick % 9 === 0 ? 2 : 1, device: { name: 'fuzz', platform: 'fz' }, keep: pick % 2 === 0 };
      case 'resume':
        return { t, token: pickFrom(k.tokens, pick, () => rand(32)) };
      case 'status':
        return { t, ref: ref() };
      case 'confirm':
        return { t, ref: ref(), tag: rand(16) };
      case 'abort':
        return { t, ref: ref(), reason: 'bad_box' };
      case 'attach':
        return { t, e: e() };
      case 'to_phone':
        return { t, e: e(), n, c: rand(17 + (pick % 100)) };
      case 'ack':
        return { t, e: e(), n };
      case 'logout':
        return { t };
    }
  }
  const t = phoneTypes[type % phoneTypes.length] as (typeof phoneTypes)[number];
  switch (t) {
    case 'register':
      return { t, phone: pick % 3 === 0 ? hostile.number : '+1555999' + String(pick).padStart(4, '0') };
    case 'register.verify':
      return { t, phone: hostile.number, code: String(pick).padStart(4, '0'), identityKey: rand(32) };
    case 'auth':
      return { t, phone: hostile.number, deviceToken: pick % 2 === 0 ? hostile.deviceToken : rand(32) };
    case 'link.claim':
    case 'link.decline':
    case 'link.finalize':
      return { t, ref: ref() };
    case 'link.approve':
      return { t, ref: ref(), pub: rand(32), box: rand(40) };
    case 'to_web':
      return { t, sessionId: session(), e: e(), n, c: rand(17 + (pick % 100)) };
    case 'ack':
      return { t, sessionId: session(), e: e(), n };
    case 'unlink':
      return { t, sessionId: session() };
    case 'unlink_all':
      return { t };
  }
}

function mutate(frame: Record<string, unknown>, m: Mutation): Record<string, unknown> {
  const out = { ...frame };
  const keys = Object.keys(out);
  switch (m.kind) {
    case 'none':
      return out;
    case 'drop':
      delete out[keys[m.index % keys.length] as string];
      return out;
    case 'set':
      out[keys[m.index % keys.length] as string] = m.value;
      return out;
    case 'retype':
      out.t = m.t;
      return out;
    case 'extra':
      out[m.key] = m.value;
      return out;
  }
}

let h: Harness;
const crashes: string[] = [];
const onCrash = (err: unknown) => crashes.push(String(err instanceof Error ? err.stack : err));

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  h = await harness();
});
afterAll(async () => {
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  await h.close();
});

/** The bystander: links, relays both ways with acks, checks every byte, ends the session; again and again. */
class Bystander {
  relayed = 0;
  cycles = 0;
  /** True while a link is in progress (the fuzz loop does not move the clock then). */
  linking = false;
  problems: string[] = [];
  #stop = false;
  #gate: (() => void) | null = null;

  constructor(private readonly phone: Phone) {}

  /** The fuzz loop calls this once per round: the bystander takes one step per round. */
  tick(): void {
    const g = this.#gate;
    this.#gate = null;
    g?.();
  }

  #step(): Promise<void> {
    if (this.#stop) return Promise.resolve();
    return new Promise((resolve) => {
      this.#gate = resolve;
    });
  }

  stop(): void {
    this.#stop = true;
    this.tick();
  }

  async run(): Promise<void> {
    while (!this.#stop) {
      try {
        await this.#cycle();
        this.cycles++;
      } catch (err) {
        this.problems.push(String(err));
        return;
      }
    }
  }

  async #cycle(): Promise<void> {
    const phone = this.phone.peer;
    const keep = this.cycles % 2 === 0;
    await this.#step();
    this.linking = true;
    const web = await helloWeb(h, keep, 'bystander');
    phone.send({ t: 'link.claim', ref: web.ref });
    const claimed = await phone.next('link.claimed');
    if (claimed.device.name !== 'bystander') throw new Error('claimed the wrong device');
    const pub = rand(32);
    const box = rand(64);
    phone.send({ t: 'link.approve', ref: web.ref, pub, box });
    const offer = await web.peer.next('offer');
    if (offer.pub !== pub || offer.box !== box) throw new Error('offer changed');
    web.peer.send({ t: 'confirm', ref: web.ref, tag: rand(16) });
    await phone.next('link.confirm');
    phone.send({ t: 'link.finalize', ref: web.ref });
    const linked = await web.peer.next('linked');
    const ok = await phone.next('link.ok');
    if (ok.sessionId !== linked.sessionId) throw new Error('session ids differ');
    const e = rand(16);
    web.peer.send({ t: 'attach', e });
    await phone.next('web.attached');
    this.linking = false;
    for (let n = 1; n <= 3 && !this.#stop; n++) {
      await this.#step();
      const up = rand(100 + n);
      web.peer.send({ t: 'to_phone', e, n, c: up });
      const got = await phone.next('from_web');
      if (got.c !== up || got.n !== n || got.e !== e || got.sessionId !== linked.sessionId)
        throw new Error('from_web differs');
      phone.send({ t: 'ack', sessionId: linked.sessionId, e, n });
      if ((await web.peer.next('acked')).n !== n) throw new Error('acked differs');
      const down = rand(90 + n);
      phone.send({ t: 'to_web', sessionId: linked.sessionId, e, n, c: down });
      const back = await web.peer.next('from_phone');
      if (back.c !== down || back.n !== n || back.e !== e) throw new Error('from_phone differs');
      web.peer.send({ t: 'ack', e, n });
      if ((await phone.next('acked')).n !== n) throw new Error('acked differs');
      this.relayed += 2;
    }
    web.peer.send({ t: 'logout' });
    await web.peer.expectClose(1000);
    await phone.next('session.ended');
    if (web.peer.frames.some((f) => f.t === 'error' || (f.t === 'revoked' && f.reason !== 'logout'))) {
      throw new Error(`bystander web got ${JSON.stringify(web.peer.frames)}`);
    }
  }
}

test(`[TR-7] fuzz: ${FRAMES}+ hostile frames never crash the server nor disturb a bystander (seed ${SEED})`, async () => {
  console.log(`fuzz seed ${SEED} (replay: QRLINK_SEED=${SEED})`);
  const actions = fc.sample(action, { seed: SEED, numRuns: FRAMES });
  const hostiles: Phone[] = [];
  for (let i = 0; i < POOL / 2; i++) hostiles.push(await registerPhone(h));
  const bystanderPhone = await registerPhone(h);
  for (const p of hostiles) p.peer.close();
  const baseline = await h.statsWhen((s) => s.connections.phone === 1);
  const knowledge: Knowledge = { refs: [], sessions: [], tokens: [], epochs: [] };
  const learn = (f: Record<string, unknown>) => {
    if (typeof f.ref === 'string') knowledge.refs.push(f.ref);
    if (typeof f.sessionId === 'string') knowledge.sessions.push(f.sessionId);
    if (typeof f.token === 'string') knowledge.tokens.push(f.token);
    if (typeof f.e === 'string') knowledge.epochs.push(f.e);
  };
  const closes = new Map<number, number>();
  const pool: (TestPeer<{ t: string }> | null)[] = new Array(POOL).fill(null);
  const own: string[][] = Array.from({ length: POOL }, () => []);
  const open = async (i: number, salt: number): Promise<TestPeer<{ t: string }>> => {
    const web = i % 2 === 0;
    const p = (web ? await h.web() : await h.phone()) as unknown as TestPeer<{ t: string }>;
    own[i] = [];
    p.ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const f = JSON.parse(data.toString()) as Record<string, unknown>;
      learn(f);
      if (f.t === 'qr' && typeof f.ref === 'string') own[i]?.push(f.ref);
    });
    p.ws.on('close', (code) => closes.set(code, (closes.get(code) ?? 0) + 1));
    // most connections start in a live state (hello / auth), so wrong-state and relay frames get deep
    if (web && salt % 4 !== 0)
      p.send({ t: 'hello', v: 1, device: { name: 'fuzz', platform: 'fz' }, keep: salt % 2 === 0 });
    if (!web && salt % 4 !== 0) {
      const who = hostiles[(i - 1) / 2] as Phone;
      p.send({ t: 'auth', phone: who.number, deviceToken: who.deviceToken });
    }
    return p;
  };

  const bystander = new Bystander(bystanderPhone);
  const running = bystander.run();
  let sent = 0;
  let rounds = 0;
  let advanced = 0;
  let tOpen = 0;
  let tBarrier = 0;
  let cursor = 0;
  const started = Date.now();
  while (cursor < actions.length) {
    rounds++;
    const t0 = performance.now();
    await Promise.all(
      pool.map(async (p, i) => {
        if (!p || p.closed || p.ws.readyState !== p.ws.OPEN) pool[i] = await open(i, rounds + i);
      }),
    );
    const t1 = performance.now();
    tOpen += t1 - t0;
    // one frame per connection per round, so each reaches a server connection that is open
    for (let j = 0; j < POOL && cursor < actions.length; j++, cursor++) {
      const pl = actions[cursor] as Payload;
      const p = pool[j] as TestPeer<{ t: string }>;
      const web = j % 2 === 0;
      switch (pl.kind) {
        case 'binary':
          p.ws.send(Buffer.from(pl.bytes), { binary: true });
          break;
        case 'bytesAsText':
          p.ws.send(Buffer.from(pl.bytes), { binary: false });
          break;
        case 'string':
          p.ws.send(pl.text);
          break;
        case 'json':
          p.ws.send(JSON.stringify(pl.value) ?? 'null');
          break;
        case 'oversize':
          p.ws.send(`{"t":"status","ref":"${'A'.repeat(65_536 + pl.extra)}"}`);
          break;
        case 'frame':
          p.send(
            mutate(
              buildFrame(web, pl.type, pl.pick, knowledge, hostiles[Math.floor(j / 2)] as Phone, own[j] as string[]),
              pl.mutation,
            ),
          );
          break;
      }
      sent++;
    }
    const t2 = performance.now();
    await Promise.all(pool.map((p) => p?.barrier()));
    tBarrier += performance.now() - t2;
    // time moves between rounds (QR rotation, consent lapses, tombstones forgotten, rate windows),
    // never while the bystander links (its refs would rotate under it)
    if (!bystander.linking) {
      await h.advance(ADVANCE_MS);
      advanced += ADVANCE_MS;
    }
    bystander.tick();
    if (rounds % 50 === 0) {
      for (const list of Object.values(knowledge) as string[][]) list.splice(0, Math.max(0, list.length - 50));
    }
  }
  bystander.stop();
  await running;
  for (const p of pool) p?.close();
  await Promise.all(pool.map((p) => p?.waitClosed()));
  const same = (s: Stats) => JSON.stringify({ ...s, accounts: 0 }) === JSON.stringify({ ...baseline, accounts: 0 });
  const after = await h.statsWhen(same);
  const elapsed = Date.now() - started;
  const internal = h.logs.filter((l) => l.startsWith('internal error'));
  console.log(
    `fuzz: ${sent} hostile frames in ${rounds} rounds, ${elapsed} ms; server closes by code ${JSON.stringify(Object.fromEntries(closes))}; ` +
      `clock advanced ${advanced / 1000} s; open ${Math.round(tOpen)} ms, barrier ${Math.round(tBarrier)} ms; bystander ${bystander.cycles} link cycles, ${bystander.relayed} relayed frames\n` +
      `stats before ${JSON.stringify(baseline)}\nstats after  ${JSON.stringify(after)}`,
  );
  expect(crashes).toEqual([]);
  expect(internal).toEqual([]);
  expect(bystander.problems).toEqual([]);
  expect(bystander.cycles).toBeGreaterThan(0);
  expect(sent).toBeGreaterThanOrEqual(Math.min(FRAMES, 10_000) * 0.95);
  const allowed = new Set([1000, 1003, 1005, 1006, 1007, 1009, 4000, 4001, 4002, 4003, 4008, 4401, 4429]);
  expect([...closes.keys()].filter((c) => !allowed.has(c))).toEqual([]);
  expect({ ...after, accounts: 0 }).toEqual({ ...baseline, accounts: 0 });
}, 60_000);
