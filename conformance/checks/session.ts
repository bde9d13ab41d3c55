/**
 * Clause-targeted checks of a server's sessions and resume tokens (docs/protocol.md section 10):
 * the session limit, token rotation and single use, takeover, the ends of a session (close of an
 * unkept or unacknowledged link, logout, unlink, unlink_all, idle) and what survives them.
 */
import type { Case, CaseContext } from '../engine/case.js';
import {
  advance,
  attach,
  configure,
  expect,
  freshB64u,
  linkedPair,
  linkWeb,
  openPhonePeer,
  openWeb,
  type PhoneConn,
  type PhonePeer,
  type Prepared,
  phoneNumber,
  prepareLink,
  registerPhone,
  resume,
  resumeRefused,
  type Session,
  sameJson,
  serverCheck,
  stats,
  type WebConn,
  type WebPeer,
} from './flow.js';

const SECTION = '10 Sessions and tokens';

type Reason = 'replaced' | 'conflict' | 'unlinked' | 'reregistered' | 'logout';
const closeOf: Record<Reason, number> = {
  replaced: 4001,
  conflict: 4002,
  unlinked: 4003,
  reregistered: 4003,
  logout: 1000,
};

async function revoked(ctx: CaseContext, web: WebPeer, reason: Reason, clause: string, why: string): Promise<void> {
  const r = await web.next('revoked', clause, why);
  expect(ctx, r.reason === reason, clause, `expected revoked ${reason} (${why})`, reason, r);
  await web.closedWith(closeOf[reason], clause, `after revoked ${reason}`);
}

async function ended(
  ctx: CaseContext,
  phone: PhonePeer,
  sessionId: string,
  reason: 'logout' | 'closed' | 'replaced' | 'idle',
  clause: string,
  why: string,
): Promise<void> {
  const e = await phone.next('session.ended', clause, why);
  expect(
    ctx,
    e.sessionId === sessionId && e.reason === reason,
    clause,
    `expected session.ended ${reason} (${why})`,
    { sessionId, reason },
    e,
  );
}

/**
 * `link.finalize` for an account at its session limit: each replaced session's web connection gets
 * `revoked replaced` + 4001, the phone `session.ended replaced` for each (oldest first) before
 * `link.ok`; the new web connection gets `linked` and `phone {online: true}` [SESS-1, LINK-9].
 */
async function finalizeReplacing(
  ctx: CaseContext,
  phone: PhoneConn,
  web: WebConn,
  prepared: Prepared,
  replaced: readonly Session[],
): Promise<string> {
  await phone.peer.send({ t: 'link.finalize', ref: prepared.shown.ref });
  for (const old of replaced) await revoked(ctx, old.web.peer, 'replaced', 'SESS-1', 'the session limit was reached');
  for (const old of replaced) {
    await ended(ctx, phone.peer, old.sessionId, 'replaced', 'SESS-1', 'session.ended precedes link.ok');
  }
  const ok = await phone.peer.next('link.ok', 'LINK-9', 'admission after the replacement');
  const linked = await web.peer.next('linked', 'LINK-9', 'admission');
  expect(ctx, linked.sessionId === ok.sessionId, 'LINK-9', 'linked and link.ok name different sessions', ok, linked);
  await web.peer.next('phone', 'LINK-9', 'phone {online: true} follows linked');
  return linked.sessionId;
}

/** A kept, attached session whose web connection then closed (detached). */
async function detachedSession(ctx: CaseContext): Promise<{ phone: PhoneConn; session: Session }> {
  const pair = await linkedPair(ctx);
  await pair.session.web.peer.close();
  await pair.phone.peer.next('web.detached', 'RELAY-11', 'the attached kept connection closed');
  return pair;
}

