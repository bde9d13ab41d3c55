/**
 * Clause-targeted checks of a server's registration and phone authentication (docs/protocol.md
 * section 5): codes through the SMS outbox, bad tries and locks, resends, re-registration, `auth`.
 */
import type { Case, CaseContext } from '../engine/case.js';
import {
  advance,
  authPhone,
  canonicalJson,
  claim,
  configure,
  expect,
  fail,
  freshB64u,
  freshIdentityKey,
  linkedPair,
  openPhonePeer,
  openWeb,
  type PhonePeer,
  phoneNumber,
  registerOn,
  registerPhone,
  requestCode,
  resumeRefused,
  serverCheck,
  showQr,
} from './flow.js';

const SECTION = '5 Registration';

/** A code of the same length that differs from `code` (its last digit moved by one). */
function wrongCode(code: string): string {
  const last = Number(code.slice(-1));
  return `${code.slice(0, -1)}${(last + 1) % 10}`;
}

async function verify(peer: PhonePeer, phone: string, code: string, why = 'register.verify'): Promise<void> {
  await peer.send({ t: 'register.verify', phone, code, identityKey: freshIdentityKey() }, `sends ${why}`);
}

/** Sends a wrong code and expects `bad_code` with `attemptsLeft` [REG-3]. */
async function badTry(ctx: CaseContext, peer: PhonePeer, phone: string, code: string, left: number): Promise<void> {
  await verify(peer, phone, wrongCode(code), 'register.verify with a wrong code');
  const e = await peer.next('register.error', 'REG-3', 'a wrong code');
  expect(
    ctx,
    e.reason === 'bad_code' && e.attemptsLeft === left,
    'REG-3',
    `expected bad_code with attemptsLeft ${left}`,
    { reason: 'bad_code', attemptsLeft: left },
    e,
  );
}

async function expectRegisterError(
  ctx: CaseContext,
  peer: PhonePeer,
  reason: string,
  clause: string,
  why: string,
  retryAfterMs?: number,
): Promise<void> {
  const e = await peer.next('register.error', clause, why);
  expect(ctx, e.reason === reason, clause, `expected register.error ${reason} (${why})`, reason, e);
  if (retryAfterMs !== undefined) {
    expect(ctx, e.retryAfterMs === retryAfterMs, clause, `retryAfterMs must be ${retryAfterMs}`, retryAfterMs, e);
  }
}

