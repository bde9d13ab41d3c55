/** Linking attempts over real sockets: claim, consent, offer, confirm, finalize and every way an attempt ends. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  authPhone,
  completeLink,
  type Harness,
  harness,
  helloWeb,
  type Phone,
  rand,
  registerPhone,
} from './test-fixture.js';

let h: Harness;
let phone: Phone;
beforeEach(async () => {
  h = await harness();
  phone = await registerPhone(h);
});
afterEach(async () => h.close());

describe('claim', () => {
  test('[LINK-1] link.claim on a pending ref -> link.claimed {device, address, requestedAt, keep} to the phone, scanned to the web', async () => {
    const web = await helloWeb(h, false, 'Chrome on Mac');
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    const claimed = await phone.peer.next('link.claimed');
    expect(claimed).toEqual({
      t: 'link.claimed',
      ref: web.ref,
      device: { name: 'Chrome on Mac', platform: 'web' },
      address: '127.0.0.1',
      requestedAt: h.clock.now(),
      keep: false,
    });
    expect(await web.peer.next('scanned')).toEqual({ t: 'scanned', ref: web.ref });
    expect((await h.stats()).refs).toEqual({ live: 1, claimed: 1 });
  });

  test('[LINK-1] two phones race for one ref: the first claim wins, the second gets used_ref', async () => {
    const other = await registerPhone(h);
    const web = await helloWeb(h);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    other.peer.send({ t: 'link.claim', ref: web.ref });
    await phone.peer.barrier();
    await other.peer.barrier();
    const winners = [phone, other].filter((p) => p.peer.unread('link.claimed').length === 1);
    const losers = [phone, other].filter((p) => p.peer.unread('link.error').length === 1);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0]?.peer.unread('link.error')[0]?.reason).toBe('used_ref');
    expect(web.peer.unread('scanned')).toHaveLength(1);
  });

  test('[LINK-2] claim on a never-issued ref -> link.error unknown_ref', async () => {
    const ref = rand(16);
    phone.peer.send({ t: 'link.claim', ref });
    expect(await phone.peer.next('link.error')).toEqual({ t: 'link.error', ref, reason: 'unknown_ref' });
  });

  test('[LINK-2] [QR-3] claim on an expired ref -> link.error expired_ref', async () => {
    const web = await helloWeb(h);
    await h.advance(60_000);
    await web.peer.next('qr');
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    expect((await phone.peer.next('link.error')).reason).toBe('expired_ref');
  });

  test('[LINK-2] claim on a linked ref -> used_ref; [LINK-13] on a ref whose web closed -> web_gone', async () => {
    const a = await helloWeb(h);
    await completeLink(a, phone.peer);
    phone.peer.send({ t: 'link.claim', ref: a.ref });
    expect((await phone.peer.next('link.error')).reason).toBe('used_ref');
    const b = await helloWeb(h);
    await b.peer.closeAndWait();
    const s = await h.statsWhen((x) => x.refs.live === 0);
    expect(s.refs.live).toBe(0);
    phone.peer.send({ t: 'link.claim', ref: b.ref });
    expect((await phone.peer.next('link.error')).reason).toBe('web_gone');
  });

  test('[QR-7] a dead ref is remembered refMemoryMs, then forgotten (unknown_ref)', async () => {
    const web = await helloWeb(h);
    await web.peer.closeAndWait();
    await h.statsWhen((x) => x.connections.web === 0);
    await h.advance(600_000 - 1);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    expect((await phone.peer.next('link.error')).reason).toBe('web_gone');
    await h.advance(1);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    expect((await phone.peer.next('link.error')).reason).toBe('unknown_ref');
  });

  test('[REG-11] link.claim on an unauthenticated phone connection -> error unauthorized + 4401', async () => {
    const web = await helloWeb(h);
    const anon = await h.phone();
    anon.send({ t: 'link.claim', ref: web.ref });
    expect((await anon.next('error')).code).toBe('unauthorized');
    await anon.expectClose(4401);
  });
});

describe('consent', () => {
  test('[LINK-5] link.approve -> offer {ref, pub, box} with pub and box unchanged', async () => {
    const web = await helloWeb(h);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    await phone.peer.next('link.claimed');
    const pub = rand(32);
    const box = rand(300);
    phone.peer.send({ t: 'link.approve', ref: web.ref, pub, box });
    expect(await web.peer.next('offer')).toEqual({ t: 'offer', ref: web.ref, pub, box });
  });

  test('[LINK-8] confirm -> link.confirm {ref, tag} unchanged to the claiming phone', async () => {
    const web = await helloWeb(h);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    phone.peer.send({ t: 'link.approve', ref: web.ref, pub: rand(32), box: rand(80) });
    await web.peer.next('offer');
    const tag = rand(16);
    web.peer.send({ t: 'confirm', ref: web.ref, tag });
    expect(await phone.peer.next('link.confirm')).toEqual({ t: 'link.confirm', ref: web.ref, tag });
  });

  test('[LINK-9] [LINK-10] finalize -> linked (no token for keep:false) then phone {online}, link.ok', async () => {
    const web = await helloWeb(h, false);
    const l = await completeLink(web, phone.peer, false);
    expect(l.token).toBeUndefined();
    expect(l.accountId).toBe(phone.accountId);
    const order = web.peer.frames.map((f) => f.t);
    expect(order.slice(order.indexOf('linked'))).toEqual(['linked', 'phone']);
    const s = await h.stats();
    expect(s.sessions).toEqual({ live: 1, attached: 0 });
    expect(s.refs).toEqual({ live: 0, claimed: 0 });
  });

  test('[LINK-10] keep:true -> linked carries a token', async () => {
    const l = await completeLink(await helloWeb(h, true), phone.peer);
    expect(l.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('[LINK-4] link.decline -> web declined {reason: declined} then a fresh qr n+1', async () => {
    const web = await helloWeb(h);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    await phone.peer.next('link.claimed');
    phone.peer.send({ t: 'link.decline', ref: web.ref });
    expect(await web.peer.next('declined')).toEqual({ t: 'declined', ref: web.ref, reason: 'declined' });
    const qr = await web.peer.next('qr');
    expect(qr.n).toBe(2);
    expect(qr.ttlMs).toBe(20_000);
  });

  test('[LINK-3] a claim not finalized within consentMs lapses: web declined lapsed + qr, phone link.error lapsed', async () => {
    const web = await helloWeb(h);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    await phone.peer.next('link.claimed');
    await h.advance(59_999);
    expect(web.peer.unread('declined')).toHaveLength(0);
    await h.advance(1);
    expect((await web.peer.next('declined')).reason).toBe('lapsed');
    expect((await phone.peer.next('link.error')).reason).toBe('lapsed');
    expect((await web.peer.next('qr')).n).toBe(2);
  });

  test('[QR-8] a claimed ref is not rotated while its attempt runs', async () => {
    const web = await helloWeb(h);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    await phone.peer.next('link.claimed');
    await h.advance(59_000);
    await web.peer.barrier();
    expect(web.peer.unread('qr')).toHaveLength(0);
  });

  test('[LINK-6] approve/decline/finalize on a pending ref, or one another phone claimed -> link.error unauthorized', async () => {
    const other = await registerPhone(h);
    const web = await helloWeb(h);
    phone.peer.send({ t: 'link.approve', ref: web.ref, pub: rand(32), box: rand(40) });
    expect((await phone.peer.next('link.error')).reason).toBe('unauthorized');
    other.peer.send({ t: 'link.claim', ref: web.ref });
    await other.peer.next('link.claimed');
    for (const t of ['link.decline', 'link.finalize']) {
      phone.peer.send({ t, ref: web.ref });
      expect((await phone.peer.next('link.error')).reason).toBe('unauthorized');
    }
    expect(web.peer.unread('declined')).toHaveLength(0);
  });

  test('[LINK-6] approve on a never-issued ref -> link.error unknown_ref', async () => {
    const ref = rand(16);
    phone.peer.send({ t: 'link.finalize', ref });
    expect((await phone.peer.next('link.error')).reason).toBe('unknown_ref');
  });

  test('[LINK-7] a second approve on its own claim -> error bad_state + 4000', async () => {
    const web = await helloWeb(h);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    phone.peer.send({ t: 'link.approve', ref: web.ref, pub: rand(32), box: rand(40) });
    phone.peer.send({ t: 'link.approve', ref: web.ref, pub: rand(32), box: rand(40) });
    expect((await phone.peer.next('error')).code).toBe('bad_state');
    await phone.peer.expectClose(4000);
    // [LINK-15] the claiming phone is gone: the web's attempt ends with phone_gone and a fresh QR
    expect((await web.peer.next('declined')).reason).toBe('phone_gone');
    expect((await web.peer.next('qr')).n).toBe(2);
  });

  test('[LINK-7] finalize before link.confirm -> bad_state + 4000', async () => {
    const web = await helloWeb(h);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    phone.peer.send({ t: 'link.approve', ref: web.ref, pub: rand(32), box: rand(40) });
    phone.peer.send({ t: 'link.finalize', ref: web.ref });
    expect((await phone.peer.next('error')).code).toBe('bad_state');
    await phone.peer.expectClose(4000);
  });

  test('[LINK-8] confirm before any offer -> bad_state 4000; confirm for a ref unknown to this connection -> bad_state 4000', async () => {
    const web = await helloWeb(h);
    web.peer.send({ t: 'confirm', ref: web.ref, tag: rand(16) });
    expect((await web.peer.next('error')).code).toBe('bad_state');
    await web.peer.expectClose(4000);
    const other = await helloWeb(h);
    other.peer.send({ t: 'confirm', ref: rand(16), tag: rand(16) });
    expect((await other.peer.next('error')).code).toBe('bad_state');
    await other.peer.expectClose(4000);
  });
});

describe('ends', () => {
  test('[LINK-12] abort {bad_box} -> phone link.error aborted; the web may close with 1000', async () => {
    const web = await helloWeb(h);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    phone.peer.send({ t: 'link.approve', ref: web.ref, pub: rand(32), box: rand(40) });
    await web.peer.next('offer');
    web.peer.send({ t: 'abort', ref: web.ref, reason: 'bad_box' });
    expect(await phone.peer.next('link.error')).toEqual({ t: 'link.error', ref: web.ref, reason: 'aborted' });
    await web.peer.expectClose(1000); // [LINK-18]
    expect(web.peer.drain().filter((f) => f.t !== 'scanned' && f.t !== 'offer')).toEqual([]);
    expect((await h.statsWhen((x) => x.connections.web === 0)).refs.live).toBe(0);
  });

  test('[LINK-18] abort of a pending ref issues no further qr and closes the connection with 1000', async () => {
    const web = await helloWeb(h);
    web.peer.send({ t: 'abort', ref: web.ref, reason: 'bad_offer' });
    await web.peer.expectClose(1000);
    expect(web.peer.unread('qr')).toEqual([]);
    expect(web.peer.unread('error')).toEqual([]);
    const s = await h.statsWhen((x) => x.connections.web === 0);
    expect(s.refs.live).toBe(0);
    expect(s.timers).toBe(0);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    expect(await phone.peer.next('link.error')).toEqual({ t: 'link.error', ref: web.ref, reason: 'expired_ref' });
  });

  test('[LINK-18] [LINK-17] abort or confirm naming a forgotten ref of this connection -> bad_state 4000', async () => {
    await h.config({ refMemoryMs: 1000, qrMaxRefs: 3 });
    const a = await helloWeb(h);
    await h.advance(60_000); // ref 1 expires, ref 2 issued
    await a.peer.next('qr');
    await h.advance(1000); // ref 1 forgotten
    a.peer.send({ t: 'status', ref: a.ref });
    expect((await a.peer.next('status.result')).state).toBe('unknown');
    a.peer.send({ t: 'abort', ref: a.ref, reason: 'bad_offer' });
    expect(await a.peer.next('error')).toMatchObject({ code: 'bad_state', clause: 'LINK-18' });
    await a.peer.expectClose(4000);
    const b = await helloWeb(h);
    await h.advance(60_000);
    await b.peer.next('qr');
    await h.advance(1000);
    b.peer.send({ t: 'confirm', ref: b.ref, tag: rand(16) });
    expect(await b.peer.next('error')).toMatchObject({ code: 'bad_state', clause: 'LINK-17' });
    await b.peer.expectClose(4000);
  });

  test('[LATE-1] abort for a dead ref of this connection is ignored; for an unknown ref -> bad_state 4000', async () => {
    const web = await helloWeb(h);
    await h.advance(60_000);
    web.peer.send({ t: 'abort', ref: web.ref, reason: 'bad_offer' });
    await web.peer.barrier();
    expect(web.peer.closed).toBeNull();
    web.peer.send({ t: 'abort', ref: rand(16), reason: 'bad_offer' });
    expect((await web.peer.next('error')).code).toBe('bad_state');
    await web.peer.expectClose(4000);
  });

  test('[LINK-13] the web closes during consent -> phone link.error web_gone; no ref or timer left', async () => {
    const before = await h.stats();
    const web = await helloWeb(h);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    await phone.peer.next('link.claimed');
    web.peer.close();
    expect((await phone.peer.next('link.error')).reason).toBe('web_gone');
    const after = await h.stats();
    expect(after).toEqual(before);
  });

  test('[LINK-15] the claiming phone closes -> web declined phone_gone + fresh qr', async () => {
    const web = await helloWeb(h);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    await web.peer.next('scanned');
    phone.peer.close();
    expect((await web.peer.next('declined')).reason).toBe('phone_gone');
    expect((await web.peer.next('qr')).n).toBe(2);
  });

  test('[LATE-1] approve, decline and finalize on a dead ref are ignored silently', async () => {
    const web = await helloWeb(h);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    await phone.peer.next('link.claimed');
    await h.advance(60_000); // lapse
    await phone.peer.next('link.error');
    for (const t of ['link.decline', 'link.finalize']) phone.peer.send({ t, ref: web.ref });
    phone.peer.send({ t: 'link.approve', ref: web.ref, pub: rand(32), box: rand(40) });
    await phone.peer.barrier();
    expect(phone.peer.drain()).toEqual([]);
    expect(phone.peer.closed).toBeNull();
  });
});

describe('SEC-2', () => {
  test('[SEC-2] failed link.claim frames past the bound close the phone with error rate_limited + 4429, per connection and per account', async () => {
    const g = await harness({ server: { claimFailureLimit: { max: 2, windowMs: 1000 } } });
    try {
      const p = await registerPhone(g);
      for (let i = 0; i < 2; i++) {
        p.peer.send({ t: 'link.claim', ref: rand(16) });
        expect((await p.peer.next('link.error')).reason).toBe('unknown_ref');
      }
      p.peer.send({ t: 'link.claim', ref: rand(16) });
      expect(await p.peer.next('error')).toMatchObject({ code: 'rate_limited', clause: 'SEC-2' });
      await p.peer.expectClose(4429);
      // the account's count carries over to a new connection within the window
      const again = await authPhone(g, p);
      again.send({ t: 'link.claim', ref: rand(16) });
      expect((await again.next('error')).code).toBe('rate_limited');
      await again.expectClose(4429);
      await g.advance(1000);
      const later = await authPhone(g, p);
      const web = await helloWeb(g);
      later.send({ t: 'link.claim', ref: rand(16) });
      expect((await later.next('link.error')).reason).toBe('unknown_ref');
      later.send({ t: 'link.claim', ref: web.ref }); // a successful claim is not a failure
      await later.next('link.claimed');
    } finally {
      await g.close();
    }
  });

  test('[SEC-2] off by default in conformance mode: failed claims are answered, never rate-limited', async () => {
    for (let i = 0; i < 50; i++) phone.peer.send({ t: 'link.claim', ref: rand(16) });
    await phone.peer.barrier();
    expect(phone.peer.unread('link.error')).toHaveLength(50);
    expect(phone.peer.closed).toBeNull();
  });
});

describe('routing', () => {
  test("[LINK-14] link.* frames reach only the claiming phone; scanned and offer only the ref's own web; [ENC-3] [LINK-10] ids and tokens", async () => {
    const other = await authPhone(h, await registerPhone(h));
    const bystanderWeb = await helloWeb(h);
    const web = await helloWeb(h, true);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    await phone.peer.next('link.claimed');
    other.send({ t: 'link.claim', ref: web.ref });
    expect((await other.next('link.error')).reason).toBe('used_ref');
    const l = await completeLinkFromClaimed(web, phone.peer);
    await Promise.all([other.barrier(), bystanderWeb.peer.barrier()]);
    expect(other.frames.map((f) => f.t)).toEqual(['auth.ok', 'link.error']);
    expect(bystanderWeb.peer.frames.map((f) => f.t)).toEqual(['qr']);
    expect(l.sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(l.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

/** approve, offer, confirm, finalize for a ref the phone already claimed. */
async function completeLinkFromClaimed(
  web: { peer: import('./test-peer.js').WebPeer; ref: string },
  p: import('./test-peer.js').PhonePeer,
): Promise<{ sessionId: string; token: string | undefined }> {
  await web.peer.next('scanned');
  p.send({ t: 'link.approve', ref: web.ref, pub: rand(32), box: rand(80) });
  await web.peer.next('offer');
  web.peer.send({ t: 'confirm', ref: web.ref, tag: rand(16) });
  await p.next('link.confirm');
  p.send({ t: 'link.finalize', ref: web.ref });
  const linked = await web.peer.next('linked');
  await p.next('link.ok');
  return { sessionId: linked.sessionId, token: linked.token };
}
