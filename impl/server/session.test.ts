/** Web sessions over real sockets: limit, tokens, resume, takeover, logout, unlink, keep, idle. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type Harness, harness, link, type Phone, rand, registerPhone, resume } from './test-fixture.js';

let h: Harness;
let phone: Phone;
beforeEach(async () => {
  h = await harness();
  phone = await registerPhone(h);
});
afterEach(async () => h.close());

describe('admission', () => {
  test('[SESS-1] a second link revokes the first: revoked replaced + 4001, phone session.ended replaced, before linked', async () => {
    const a = await link(h, phone.peer, true);
    const b = await link(h, phone.peer, true);
    expect(await a.web.next('revoked')).toEqual({ t: 'revoked', reason: 'replaced' });
    await a.web.expectClose(4001);
    const ended = phone.peer.frames.findIndex((f) => f.t === 'session.ended');
    const ok = phone.peer.frames.findIndex((f) => f.t === 'link.ok' && f.sessionId === b.sessionId);
    expect(phone.peer.frames[ended]).toEqual({ t: 'session.ended', sessionId: a.sessionId, reason: 'replaced' });
    expect(ended).toBeLessThan(ok);
    expect((await h.stats()).sessions).toEqual({ live: 1, attached: 1 });
    // [SESS-5] [SESS-13] the replaced session's token never works again
    const w = await h.web();
    w.send({ t: 'resume', token: a.token });
    expect((await w.next('error')).code).toBe('unauthorized');
    await w.expectClose(4401);
  });

  test('[SESS-1] sessionLimit 2 keeps two sessions, the third revokes the oldest', async () => {
    await h.config({ sessionLimit: 2 });
    const a = await link(h, phone.peer);
    const b = await link(h, phone.peer);
    await link(h, phone.peer);
    await a.web.expectClose(4001);
    await b.web.barrier();
    expect(b.web.closed).toBeNull();
    expect((await h.stats()).sessions.live).toBe(2);
  });
});

describe('resume and tokens', () => {
  test('[SESS-2] [SESS-4] resume with the current token -> resumed {sessionId, accountId, fresh token} then phone {online}; the old tab gets conflict 4002 [SESS-3]', async () => {
    const a = await link(h, phone.peer, true);
    const r = await resume(h, a.token as string);
    expect(r.sessionId).toBe(a.sessionId);
    expect(r.token).not.toBe(a.token);
    expect(await a.web.next('revoked')).toEqual({ t: 'revoked', reason: 'conflict' });
    await a.web.expectClose(4002);
    expect(await phone.peer.next('web.detached')).toEqual({ t: 'web.detached', sessionId: a.sessionId });
    expect((await h.stats()).sessions).toEqual({ live: 1, attached: 0 });
  });

  test('[SESS-6] [SESS-5] attach promotes the pending token; the retired token then fails with 4401', async () => {
    const a = await link(h, phone.peer, true);
    const r = await resume(h, a.token as string);
    r.peer.send({ t: 'attach', e: rand(16) });
    await phone.peer.next('web.detached');
    await phone.peer.next('web.attached');
    const stale = await h.web();
    stale.send({ t: 'resume', token: a.token });
    expect((await stale.next('error')).code).toBe('unauthorized');
    await stale.expectClose(4401);
    const again = await resume(h, r.token);
    expect(again.sessionId).toBe(a.sessionId);
  });

  test('[SESS-4] resuming with the current token while a successor is pending discards the pending one', async () => {
    const a = await link(h, phone.peer, true);
    const r1 = await resume(h, a.token as string); // pending P1, current still a.token
    const r2 = await resume(h, a.token as string); // P1 discarded, pending P2
    await r1.peer.expectClose(4002);
    const w = await h.web();
    w.send({ t: 'resume', token: r1.token });
    await w.expectClose(4401);
    const r3 = await resume(h, r2.token); // the pending one is valid and promotes
    await r2.peer.expectClose(4002);
    expect(r3.sessionId).toBe(a.sessionId);
  });

  test('[SESS-2] resume with an unknown token -> unauthorized 4401; resume after hello -> bad_state', async () => {
    const w = await h.web();
    w.send({ t: 'resume', token: rand(32) });
    expect(await w.next('error')).toMatchObject({ code: 'unauthorized', clause: 'SESS-2' });
    await w.expectClose(4401);
  });

  test('[SESS-7] F3: a kept link whose linked was never acknowledged ends when its connection closes', async () => {
    const a = await link(h, phone.peer, true, false);
    a.web.close();
    expect(await phone.peer.next('session.ended')).toEqual({
      t: 'session.ended',
      sessionId: a.sessionId,
      reason: 'closed',
    });
    const w = await h.web();
    w.send({ t: 'resume', token: a.token });
    await w.expectClose(4401);
    expect((await h.stats()).sessions.live).toBe(0);
  });

  test('[SESS-7] F3 variant: tab B presents the pending token first: a valid takeover that promotes it; the session survives A closing', async () => {
    const a = await link(h, phone.peer, true, false);
    const b = await resume(h, a.token as string);
    await a.web.expectClose(4002);
    b.peer.send({ t: 'attach', e: rand(16) });
    await phone.peer.next('web.attached');
    await b.peer.closeAndWait();
    await phone.peer.next('web.detached');
    expect(phone.peer.unread('session.ended')).toEqual([]);
    const c = await resume(h, b.token);
    expect(c.sessionId).toBe(a.sessionId);
  });

  test('[SESS-8] keep:false: the session ends when its web connection closes (session.ended closed)', async () => {
    const a = await link(h, phone.peer, false);
    a.web.close();
    expect(await phone.peer.next('session.ended')).toEqual({
      t: 'session.ended',
      sessionId: a.sessionId,
      reason: 'closed',
    });
    expect(await h.stats()).toMatchObject({ sessions: { live: 0, attached: 0 }, timers: 0 });
  });

  test('[RELAY-11] a kept, attached session whose tab closes lives on; the phone gets web.detached', async () => {
    const a = await link(h, phone.peer, true);
    a.web.close();
    expect(await phone.peer.next('web.detached')).toEqual({ t: 'web.detached', sessionId: a.sessionId });
    expect((await h.stats()).sessions).toEqual({ live: 1, attached: 0 });
  });

  test('[SESS-12] sessionIdleMs: a kept session without a connection for that long ends (session.ended idle)', async () => {
    await h.config({ sessionIdleMs: 10_000 });
    const a = await link(h, phone.peer, true);
    await a.web.closeAndWait();
    await phone.peer.next('web.detached');
    await h.advance(9_999);
    expect(phone.peer.unread('session.ended')).toEqual([]);
    await h.advance(1);
    expect((await phone.peer.next('session.ended')).reason).toBe('idle');
    expect((await h.stats()).timers).toBe(0);
  });
});

describe('attach', () => {
  test('[RELAY-1] attach before linked, twice, or with an epoch used before -> bad_state 4000', async () => {
    const a = await link(h, phone.peer, true);
    a.web.send({ t: 'attach', e: rand(16) });
    expect((await a.web.next('error')).code).toBe('bad_state');
    await a.web.expectClose(4000);
    const r = await resume(h, a.token as string);
    r.peer.send({ t: 'attach', e: a.e });
    expect(await r.peer.next('error')).toMatchObject({ code: 'bad_state', clause: 'RELAY-1' });
    await r.peer.expectClose(4000);
  });
});

describe('ends', () => {
  test('[SESS-9] logout: revoked logout + close 1000; phone session.ended logout', async () => {
    const a = await link(h, phone.peer, true);
    a.web.send({ t: 'logout' });
    expect(await a.web.next('revoked')).toEqual({ t: 'revoked', reason: 'logout' });
    await a.web.expectClose(1000);
    expect(await phone.peer.next('session.ended')).toEqual({
      t: 'session.ended',
      sessionId: a.sessionId,
      reason: 'logout',
    });
    const w = await h.web();
    w.send({ t: 'resume', token: a.token });
    await w.expectClose(4401);
  });

  test('[SESS-9] logout before linked -> bad_state 4000', async () => {
    const w = await h.web();
    w.send({ t: 'hello', v: 1, device: { name: 'n', platform: 'p' }, keep: false });
    w.send({ t: 'logout' });
    expect((await w.next('error')).code).toBe('bad_state');
    await w.expectClose(4000);
  });

  test('[SESS-10] unlink {sessionId}: web revoked unlinked + 4003; phone unlinked {[id]}; unknown -> unlinked {[]}', async () => {
    const a = await link(h, phone.peer, true);
    phone.peer.send({ t: 'unlink', sessionId: a.sessionId });
    expect(await phone.peer.next('unlinked')).toEqual({ t: 'unlinked', sessionIds: [a.sessionId] });
    expect(await a.web.next('revoked')).toEqual({ t: 'revoked', reason: 'unlinked' });
    await a.web.expectClose(4003);
    phone.peer.send({ t: 'unlink', sessionId: a.sessionId });
    expect(await phone.peer.next('unlinked')).toEqual({ t: 'unlinked', sessionIds: [] });
  });

  test('[SESS-11] unlink_all ends every session of the account', async () => {
    await h.config({ sessionLimit: 3 });
    const a = await link(h, phone.peer, true);
    const b = await link(h, phone.peer, false);
    phone.peer.send({ t: 'unlink_all' });
    const u = await phone.peer.next('unlinked');
    expect(new Set(u.sessionIds)).toEqual(new Set([a.sessionId, b.sessionId]));
    await a.web.expectClose(4003);
    await b.web.expectClose(4003);
    expect(await h.stats()).toMatchObject({ sessions: { live: 0 }, custody: { toPhone: 0, toWeb: 0 } });
  });

  test("[SESS-10] unlink of another account's session -> unlinked {[]}, that session untouched", async () => {
    const other = await registerPhone(h);
    const a = await link(h, other.peer, false);
    phone.peer.send({ t: 'unlink', sessionId: a.sessionId });
    expect(await phone.peer.next('unlinked')).toEqual({ t: 'unlinked', sessionIds: [] });
    await a.web.barrier();
    expect(a.web.closed).toBeNull();
  });
});