export const registrationChecks: Case[] = [
  serverCheck({
    id: 'check.reg.code-sent',
    title: 'register sends a code of codeLength digits and answers register.sent',
    section: SECTION,
    clauses: ['REG-1'],
    requirement:
      'On `register {phone}` when no unexpired code is outstanding for `phone` and the number is not locked, the server MUST generate a fresh code of `codeLength` decimal digits, [...] and answer `register.sent {phone, ttlMs: codeTtlMs, length: codeLength}`.',
    async run(ctx) {
      const config = await configure(ctx, { codeLength: 6, codeTtlMs: 123_000 });
      const peer = await openPhonePeer(ctx, 'phone1');
      const phone = phoneNumber(1);
      await peer.send({ t: 'register', phone });
      const sent = await peer.next('register.sent', 'REG-1', 'register');
      expect(
        ctx,
        sent.phone === phone && sent.ttlMs === config.codeTtlMs && sent.length === 6,
        'REG-1',
        'register.sent must carry the number, codeTtlMs and codeLength',
        { phone, ttlMs: config.codeTtlMs, length: 6 },
        sent,
      );
      ctx.step('control', `sms ${phone}`);
      const code = await ctx.control?.sms(phone);
      expect(ctx, typeof code === 'string' && /^[0-9]{6}$/.test(code), 'REG-1', 'the SMS is not 6 digits', 6, code);
    },
  }),

  serverCheck({
    id: 'check.reg.right-code',
    title: 'the right code answers register.ok and authenticates the connection',
    section: SECTION,
    clauses: ['REG-7', 'ENC-3'],
    requirement:
      'On `register.verify` with the right outstanding code, the server MUST answer `register.ok {accountId, deviceToken}` with a fresh device token, [...] and treat the connection as authenticated for that account from then on',
    async run(ctx) {
      const { peer, account } = await registerPhone(ctx, 'phone1', phoneNumber(1));
      expect(ctx, account.deviceToken !== account.accountId, 'ENC-3', 'device token equals the account id');
      // authenticated: a link.claim is handled as a claim (unknown_ref), not refused as unauthenticated (REG-11)
      const ref = freshB64u(16);
      await peer.send({ t: 'link.claim', ref }, 'sends link.claim (proves the connection is authenticated)');
      const e = await peer.next('link.error', 'REG-7', 'a claim on an authenticated connection');
      expect(ctx, e.reason === 'unknown_ref', 'REG-7', 'expected link.error unknown_ref', 'unknown_ref', e);
    },
  }),

  serverCheck({
    id: 'check.reg.wrong-code',
    title: 'a wrong code answers bad_code with attemptsLeft, and the connection stays open',
    section: SECTION,
    clauses: ['REG-3'],
    requirement:
      'On `register.verify` with a wrong code the server MUST count one bad try for the number and answer `register.error {reason: "bad_code", attemptsLeft: maxCodeAttempts - badTries}`',
    async run(ctx) {
      const config = await configure(ctx, { maxCodeAttempts: 4 });
      const peer = await openPhonePeer(ctx, 'phone1');
      const phone = phoneNumber(1);
      const code = await requestCode(ctx, peer, phone);
      await badTry(ctx, peer, phone, code, config.maxCodeAttempts - 1);
      await badTry(ctx, peer, phone, code, config.maxCodeAttempts - 2);
      await verify(peer, phone, code, 'register.verify with the right code');
      await peer.next('register.ok', 'REG-3', 'the connection stays open after bad tries and the code still works');
    },
  }),

  serverCheck({
    id: 'check.reg.wrong-length-code',
    title: 'a code of the wrong length is a wrong code',
    section: SECTION,
    clauses: ['REG-3'],
    requirement: 'A code string of the wrong length (for example 5 digits when `codeLength` is 4) is a wrong code.',
    async run(ctx) {
      const config = await configure(ctx, { codeLength: 4 });
      const peer = await openPhonePeer(ctx, 'phone1');
      const phone = phoneNumber(1);
      const code = await requestCode(ctx, peer, phone);
      await verify(peer, phone, `${code}0`, 'register.verify with the code and one digit more');
      const e = await peer.next('register.error', 'REG-3', 'a 5-digit code when codeLength is 4');
      expect(
        ctx,
        e.reason === 'bad_code' && e.attemptsLeft === config.maxCodeAttempts - 1,
        'REG-3',
        'a code of the wrong length must count as a bad try',
        { reason: 'bad_code', attemptsLeft: config.maxCodeAttempts - 1 },
        e,
      );
    },
  }),

  serverCheck({
    id: 'check.reg.lockout',
    title: 'the bad try that reaches maxCodeAttempts locks the number everywhere and discards the code',
    section: SECTION,
    clauses: ['REG-3'],
    requirement:
      'a bad try that brings the count to `maxCodeAttempts` or beyond MUST instead discard the outstanding code, lock the number for `lockMs` and answer `register.error {reason: "locked", retryAfterMs: lockMs}`.',
    async run(ctx) {
      const config = await configure(ctx, { maxCodeAttempts: 3, lockMs: 50_000 });
      const peer = await openPhonePeer(ctx, 'phone1');
      const phone = phoneNumber(1);
      const code = await requestCode(ctx, peer, phone);
      await badTry(ctx, peer, phone, code, 2);
      await badTry(ctx, peer, phone, code, 1);
      await verify(peer, phone, wrongCode(code), 'register.verify with a third wrong code');
      await expectRegisterError(ctx, peer, 'locked', 'REG-3', 'the third bad try of 3', config.lockMs);
      await verify(peer, phone, code, 'register.verify with the right code while locked');
      await expectRegisterError(ctx, peer, 'locked', 'REG-3', 'the lock answers before any other check', 50_000);
      const other = await openPhonePeer(ctx, 'phone2');
      await other.send({ t: 'register', phone });
      await expectRegisterError(ctx, other, 'locked', 'REG-3', 'the lock applies from any connection', 50_000);
      // after the lock, the old code was discarded: no_code
      await advance(ctx, config.lockMs, 'the lock ends');
      await verify(other, phone, code, 'register.verify with the code sent before the lock');
      await expectRegisterError(ctx, other, 'no_code', 'REG-3', 'the lock discarded the outstanding code');
    },
  }),

  serverCheck({
    id: 'check.reg.lock-ends',
    title: 'a lock lasts exactly lockMs and its end resets the bad-try count',
    section: SECTION,
    clauses: ['REG-3', 'REG-14'],
    requirement:
      "The server MUST reset a number's bad-try count to zero when a verify succeeds and when a lock on the number ends, and at no other time (apart from `reset`, clause CTL-3).",
    async run(ctx) {
      const config = await configure(ctx, { maxCodeAttempts: 2, lockMs: 10_000 });
      const peer = await openPhonePeer(ctx, 'phone1');
      const phone = phoneNumber(1);
      const code = await requestCode(ctx, peer, phone);
      await badTry(ctx, peer, phone, code, 1);
      await verify(peer, phone, wrongCode(code), 'register.verify with a second wrong code');
      await expectRegisterError(ctx, peer, 'locked', 'REG-3', 'the second bad try of 2', 10_000);
      await advance(ctx, config.lockMs - 1, 'lockMs - 1');
      await peer.send({ t: 'register', phone });
      await expectRegisterError(ctx, peer, 'locked', 'REG-3', 'locked until lockMs has passed', 1);
      await advance(ctx, 1, 'the lock ends');
      const code2 = await requestCode(ctx, peer, phone);
      await badTry(ctx, peer, phone, code2, config.maxCodeAttempts - 1);
    },
  }),

  serverCheck({
    id: 'check.reg.code-reuse',
    title: 'a code is accepted once: a second verify with it answers no_code',
    section: SECTION,
    clauses: ['REG-6', 'REG-5'],
    requirement:
      'The server MUST accept each code at most once: after a successful verify the code is no longer outstanding.',
    async run(ctx) {
      const peer = await openPhonePeer(ctx, 'phone1');
      const phone = phoneNumber(1);
      const code = await requestCode(ctx, peer, phone);
      await verify(peer, phone, code);
      await peer.next('register.ok', 'REG-7', 'the right code');
      const other = await openPhonePeer(ctx, 'phone2');
      await verify(other, phone, code, 'register.verify with the used code');
      await expectRegisterError(ctx, other, 'no_code', 'REG-6', 'the code was used');
    },
  }),

  serverCheck({
    id: 'check.reg.no-code',
    title: 'verify without an outstanding code answers no_code',
    section: SECTION,
    clauses: ['REG-5'],
    requirement:
      'On `register.verify` for a number with no outstanding code (never sent, or used, replaced or discarded), the server MUST answer `register.error {reason: "no_code"}`.',
    async run(ctx) {
      const peer = await openPhonePeer(ctx, 'phone1');
      await verify(peer, phoneNumber(1), '1234', 'register.verify before any register');
      await expectRegisterError(ctx, peer, 'no_code', 'REG-5', 'no code was ever sent');
      await peer.nothing('REG-5', 'register.error does not close the connection');
    },
  }),

  serverCheck({
    id: 'check.reg.code-expired',
    title: 'a code expires exactly codeTtlMs after it was sent, without counting a bad try',
    section: SECTION,
    clauses: ['REG-2', 'REG-3'],
    requirement:
      'On `register.verify` at or after `codeTtlMs` milliseconds since the outstanding code was sent, the server MUST discard the code and answer `register.error {reason: "code_expired"}` without counting a bad try.',
    async run(ctx) {
      const config = await configure(ctx, { codeTtlMs: 5_000, maxCodeAttempts: 5 });
      const peer = await openPhonePeer(ctx, 'phone1');
      const phone = phoneNumber(1);
      const code = await requestCode(ctx, peer, phone);
      await advance(ctx, config.codeTtlMs - 1, 'codeTtlMs - 1');
      await badTry(ctx, peer, phone, code, 4);
      await advance(ctx, 1, 'codeTtlMs reached');
      await verify(peer, phone, code, 'register.verify with the right but expired code');
      await expectRegisterError(ctx, peer, 'code_expired', 'REG-2', 'at codeTtlMs the code is expired');
      await verify(peer, phone, code, 'register.verify again');
      await expectRegisterError(ctx, peer, 'no_code', 'REG-2', 'code_expired discards the code');
      const code2 = await requestCode(ctx, peer, phone);
      await badTry(ctx, peer, phone, code2, 3);
    },
  }),

  serverCheck({
    id: 'check.reg.too-soon',
    title: 'a second register within codeResendMs answers too_soon; after it, a new code replaces the old',
    section: SECTION,
    clauses: ['REG-4'],
    requirement:
      'On `register` while an unexpired code is outstanding for that number, the server MUST answer `register.error {reason: "too_soon", retryAfterMs}` if fewer than `codeResendMs` milliseconds have passed since that code was sent (`retryAfterMs` being the remainder), and otherwise MUST send a new code that replaces the old one',
    async run(ctx) {
      await configure(ctx, { codeResendMs: 30_000, codeLength: 8 });
      const peer = await openPhonePeer(ctx, 'phone1');
      const phone = phoneNumber(1);
      const code1 = await requestCode(ctx, peer, phone);
      await peer.send({ t: 'register', phone }, 'sends register again at once');
      await expectRegisterError(ctx, peer, 'too_soon', 'REG-4', 'no time has passed', 30_000);
      await advance(ctx, 29_999, 'codeResendMs - 1');
      await peer.send({ t: 'register', phone });
      await expectRegisterError(ctx, peer, 'too_soon', 'REG-4', '1 ms remains', 1);
      await advance(ctx, 1, 'codeResendMs reached');
      const code2 = await requestCode(ctx, peer, phone);
      if (code2 === code1) fail(ctx, '[REG-1] the replacing 8-digit code equals the old one (not fresh)', 'new', code2);
      await verify(peer, phone, code1, 'register.verify with the replaced code');
      const e = await peer.next('register.error', 'REG-4', 'the old code was replaced');
      expect(ctx, e.reason === 'bad_code', 'REG-4', 'the replaced code must no longer verify', 'bad_code', e);
      await verify(peer, phone, code2, 'register.verify with the new code');
      await peer.next('register.ok', 'REG-4', 'the new code verifies');
    },
  }),

  serverCheck({
    id: 'check.reg.resend-keeps-bad-tries',
    title: 'a new code does not reset the bad-try count',
    section: SECTION,
    clauses: ['REG-4', 'REG-14'],
    requirement:
      "otherwise MUST send a new code that replaces the old one, without resetting the number's bad-try count.",
    async run(ctx) {
      const config = await configure(ctx, { maxCodeAttempts: 5, codeResendMs: 0 });
      const peer = await openPhonePeer(ctx, 'phone1');
      const phone = phoneNumber(1);
      const code1 = await requestCode(ctx, peer, phone);
      await badTry(ctx, peer, phone, code1, config.maxCodeAttempts - 1);
      const code2 = await requestCode(ctx, peer, phone);
      await badTry(ctx, peer, phone, code2, config.maxCodeAttempts - 2);
    },
  }),

  serverCheck({
    id: 'check.reg.success-resets-count',
    title: 'a successful verify resets the bad-try count',
    section: SECTION,
    clauses: ['REG-14'],
    requirement:
      "The server MUST reset a number's bad-try count to zero when a verify succeeds and when a lock on the number ends",
    async run(ctx) {
      const config = await configure(ctx, { maxCodeAttempts: 5 });
      const phone = phoneNumber(1);
      const peer = await openPhonePeer(ctx, 'phone1');
      const code = await requestCode(ctx, peer, phone);
      await badTry(ctx, peer, phone, code, 4);
      await badTry(ctx, peer, phone, code, 3);
      await verify(peer, phone, code);
      await peer.next('register.ok', 'REG-7', 'the right code');
      const again = await openPhonePeer(ctx, 'phone2');
      const code2 = await requestCode(ctx, again, phone);
      await badTry(ctx, again, phone, code2, config.maxCodeAttempts - 1);
    },
  }),

  serverCheck({
    id: 'check.reg.same-answer',
    title: 'register answers a registered number exactly like a new one',
    section: SECTION,
    clauses: ['REG-12'],
    requirement:
      'The server MUST answer `register` identically whether or not the number already has an account, so that nothing before a correct code reveals whether a number is registered.',
    async run(ctx) {
      const registered = phoneNumber(1);
      const fresh = phoneNumber(2);
      await registerPhone(ctx, 'phone1', registered);
      const probe = await openPhonePeer(ctx, 'probe');
      await probe.send({ t: 'register', phone: registered });
      const a = await probe.next('register.sent', 'REG-12', 'register of a registered number');
      await probe.send({ t: 'register', phone: fresh });
      const b = await probe.next('register.sent', 'REG-12', 'register of a new number');
      const strip = (f: object) => canonicalJson({ ...f, phone: '' });
      expect(ctx, strip(a) === strip(b), 'REG-12', 'the answers differ beyond the number', b, a);
    },
  }),

  serverCheck({
    id: 'check.reg.auth',
    title: 'auth with the current device token answers auth.ok with the account and its sessions',
    section: SECTION,
    clauses: ['REG-9'],
    requirement:
      'On `auth {phone, deviceToken}` with the current device token of the account of `phone`, the server MUST answer `auth.ok {accountId, sessions}` listing every live session of the account (in admission order)',
    async run(ctx) {
      const { account } = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const peer = await openPhonePeer(ctx, 'phone2');
      await peer.send({ t: 'auth', phone: account.phone, deviceToken: account.deviceToken });
      const ok = await peer.next('auth.ok', 'REG-9', 'auth with the current token');
      expect(
        ctx,
        ok.accountId === account.accountId && ok.sessions.length === 0,
        'REG-9',
        'auth.ok must name the account and list no session (none was linked)',
        { accountId: account.accountId, sessions: [] },
        ok,
      );
    },
  }),

  serverCheck({
    id: 'check.reg.auth-bad-token',
    title: 'auth with a forged token, or for an unregistered number, is refused with 4401',
    section: SECTION,
    clauses: ['REG-9', 'ERR-7'],
    requirement: 'on any other `auth` it MUST send `error {code: "unauthorized"}` and close with 4401.',
    async run(ctx) {
      const { account } = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const forged = await openPhonePeer(ctx, 'thief');
      await forged.send(
        { t: 'auth', phone: account.phone, deviceToken: freshB64u(32) },
        'sends auth with a forged token',
      );
      await forged.error('unauthorized', 'REG-9', 'a forged device token');
      const other = await openPhonePeer(ctx, 'stranger');
      await other.send(
        { t: 'auth', phone: phoneNumber(2), deviceToken: account.deviceToken },
        'sends auth for another number',
      );
      await other.error('unauthorized', 'REG-9', "another number's device token");
    },
  }),

  serverCheck({
    id: 'check.reg.reregister-old-token',
    title: 'registering the number again invalidates the old device token and closes its connection with 4401',
    section: SECTION,
    clauses: ['REG-8', 'REG-7'],
    requirement:
      'When a verify succeeds for a number that already has an account, the server MUST invalidate the previous device token, send `error {code: "unauthorized"}` and close with 4401 every open phone connection authenticated with it',
    async run(ctx) {
      const phone = phoneNumber(1);
      const first = await registerPhone(ctx, 'phone1', phone);
      const second = await registerPhone(ctx, 'phone2', phone);
      expect(
        ctx,
        second.account.accountId === first.account.accountId,
        'REG-7',
        'the accountId must stay unchanged when the number already had an account',
        first.account.accountId,
        second.account.accountId,
      );
      expect(ctx, second.account.deviceToken !== first.account.deviceToken, 'REG-7', 'the device token must be fresh');
      await first.peer.error('unauthorized', 'REG-8', 'the number re-registered on another connection');
      const old = await openPhonePeer(ctx, 'phone3');
      await old.send({ t: 'auth', phone, deviceToken: first.account.deviceToken }, 'sends auth with the old token');
      await old.error('unauthorized', 'REG-8', 'the old device token was invalidated');
      await authPhone(ctx, 'phone4', second.account);
    },
  }),

  serverCheck({
    id: 'check.reg.reregister-ends-sessions',
    title: 're-registration revokes every web session with reregistered and 4003',
    section: SECTION,
    clauses: ['REG-8', 'SESS-13'],
    requirement:
      'and end every session of the account, sending `revoked {reason: "reregistered"}` and close 4003 to each web connection holding one.',
    async run(ctx) {
      const { phone, session } = await linkedPair(ctx);
      const again = await registerPhone(ctx, 'phone2', phone.account.phone);
      // REG-8 closes the old phone connection too; whether phone {online: false} precedes revoked is open
      await session.web.peer.discard('phone');
      const revoked = await session.web.peer.next('revoked', 'REG-8', 'the number re-registered');
      expect(ctx, revoked.reason === 'reregistered', 'REG-8', 'wrong revoked reason', 'reregistered', revoked);
      await session.web.peer.closedWith(4003, 'REG-8', 'after revoked reregistered');
      await phone.peer.error('unauthorized', 'REG-8', 'the old phone connection');
      const p = await openPhonePeer(ctx, 'phone3');
      await p.send({ t: 'auth', phone: again.account.phone, deviceToken: again.account.deviceToken });
      const ok = await p.next('auth.ok', 'REG-9', 'auth with the new token');
      expect(ctx, ok.sessions.length === 0, 'REG-8', 'the ended session is still listed', [], ok.sessions);
      if (session.token !== undefined) {
        await resumeRefused(ctx, 'web2', session.token, 'SESS-13', 'the session ended by re-registration');
      }
    },
  }),

  serverCheck({
    id: 'check.reg.reregister-ends-attempts',
    title: 'an attempt the old phone connection had claimed ends as if the phone left when the number re-registers',
    section: SECTION,
    clauses: ['REG-8', 'LINK-15'],
    requirement: 'Attempts that the closed phone connection had claimed end as if the phone left (clause LINK-15).',
    async run(ctx) {
      const phone = phoneNumber(1);
      const first = await registerPhone(ctx, 'phone1', phone);
      const web = await openWeb(ctx, 'web1');
      const shown = await showQr(web);
      await claim(ctx, first.peer, web, shown);
      await registerPhone(ctx, 'phone2', phone);
      await first.peer.error('unauthorized', 'REG-8', 'the number re-registered');
      const d = await web.peer.next('declined', 'LINK-15', 'the claiming phone connection was closed');
      expect(
        ctx,
        d.ref === shown.ref && d.reason === 'phone_gone',
        'LINK-15',
        'expected declined phone_gone',
        'phone_gone',
        d,
      );
      await web.peer.next('qr', 'QR-4', 'a fresh qr follows');
    },
  }),

  serverCheck({
    id: 'check.reg.phone-conflict',
    title: 'a second phone connection authenticating for the account replaces the first with conflict 4002',
    section: SECTION,
    clauses: ['REG-10'],
    requirement:
      'When a phone connection authenticates by `auth` for an account that already has an authenticated phone connection, the server MUST send the older connection `error {code: "conflict"}` and close it with 4002',
    async run(ctx) {
      const first = await registerPhone(ctx, 'phone1', phoneNumber(1));
      await authPhone(ctx, 'phone2', first.account);
      await first.peer.error('conflict', 'REG-10', 'a newer connection authenticated for the account');
    },
  }),

  serverCheck({
    id: 'check.reg.unauthenticated-frame',
    title: 'a link frame on an unauthenticated phone connection is refused with 4401',
    section: SECTION,
    clauses: ['REG-11'],
    requirement:
      'On an unauthenticated phone connection, the server MUST answer any frame other than `register`, `register.verify` and `auth` with `error {code: "unauthorized"}` and close 4401',
    async run(ctx) {
      const web = await openWeb(ctx, 'web1');
      const peer = await openPhonePeer(ctx, 'phone1');
      await peer.send({ t: 'link.claim', ref: web.qr.ref }, 'sends link.claim before authenticating');
      await peer.error('unauthorized', 'REG-11', 'not authenticated');
      await web.peer.nothing('TR-7', 'the refused claim must not reach the web client');
    },
  }),

  serverCheck({
    id: 'check.reg.authenticated-register',
    title: 'register, register.verify or auth on an authenticated connection is bad_state',
    section: SECTION,
    clauses: ['REG-11'],
    requirement:
      'on an authenticated connection it MUST answer `register`, `register.verify` and `auth` with `error {code: "bad_state"}` and close 4000.',
    async run(ctx) {
      const a = await registerPhone(ctx, 'phone1', phoneNumber(1));
      await a.peer.send({ t: 'register', phone: phoneNumber(2) }, 'sends register after register.ok');
      await a.peer.error('bad_state', 'REG-11', 'register on an authenticated connection');
      const b = await authPhone(ctx, 'phone2', a.account);
      await b.send({ t: 'auth', phone: a.account.phone, deviceToken: a.account.deviceToken }, 'sends auth again');
      await b.error('bad_state', 'REG-11', 'auth on an authenticated connection');
      const c = await openPhonePeer(ctx, 'phone3');
      const account = await registerOn(ctx, c, phoneNumber(3));
      await c.send({ t: 'register.verify', phone: account.phone, code: '1234', identityKey: freshIdentityKey() });
      await c.error('bad_state', 'REG-11', 'register.verify on an authenticated connection');
    },
  }),
];
