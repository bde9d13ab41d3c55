/**
 * Clause-targeted checks of a server's relay and custody (docs/protocol.md section 9): in-order
 * exactly-once relay, replayed and reordered counters relayed as they come (receivers judge them),
 * custody until the cumulative ack and redelivery on the phone's return, the custody bound and its
 * gap (`queue_full`), `acked`, phone presence, attachment rules and epochs.
 */
import type { Case, CaseContext } from '../engine/case.js';
import {
  attach,
  configure,
  expect,
  freshB64u,
  historyOp,
  linkedPair,
  linkWeb,
  messageOp,
  openPhonePeer,
  openWeb,
  type PhonePeer,
  phoneNumber,
  readFromPhone,
  readFromWeb,
  registerPhone,
  resume,
  type Sealed,
  type Session,
  sendToPhone,
  sendToWeb,
  serverCheck,
  stats,
} from './flow.js';

const SECTION = '9 Relay and custody';

/** The phone goes offline: the web client holding the session is told `phone {online: false}` [RELAY-10]. */
async function phoneOffline(ctx: CaseContext, session: Session): Promise<void> {
  await session.phone?.close();
  session.phone = undefined;
  const p = await session.web.peer.next('phone', 'RELAY-10', 'the phone connection closed');
  expect(ctx, !p.online, 'RELAY-10', 'expected phone {online: false}', false, p);
}

/**
 * The phone comes back: `auth.ok` listing the session, then the flush: `web.attached` (if `e` is
 * given, the session is attached with it) [RELAY-9]. The caller reads the flushed `from_web`.
 */
async function phoneReturns(ctx: CaseContext, session: Session, name: string, e?: string): Promise<PhonePeer> {
  const peer = await openPhonePeer(ctx, name);
  await peer.send({ t: 'auth', phone: session.account.phone, deviceToken: session.account.deviceToken });
  const ok = await peer.next('auth.ok', 'REG-9', 'the phone returns');
  expect(
    ctx,
    ok.sessions.some((s) => s.sessionId === session.sessionId),
    'REG-9',
    'auth.ok must list the live session',
    session.sessionId,
    ok.sessions,
  );
  if (e !== undefined) {
    const wa = await peer.next('web.attached', 'RELAY-9', 'the flush starts with the attachment');
    expect(ctx, wa.sessionId === session.sessionId && wa.e === e, 'RELAY-9', 'web.attached differs', { e }, wa);
  }
  session.phone = peer;
  return peer;
}

async function readAllFromWeb(ctx: CaseContext, session: Session, sent: readonly Sealed[], clause: string) {
  for (const s of sent) await readFromWeb(ctx, session, s, clause);
}

async function custody(ctx: CaseContext, toPhone: number, toWeb: number, clause: string, why: string) {
  const s = await stats(ctx);
  expect(
    ctx,
    s.custody.toPhone === toPhone && s.custody.toWeb === toWeb,
    clause,
    `custody must hold ${toPhone} web-to-phone and ${toWeb} phone-to-web frames (${why})`,
    { toPhone, toWeb },
    s.custody,
  );
}

async function queueFull(ctx: CaseContext, session: Session, e: string, n: number, why: string) {
  const q = await session.web.peer.next('queue_full', 'RELAY-7', why);
  expect(ctx, q.e === e && q.n === n, 'RELAY-7', `expected queue_full for n=${n}`, { e, n }, q);
}

