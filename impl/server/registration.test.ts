/** Registration over real sockets: codes through the outbox gateway and control sms, expiry, lockout, re-registration. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { authPhone, type Harness, harness, link, newNumber, rand, registerPhone } from './test-fixture.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => h.close());

async function codeOf(number: string): Promise<string | null> {
  const r = await h.control.request({ t: 'sms', phone: number });
  if (r.t !== 'sms.ok') throw new Error('sms');
  return r.code;
}

describe('register', () => {
  test('[REG-1] register -> register.sent {phone, ttlMs, length}; the code goes through the gateway (outbox log) [CTL-5]', async () => {
    const number = newNumber();
    const phone = await h.phone();
    phone.send({ t: 'register', phone: number });
    expect(await phone.next('register.sent')).toEqual({ t: 'register.sent', phone: number, ttlMs: 300_000, length: 4 });
    const code = await codeOf(number);
    expect(code).toMatch(/^[0-9]{4}$/);
    expect(h.logs).toContain(`sms to ${number}: your qrlink code is ${code}`);
    expect(await codeOf(newNumber())).toBeNull();
  });

  test('[REG-1] codeLength from config', async () => {
    await h.config({ codeLength: 8 });
    const number = newNumber();
    const phone = await h.phone();
    phone.send({ t: 'register', phone: number });
    expect((await phone.next('register.sent')).length).toBe(8);
    expect(await codeOf(number)).toMatch(/^[0-9]{8}$/);
  });

  test('[REG-7] verify with the right code -> register.ok {accountId, deviceToken}; the connection is authenticated', async () => {
    const p = await registerPhone(h);
    expect(p.accountId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(p.deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    p.peer.send({ t: 'unlink_all' }); // needs auth: works
    expect(await p.peer.next('unlinked')).toEqual({ t: 'unlinked', sessionIds: [] });
    expect((await h.stats()).accounts).toBe(1);
  });

  test('[REG-4] a second register sooner than codeResendMs -> too_soon {retryAfterMs}; later a new code replaces the old', async () => {
    const number = newNumber();
    const phone = await h.phone();
    phone.send({ t: 'register', phone: number });
    await phone.next('register.sent');
    const first = await codeOf(number);
    await h.advance(10_000);
    phone.send({ t: 'register', phone: number });
    expect(await phone.next('register.error')).toEqual({
      t: 'register.error',
      reason: 'too_soon',
      retryAfterMs: 20_000,
    });
    await h.advance(20_000);
    phone.send({ t: 'register', phone: number });
    await phone.next('register.sent');
    const second = await codeOf(number);
    if (first !== second) {
      phone.send({ t: 'register.verify', phone: number, code: first, identityKey: rand(32) });
      expect((await phone.next('register.error')).reason).toBe('bad_code');
    }
    phone.send({ t: 'register.verify', phone: number, code: second, identityKey: rand(32) });
    await phone.next('register.ok');
  });

  test('[REG-5] verify with no outstanding code -> no_code', async () => {
    const phone = await h.phone();
    phone.send({ t: 'register.verify', phone: newNumber(), code: '1234', identityKey: rand(32) });
    expect(await phone.next('register.error')).toEqual({ t: 'register.error', reason: 'no_code' });
  });

  test('[REG-2] verify after codeTtlMs -> code_expired, and the code is discarded (then no_code)', async () => {
    const number = newNumber();
    const phone = await h.phone();
    phone.send({ t: 'register', phone: number });
    await phone.next('register.sent');
    const code = (await codeOf(number)) as string;
    await h.advance(300_000);
    phone.send({ t: 'register.verify', phone: number, code, identityKey: rand(32) });
    expect((await phone.next('register.error')).reason).toBe('code_expired');
    phone.send({ t: 'register.verify', phone: number, code, identityKey: rand(32) });
    expect((await phone.next('register.error')).reason).toBe('no_code');
  });

  test('[REG-3] bad codes count down attemptsLeft; the 5th answers locked {retryAfterMs: lockMs} and locks the number, from any connection', async () => {
    const number = newNumber();
    const phone = await h.phone();
    phone.send({ t: 'register', phone: number });
    await phone.next('register.sent');
    const code = (await codeOf(number)) as string;
    const wrong = code === '0000' ? '1111' : '0000';
    for (let left = 4; left >= 1; left--) {
      phone.send({ t: 'register.verify', phone: number, code: wrong, identityKey: rand(32) });
      expect(await phone.next('register.error')).toEqual({
        t: 'register.error',
        reason: 'bad_code',
        attemptsLeft: left,
      });
    }
    phone.send({ t: 'register.verify', phone: number, code: wrong, identityKey: rand(32) });
    expect(await phone.next('register.error')).toEqual({
      t: 'register.error',
      reason: 'locked',
      retryAfterMs: 900_000,
    });
    const other = await h.phone();
    other.send({ t: 'register.verify', phone: number, code, identityKey: rand(32) });
    expect(await other.next('register.error')).toEqual({
      t: 'register.error',
      reason: 'locked',
      retryAfterMs: 900_000,
    });
    await h.advance(1000);
    other.send({ t: 'register', phone: number });
    expect(await other.next('register.error')).toEqual({
      t: 'register.error',
      reason: 'locked',
      retryAfterMs: 899_000,
    });
    await h.advance(899_000);
    other.send({ t: 'register', phone: number });
    await other.next('register.sent');
  });

  test('[REG-4] a resent code does NOT reset the bad-try count', async () => {
    await h.config({ maxCodeAttempts: 2, codeResendMs: 0 });
    const number = newNumber();
    const phone = await h.phone();
    phone.send({ t: 'register', phone: number });
    await phone.next('register.sent');
    phone.send({ t: 'register.verify', phone: number, code: '99999', identityKey: rand(32) });
    expect((await phone.next('register.error')).attemptsLeft).toBe(1);
    phone.send({ t: 'register', phone: number });
    await phone.next('register.sent');
    phone.send({ t: 'register.verify', phone: number, code: '99999', identityKey: rand(32) });
    expect(await phone.next('register.error')).toEqual({
      t: 'register.error',
      reason: 'locked',
      retryAfterMs: 900_000,
    });
  });

  test('[REG-3] the locking try discards the code (no_code after the lock); a count over a lowered maxCodeAttempts locks at the next bad try [REG-14]', async () => {
    await h.config({ lockMs: 1000 });
    const number = newNumber();
    const phone = await h.phone();
    phone.send({ t: 'register', phone: number });
    await phone.next('register.sent');
    const code = (await codeOf(number)) as string;
    const wrong = '99999'; // a wrong length is a wrong code
    for (let i = 0; i < 3; i++) {
      phone.send({ t: 'register.verify', phone: number, code: wrong, identityKey: rand(32) });
      await phone.next('register.error');
    }
    await h.config({ maxCodeAttempts: 2 });
    phone.send({ t: 'register.verify', phone: number, code: wrong, identityKey: rand(32) });
    expect(await phone.next('register.error')).toEqual({ t: 'register.error', reason: 'locked', retryAfterMs: 1000 });
    await h.advance(1000);
    phone.send({ t: 'register.verify', phone: number, code, identityKey: rand(32) });
    expect(await phone.next('register.error')).toEqual({ t: 'register.error', reason: 'no_code' });
    // [REG-14] the lock ended: the count is back to zero, so one bad try leaves maxCodeAttempts - 1
    phone.send({ t: 'register', phone: number });
    await phone.next('register.sent');
    phone.send({ t: 'register.verify', phone: number, code: wrong, identityKey: rand(32) });
    expect(await phone.next('register.error')).toEqual({ t: 'register.error', reason: 'bad_code', attemptsLeft: 1 });
  });

  test('[REG-6] a code is single-use', async () => {
    const number = newNumber();
    const p = await registerPhone(h, number);
    const code = (await codeOf(number)) as string;
    const again = await h.phone();
    again.send({ t: 'register.verify', phone: number, code, identityKey: rand(32) });
    expect((await again.next('register.error')).reason).toBe('no_code');
    expect(p.peer.closed).toBeNull();
  });

  test('[REG-12] register.sent is the same whether or not the number has an account', async () => {
    const known = await registerPhone(h);
    await h.advance(30_000);
    const a = await h.phone();
    a.send({ t: 'register', phone: known.number });
    const b = await h.phone();
    const fresh = newNumber();
    b.send({ t: 'register', phone: fresh });
    const ra = await a.next('register.sent');
    const rb = await b.next('register.sent');
    expect({ ...ra, phone: '' }).toEqual({ ...rb, phone: '' });
  });
});

describe('auth', () => {
  test('[REG-9] auth with the device token -> auth.ok {accountId, sessions}', async () => {
    const p = await registerPhone(h);
    const l = await link(h, p.peer, true);
    const again = await h.phone();
    again.send({ t: 'auth', phone: p.number, deviceToken: p.deviceToken });
    expect(await again.next('auth.ok')).toEqual({
      t: 'auth.ok',
      accountId: p.accountId,
      sessions: [{ sessionId: l.sessionId, device: { name: 'Firefox on Linux', platform: 'web' }, keep: true }],
    });
  });

  test('[REG-9] auth with a wrong token -> error unauthorized + 4401', async () => {
    const p = await registerPhone(h);
    const bad = await h.phone();
    bad.send({ t: 'auth', phone: p.number, deviceToken: rand(32) });
    expect((await bad.next('error')).code).toBe('unauthorized');
    await bad.expectClose(4401);
  });

  test('[REG-11] register, verify or auth on an authenticated connection -> bad_state 4000', async () => {
    for (const frame of [
      { t: 'register', phone: '+15550001111' },
      { t: 'auth', phone: '+15550001111', deviceToken: 'abc' },
      { t: 'register.verify', phone: '+15550001111', code: '1234', identityKey: rand(32) },
    ]) {
      const p = await registerPhone(h);
      p.peer.send(frame);
      expect((await p.peer.next('error')).code).toBe('bad_state');
      await p.peer.expectClose(4000);
    }
  });

  test('[REG-10] a newer authenticated phone connection replaces the older: error conflict + 4002', async () => {
    const p = await registerPhone(h);
    const newer = await authPhone(h, p);
    expect((await p.peer.next('error')).code).toBe('conflict');
    await p.peer.expectClose(4002);
    newer.send({ t: 'unlink_all' });
    await newer.next('unlinked');
    expect((await h.stats()).connections.phone).toBe(1);
  });
});

describe('re-registration', () => {
  test('[REG-8] re-registering the number: same accountId, old token dies (open connection 4401), web sessions revoked reregistered 4003', async () => {
    const p = await registerPhone(h);
    const l = await link(h, p.peer, true);
    await h.advance(30_000);
    const q = await registerPhone(h, p.number);
    expect(q.accountId).toBe(p.accountId);
    expect(q.deviceToken).not.toBe(p.deviceToken);
    expect((await p.peer.next('error')).code).toBe('unauthorized');
    await p.peer.expectClose(4401);
    expect(await l.web.next('revoked')).toEqual({ t: 'revoked', reason: 'reregistered' });
    await l.web.expectClose(4003);
    const stale = await h.phone();
    stale.send({ t: 'auth', phone: p.number, deviceToken: p.deviceToken });
    await stale.expectClose(4401);
    const s = await h.stats();
    expect(s.sessions.live).toBe(0);
    expect(s.accounts).toBe(1);
    // [SESS-15] no session.ended for a re-registration: the new device learns from auth.ok
    await q.peer.barrier();
    expect(q.peer.unread('session.ended')).toEqual([]);
    const again = await h.phone();
    again.send({ t: 'auth', phone: p.number, deviceToken: q.deviceToken });
    expect((await again.next('auth.ok')).sessions).toEqual([]);
  });

  test('[ENC-3] accountId 16 CSPRNG bytes, deviceToken 32, base64url without padding', async () => {
    const p = await registerPhone(h);
    expect(p.accountId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(p.deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
