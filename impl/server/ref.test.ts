/** QR refs over real sockets with the manual clock: rotation, exhaustion, status. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { completeLink, type Harness, harness, helloWeb, rand, registerPhone } from './test-fixture.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => h.close());

describe('rotation', () => {
  test('[QR-1] [QR-3] [QR-4] ref 1 lives 60 s, refs 2..6 live 20 s each, then qr.exhausted + 4008', async () => {
    const web = await helloWeb(h);
    const first = web.peer.frames.find((f) => f.t === 'qr');
    expect(first).toMatchObject({ ttlMs: 60_000, n: 1, of: 6 });
    expect(first?.t === 'qr' && first.ref).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await h.advance(59_999);
    await web.peer.barrier();
    expect(web.peer.unread('qr')).toHaveLength(0);
    const refs = new Set([web.ref]);
    await h.advance(1);
    for (let n = 2; n <= 6; n++) {
      const qr = await web.peer.next('qr');
      expect(qr).toMatchObject({ t: 'qr', ttlMs: 20_000, n, of: 6 });
      refs.add(qr.ref);
      await h.advance(20_000);
    }
    expect(refs.size).toBe(6);
    expect(await web.peer.next('qr.exhausted')).toEqual({ t: 'qr.exhausted' });
    await web.peer.expectClose(4008);
    expect(await h.stats()).toMatchObject({ refs: { live: 0, claimed: 0 }, timers: 0, connections: { web: 0 } });
  });

  test('[QR-3] one advance across several TTLs rotates through every ref in order', async () => {
    const web = await helloWeb(h);
    await h.advance(60_000 + 5 * 20_000);
    await web.peer.expectClose(4008);
    expect(web.peer.frames.filter((f) => f.t === 'qr').map((f) => (f.t === 'qr' ? f.n : 0))).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
  });

  test('[QR-2] [QR-5] a rotated ref is dead: claim -> expired_ref; only one live ref per connection', async () => {
    const phone = await registerPhone(h);
    const web = await helloWeb(h);
    await h.advance(60_000);
    const second = await web.peer.next('qr');
    expect((await h.stats()).refs.live).toBe(1);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    expect((await phone.peer.next('link.error')).reason).toBe('expired_ref');
    phone.peer.send({ t: 'link.claim', ref: second.ref });
    await phone.peer.next('link.claimed');
  });

  test('[QR-4] refs issued after a decline count toward of', async () => {
    await h.config({ qrMaxRefs: 2 });
    const phone = await registerPhone(h);
    const web = await helloWeb(h);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    phone.peer.send({ t: 'link.decline', ref: web.ref });
    const qr2 = await web.peer.next('qr');
    expect(qr2).toMatchObject({ n: 2, of: 2 });
    phone.peer.send({ t: 'link.claim', ref: qr2.ref });
    phone.peer.send({ t: 'link.decline', ref: qr2.ref });
    await web.peer.next('qr.exhausted');
    await web.peer.expectClose(4008);
  });

  test('[CTL-6] a config change applies to refs issued after it; running timers keep their deadlines', async () => {
    const web = await helloWeb(h);
    await h.config({ qrTtlMs: 5_000, qrFirstTtlMs: 1_000 });
    await h.advance(59_999);
    await web.peer.barrier();
    expect(web.peer.unread('qr')).toHaveLength(0);
    await h.advance(1);
    expect((await web.peer.next('qr')).ttlMs).toBe(5_000);
  });
});

describe('status', () => {
  test('[QR-6] status answers pending, scanned, expired, used and unknown for this connection only', async () => {
    const phone = await registerPhone(h);
    const web = await helloWeb(h);
    const ask = async (ref: string) => {
      web.peer.send({ t: 'status', ref });
      return (await web.peer.next('status.result')).state;
    };
    expect(await ask(web.ref)).toBe('pending');
    const other = await helloWeb(h);
    expect(await ask(other.ref)).toBe('unknown'); // another connection's ref
    expect(await ask(rand(16))).toBe('unknown');
    await h.advance(60_000);
    const qr2 = await web.peer.next('qr');
    expect(await ask(web.ref)).toBe('expired');
    phone.peer.send({ t: 'link.claim', ref: qr2.ref });
    await web.peer.next('scanned');
    expect(await ask(qr2.ref)).toBe('scanned');
    phone.peer.send({ t: 'link.approve', ref: qr2.ref, pub: rand(32), box: rand(40) });
    await web.peer.next('offer');
    web.peer.send({ t: 'confirm', ref: qr2.ref, tag: rand(16) });
    await phone.peer.next('link.confirm');
    phone.peer.send({ t: 'link.finalize', ref: qr2.ref });
    await web.peer.next('linked');
    expect(await ask(qr2.ref)).toBe('used');
    expect(await ask(web.ref)).toBe('expired');
  });

  test('[QR-6] [LATE-1] status after linked is answered (used), reveals nothing, and never closes (F5)', async () => {
    const phone = await registerPhone(h);
    const web = await helloWeb(h);
    const l = await completeLink(web, phone.peer);
    web.peer.send({ t: 'status', ref: l.ref });
    const r = await web.peer.next('status.result');
    expect(r).toEqual({ t: 'status.result', ref: l.ref, state: 'used' });
    expect(web.peer.closed).toBeNull();
  });

  test('[QR-7] status of a ref forgotten after refMemoryMs -> unknown', async () => {
    await h.config({ refMemoryMs: 1000 });
    const web = await helloWeb(h);
    await h.advance(60_000);
    await web.peer.next('qr');
    await h.advance(999);
    web.peer.send({ t: 'status', ref: web.ref });
    expect((await web.peer.next('status.result')).state).toBe('expired');
    await h.advance(1);
    web.peer.send({ t: 'status', ref: web.ref });
    expect((await web.peer.next('status.result')).state).toBe('unknown');
  });

  test('[LINK-16] status before hello -> bad_state 4000; a second hello -> bad_state 4000', async () => {
    const a = await h.web();
    a.send({ t: 'status', ref: rand(16) });
    expect((await a.next('error')).code).toBe('bad_state');
    await a.expectClose(4000);
    const b = await helloWeb(h);
    b.peer.send({ t: 'hello', v: 1, device: { name: 'n', platform: 'p' }, keep: false });
    expect((await b.peer.next('error')).code).toBe('bad_state');
    await b.peer.expectClose(4000);
    const c = await helloWeb(h);
    c.peer.send({ t: 'resume', token: rand(32) });
    expect(await c.peer.next('error')).toMatchObject({ code: 'bad_state', clause: 'LINK-16' });
    await c.peer.expectClose(4000);
  });
});
