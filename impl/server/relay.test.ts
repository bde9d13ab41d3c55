/** The relay and custody over real sockets: byte-for-byte forwarding, acks, re-send on return, queue_full, epochs. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { authPhone, type Harness, harness, link, type Phone, rand, registerPhone, resume } from './test-fixture.js';

let h: Harness;
let phone: Phone;
beforeEach(async () => {
  h = await harness();
  phone = await registerPhone(h);
});
afterEach(async () => h.close());

describe('forwarding', () => {
  test('[RELAY-4] to_phone -> from_web {sessionId, e, n, c} and to_web -> from_phone {e, n, c}, byte for byte', async () => {
    const l = await link(h, phone.peer);
    const c1 = rand(1000);
    l.web.send({ t: 'to_phone', e: l.e, n: 1, c: c1 });
    expect(await phone.peer.next('from_web')).toEqual({ t: 'from_web', sessionId: l.sessionId, e: l.e, n: 1, c: c1 });
    const c2 = rand(48_000); // near the largest c that fits a 64 KiB frame
    phone.peer.send({ t: 'to_web', sessionId: l.sessionId, e: l.e, n: 1, c: c2 });
    expect(await l.web.next('from_phone')).toEqual({ t: 'from_phone', e: l.e, n: 1, c: c2 });
  });

  test('[RELAY-6] acks are cumulative, drop custody, and are forwarded as acked to the sender side', async () => {
    const l = await link(h, phone.peer);
    for (let n = 1; n <= 3; n++) l.web.send({ t: 'to_phone', e: l.e, n, c: rand(20) });
    await l.web.barrier();
    expect((await h.stats()).custody.toPhone).toBe(3);
    phone.peer.send({ t: 'ack', sessionId: l.sessionId, e: l.e, n: 2 });
    expect(await l.web.next('acked')).toEqual({ t: 'acked', e: l.e, n: 2 });
    expect((await h.stats()).custody.toPhone).toBe(1);
    phone.peer.send({ t: 'to_web', sessionId: l.sessionId, e: l.e, n: 1, c: rand(20) });
    await l.web.next('from_phone');
    l.web.send({ t: 'ack', e: l.e, n: 1 });
    expect(await phone.peer.next('acked')).toEqual({ t: 'acked', sessionId: l.sessionId, e: l.e, n: 1 });
    expect((await h.stats()).custody.toWeb).toBe(0);
  });

  test('[RELAY-3] to_phone before attach or with another epoch -> bad_state 4000; [RELAY-13] ack before attach -> bad_state', async () => {
    const a = await link(h, phone.peer, false, false);
    a.web.send({ t: 'to_phone', e: rand(16), n: 1, c: rand(20) });
    expect(await a.web.next('error')).toMatchObject({ code: 'bad_state', clause: 'RELAY-3' });
    await a.web.expectClose(4000);
    const b = await link(h, phone.peer);
    b.web.send({ t: 'to_phone', e: rand(16), n: 1, c: rand(20) });
    expect(await b.web.next('error')).toMatchObject({ code: 'bad_state', clause: 'RELAY-3' });
    const c = await link(h, phone.peer, false, false);
    c.web.send({ t: 'ack', e: rand(16), n: 1 });
    expect(await c.web.next('error')).toMatchObject({ code: 'bad_state', clause: 'RELAY-13' });
  });

  test('[RELAY-8] to_web for a session never of this account -> bad_state 4000; for an ended one -> ignored [LATE-1]', async () => {
    const l = await link(h, phone.peer);
    l.web.send({ t: 'logout' });
    await phone.peer.next('session.ended');
    phone.peer.send({ t: 'to_web', sessionId: l.sessionId, e: l.e, n: 1, c: rand(20) });
    phone.peer.send({ t: 'ack', sessionId: l.sessionId, e: l.e, n: 1 });
    await phone.peer.barrier();
    expect(phone.peer.closed).toBeNull();
    phone.peer.send({ t: 'to_web', sessionId: rand(16), e: l.e, n: 1, c: rand(20) });
    expect(await phone.peer.next('error')).toMatchObject({ code: 'bad_state', clause: 'RELAY-8' });
    await phone.peer.expectClose(4000);
  });

  test('[RELAY-8] to_web with a stale epoch is discarded silently', async () => {
    const l = await link(h, phone.peer);
    phone.peer.send({ t: 'to_web', sessionId: l.sessionId, e: rand(16), n: 1, c: rand(20) });
    await phone.peer.barrier();
    await l.web.barrier();
    expect(l.web.unread('from_phone')).toEqual([]);
    expect((await h.stats()).custody.toWeb).toBe(0);
    expect(phone.peer.closed).toBeNull();
  });
});

describe('custody', () => {
  test('[RELAY-10] [RELAY-5] [RELAY-9] phone away: web told offline; frames held; on auth: auth.ok, web.attached, from_web in order; web told online', async () => {
    const l = await link(h, phone.peer, true);
    phone.peer.close();
    expect(await l.web.next('phone')).toEqual({ t: 'phone', online: false });
    const sent = [rand(30), rand(30), rand(30)];
    sent.forEach((c, i) => {
      l.web.send({ t: 'to_phone', e: l.e, n: i + 1, c });
    });
    await l.web.barrier();
    expect((await h.stats()).custody.toPhone).toBe(3);
    const back = await authPhone(h, phone);
    await back.barrier();
    const types = back.frames.map((f) => f.t);
    expect(types).toEqual(['auth.ok', 'web.attached', 'from_web', 'from_web', 'from_web']);
    expect(back.frames.slice(2).map((f) => (f.t === 'from_web' ? f.c : ''))).toEqual(sent);
    expect(await l.web.next('phone')).toEqual({ t: 'phone', online: true });
  });

  test('[RELAY-5] F4: a from_web delivered to a phone socket that then closes unacked is re-delivered on return', async () => {
    const l = await link(h, phone.peer, true);
    const c = rand(40);
    l.web.send({ t: 'to_phone', e: l.e, n: 1, c });
    await phone.peer.next('from_web');
    phone.peer.close();
    await l.web.next('phone');
    const back = await authPhone(h, phone);
    expect(await back.next('from_web')).toEqual({ t: 'from_web', sessionId: l.sessionId, e: l.e, n: 1, c });
    back.send({ t: 'ack', sessionId: l.sessionId, e: l.e, n: 1 });
    await l.web.next('acked');
    expect((await h.stats()).custody.toPhone).toBe(0);
  });

  test('[RELAY-7] past custodyLimit: queue_full {e, n}, refused; gap rule until the refused n is re-sent after acked', async () => {
    await h.config({ custodyLimit: 2 });
    const l = await link(h, phone.peer);
    phone.peer.close();
    await l.web.next('phone');
    for (let n = 1; n <= 4; n++) l.web.send({ t: 'to_phone', e: l.e, n, c: rand(20) });
    expect(await l.web.next('queue_full')).toEqual({ t: 'queue_full', e: l.e, n: 3 });
    expect(await l.web.next('queue_full')).toEqual({ t: 'queue_full', e: l.e, n: 4 }); // gap rule
    const back = await authPhone(h, phone);
    await back.next('from_web');
    await back.next('from_web');
    back.send({ t: 'ack', sessionId: l.sessionId, e: l.e, n: 2 });
    await l.web.next('acked');
    l.web.send({ t: 'to_phone', e: l.e, n: 4, c: rand(20) }); // still out of order: refused
    expect((await l.web.next('queue_full')).n).toBe(4);
    l.web.send({ t: 'to_phone', e: l.e, n: 3, c: rand(20) });
    l.web.send({ t: 'to_phone', e: l.e, n: 4, c: rand(20) });
    expect((await back.next('from_web')).n).toBe(3);
    expect((await back.next('from_web')).n).toBe(4);
  });

  test('[RELAY-7] the same bound on to_web: queue_full {sessionId, e, n} to the phone', async () => {
    await h.config({ custodyLimit: 1 });
    const l = await link(h, phone.peer);
    phone.peer.send({ t: 'to_web', sessionId: l.sessionId, e: l.e, n: 1, c: rand(20) });
    phone.peer.send({ t: 'to_web', sessionId: l.sessionId, e: l.e, n: 2, c: rand(20) });
    expect(await phone.peer.next('queue_full')).toEqual({ t: 'queue_full', sessionId: l.sessionId, e: l.e, n: 2 });
    await l.web.next('from_phone');
    expect(l.web.unread('from_phone')).toEqual([]);
  });

  test('[RELAY-2] on attach, to_web custody of earlier epochs is discarded (never delivered to the new attachment)', async () => {
    const l = await link(h, phone.peer, true);
    await l.web.closeAndWait();
    await phone.peer.next('web.detached');
    phone.peer.send({ t: 'to_web', sessionId: l.sessionId, e: l.e, n: 1, c: rand(20) }); // held: nobody attached
    await phone.peer.barrier();
    expect((await h.stats()).custody.toWeb).toBe(1);
    const r = await resume(h, l.token as string);
    const e2 = rand(16);
    r.peer.send({ t: 'attach', e: e2 });
    expect(await phone.peer.next('web.attached')).toEqual({ t: 'web.attached', sessionId: l.sessionId, e: e2 });
    expect((await h.stats()).custody.toWeb).toBe(0);
    phone.peer.send({ t: 'to_web', sessionId: l.sessionId, e: e2, n: 1, c: rand(20) });
    const got = await r.peer.next('from_phone');
    expect(got.e).toBe(e2);
    expect(r.peer.frames.filter((f) => f.t === 'from_phone')).toHaveLength(1);
  });

  test('[RELAY-12] a session ending discards its custody', async () => {
    const l = await link(h, phone.peer);
    phone.peer.close();
    await l.web.next('phone');
    l.web.send({ t: 'to_phone', e: l.e, n: 1, c: rand(20) });
    await l.web.barrier();
    expect((await h.stats()).custody.toPhone).toBe(1);
    l.web.close();
    await l.web.expectClose(1000);
    expect((await h.statsWhen((x) => x.sessions.live === 0)).custody.toPhone).toBe(0);
  });
});

describe('audit against docs/protocol.md', () => {
  test("[RELAY-16] a web ack whose e is not the connection's own epoch -> bad_state 4000", async () => {
    const l = await link(h, phone.peer);
    l.web.send({ t: 'ack', e: rand(16), n: 1 });
    expect(await l.web.next('error')).toMatchObject({ code: 'bad_state', clause: 'RELAY-16' });
    await l.web.expectClose(4000);
  });

  test('[RELAY-17] a phone ack of an earlier epoch reaches the attached connection as acked, whatever its epoch', async () => {
    const a = await link(h, phone.peer, true);
    a.web.send({ t: 'to_phone', e: a.e, n: 1, c: rand(20) });
    await phone.peer.next('from_web');
    await a.web.closeAndWait();
    await phone.peer.next('web.detached');
    const b = await resume(h, a.token as string);
    b.peer.send({ t: 'attach', e: rand(16) });
    await phone.peer.next('web.attached');
    phone.peer.send({ t: 'ack', sessionId: a.sessionId, e: a.e, n: 1 });
    expect(await b.peer.next('acked')).toEqual({ t: 'acked', e: a.e, n: 1 });
    expect((await h.stats()).custody.toPhone).toBe(0);
  });

  test('[RELAY-10] [RELAY-9] a connection holding a session but not attached yet (linked or resumed) learns phone offline and online', async () => {
    await h.config({ sessionLimit: 3 });
    const linked = await link(h, phone.peer, false, false);
    const kept = await link(h, phone.peer, true);
    await kept.web.closeAndWait();
    await phone.peer.next('web.detached');
    const resumed = await resume(h, kept.token as string);
    await phone.peer.closeAndWait();
    expect(await linked.web.next('phone')).toEqual({ t: 'phone', online: false });
    expect(await resumed.peer.next('phone')).toEqual({ t: 'phone', online: false });
    await authPhone(h, phone);
    expect(await linked.web.next('phone')).toEqual({ t: 'phone', online: true });
    expect(await resumed.peer.next('phone')).toEqual({ t: 'phone', online: true });
  });

  test("[RELAY-20] a phone replaced by a newer connection sends no phone {online: false}; the newer one's flush sends online true", async () => {
    const l = await link(h, phone.peer);
    await authPhone(h, phone);
    expect(await phone.peer.next('error')).toMatchObject({ code: 'conflict' });
    await phone.peer.expectClose(4002);
    expect(await l.web.next('phone')).toEqual({ t: 'phone', online: true });
    await l.web.barrier();
    expect(l.web.frames.filter((f) => f.t === 'phone' && !f.online)).toEqual([]);
  });

  test('[RELAY-19] a phone ack for an ended session is ignored, for a never-known one -> bad_state 4000; an unknown epoch removes nothing', async () => {
    const l = await link(h, phone.peer);
    l.web.send({ t: 'to_phone', e: l.e, n: 1, c: rand(20) });
    await phone.peer.next('from_web');
    phone.peer.send({ t: 'ack', sessionId: l.sessionId, e: rand(16), n: 5 });
    await phone.peer.barrier();
    expect((await h.stats()).custody.toPhone).toBe(1);
    expect(l.web.unread('acked')).toEqual([]);
    l.web.send({ t: 'logout' });
    await phone.peer.next('session.ended');
    phone.peer.send({ t: 'ack', sessionId: l.sessionId, e: l.e, n: 1 });
    await phone.peer.barrier();
    expect(phone.peer.closed).toBeNull();
    phone.peer.send({ t: 'ack', sessionId: rand(16), e: l.e, n: 1 });
    expect(await phone.peer.next('error')).toMatchObject({ code: 'bad_state' });
    await phone.peer.expectClose(4000);
  });
});