export const sessionChecks: Case[] = [
  serverCheck({
    id: 'check.sess.limit-replace',
    title: 'a link beyond sessionLimit revokes the older session (replaced, 4001) before admitting the new one',
    section: SECTION,
    clauses: ['SESS-1', 'LINK-9'],
    requirement:
      'Before admitting a session for an account that already has `sessionLimit` live sessions, the server MUST end the oldest (by admission) until fewer than `sessionLimit` remain, sending `revoked {reason: "replaced"}` and close 4001 to each web connection holding one and `session.ended {sessionId, reason: "replaced"}` to the account\'s phone connection, all before `linked` is sent.',
    async run(ctx) {
      await configure(ctx, { sessionLimit: 1 });
      const { phone, session } = await linkedPair(ctx);
      const web2 = await openWeb(ctx, 'web2');
      const prepared = await prepareLink(ctx, phone, web2);
      await session.web.peer.nothing('SESS-1', 'nothing happens to the old session before finalize');
      await finalizeReplacing(ctx, phone, web2, prepared, [session]);
      if (session.token !== undefined) {
        await resumeRefused(ctx, 'web3', session.token, 'SESS-13', 'the replaced session cannot be resumed');
      }
      const s = await stats(ctx);
      expect(ctx, s.sessions.live === 1, 'SESS-1', 'exactly one live session must remain', 1, s.sessions);
    },
  }),

  serverCheck({
    id: 'check.sess.limit-two',
    title: 'with sessionLimit 2 the second link replaces nothing and the third replaces the oldest',
    section: SECTION,
    clauses: ['SESS-1'],
    requirement: 'the server MUST end the oldest (by admission) until fewer than `sessionLimit` remain',
    async run(ctx) {
      await configure(ctx, { sessionLimit: 2 });
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const s1 = await linkWeb(ctx, phone, await openWeb(ctx, 'web1'));
      const s2 = await linkWeb(ctx, phone, await openWeb(ctx, 'web2'));
      await s1.web.peer.nothing('SESS-1', 'two sessions fit a limit of 2');
      const web3 = await openWeb(ctx, 'web3');
      const prepared = await prepareLink(ctx, phone, web3);
      await finalizeReplacing(ctx, phone, web3, prepared, [s1]);
      await s2.web.peer.nothing('SESS-1', 'only the oldest is replaced');
    },
  }),

  serverCheck({
    id: 'check.sess.limit-lowered',
    title: 'lowering sessionLimit ends nothing at once; the next admission ends the oldest until under the limit',
    section: SECTION,
    clauses: ['SESS-1'],
    requirement: 'Lowering `sessionLimit` by `config` ends nothing at once; it applies at the next admission.',
    async run(ctx) {
      await configure(ctx, { sessionLimit: 3 });
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const old: Session[] = [];
      for (const name of ['web1', 'web2', 'web3']) old.push(await linkWeb(ctx, phone, await openWeb(ctx, name)));
      await configure(ctx, { sessionLimit: 1 });
      for (const s of old) await s.web.peer.nothing('SESS-1', 'a lower limit ends nothing at once');
      const web4 = await openWeb(ctx, 'web4');
      const prepared = await prepareLink(ctx, phone, web4);
      await finalizeReplacing(ctx, phone, web4, prepared, old);
      const st = await stats(ctx);
      expect(ctx, st.sessions.live === 1, 'SESS-1', 'only the new session may remain', 1, st.sessions);
    },
  }),

  serverCheck({
    id: 'check.sess.pending-token-promoted',
    title: 'presenting a pending token promotes it and retires the old current token',
    section: SECTION,
    clauses: ['SESS-4', 'SESS-5', 'SESS-3'],
    requirement:
      'or promote the presented pending token to current and retire the old current token, then issue a fresh pending token',
    async run(ctx) {
      const { session } = await detachedSession(ctx);
      const t1 = session.token ?? '';
      const r2 = await resume(ctx, session, 'web2'); // t2 pending, not acknowledged
      const tabA = session.web.peer;
      await resume(ctx, session, 'web3', r2.token); // tab B presents the pending token
      await revoked(ctx, tabA, 'conflict', 'SESS-3', 'tab B took the session over');
      await session.web.peer.close(); // t3 pending, t2 now current
      await resumeRefused(ctx, 'web4', t1, 'SESS-5', 'the old current token was retired by the promotion');
      await resume(ctx, session, 'web5', r2.token);
    },
  }),

  serverCheck({
    id: 'check.sess.limit-per-account',
    title: "the session limit is per account: another account's link replaces nothing",
    section: SECTION,
    clauses: ['SESS-1', 'TR-7'],
    requirement: 'The limit is per account and counts live sessions, attached or not (a detached kept session counts).',
    async run(ctx) {
      await configure(ctx, { sessionLimit: 1 });
      const a = await linkedPair(ctx, { phone: phoneNumber(1), web: 'web1', phoneName: 'phone1' });
      await a.session.web.peer.close();
      await a.phone.peer.next('web.detached', 'RELAY-11', 'the attached kept connection closed');
      const b = await linkedPair(ctx, { phone: phoneNumber(2), web: 'web2', phoneName: 'phone2' });
      await a.phone.peer.nothing('SESS-1', "another account's link ends none of this account's sessions");
      const s = await stats(ctx);
      expect(ctx, s.sessions.live === 2, 'SESS-1', 'both sessions must live', 2, s.sessions);
      // the detached kept session counts toward its own account's limit
      const web3 = await openWeb(ctx, 'web3');
      const prepared = await prepareLink(ctx, a.phone, web3);
      await a.phone.peer.send({ t: 'link.finalize', ref: prepared.shown.ref });
      await ended(ctx, a.phone.peer, a.session.sessionId, 'replaced', 'SESS-1', 'a detached kept session counts');
      await a.phone.peer.next('link.ok', 'LINK-9', 'admission');
      await b.session.web.peer.nothing('SESS-1', 'the other account is untouched');
    },
  }),

  serverCheck({
    id: 'check.sess.ended-while-phone-away',
    title: 'a session that ends while the phone is away is simply absent from the next auth.ok',
    section: SECTION,
    clauses: ['SESS-15', 'REG-9'],
    requirement:
      'A phone that is offline when a session ends learns it at its next `auth.ok`, which no longer lists the session; `session.ended` is not kept in custody.',
    async run(ctx) {
      const { phone, session } = await linkedPair(ctx);
      await phone.peer.close();
      await session.web.peer.next('phone', 'RELAY-10', 'the phone left');
      await session.web.peer.send({ t: 'logout' });
      await revoked(ctx, session.web.peer, 'logout', 'SESS-9', 'logout while the phone is away');
      const p2 = await openPhonePeer(ctx, 'phone2');
      await p2.send({ t: 'auth', phone: phone.account.phone, deviceToken: phone.account.deviceToken });
      const ok = await p2.next('auth.ok', 'REG-9', 'the phone returns');
      expect(ctx, ok.sessions.length === 0, 'REG-9', 'the ended session is still listed', [], ok.sessions);
      await p2.nothing('SESS-15', 'session.ended is not kept in custody');
    },
  }),

  serverCheck({
    id: 'check.sess.resume-new-token',
    title: 'resume with the kept token answers resumed with a fresh token and phone presence',
    section: SECTION,
    clauses: ['SESS-4', 'RELAY-10', 'RELAY-2'],
    requirement:
      'On a valid `resume`, the server MUST [...] issue a fresh pending token and send `resumed {sessionId, accountId, token}` with it, followed by `phone {online}` (clause RELAY-10).',
    async run(ctx) {
      const { session } = await detachedSession(ctx);
      const t1 = session.token;
      const r = await resume(ctx, session, 'web2');
      expect(ctx, r.token !== t1, 'SESS-4', 'the resumed token must be fresh', 'new', r.token);
      expect(ctx, r.online, 'RELAY-10', 'the phone is online', true, r.online);
      await attach(ctx, session);
      const s = await stats(ctx);
      expect(ctx, s.sessions.attached === 1, 'RELAY-2', 'the session must be attached again', 1, s.sessions);
    },
  }),

  serverCheck({
    id: 'check.sess.hello-after-resume',
    title: 'a hello after resume is bad_state; the kept session lives on, detached',
    section: SECTION,
    clauses: ['LINK-16', 'SESS-12'],
    requirement:
      'and MUST answer a second `hello`, a `hello` after `resume`, a `resume` after `hello`, and any other frame before the first `hello` or `resume`, with `error {code: "bad_state"}` and close 4000.',
    async run(ctx) {
      const { session } = await detachedSession(ctx);
      await resume(ctx, session, 'web2');
      await session.web.peer.send(
        { t: 'hello', v: 1, device: session.web.device, keep: true },
        'sends hello after resume',
      );
      await session.web.peer.error('bad_state', 'LINK-16', 'hello after resume');
      await resume(ctx, session, 'web3');
    },
  }),

  serverCheck({
    id: 'check.sess.token-single-use',
    title: 'once its successor is acknowledged, a token never works again; the successor does',
    section: SECTION,
    clauses: ['SESS-5', 'SESS-6', 'SESS-2', 'SESS-3'],
    requirement: 'The server MUST NOT accept a retired token again, for any session.',
    async run(ctx) {
      const { session } = await detachedSession(ctx);
      const t1 = session.token ?? '';
      await resume(ctx, session, 'web2');
      await attach(ctx, session);
      await resumeRefused(ctx, 'web3', t1, 'SESS-5', 'the token was retired when its successor was attached');
      const holder = session.web.peer;
      await resume(ctx, session, 'web4');
      await revoked(ctx, holder, 'conflict', 'SESS-3', 'the current token resumed elsewhere');
    },
  }),

  serverCheck({
    id: 'check.sess.current-token-retires-pending',
    title: 'presenting the current token again retires the unacknowledged pending one',
    section: SECTION,
    clauses: ['SESS-4', 'SESS-2'],
    requirement:
      'On a valid `resume`, the server MUST retire any other pending token when the current token was presented, or promote the presented pending token to current and retire the old current token',
    async run(ctx) {
      const { session } = await detachedSession(ctx);
      const t1 = session.token ?? '';
      const r2 = await resume(ctx, session, 'web2');
      await session.web.peer.close(); // no attach: t2 stays pending, t1 current
      await resume(ctx, session, 'web3', t1);
      await session.web.peer.close();
      await resumeRefused(
        ctx,
        'web4',
        r2.token,
        'SESS-4',
        'the pending token was retired by a resume with the current',
      );
      await resume(ctx, session, 'web5', t1);
    },
  }),

  serverCheck({
    id: 'check.sess.pending-token-takeover',
    title: 'the pending token of an unacknowledged linked is a valid takeover',
    section: SECTION,
    clauses: ['SESS-3', 'SESS-7', 'SESS-6'],
    requirement:
      'When a `resume` names a session that another open connection holds, the server MUST send that connection `revoked {reason: "conflict"}` and close it with 4002 before sending `resumed`.',
    async run(ctx) {
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const web1 = await openWeb(ctx, 'web1', { keep: true });
      const session = await linkWeb(ctx, phone, web1, { attach: false });
      const holder = web1.peer;
      await resume(ctx, session, 'web2');
      await revoked(ctx, holder, 'conflict', 'SESS-3', 'tab B presented the pending token');
      await phone.peer.nothing('SESS-7', 'the session moved, it did not end');
      await attach(ctx, session);
    },
  }),

  serverCheck({
    id: 'check.sess.unacked-linked-closes',
    title: 'a kept link whose linked was never acknowledged ends when its connection closes',
    section: SECTION,
    clauses: ['SESS-7', 'SESS-13'],
    requirement:
      'if the admitted connection closes before its `attach` and before another connection presented that token, the server MUST end the session and send the phone `session.ended {sessionId, reason: "closed"}`.',
    async run(ctx) {
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const web = await openWeb(ctx, 'web1', { keep: true });
      const session = await linkWeb(ctx, phone, web, { attach: false });
      await web.peer.close();
      await ended(ctx, phone.peer, session.sessionId, 'closed', 'SESS-7', 'closed before attach');
      await resumeRefused(ctx, 'web2', session.token ?? '', 'SESS-13', 'the session ended');
      const s = await stats(ctx);
      expect(ctx, s.sessions.live === 0, 'SESS-7', 'the session must have ended', 0, s.sessions);
    },
  }),

  serverCheck({
    id: 'check.sess.keep-false-close',
    title: 'a keep:false session ends when its web connection closes',
    section: SECTION,
    clauses: ['SESS-8', 'RELAY-11'],
    requirement:
      'When the web connection of a `keep: false` session closes for any reason other than the ones in this table that already ended the session, the server MUST end the session and send the phone `session.ended {sessionId, reason: "closed"}`.',
    async run(ctx) {
      const { phone, session } = await linkedPair(ctx, { keep: false });
      await session.web.peer.close();
      await ended(ctx, phone.peer, session.sessionId, 'closed', 'SESS-8', 'the unkept connection closed');
      await phone.peer.nothing('RELAY-11', 'an ended session is not detached');
      const s = await stats(ctx);
      expect(ctx, s.sessions.live === 0, 'SESS-8', 'the session must have ended', 0, s.sessions);
    },
  }),

  serverCheck({
    id: 'check.sess.logout',
    title: 'logout: revoked logout, close 1000, session.ended logout, and the token is dead',
    section: SECTION,
    clauses: ['SESS-9', 'SESS-13'],
    requirement:
      'On `logout` from a connection holding a session (attached or not), the server MUST end the session, send `revoked {reason: "logout"}` and close the connection with 1000, and send the phone `session.ended {sessionId, reason: "logout"}`.',
    async run(ctx) {
      const { phone, session } = await linkedPair(ctx);
      await session.web.peer.send({ t: 'logout' });
      await revoked(ctx, session.web.peer, 'logout', 'SESS-9', 'logout');
      await ended(ctx, phone.peer, session.sessionId, 'logout', 'SESS-9', 'logout');
      await resumeRefused(ctx, 'web2', session.token ?? '', 'SESS-13', 'the session was logged out');
    },
  }),

  serverCheck({
    id: 'check.sess.logout-unattached',
    title: 'logout before attach also ends the session',
    section: SECTION,
    clauses: ['SESS-9'],
    requirement: 'On `logout` from a connection holding a session (attached or not)',
    async run(ctx) {
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const web = await openWeb(ctx, 'web1', { keep: false });
      const session = await linkWeb(ctx, phone, web, { attach: false });
      await web.peer.send({ t: 'logout' }, 'sends logout before attach');
      await revoked(ctx, web.peer, 'logout', 'SESS-9', 'logout before attach');
      await ended(ctx, phone.peer, session.sessionId, 'logout', 'SESS-9', 'logout before attach');
    },
  }),

  serverCheck({
    id: 'check.sess.unlink',
    title: 'unlink from the phone: revoked unlinked + 4003, unlinked [id], token dead, a second unlink []',
    section: SECTION,
    clauses: ['SESS-10', 'SESS-13', 'LATE-1'],
    requirement:
      'On `unlink {sessionId}` for a live session of the phone\'s account, the server MUST end it at once, send `revoked {reason: "unlinked"}` and close 4003 to the web connection holding it, and answer `unlinked {sessionIds: [sessionId]}`',
    async run(ctx) {
      const { phone, session } = await linkedPair(ctx);
      await phone.peer.send({ t: 'unlink', sessionId: session.sessionId });
      await revoked(ctx, session.web.peer, 'unlinked', 'SESS-10', 'the phone unlinked the session');
      const u = await phone.peer.next('unlinked', 'SESS-10', 'answer to unlink');
      expect(
        ctx,
        u.sessionIds.length === 1 && u.sessionIds[0] === session.sessionId,
        'SESS-10',
        'wrong unlinked',
        [session.sessionId],
        u,
      );
      await phone.peer.nothing('SESS-15', "no session.ended for the phone's own unlink");
      await resumeRefused(ctx, 'web2', session.token ?? '', 'SESS-13', 'the session was unlinked');
      await phone.peer.send({ t: 'unlink', sessionId: session.sessionId }, 'sends unlink again (late)');
      const again = await phone.peer.next('unlinked', 'SESS-10', 'a session already ended');
      expect(ctx, again.sessionIds.length === 0, 'SESS-10', 'expected unlinked []', [], again);
    },
  }),

  serverCheck({
    id: 'check.sess.unlink-unknown',
    title: "unlink of a session that is not this account's changes nothing and answers unlinked []",
    section: SECTION,
    clauses: ['SESS-10', 'TR-7'],
    requirement:
      'answering `unlinked {sessionIds: []}` and changing nothing when `sessionId` is not a live session of this account.',
    async run(ctx) {
      const a = await linkedPair(ctx, { phone: phoneNumber(1), web: 'web1', phoneName: 'phone1' });
      const b = await registerPhone(ctx, 'phone2', phoneNumber(2));
      for (const sessionId of [a.session.sessionId, freshB64u(16)]) {
        await b.peer.send({ t: 'unlink', sessionId }, 'sends unlink of a session not of its account');
        const u = await b.peer.next('unlinked', 'SESS-10', 'not a session of this account');
        expect(ctx, u.sessionIds.length === 0, 'SESS-10', 'expected unlinked []', [], u);
      }
      await a.session.web.peer.nothing('TR-7', "another account's unlink must not touch the session");
      const s = await stats(ctx);
      expect(ctx, s.sessions.live === 1, 'SESS-10', 'the session must live on', 1, s.sessions);
    },
  }),

  serverCheck({
    id: 'check.sess.unlink-all',
    title: 'unlink_all ends every session, listed in admission order; again it answers []',
    section: SECTION,
    clauses: ['SESS-11'],
    requirement:
      "On `unlink_all`, the server MUST end every live session of the phone's account as clause SESS-10 does and answer `unlinked {sessionIds}` listing them in admission order (`[]` when there were none).",
    async run(ctx) {
      await configure(ctx, { sessionLimit: 3 });
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const s1 = await linkWeb(ctx, phone, await openWeb(ctx, 'web1', { keep: true }));
      const s2 = await linkWeb(ctx, phone, await openWeb(ctx, 'web2', { keep: false }));
      const s3 = await linkWeb(ctx, phone, await openWeb(ctx, 'web3', { keep: true }), { attach: false });
      await phone.peer.send({ t: 'unlink_all' });
      for (const s of [s1, s2, s3]) await revoked(ctx, s.web.peer, 'unlinked', 'SESS-11', 'unlink_all');
      const u = await phone.peer.next('unlinked', 'SESS-11', 'answer to unlink_all');
      const want = [s1.sessionId, s2.sessionId, s3.sessionId];
      expect(
        ctx,
        JSON.stringify(u.sessionIds) === JSON.stringify(want),
        'SESS-11',
        'not every session, in admission order',
        want,
        u,
      );
      await phone.peer.send({ t: 'unlink_all' }, 'sends unlink_all again');
      const again = await phone.peer.next('unlinked', 'SESS-11', 'no session left');
      expect(ctx, again.sessionIds.length === 0, 'SESS-11', 'expected unlinked []', [], again);
    },
  }),

  serverCheck({
    id: 'check.sess.takeover-attached',
    title: 'resuming a session another connection is attached to revokes that one with conflict 4002',
    section: SECTION,
    clauses: ['SESS-3', 'SESS-4', 'RELAY-11'],
    requirement:
      'When a `resume` names a session that another open connection holds, the server MUST send that connection `revoked {reason: "conflict"}` and close it with 4002 before sending `resumed`.',
    async run(ctx) {
      const { phone, session } = await linkedPair(ctx);
      const holder = session.web.peer;
      await resume(ctx, session, 'web2');
      await revoked(ctx, holder, 'conflict', 'SESS-3', 'another connection resumed the session');
      // RELAY-11 (and table 14.5): the attached connection closed and the session lives on
      const d = await phone.peer.find('web.detached', 'RELAY-11', 'the attached connection was taken over');
      expect(ctx, d.sessionId === session.sessionId, 'RELAY-11', 'web.detached names another session', session, d);
      await attach(ctx, session);
      const s = await stats(ctx);
      expect(ctx, s.sessions.live === 1 && s.sessions.attached === 1, 'SESS-3', 'the session moved', 1, s.sessions);
    },
  }),

  serverCheck({
    id: 'check.sess.idle-expiry',
    title: 'a detached kept session ends exactly sessionIdleMs after its last holder closed',
    section: SECTION,
    clauses: ['SESS-12', 'SESS-13'],
    requirement:
      'when `sessionIdleMs` is greater than 0 the server MUST end a kept session that no connection has held for `sessionIdleMs` and send the phone `session.ended {sessionId, reason: "idle"}`.',
    async run(ctx) {
      const config = await configure(ctx, { sessionIdleMs: 10_000 });
      const { phone, session } = await detachedSession(ctx);
      await advance(ctx, config.sessionIdleMs - 1, 'sessionIdleMs - 1');
      await phone.peer.nothing('SESS-12', 'not idle long enough');
      await advance(ctx, 1, 'sessionIdleMs reached');
      await ended(ctx, phone.peer, session.sessionId, 'idle', 'SESS-12', 'detached for sessionIdleMs');
      await resumeRefused(ctx, 'web2', session.token ?? '', 'SESS-13', 'the session ended by idleness');
    },
  }),

  serverCheck({
    id: 'check.sess.idle-cancelled-by-resume',
    title: 'a resume cancels the idle timer',
    section: SECTION,
    clauses: ['SESS-12'],
    requirement:
      'The idle timer starts when the last connection holding the session closes and is cancelled by the next valid `resume` of it.',
    async run(ctx) {
      const config = await configure(ctx, { sessionIdleMs: 10_000 });
      const { phone, session } = await detachedSession(ctx);
      await advance(ctx, config.sessionIdleMs - 1, 'sessionIdleMs - 1');
      await resume(ctx, session, 'web2');
      await advance(ctx, config.sessionIdleMs, 'another sessionIdleMs while held');
      await phone.peer.nothing('SESS-12', 'a held session does not end by idleness');
      await session.web.peer.nothing('SESS-12', 'the holder is not revoked');
    },
  }),

  serverCheck({
    id: 'check.sess.no-time-expiry',
    title: 'with sessionIdleMs 0 a kept session does not expire by time',
    section: SECTION,
    clauses: ['SESS-12'],
    requirement: 'Kept sessions MUST NOT expire by time, except that when `sessionIdleMs` is greater than 0',
    async run(ctx) {
      await configure(ctx, { sessionIdleMs: 0 });
      const { phone, session } = await detachedSession(ctx);
      await advance(ctx, 2 ** 31, 'about 24.8 days');
      await phone.peer.nothing('SESS-12', 'no session.ended by time');
      await resume(ctx, session, 'web2');
    },
  }),

  serverCheck({
    id: 'check.sess.bad-token',
    title: 'resume with a token never issued is refused with 4401',
    section: SECTION,
    clauses: ['SESS-2'],
    requirement:
      'The server MUST answer a `resume {token}` whose token is neither the current nor the pending token of a live session with `error {code: "unauthorized"}` and close 4401.',
    async run(ctx) {
      const { session } = await linkedPair(ctx);
      await resumeRefused(ctx, 'web2', freshB64u(32), 'SESS-2', 'a forged token');
      await session.web.peer.nothing('TR-7', 'a forged resume does not disturb the live session');
    },
  }),

  serverCheck({
    id: 'check.sess.auth-ok-lists-sessions',
    title: 'auth.ok lists every live session in admission order with device and keep, then the flush',
    section: SECTION,
    clauses: ['REG-9', 'RELAY-9'],
    requirement:
      'the server MUST answer `auth.ok {accountId, sessions}` listing every live session of the account (in admission order), followed by the flush of clause RELAY-9',
    async run(ctx) {
      await configure(ctx, { sessionLimit: 2 });
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const w1 = await openWeb(ctx, 'web1', { keep: true, device: { name: 'Tab one', platform: 'macOS' } });
      const s1 = await linkWeb(ctx, phone, w1);
      const w2 = await openWeb(ctx, 'web2', { keep: false, device: { name: 'Tab two', platform: 'Linux' } });
      const s2 = await linkWeb(ctx, phone, w2);
      await phone.peer.close();
      const p2 = await openPhonePeer(ctx, 'phone2');
      await p2.send({ t: 'auth', phone: phone.account.phone, deviceToken: phone.account.deviceToken });
      const ok = await p2.next('auth.ok', 'REG-9', 'the phone returns');
      const want = [
        { sessionId: s1.sessionId, device: w1.device, keep: true },
        { sessionId: s2.sessionId, device: w2.device, keep: false },
      ];
      expect(ctx, sameJson(ok.sessions, want), 'REG-9', 'wrong session list', want, ok.sessions);
      for (const s of [s1, s2]) {
        const wa = await p2.next('web.attached', 'RELAY-9', 'the flush, in admission order');
        expect(
          ctx,
          wa.sessionId === s.sessionId && wa.e === s.attachment?.e,
          'RELAY-9',
          'wrong web.attached',
          s.sessionId,
          wa,
        );
      }
    },
  }),

  serverCheck({
    id: 'check.sess.resumed-phone-offline',
    title: 'resumed is followed by phone {online: false} when the phone is away',
    section: SECTION,
    clauses: ['RELAY-10', 'SESS-4'],
    requirement:
      'and after every `linked` and `resumed` it MUST send the web connection `phone {online}` with the current value.',
    async run(ctx) {
      const { phone, session } = await detachedSession(ctx);
      await phone.peer.close();
      const r = await resume(ctx, session, 'web2');
      expect(ctx, !r.online, 'RELAY-10', 'expected phone {online: false} after resumed', false, r.online);
    },
  }),
];
