/**
 * The five flaws of DESIGN.md section 2.1 (F1-F5), replayed against the reference server: none occurs.
 * Keys and plaintext are client-side; at the server the fixes show as epochs, custody, token
 * retirement on ack, and late frames being answered or ignored.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  authPhone,
  type Harness,
  harness,
  helloWeb,
  link,
  type Phone,
  rand,
  registerPhone,
  resume,
} from './test-fixture.js';

let h: Harness;
let phone: Phone;
beforeEach(async () => {
  h = await harness();
  phone = await registerPhone(h);
});
afterEach(async () => h.close());

describe('F1 nonce reuse across a takeover', () => {
  test('[RELAY-1] [TR-6] tab B takes over; tab A (not yet closed) sends n=1; B sends n=1: the phone never sees one (e, n) twice', async () => {
    const a = await link(h, phone.peer, true);
    const b = await h.web();
    b.send({ t: 'resume', token: a.token });
    await b.next('resumed');
    a.web.send({ t: 'to_phone', e: a.e, n: 1, c: rand(32) }); // crosses the takeover: never processed
    await a.web.expectClose(4002);
    const eB = rand(16);
    b.send({ t: 'attach', e: eB });
    await phone.peer.next('web.attached');
    b.send({ t: 'to_phone', e: eB, n: 1, c: rand(32) });
    await b.barrier();
    await phone.peer.barrier();
    const seen = phone.peer.frames
      .filter((f) => f.t === 'from_web')
      .map((f) => (f.t === 'from_web' ? `${f.e}/${f.n}` : ''));
    expect(seen).toEqual([`${eB}/1`]);
    expect(new Set(seen).size).toBe(seen.length);
  });

  test('[RELAY-1] the new tab may not reuse the old epoch', async () => {
    const a = await link(h, phone.peer, true);
    const b = await resume(h, a.token as string);
    b.peer.send({ t: 'attach', e: a.e });
    expect((await b.peer.next('error')).code).toBe('bad_state');
    await b.peer.expectClose(4000);
  });
});

describe('F2 replay after a takeover', () => {
  test('[RELAY-2] [RELAY-8] old-epoch from_phone frames are never delivered to the new attachment', async () => {
    const a = await link(h, phone.peer, true);
    phone.peer.send({ t: 'to_web', sessionId: a.sessionId, e: a.e, n: 1, c: rand(32) });
    await a.web.next('from_phone'); // delivered, never acked
    const b = await resume(h, a.token as string);
    phone.peer.send({ t: 'to_web', sessionId: a.sessionId, e: a.e, n: 2, c: rand(32) }); // crosses the takeover
    const eB = rand(16);
    b.peer.send({ t: 'attach', e: eB });
    await phone.peer.next('web.attached');
    phone.peer.send({ t: 'to_web', sessionId: a.sessionId, e: a.e, n: 3, c: rand(32) }); // stale: discarded
    phone.peer.send({ t: 'to_web', sessionId: a.sessionId, e: eB, n: 1, c: rand(32) });
    await phone.peer.barrier();
    await b.peer.barrier();
    const got = b.peer.frames.filter((f) => f.t === 'from_phone');
    expect(got.map((f) => (f.t === 'from_phone' ? f.e : ''))).toEqual([eB]);
    expect((await h.stats()).custody.toWeb).toBe(1);
  });
});

describe('F3 orphaned kept session', () => {
  test('[SESS-7] the tab closes with linked {token} in flight: the session ends, nothing is orphaned', async () => {
    const before = await h.stats();
    const a = await link(h, phone.peer, true, false);
    a.web.close();
    expect((await phone.peer.next('session.ended')).reason).toBe('closed');
    const after = await h.stats();
    expect(after).toEqual(before);
  });

  test('[SESS-6] a resumed not acknowledged by attach does not retire the token it answered', async () => {
    const a = await link(h, phone.peer, true);
    const r = await resume(h, a.token as string);
    await r.peer.closeAndWait(); // resumed lost with the closing tab
    const again = await resume(h, a.token as string); // the old token still works
    expect(again.sessionId).toBe(a.sessionId);
  });
});

describe('F4 silent loss', () => {
  test('[RELAY-5] a to_phone sent before a takeover stays in custody and reaches the phone on its return', async () => {
    const a = await link(h, phone.peer, true);
    phone.peer.close();
    await a.web.next('phone');
    const c = rand(32);
    a.web.send({ t: 'to_phone', e: a.e, n: 1, c });
    await a.web.barrier();
    const b = await resume(h, a.token as string);
    b.peer.send({ t: 'attach', e: rand(16) });
    await b.peer.barrier();
    const back = await authPhone(h, phone);
    expect(await back.next('from_web')).toEqual({ t: 'from_web', sessionId: a.sessionId, e: a.e, n: 1, c });
  });

  test('[RELAY-2] [RELAY-14] a from_phone delivered to a tab that then closes unacked: the next attach tells the phone to re-send', async () => {
    const a = await link(h, phone.peer, true);
    phone.peer.send({ t: 'to_web', sessionId: a.sessionId, e: a.e, n: 1, c: rand(32) });
    await a.web.next('from_phone');
    await a.web.closeAndWait();
    await phone.peer.next('web.detached');
    expect(phone.peer.unread('acked')).toEqual([]); // never acknowledged: the phone still holds it
    const b = await resume(h, a.token as string);
    const eB = rand(16);
    b.peer.send({ t: 'attach', e: eB });
    expect(await phone.peer.next('web.attached')).toEqual({ t: 'web.attached', sessionId: a.sessionId, e: eB });
    const c = rand(32);
    phone.peer.send({ t: 'to_web', sessionId: a.sessionId, e: eB, n: 1, c });
    expect(await b.peer.next('from_phone')).toEqual({ t: 'from_phone', e: eB, n: 1, c });
  });
});

describe('F5 honest client killed', () => {
  test('[LATE-1] a confirm crossing a lapse is ignored, not 4000', async () => {
    const web = await helloWeb(h);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    phone.peer.send({ t: 'link.approve', ref: web.ref, pub: rand(32), box: rand(40) });
    await web.peer.next('offer');
    await h.advance(60_000); // lapse
    web.peer.send({ t: 'confirm', ref: web.ref, tag: rand(16) }); // sent before it saw declined
    await web.peer.barrier();
    expect(web.peer.closed).toBeNull();
    expect(web.peer.unread('error')).toEqual([]);
    await phone.peer.barrier();
    expect(phone.peer.unread('link.confirm')).toEqual([]);
  });

  test('[LINK-8] a confirm is bound to its ref: a late confirm never reaches the next attempt by another phone', async () => {
    const other = await registerPhone(h);
    const web = await helloWeb(h);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    phone.peer.send({ t: 'link.approve', ref: web.ref, pub: rand(32), box: rand(40) });
    await web.peer.next('offer');
    phone.peer.send({ t: 'link.decline', ref: web.ref });
    const qr2 = await web.peer.next('qr');
    other.peer.send({ t: 'link.claim', ref: qr2.ref });
    await other.peer.next('link.claimed');
    web.peer.send({ t: 'confirm', ref: web.ref, tag: rand(16) }); // late, for the declined ref
    await web.peer.barrier();
    await other.peer.barrier();
    expect(other.peer.unread('link.confirm')).toEqual([]);
    expect(web.peer.closed).toBeNull();
  });

  test('[QR-6] [SESS-8] a status crossing linked is answered and a fresh keep:false session survives it', async () => {
    const web = await helloWeb(h, false);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    phone.peer.send({ t: 'link.approve', ref: web.ref, pub: rand(32), box: rand(40) });
    await web.peer.next('offer');
    web.peer.send({ t: 'confirm', ref: web.ref, tag: rand(16) });
    await phone.peer.next('link.confirm');
    phone.peer.send({ t: 'link.finalize', ref: web.ref });
    web.peer.send({ t: 'status', ref: web.ref }); // crosses linked
    await web.peer.next('linked');
    expect((await web.peer.next('status.result')).state).toMatch(/^(scanned|used)$/);
    expect(web.peer.closed).toBeNull();
    expect((await h.stats()).sessions.live).toBe(1);
  });

  test('[LATE-1] link.decline crossing the web abort is ignored, the phone stays connected', async () => {
    const web = await helloWeb(h);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    phone.peer.send({ t: 'link.approve', ref: web.ref, pub: rand(32), box: rand(40) });
    await web.peer.next('offer');
    web.peer.send({ t: 'abort', ref: web.ref, reason: 'bad_box' });
    await web.peer.barrier();
    phone.peer.send({ t: 'link.decline', ref: web.ref });
    await phone.peer.barrier();
    expect(phone.peer.closed).toBeNull();
    expect(phone.peer.unread('link.error').map((f) => f.reason)).toEqual(['aborted']);
  });
});