export const relayChecks: Case[] = [
  serverCheck({
    id: 'check.relay.in-order-once',
    title: 'relay frames are delivered in order, exactly once, in both directions',
    section: SECTION,
    clauses: ['RELAY-4', 'RELAY-5'],
    requirement:
      "The server MUST keep every accepted relay frame in custody until the receiver acknowledges it, forwarding a `to_phone` frame to the account's phone connection at acceptance if one is authenticated [...] and forwarding a `to_web` frame at acceptance to the connection attached with epoch `e`",
    async run(ctx) {
      const { session } = await linkedPair(ctx);
      const w: Sealed[] = [];
      const p: Sealed[] = [];
      for (let i = 1; i <= 5; i++) w.push(await sendToPhone(ctx, session, historyOp(i)));
      for (let i = 1; i <= 5; i++) p.push(await sendToWeb(ctx, session, messageOp(i)));
      await readAllFromWeb(ctx, session, w, 'RELAY-5');
      await session.phone?.nothing('RELAY-5', 'each frame exactly once');
      for (const s of p) await readFromPhone(ctx, session, s, 'RELAY-5');
      await session.web.peer.nothing('RELAY-5', 'each frame exactly once');
      await custody(ctx, 5, 5, 'RELAY-5', 'nothing was acknowledged');
    },
  }),

  serverCheck({
    id: 'check.relay.replay-reorder-relayed',
    title: 'replayed and reordered counters are relayed as they come; receivers, not the server, drop them',
    section: SECTION,
    clauses: ['RELAY-4', 'RELAY-5', 'RELAY-6'],
    requirement:
      'The server sees only ciphertext. It does not check `n` for order or replay (receivers do, clause E2E-13); it checks who may send what, keeps every accepted frame in custody until the receiver acknowledges it, and bounds custody.',
    async run(ctx) {
      const { session } = await linkedPair(ctx);
      const one = await sendToPhone(ctx, session, historyOp(1), 1);
      await session.web.peer.send({ t: 'to_phone', ...one }, 'sends to_phone n=1 again (replay)');
      const three = await sendToPhone(ctx, session, historyOp(3), 3);
      const two = await sendToPhone(ctx, session, historyOp(2), 2);
      await session.web.peer.nothing('RELAY-4', 'the server does not judge counters');
      await readAllFromWeb(ctx, session, [one, one, three, two], 'RELAY-5');
      const phone = session.phone as PhonePeer;
      await phone.send({ t: 'ack', sessionId: session.sessionId, e: one.e, n: 3 }, 'sends ack n=3 (cumulative)');
      const acked = await session.web.peer.next('acked', 'RELAY-17', 'the ack removed frames');
      expect(ctx, acked.e === one.e && acked.n === 3, 'RELAY-17', 'acked must carry the largest n removed', 3, acked);
      await custody(ctx, 0, 0, 'RELAY-6', 'ack n=3 covers every frame of the epoch with n <= 3');
    },
  }),

  serverCheck({
    id: 'check.relay.custody-redelivery',
    title: 'frames sent while the phone is away are delivered on its return, after web.attached, in order',
    section: SECTION,
    clauses: ['RELAY-9', 'RELAY-5', 'RELAY-10'],
    requirement:
      'After `auth.ok` the server MUST, for each live session of the account in admission order, send `web.attached {sessionId, e}` if the session is attached and then every web-to-phone frame in its custody as `from_web`, in the order it accepted them, and after that send `phone {online: true}` to every web connection holding a session of the account.',
    async run(ctx) {
      const { session } = await linkedPair(ctx);
      await phoneOffline(ctx, session);
      const w: Sealed[] = [];
      for (let i = 1; i <= 3; i++) w.push(await sendToPhone(ctx, session, historyOp(i)));
      await session.web.peer.nothing('RELAY-5', 'frames are kept while the phone is away, without queue_full');
      await custody(ctx, 3, 0, 'RELAY-5', 'the phone is away');
      await phoneReturns(ctx, session, 'phone2', session.attachment?.e);
      await readAllFromWeb(ctx, session, w, 'RELAY-9');
      const on = await session.web.peer.next('phone', 'RELAY-9', 'the phone is back');
      expect(ctx, on.online, 'RELAY-9', 'expected phone {online: true}', true, on);
    },
  }),

  serverCheck({
    id: 'check.relay.flush-per-session',
    title: "the flush goes session by session in admission order: web.attached, then that session's custody",
    section: SECTION,
    clauses: ['RELAY-9', 'REG-9'],
    requirement:
      'After `auth.ok` the server MUST, for each live session of the account in admission order, send `web.attached {sessionId, e}` if the session is attached and then every web-to-phone frame in its custody as `from_web`, in the order it accepted them',
    async run(ctx) {
      await configure(ctx, { sessionLimit: 2 });
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const s1 = await linkWeb(ctx, phone, await openWeb(ctx, 'web1'));
      const s2 = await linkWeb(ctx, phone, await openWeb(ctx, 'web2'));
      await phoneOffline(ctx, s1);
      await s2.web.peer.next('phone', 'RELAY-10', 'the phone connection closed');
      s2.phone = undefined;
      const later = await sendToPhone(ctx, s2, historyOp(2)); // the newer session's frame is accepted first
      const earlier = await sendToPhone(ctx, s1, historyOp(1));
      const p2 = await phoneReturns(ctx, s1, 'phone2', s1.attachment?.e);
      await readFromWeb(ctx, s1, earlier, 'RELAY-9', p2);
      const wa = await p2.next('web.attached', 'RELAY-9', "the second session's attachment, after the first's custody");
      expect(
        ctx,
        wa.sessionId === s2.sessionId && wa.e === s2.attachment?.e,
        'RELAY-9',
        'wrong web.attached',
        s2.sessionId,
        wa,
      );
      await readFromWeb(ctx, s2, later, 'RELAY-9', p2);
      for (const s of [s1, s2]) {
        const on = await s.web.peer.next('phone', 'RELAY-9', 'after the flush');
        expect(ctx, on.online, 'RELAY-9', 'expected phone {online: true}', true, on);
      }
    },
  }),

  serverCheck({
    id: 'check.relay.custody-until-ack',
    title: 'delivered but unacknowledged frames are delivered again; acknowledged ones are not',
    section: SECTION,
    clauses: ['RELAY-5', 'RELAY-6', 'RELAY-9'],
    requirement:
      'The server MUST treat `ack` as cumulative per session, direction and epoch: an `ack` with epoch `e` and counter `n` removes from custody every frame of that session and direction with epoch `e` and counter at most `n`, and nothing else.',
    async run(ctx) {
      const { session } = await linkedPair(ctx);
      const w: Sealed[] = [];
      for (let i = 1; i <= 3; i++) w.push(await sendToPhone(ctx, session, historyOp(i)));
      await readAllFromWeb(ctx, session, w, 'RELAY-5');
      await phoneOffline(ctx, session);
      const e = session.attachment?.e;
      const p2 = await phoneReturns(ctx, session, 'phone2', e);
      await readAllFromWeb(ctx, session, w, 'RELAY-5');
      await p2.send({ t: 'ack', sessionId: session.sessionId, e: w[0]?.e ?? '', n: 2 }, 'sends ack n=2');
      await custody(ctx, 1, 0, 'RELAY-6', 'ack n=2 removed frames 1 and 2');
      const a = await session.web.peer.find('acked', 'RELAY-17', 'the ack removed frames 1 and 2');
      expect(ctx, a.n === 2, 'RELAY-17', 'acked must carry the largest n removed', 2, a);
      await session.web.peer.discard('phone');
      await phoneOffline(ctx, session);
      await phoneReturns(ctx, session, 'phone3', e);
      await readAllFromWeb(ctx, session, w.slice(2), 'RELAY-5');
      await session.phone?.nothing('RELAY-6', 'acknowledged frames are not delivered again');
    },
  }),

  serverCheck({
    id: 'check.relay.web-ack-acked',
    title: 'a web ack removes phone-to-web frames and the phone hears acked with the largest n removed',
    section: SECTION,
    clauses: ['RELAY-6', 'RELAY-17'],
    requirement:
      "When an `ack` removes at least one frame from custody, the server MUST tell the sender side with `acked` carrying the ack's `e` and the largest `n` removed: a web client's `ack` becomes `acked {sessionId, e, n}` to the account's phone connection (if authenticated)",
    async run(ctx) {
      const { session } = await linkedPair(ctx);
      const p: Sealed[] = [];
      for (let i = 1; i <= 3; i++) p.push(await sendToWeb(ctx, session, messageOp(i)));
      for (const s of p) await readFromPhone(ctx, session, s);
      const e = session.attachment?.e ?? '';
      const phone = session.phone as PhonePeer;
      await session.web.peer.send({ t: 'ack', e, n: 2 }, 'sends ack n=2');
      const a = await phone.next('acked', 'RELAY-17', 'the web acknowledged 1..2');
      expect(ctx, a.sessionId === session.sessionId && a.e === e && a.n === 2, 'RELAY-17', 'wrong acked', 2, a);
      await session.web.peer.send({ t: 'ack', e, n: 2 }, 'sends ack n=2 again');
      await phone.nothing('RELAY-17', 'an ack that removes nothing is not forwarded');
      await session.web.peer.send({ t: 'ack', e, n: 9 }, 'sends ack n=9 (beyond what was sent)');
      const b = await phone.next('acked', 'RELAY-17', 'the ack removed frame 3');
      expect(ctx, b.n === 3, 'RELAY-17', "acked carries the largest n removed, not the ack's n", 3, b);
      await custody(ctx, 0, 0, 'RELAY-6', 'everything acknowledged');
      await session.web.peer.nothing('RELAY-6', 'an ack covering frames never sent is not an error');
    },
  }),

  serverCheck({
    id: 'check.relay.phone-ack-acked',
    title: 'a phone ack removes web-to-phone frames and the web hears acked; an unknown epoch removes nothing',
    section: SECTION,
    clauses: ['RELAY-6', 'RELAY-17', 'RELAY-19'],
    requirement:
      "and a phone's `ack` becomes `acked {e, n}` to the web connection currently attached to the session, whatever its epoch (if any).",
    async run(ctx) {
      const { session } = await linkedPair(ctx);
      const w: Sealed[] = [];
      for (let i = 1; i <= 2; i++) w.push(await sendToPhone(ctx, session, historyOp(i)));
      await readAllFromWeb(ctx, session, w, 'RELAY-4');
      const phone = session.phone as PhonePeer;
      const e = session.attachment?.e ?? '';
      await phone.send(
        { t: 'ack', sessionId: session.sessionId, e: freshB64u(16), n: 5 },
        'sends ack for an epoch never had',
      );
      await session.web.peer.nothing('RELAY-19', 'an e the session never had removes nothing');
      await custody(ctx, 2, 0, 'RELAY-19', 'nothing removed');
      await phone.send({ t: 'ack', sessionId: session.sessionId, e, n: 2 });
      const a = await session.web.peer.next('acked', 'RELAY-17', 'the phone acknowledged 1..2');
      expect(ctx, a.e === e && a.n === 2, 'RELAY-17', 'wrong acked', { e, n: 2 }, a);
      await phone.nothing('RELAY-6', 'the phone connection stays open');
    },
  }),

  serverCheck({
    id: 'check.relay.queue-full-to-phone',
    title: 'past custodyLimit, to_phone gets queue_full, and every later n too until the refused n is re-sent',
    section: SECTION,
    clauses: ['RELAY-7', 'RELAY-17'],
    requirement:
      'When custody of a session and direction already holds `custodyLimit` frames, the server MUST refuse the next frame `(e, n)` of that direction with `queue_full` [...] storing nothing, and from then on MUST refuse the same way every frame of that session, direction and epoch except one with the first refused `n`, until a frame with that `n` is accepted (the gap closes)',
    async run(ctx) {
      const config = await configure(ctx, { custodyLimit: 3 });
      const { session } = await linkedPair(ctx);
      const e = session.attachment?.e ?? '';
      await phoneOffline(ctx, session);
      const w: Sealed[] = [];
      for (let i = 1; i <= config.custodyLimit; i++) w.push(await sendToPhone(ctx, session, historyOp(i)));
      await session.web.peer.nothing('RELAY-7', 'custody holds custodyLimit frames without complaint');
      const four = await sendToPhone(ctx, session, historyOp(4));
      await queueFull(ctx, session, e, 4, 'custody is full');
      const five = await sendToPhone(ctx, session, historyOp(5));
      await queueFull(ctx, session, e, 5, 'the gap at n=4 is open');
      await custody(ctx, 3, 0, 'RELAY-7', 'refused frames are not stored');
      const phone = await phoneReturns(ctx, session, 'phone2', e);
      await readAllFromWeb(ctx, session, w, 'RELAY-9');
      await phone.nothing('RELAY-7', 'refused frames are never delivered');
      await phone.send({ t: 'ack', sessionId: session.sessionId, e, n: 3 }, 'sends ack n=3');
      const a = await session.web.peer.find('acked', 'RELAY-17', 'custody has room again');
      expect(ctx, a.n === 3, 'RELAY-17', 'wrong acked', 3, a);
      await session.web.peer.discard('phone');
      await session.web.peer.send({ t: 'to_phone', ...five }, 'sends n=5 again before n=4');
      await queueFull(ctx, session, e, 5, 'the gap at n=4 is still open');
      await session.web.peer.send({ t: 'to_phone', ...four }, 'sends the refused n=4 again');
      await readFromWeb(ctx, session, four, 'RELAY-7');
      await session.web.peer.send({ t: 'to_phone', ...five }, 'sends n=5 again');
      await readFromWeb(ctx, session, five, 'RELAY-7');
      await session.web.peer.nothing('RELAY-7', 'the gap is closed');
    },
  }),

  serverCheck({
    id: 'check.relay.queue-full-to-web',
    title: 'past custodyLimit, to_web gets queue_full {sessionId, e, n} and the web client gets nothing more',
    section: SECTION,
    clauses: ['RELAY-7'],
    requirement: '(`queue_full {e, n}` to a web client, `queue_full {sessionId, e, n}` to the phone)',
    async run(ctx) {
      await configure(ctx, { custodyLimit: 2 });
      const { session } = await linkedPair(ctx);
      const p1 = await sendToWeb(ctx, session, messageOp(1));
      const p2 = await sendToWeb(ctx, session, messageOp(2));
      await sendToWeb(ctx, session, messageOp(3));
      const phone = session.phone as PhonePeer;
      const q = await phone.next('queue_full', 'RELAY-7', 'two unacknowledged phone-to-web frames fill custody');
      expect(
        ctx,
        q.sessionId === session.sessionId && q.e === p1.e && q.n === 3,
        'RELAY-7',
        'expected queue_full for n=3',
        { sessionId: session.sessionId, e: p1.e, n: 3 },
        q,
      );
      await readFromPhone(ctx, session, p1);
      await readFromPhone(ctx, session, p2);
      await session.web.peer.nothing('RELAY-7', 'the refused frame is not delivered');
      await session.web.peer.send({ t: 'ack', e: p1.e, n: 2 }, 'sends ack n=2: custody has room');
      const a = await phone.next('acked', 'RELAY-17', 'the web acknowledged 1..2');
      expect(ctx, a.n === 2, 'RELAY-17', 'wrong acked', 2, a);
      const four = await sendToWeb(ctx, session, messageOp(4), 4);
      const q4 = await phone.next('queue_full', 'RELAY-7', 'the gap at n=3 is open although custody has room');
      expect(ctx, q4.n === 4, 'RELAY-7', 'expected queue_full for n=4', 4, q4);
      const three = await sendToWeb(ctx, session, messageOp(3), 3);
      await readFromPhone(ctx, session, three, 'RELAY-7');
      await phone.send({ t: 'to_web', sessionId: session.sessionId, ...four }, 'sends n=4 again');
      await readFromPhone(ctx, session, four, 'RELAY-7');
      await phone.nothing('RELAY-7', 'the gap closed: no more queue_full');
    },
  }),

  serverCheck({
    id: 'check.relay.limit-lowered',
    title: 'custody over a lowered custodyLimit is kept, and new frames are refused until it is under',
    section: SECTION,
    clauses: ['RELAY-7', 'RELAY-5'],
    requirement:
      'frames received after the change (custody already over the new bound is kept; new frames are refused until it is under)',
    async run(ctx) {
      const { session } = await linkedPair(ctx);
      const e = session.attachment?.e ?? '';
      await phoneOffline(ctx, session);
      const w: Sealed[] = [];
      for (let i = 1; i <= 3; i++) w.push(await sendToPhone(ctx, session, historyOp(i)));
      await configure(ctx, { custodyLimit: 2 });
      await custody(ctx, 3, 0, 'RELAY-5', 'custody over the new bound is kept');
      await sendToPhone(ctx, session, historyOp(4));
      await queueFull(ctx, session, e, 4, 'custody holds more than the lowered limit');
      const phone = await phoneReturns(ctx, session, 'phone2', e);
      await readAllFromWeb(ctx, session, w, 'RELAY-5');
      await phone.send(
        { t: 'ack', sessionId: session.sessionId, e, n: 2 },
        'sends ack n=2 (custody 1, under the bound)',
      );
      await session.web.peer.find('acked', 'RELAY-17', 'the ack removed frames');
      await session.web.peer.discard('phone');
      const four = await sendToPhone(ctx, session, historyOp(4), 4);
      await readFromWeb(ctx, session, four, 'RELAY-7');
    },
  }),

  serverCheck({
    id: 'check.relay.new-attach-closes-gap',
    title: 'a new attach discards the phone-to-web gap: the phone sends under the new epoch from n=1',
    section: SECTION,
    clauses: ['RELAY-7', 'RELAY-2'],
    requirement:
      'until a frame with that `n` is accepted (the gap closes) or, for phone-to-web, a new `attach` discards the epoch.',
    async run(ctx) {
      await configure(ctx, { custodyLimit: 1 });
      const { session } = await linkedPair(ctx);
      const phone = session.phone as PhonePeer;
      const p1 = await sendToWeb(ctx, session, messageOp(1));
      await readFromPhone(ctx, session, p1);
      await sendToWeb(ctx, session, messageOp(2));
      await phone.next('queue_full', 'RELAY-7', 'custody of 1 is full');
      await session.web.peer.close();
      await phone.next('web.detached', 'RELAY-11', 'the attached connection closed');
      await resume(ctx, session, 'web2');
      await attach(ctx, session);
      const fresh = await sendToWeb(ctx, session, messageOp(2));
      expect(ctx, fresh.n === 1, 'E2E-12', 'n restarts at 1 in a new epoch (a check defect)', 1, fresh.n);
      await readFromPhone(ctx, session, fresh, 'RELAY-2');
      await phone.nothing('RELAY-7', 'neither the old custody nor the old gap refuses the new epoch');
    },
  }),

  serverCheck({
    id: 'check.relay.presence',
    title: 'phone presence: offline on close, online on return, and no offline when merely replaced',
    section: SECTION,
    clauses: ['RELAY-10', 'RELAY-20', 'REG-10'],
    requirement:
      "When a phone connection is replaced by a newer one of the same account (clause REG-10), the server MUST NOT send `phone {online: false}` for it; the newer connection's flush sends `phone {online: true}`.",
    async run(ctx) {
      const { session } = await linkedPair(ctx);
      await phoneOffline(ctx, session);
      const e = session.attachment?.e;
      const p2 = await phoneReturns(ctx, session, 'phone2', e);
      const on = await session.web.peer.next('phone', 'RELAY-9', 'the phone returned');
      expect(ctx, on.online, 'RELAY-9', 'expected phone {online: true}', true, on);
      await phoneReturns(ctx, session, 'phone3', e);
      await p2.error('conflict', 'REG-10', 'replaced by a newer connection');
      const again = await session.web.peer.next('phone', 'RELAY-20', "the newer connection's flush");
      expect(ctx, again.online, 'RELAY-20', 'a replaced phone must not cause phone {online: false}', true, again);
      await session.web.peer.nothing('RELAY-20', 'no phone {online: false} for a replacement');
    },
  }),

  serverCheck({
    id: 'check.relay.detached',
    title: 'the attached connection of a kept session closing tells the phone web.detached',
    section: SECTION,
    clauses: ['RELAY-11', 'SESS-12'],
    requirement:
      "When a session's attached connection closes and the session lives on, the server MUST send `web.detached {sessionId}` to the account's phone connection if one is authenticated.",
    async run(ctx) {
      const { session } = await linkedPair(ctx);
      await session.web.peer.close();
      const d = await session.phone?.next('web.detached', 'RELAY-11', 'the attached connection closed');
      expect(ctx, d?.sessionId === session.sessionId, 'RELAY-11', 'web.detached names another session', session, d);
      const s = await stats(ctx);
      expect(ctx, s.sessions.live === 1 && s.sessions.attached === 0, 'SESS-12', 'the kept session must live on', 1, s);
    },
  }),

  serverCheck({
    id: 'check.relay.not-attached',
    title: 'to_phone or ack before attach is bad_state',
    section: SECTION,
    clauses: ['RELAY-3', 'RELAY-13', 'SESS-7'],
    requirement:
      'The server MUST answer `to_phone` on a connection that has not attached, or whose `e` is not the connection\'s own epoch, with `error {code: "bad_state"}` and close 4000.',
    async run(ctx) {
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const w1 = await openWeb(ctx, 'web1');
      await linkWeb(ctx, phone, w1, { attach: false });
      await w1.peer.send({ t: 'to_phone', e: freshB64u(16), n: 1, c: freshB64u(32) }, 'sends to_phone before attach');
      await w1.peer.error('bad_state', 'RELAY-3', 'not attached');
      const ended = await phone.peer.next('session.ended', 'SESS-7', 'the admitted connection closed before attach');
      expect(ctx, ended.reason === 'closed', 'SESS-7', 'expected session.ended closed', 'closed', ended);
      const w2 = await openWeb(ctx, 'web2');
      await linkWeb(ctx, phone, w2, { attach: false });
      await w2.peer.send({ t: 'ack', e: freshB64u(16), n: 1 }, 'sends ack before attach');
      await w2.peer.error('bad_state', 'RELAY-13', 'not attached');
    },
  }),

  serverCheck({
    id: 'check.relay.foreign-epoch',
    title: "to_phone or ack with an epoch not the connection's own is bad_state",
    section: SECTION,
    clauses: ['RELAY-3', 'RELAY-16'],
    requirement:
      'The server MUST answer a web `ack` whose `e` is not the connection\'s own epoch with `error {code: "bad_state"}` and close 4000.',
    async run(ctx) {
      const a = await linkedPair(ctx, { phone: phoneNumber(1), web: 'web1', phoneName: 'phone1' });
      await a.session.web.peer.send(
        { t: 'to_phone', e: freshB64u(16), n: 1, c: freshB64u(32) },
        'sends to_phone under another e',
      );
      await a.session.web.peer.error('bad_state', 'RELAY-3', 'not its own epoch');
      const b = await linkedPair(ctx, { phone: phoneNumber(2), web: 'web2', phoneName: 'phone2' });
      await b.session.web.peer.send({ t: 'ack', e: freshB64u(16), n: 1 }, 'sends ack under another e');
      await b.session.web.peer.error('bad_state', 'RELAY-16', 'not its own epoch');
    },
  }),

  serverCheck({
    id: 'check.relay.attach-rules',
    title: 'attach is accepted once per connection, and never with an epoch the session had before',
    section: SECTION,
    clauses: ['RELAY-1'],
    requirement:
      'The server MUST accept `attach {e}` exactly once per web connection, after that connection received `linked` or `resumed`, and MUST answer any other `attach` (before admission or resumption, a second one) or an `attach` whose `e` equals any earlier epoch of the session with `error {code: "bad_state"}` and close 4000.',
    async run(ctx) {
      const { session } = await linkedPair(ctx);
      const e1 = session.attachment?.e ?? '';
      await session.web.peer.send({ t: 'attach', e: freshB64u(16) }, 'sends a second attach');
      await session.web.peer.error('bad_state', 'RELAY-1', 'a second attach on one connection');
      await session.phone?.find('web.detached', 'RELAY-11', 'the attached connection was closed');
      await resume(ctx, session, 'web2');
      await session.web.peer.send({ t: 'attach', e: e1 }, 'sends attach with the earlier epoch');
      await session.web.peer.error('bad_state', 'RELAY-1', 'an epoch the session had before');
      const w3 = await openWeb(ctx, 'web3');
      await w3.peer.send({ t: 'attach', e: freshB64u(16) }, 'sends attach before admission');
      await w3.peer.error('bad_state', 'RELAY-1', 'attach before linked');
    },
  }),

  serverCheck({
    id: 'check.relay.to-web-stale-epoch',
    title: "to_web under an epoch that is not the session's current one is discarded silently",
    section: SECTION,
    clauses: ['RELAY-8'],
    requirement: 'MUST discard it silently when the session is live but `e` is not its current epoch (or it has none)',
    async run(ctx) {
      const { session } = await linkedPair(ctx);
      const old = session.attachment;
      await session.web.peer.close();
      await session.phone?.find('web.detached', 'RELAY-11', 'the attached connection closed');
      await resume(ctx, session, 'web2');
      await attach(ctx, session);
      const phone = session.phone as PhonePeer;
      await phone.send(
        { t: 'to_web', sessionId: session.sessionId, e: old?.e ?? '', n: 1, c: freshB64u(40) },
        'sends to_web under the previous epoch',
      );
      await phone.nothing('RELAY-8', 'discarded silently: no reply, no close');
      await session.web.peer.nothing('RELAY-8', 'a stale epoch is not delivered');
      await custody(ctx, 0, 0, 'RELAY-8', 'a discarded frame is not in custody');
      const fresh = await sendToWeb(ctx, session, messageOp(1));
      await readFromPhone(ctx, session, fresh);
      // a session that never attached has no current epoch
      const w3 = await openWeb(ctx, 'web3');
      const p2 = await registerPhone(ctx, 'phone9', phoneNumber(9));
      const s3 = await linkWeb(ctx, p2, w3, { attach: false });
      await p2.peer.send(
        { t: 'to_web', sessionId: s3.sessionId, e: freshB64u(16), n: 1, c: freshB64u(40) },
        'sends to_web to a session with no epoch yet',
      );
      await p2.peer.nothing('RELAY-8', 'a session without a current epoch discards silently');
      await w3.peer.nothing('RELAY-8', 'nothing delivered before attach');
    },
  }),

  serverCheck({
    id: 'check.relay.ended-and-foreign-sessions',
    title: 'to_web and ack for an ended session are ignored; for a session never of this account, bad_state',
    section: SECTION,
    clauses: ['RELAY-8', 'RELAY-19', 'SESS-13', 'LATE-2'],
    requirement:
      'MUST ignore it silently when `sessionId` is an ended session of the account, and MUST answer it with `error {code: "bad_state"}` and close 4000 when `sessionId` never was a session of this account.',
    async run(ctx) {
      const { session } = await linkedPair(ctx);
      const phone = session.phone as PhonePeer;
      const e = session.attachment?.e ?? '';
      await phone.send({ t: 'unlink', sessionId: session.sessionId });
      await phone.next('unlinked', 'SESS-10', 'unlink');
      await phone.send(
        { t: 'to_web', sessionId: session.sessionId, e, n: 1, c: freshB64u(40) },
        'sends to_web to the ended session',
      );
      await phone.send({ t: 'ack', sessionId: session.sessionId, e, n: 1 }, 'sends ack for the ended session');
      await phone.nothing('RELAY-8', 'frames for an ended session are ignored');
      const other = await linkedPair(ctx, { phone: phoneNumber(2), web: 'web2', phoneName: 'phone2' });
      await phone.send(
        {
          t: 'to_web',
          sessionId: other.session.sessionId,
          e: other.session.attachment?.e ?? '',
          n: 1,
          c: freshB64u(40),
        },
        "sends to_web to another account's session",
      );
      await phone.error('bad_state', 'RELAY-8', 'never a session of this account');
      await other.session.web.peer.nothing('TR-7', "nothing reaches the other account's web client");
      await other.phone.peer.send(
        { t: 'ack', sessionId: freshB64u(16), e: freshB64u(16), n: 1 },
        'sends ack for a session id never issued',
      );
      await other.phone.peer.error('bad_state', 'RELAY-19', 'never a session of this account');
    },
  }),

  serverCheck({
    id: 'check.relay.attach-discards-old-to-web',
    title: 'a new attach discards phone-to-web custody of earlier epochs',
    section: SECTION,
    clauses: ['RELAY-2', 'RELAY-5'],
    requirement:
      "On an accepted `attach {e}` the server MUST [...] discard the session's phone-to-web custody of earlier epochs together with any open phone-to-web gap",
    async run(ctx) {
      const { session } = await linkedPair(ctx);
      const p: Sealed[] = [];
      for (let i = 1; i <= 2; i++) p.push(await sendToWeb(ctx, session, messageOp(i)));
      for (const s of p) await readFromPhone(ctx, session, s);
      await session.web.peer.close();
      await session.phone?.find('web.detached', 'RELAY-11', 'the attached connection closed');
      await custody(ctx, 0, 2, 'RELAY-5', 'custody is kept while the session lives');
      await resume(ctx, session, 'web2');
      await custody(ctx, 0, 2, 'RELAY-5', 'resumed but not yet attached');
      await attach(ctx, session);
      await custody(ctx, 0, 0, 'RELAY-2', 'the new attachment discarded the earlier epoch');
      await session.web.peer.nothing('RELAY-2', 'frames of an earlier epoch are not delivered to the new one');
    },
  }),

  serverCheck({
    id: 'check.relay.old-epoch-to-phone-delivered',
    title: "web-to-phone frames of a closed tab stay deliverable; the phone's ack reaches the new tab as acked",
    section: SECTION,
    clauses: ['RELAY-5', 'RELAY-9', 'RELAY-17'],
    requirement:
      "Web-to-phone frames of every epoch stay deliverable: the phone derives any epoch's keys from `kRoot`, so frames a closed tab sent still reach the phone.",
    async run(ctx) {
      const { session } = await linkedPair(ctx);
      await phoneOffline(ctx, session);
      const w: Sealed[] = [];
      for (let i = 1; i <= 2; i++) w.push(await sendToPhone(ctx, session, historyOp(i)));
      await session.web.peer.close();
      await resume(ctx, session, 'web2');
      const att = await attach(ctx, session, undefined);
      const phone = await phoneReturns(ctx, session, 'phone2', att.e);
      await readAllFromWeb(ctx, session, w, 'RELAY-9');
      await phone.send({ t: 'ack', sessionId: session.sessionId, e: w[0]?.e ?? '', n: 2 }, 'acks the old epoch');
      const a = await session.web.peer.find('acked', 'RELAY-17', 'the ack goes to the current attachment');
      expect(ctx, a.e === w[0]?.e && a.n === 2, 'RELAY-17', 'acked must carry the old epoch and n', w[0]?.e, a);
    },
  }),

  serverCheck({
    id: 'check.relay.session-end-discards-custody',
    title: 'when a session ends its custody is discarded in both directions',
    section: SECTION,
    clauses: ['RELAY-12', 'SESS-9'],
    requirement: 'When a session ends, the server MUST discard its custody in both directions.',
    async run(ctx) {
      const { session } = await linkedPair(ctx);
      const p = await sendToWeb(ctx, session, messageOp(1));
      await readFromPhone(ctx, session, p);
      await phoneOffline(ctx, session);
      await sendToPhone(ctx, session, historyOp(1));
      await sendToPhone(ctx, session, historyOp(2));
      await custody(ctx, 2, 1, 'RELAY-5', 'before the end');
      await session.web.peer.send({ t: 'logout' });
      await session.web.peer.next('revoked', 'SESS-9', 'logout');
      await custody(ctx, 0, 0, 'RELAY-12', 'the session ended');
    },
  }),
];
