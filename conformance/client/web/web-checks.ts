/**
 * Clause-targeted checks of a web client (docs/protocol.md sections 7 to 11, 14.6 and 16): the
 * suite plays an honest server and phone for the happy paths and a broken or malicious server for
 * the rest (forged boxes, second offers, a `linked` naming another account, replayed or forged relay
 * frames, revocations, unexpected closes), and reads the client's reactions from what it sends and
 * from its driver state.
 */

import { aeadSeal } from '../../../impl/crypto/aead.js';
import { randomBytes } from '../../../impl/crypto/index.js';
import { initialWebDriverState } from '../../../model/protocol/driver-frames.js';
import { toB64u } from '../../../model/protocol/encoding.js';
import { CaseFailure } from '../../engine/case.js';
import type { Inbound } from '../../target/target.js';
import { type WebCase, webCheck } from './web-check.js';
import { type Attached, type Frame, freshRef, freshToken, messageOp, type WebRig } from './web-rig.js';

const LINKING = '7 Linking';
const CRYPTO = '8 Cryptography';
const RELAY = '9 Relay and custody';
const SESSIONS = '10 Sessions and tokens';
const LATE = '11 Late frames';
const CLIENT = '14.6 Web client';
const DRIVER = '16 Driver protocol';

function fail(rig: WebRig, clause: string, message: string, expected?: unknown, actual?: unknown): never {
  throw new CaseFailure(`[${clause}] ${message}`, rig.ctx.wire.step, expected, actual);
}

/** Every state event seen since the last call must satisfy `ok` (e.g. no account shown). */
function everyEvent(rig: WebRig, ok: (s: Frame) => boolean, clause: string, message: string): void {
  const bad = rig.driver.takeEvents().find((s) => !ok(s as unknown as Frame));
  if (bad) fail(rig, clause, message, undefined, bad);
}

/** The client's abort of an attempt, its close with 1000, and its fresh start with `hello` [E2E-6]. */
async function abortsAndStartsOver(rig: WebRig, ref: string, reason: string, keep: boolean): Promise<void> {
  const abort = await rig.expect('abort', 'E2E-6');
  if (abort.ref !== ref || abort.reason !== reason) {
    fail(rig, 'E2E-6', `expected abort {ref, reason: ${reason}}`, { ref, reason }, abort);
  }
  await rig.expectClose(1000, 'E2E-6');
  await rig.accept();
  await rig.expectHello(keep);
  await rig.until((s) => s.error?.code === reason, `the error ${reason}`, 'E2E-6');
}

/** Links, then delivers relay frames and waits until message `probe` shows (one connection: in order). */
async function deliverThenProbe(rig: WebRig, att: Attached, frames: Frame[], probeN: number): Promise<void> {
  for (const f of frames) rig.send(f, `from_phone n=${String(f.n)}`);
  rig.send(rig.fromPhone(att, probeN, messageOp('probe', 'probe', 9_000)), `from_phone n=${probeN} (probe)`);
  await rig.until((s) => s.messages.some((m) => m.id === 'probe'), 'the probe message', 'E2E-13');
}

/**
 * The acks the client sent since the last read, up to the first that reaches `n` (waited for, and
 * bounded), then whatever else already came: a message shows in the client's state on one channel
 * and its ack travels on another, so the ack of a message already shown may still be on its way.
 */
async function acksThrough(rig: WebRig, n: number, clause: string): Promise<number[]> {
  const acks: number[] = [];
  const ackOf = (i: Inbound) =>
    i.kind === 'frame' && (i.frame as Frame).t === 'ack' ? (i.frame as Frame).n : undefined;
  for (;;) {
    let item: Inbound;
    try {
      item = await rig.side.next(ACK_WAIT_MS);
    } catch {
      fail(rig, clause, `no ack reaching n=${n} came within ${ACK_WAIT_MS} ms (acks: ${acks.join(', ') || 'none'})`);
    }
    if (item.kind === 'close') fail(rig, clause, `the client closed (${item.code}) before acknowledging n=${n}`);
    const acked = ackOf(item);
    if (typeof acked !== 'number') continue;
    acks.push(acked);
    if (acked >= n) break;
  }
  for (const item of rig.side.take()) {
    const acked = ackOf(item);
    if (typeof acked === 'number') acks.push(acked);
  }
  return acks;
}

/** How long an ack may take once its message shows. */
const ACK_WAIT_MS = 3_000;

export const webChecks: readonly WebCase[] = [
  // ---------------------------------------------------------------- linking
  webCheck({
    id: 'web-LINK-16-hello',
    title: 'open connects to /v1/web with qrlink.v1 and says hello {v: 1, device, keep} first',
    section: LINKING,
    clauses: ['TR-2', 'LINK-16', 'DRV-8'],
    async run(rig) {
      await rig.open(true);
      rig.now((s) => s.keep, 'the state shows keep: true after open {keep: true}', 'DRV-8');
      await rig.open(false);
      rig.now((s) => !s.keep, 'the state shows keep: false after open {keep: false}', 'DRV-8');
    },
  }),
  webCheck({
    id: 'web-link-happy',
    title: 'an honest link: the QR, scanned, a valid confirm tag, linked with the box account, attach',
    section: LINKING,
    clauses: ['E2E-1', 'E2E-4', 'E2E-7', 'E2E-9', 'E2E-10', 'WEB-2', 'E2E-14', 'E2E-19', 'ENC-5'],
    async run(rig) {
      const { att } = await rig.link(true);
      const s = rig.now(
        (st) => st.account?.accountId === rig.account.accountId && st.account.name === rig.account.name,
        'the linked client shows the account of the box',
        'E2E-9',
      );
      if (s.sessionId !== att.sessionId) fail(rig, 'DRV-7', 'the state does not show the linked sessionId');
      rig.now((st) => st.tokenStored, 'with keep: true the token is stored', 'E2E-14');
    },
  }),
  webCheck({
    id: 'web-WEB-2-account-after-linked',
    title: 'the account from the box is not shown before linked accepted it',
    section: CRYPTO,
    clauses: ['WEB-2'],
    async run(rig) {
      const q = await rig.openScanned(false);
      rig.driver.takeEvents();
      await rig.offerAccepted(q, await rig.approval(q));
      everyEvent(rig, (s) => s.account === null, 'WEB-2', 'the account was shown before linked');
    },
  }),
  webCheck({
    id: 'web-WEB-2-linked-without-offer',
    title: 'a linked with no accepted offer (a forging server) shows no account and logs out',
    section: CRYPTO,
    clauses: ['WEB-2', 'E2E-9'],
    async run(rig) {
      await rig.openScanned(false);
      rig.driver.takeEvents();
      rig.send({ t: 'linked', sessionId: toB64u(randomBytes(16)), accountId: rig.account.accountId });
      await rig.expect('logout', 'E2E-9');
      await rig.until((s) => s.state === 'error', 'an error', 'E2E-9');
      everyEvent(rig, (s) => s.account === null && s.state !== 'linked', 'WEB-2', 'an account was shown');
    },
  }),
  webCheck({
    id: 'web-E2E-9-account-mismatch',
    title: 'linked naming another accountId than the box: logout, error, the account never shown',
    section: CRYPTO,
    clauses: ['E2E-9', 'WEB-2'],
    async run(rig) {
      const q = await rig.openScanned(true);
      await rig.offerAccepted(q, await rig.approval(q));
      rig.driver.takeEvents();
      rig.send({
        t: 'linked',
        sessionId: toB64u(randomBytes(16)),
        accountId: 'SomeoneElse0123456789ab',
        token: freshToken(),
      });
      const next = await rig.next();
      if (next.kind !== 'frame' || (next.frame as Frame).t !== 'logout') {
        fail(rig, 'E2E-9', 'the client did not send logout after a linked with another accountId', 'logout', next);
      }
      await rig.until((s) => s.error?.code === 'account_mismatch', 'the error account_mismatch', 'E2E-9');
      everyEvent(rig, (s) => s.account === null, 'E2E-9', 'the account was shown although linked named another');
      rig.now((s) => !s.tokenStored, 'nothing may be stored for a mismatched link', 'E2E-9');
    },
  }),
  webCheck({
    id: 'web-E2E-6-bad-box',
    title: 'an offer whose box does not open (sealed for another linkSecret): abort bad_box, close, start over',
    section: CRYPTO,
    clauses: ['E2E-6', 'E2E-17'],
    async run(rig) {
      const q = await rig.openScanned(false);
      const forged = await rig.approval(q, rig.account, 'wrong_secret');
      rig.send({ t: 'offer', ref: q.ref, pub: forged.pub, box: forged.box });
      await abortsAndStartsOver(rig, q.ref, 'bad_box', false);
    },
  }),
  webCheck({
    id: 'web-E2E-17-bad-plaintext',
    title: 'a box that opens to something that is not account data: abort bad_box',
    section: CRYPTO,
    clauses: ['E2E-17', 'E2E-6'],
    async run(rig) {
      const q = await rig.openScanned(false);
      const honest = await rig.approval(q);
      const plain = new TextEncoder().encode(JSON.stringify({ accountId: rig.account.accountId, phone: 5 }));
      const box = toB64u(aeadSeal(honest.keys.kP2W, new Uint8Array(12), plain, honest.T));
      rig.send({ t: 'offer', ref: q.ref, pub: honest.pub, box });
      await abortsAndStartsOver(rig, q.ref, 'bad_box', false);
    },
  }),
  webCheck({
    id: 'web-E2E-6-second-offer',
    title: 'a second offer after the accepted one: abort second_offer, close, start over',
    section: CRYPTO,
    clauses: ['E2E-6'],
    async run(rig) {
      const q = await rig.openScanned(false);
      const a = await rig.approval(q);
      await rig.offerAccepted(q, a);
      const again = await rig.approval(q);
      rig.send({ t: 'offer', ref: q.ref, pub: again.pub, box: again.box }, 'offer (second)');
      await abortsAndStartsOver(rig, q.ref, 'second_offer', false);
    },
  }),
  webCheck({
    id: 'web-E2E-6-bad-offer',
    title: 'an offer for a ref that was never scanned: abort bad_offer, close, start over',
    section: CRYPTO,
    clauses: ['E2E-6'],
    async run(rig) {
      await rig.open(false);
      const q = await rig.qr(1);
      const a = await rig.approval(q);
      rig.send({ t: 'offer', ref: q.ref, pub: a.pub, box: a.box }, 'offer (before scanned)');
      await abortsAndStartsOver(rig, q.ref, 'bad_offer', false);
    },
  }),
  webCheck({
    id: 'web-E2E-1-fresh-keys',
    title: 'every qr gets a fresh key pair and linkSecret, none of them sent to the server',
    section: CRYPTO,
    clauses: ['E2E-1', 'WEB-1'],
    async run(rig) {
      await rig.open(false);
      const a = await rig.qr(1);
      const b = await rig.qr(2);
      if (toB64u(a.payload.webPub) === toB64u(b.payload.webPub)) fail(rig, 'E2E-1', 'two QRs show the same webPub');
      if (toB64u(a.payload.linkSecret) === toB64u(b.payload.linkSecret)) {
        fail(rig, 'E2E-1', 'two QRs show the same linkSecret');
      }
      const expected = `qrlink:1,${b.ref},${toB64u(b.payload.webPub)},${toB64u(b.payload.linkSecret)}`;
      if (b.text !== expected) fail(rig, 'E2E-1', 'the QR text is not exactly qrlink:1,<ref>,<webPub>,<linkSecret>');
      const wire = JSON.stringify(rig.ctx.wire.entries.filter((e) => e.dir === 'in' && e.peer !== 'driver'));
      for (const q of [a, b]) {
        if (wire.includes(toB64u(q.payload.linkSecret)) || wire.includes(toB64u(q.payload.webPub))) {
          fail(rig, 'E2E-1', 'the client sent a webPub or linkSecret to the server');
        }
      }
    },
  }),
  ...(['declined', 'lapsed', 'phone_gone'] as const).map((reason) =>
    webCheck({
      id: `web-WEB-1-declined-${reason}`,
      title: `declined ${reason} hides the QR and shows why; the next qr is shown`,
      section: LINKING,
      clauses: ['WEB-1', reason === 'declined' ? 'LINK-4' : reason === 'lapsed' ? 'LINK-3' : 'LINK-15'],
      async run(rig) {
        const q = await rig.openScanned(false);
        if (reason === 'lapsed') await rig.offerAccepted(q, await rig.approval(q)); // the timer covers the attempt
        rig.send({ t: 'declined', ref: q.ref, reason });
        await rig.until(
          (s) => s.state === 'connecting' && s.qr === null && s.error?.code === reason,
          `connecting with the reason ${reason} and no QR`,
          'WEB-1',
        );
        await rig.qr(2);
      },
    }),
  ),
  webCheck({
    id: 'web-WEB-1-rotated-after-scan',
    title: 'a qr after scanned (a rotated QR): only the newest QR is shown, and an offer for the old ref is refused',
    section: LINKING,
    clauses: ['WEB-1', 'E2E-6'],
    async run(rig) {
      await rig.open(false);
      const q1 = await rig.qr(1);
      await rig.scanned(q1);
      const q2 = await rig.qr(2);
      if (rig.driver.current?.qr !== q2.text) fail(rig, 'WEB-1', 'the newest QR is not the one shown');
      const a = await rig.approval(q1);
      rig.send({ t: 'offer', ref: q1.ref, pub: a.pub, box: a.box }, 'offer for the rotated ref');
      await abortsAndStartsOver(rig, q2.ref, 'bad_offer', false);
    },
  }),
  webCheck({
    id: 'web-QR-3-exhausted',
    title: 'qr.exhausted and close 4008: no QR, closed, "expired, reload"',
    section: LINKING,
    clauses: ['QR-3', 'WEB-1'],
    async run(rig) {
      await rig.open(false);
      await rig.qr(1);
      rig.send({ t: 'qr.exhausted' });
      await rig.side.close(4008);
      await rig.until(
        (s) => s.state === 'closed' && s.qr === null && s.error?.code === 'qr_exhausted',
        'closed with qr_exhausted and no QR',
        'QR-3',
      );
    },
  }),
  // ---------------------------------------------------------------- relay
  webCheck({
    id: 'web-E2E-13-replay',
    title: 'a replayed or lower relay counter is not processed again, and the ack names the high-water',
    section: CRYPTO,
    clauses: ['E2E-13', 'RELAY-18'],
    async run(rig) {
      const { att } = await rig.link(false);
      const first = rig.fromPhone(att, 1, messageOp('m1', 'first', 1_000));
      const edited = rig.fromPhone(att, 2, messageOp('m1', 'edited', 1_000));
      rig.send(first, 'from_phone n=1');
      rig.send(edited, 'from_phone n=2 (an edit of m1)');
      await rig.until((s) => s.messages.some((m) => m.id === 'm1' && m.text === 'edited'), 'the edit', 'E2E-13');
      await deliverThenProbe(rig, att, [first], 3);
      const m1 = rig.driver.current?.messages.find((m) => m.id === 'm1');
      if (m1?.text !== 'edited') fail(rig, 'E2E-13', 'the replayed frame n=1 was processed again', 'edited', m1);
      // [RELAY-18] cumulative acks of the high-water: never lower than an earlier one, 3 at the end
      const acks = await acksThrough(rig, 3, 'RELAY-18');
      if (acks.some((n, i) => i > 0 && n < (acks[i - 1] as number)) || acks.at(-1) !== 3) {
        fail(rig, 'E2E-13', `the acks went ${acks.join(', ')}: the replay moved the high-water back`);
      }
    },
  }),
  webCheck({
    id: 'web-E2E-13-forged',
    title: 'a relay frame that does not open, or of another epoch, is dropped unacknowledged',
    section: CRYPTO,
    clauses: ['E2E-13', 'LATE-3'],
    async run(rig) {
      const { att } = await rig.link(false);
      const forged = rig.fromPhone(att, 1, messageOp('bad', 'forged', 1), randomBytes(32));
      const other = rig.fromPhone(att, 1, messageOp('bad2', 'other epoch', 2), att.keys.kP2W, toB64u(randomBytes(16)));
      await deliverThenProbe(rig, att, [forged, other], 1);
      const s = rig.driver.current;
      if (s?.messages.some((m) => m.id === 'bad' || m.id === 'bad2')) fail(rig, 'E2E-13', 'a forged frame was shown');
      const acks = await acksThrough(rig, 1, 'RELAY-18');
      if (acks.join(',') !== '1') fail(rig, 'E2E-13', `expected only ack n=1 (the probe), got ${acks.join(', ')}`);
    },
  }),
  webCheck({
    id: 'web-RELAY-18-ack',
    title: 'every processed relay frame is acknowledged with ack {e, n}',
    section: CRYPTO,
    clauses: ['RELAY-18', 'E2E-18'],
    async run(rig) {
      const { att } = await rig.link(false);
      rig.send(rig.fromPhone(att, 1, { op: 'not-an-op' }), 'from_phone n=1 (opens, not an op)');
      const ack1 = await rig.expect('ack', 'RELAY-18');
      if (ack1.e !== att.e || ack1.n !== 1) fail(rig, 'E2E-18', 'expected ack {e, n: 1}', { e: att.e, n: 1 }, ack1);
      rig.send(rig.fromPhone(att, 2, messageOp('m1', 'hi', 1)), 'from_phone n=2');
      const ack2 = await rig.expect('ack', 'RELAY-18');
      if (ack2.e !== att.e || ack2.n !== 2) fail(rig, 'RELAY-18', 'expected ack {e, n: 2}', { e: att.e, n: 2 }, ack2);
    },
  }),
  webCheck({
    id: 'web-E2E-12-to-phone',
    title: 'send and history go sealed under the own epoch with n = 1, 2, ...',
    section: CRYPTO,
    clauses: ['E2E-12', 'E2E-11', 'ENC-4'],
    async run(rig) {
      const { att } = await rig.link(false);
      await rig.cmd('send', { chatId: 'c1', text: 'hello phone' });
      const f1 = await rig.expect('to_phone', 'E2E-12');
      await rig.cmd('history', { chatId: 'c1' });
      const f2 = await rig.expect('to_phone', 'E2E-12');
      if (f1.n !== 1 || f2.n !== 2) fail(rig, 'E2E-12', `counters ${String(f1.n)}, ${String(f2.n)} instead of 1, 2`);
      const op1 = rig.openToPhone(att, f1) as Frame | undefined;
      const op2 = rig.openToPhone(att, f2) as Frame | undefined;
      if (op1?.op !== 'send' || op1.text !== 'hello phone' || op1.chatId !== 'c1') {
        fail(rig, 'E2E-12', 'the first frame does not open to the send op under kW2P_e', undefined, op1);
      }
      if (op2?.op !== 'history' || op2.chatId !== 'c1') {
        fail(rig, 'E2E-12', 'the second frame does not open to the history op', undefined, op2);
      }
    },
  }),
  webCheck({
    id: 'web-RELAY-15-queue-full',
    title: 'after queue_full the client holds new frames until acked, then re-sends the refused one identical',
    section: RELAY,
    clauses: ['RELAY-15'],
    async run(rig) {
      const { att } = await rig.link(false);
      await rig.cmd('send', { chatId: 'c1', text: 'one' });
      await rig.expect('to_phone', 'E2E-12');
      await rig.cmd('send', { chatId: 'c1', text: 'two' });
      const refused = await rig.expect('to_phone', 'E2E-12');
      rig.send({ t: 'queue_full', e: att.e, n: refused.n });
      // frames of one connection are handled in order: once the presence shows, queue_full was seen
      rig.send({ t: 'phone', online: false });
      await rig.until((s) => s.phoneOnline === false, 'phone offline', 'RELAY-15');
      await rig.cmd('send', { chatId: 'c1', text: 'three' }); // must be held
      rig.send({ t: 'acked', e: att.e, n: 1 });
      const again = await rig.expect('to_phone', 'RELAY-15');
      if (again.n !== refused.n || again.c !== refused.c) {
        fail(rig, 'RELAY-15', 'the first frame after acked is not the refused one, identical', refused, again);
      }
      const third = await rig.expect('to_phone', 'RELAY-15');
      if (third.n !== 3) fail(rig, 'RELAY-15', 'the held frame did not follow with n = 3', 3, third.n);
    },
  }),
  webCheck({
    id: 'web-WEB-4-update',
    title: 'a message whose id is already shown updates it instead of adding one',
    section: CRYPTO,
    clauses: ['WEB-4'],
    level: 'SHOULD',
    async run(rig) {
      const { att } = await rig.link(false);
      rig.send(rig.fromPhone(att, 1, messageOp('m1', 'draft', 1)), 'from_phone n=1');
      rig.send(rig.fromPhone(att, 2, messageOp('m1', 'final', 1)), 'from_phone n=2 (same id)');
      const s = await rig.until((st) => st.messages.some((m) => m.text === 'final'), 'the update', 'WEB-4');
      if (s.messages.filter((m) => m.id === 'm1').length !== 1) fail(rig, 'WEB-4', 'm1 is shown twice');
    },
  }),
  // ---------------------------------------------------------------- sessions
  ...(['unlinked', 'replaced', 'reregistered'] as const).map((reason) =>
    webCheck({
      id: `web-SESS-14-revoked-${reason}`,
      title: `revoked ${reason}: the session ends, its record is deleted, the reason is shown`,
      section: SESSIONS,
      clauses: ['SESS-14', 'WEB-3'],
      async run(rig) {
        await rig.link(true);
        rig.send({ t: 'revoked', reason });
        await rig.side.close(reason === 'replaced' ? 4001 : 4003);
        await rig.until(
          (s) => s.state === 'revoked' && s.revokedReason === reason && s.account === null,
          `revoked with reason ${reason}`,
          'WEB-3',
        );
        rig.now((s) => !s.tokenStored, 'the stored record was not deleted', 'SESS-14');
      },
    }),
  ),
  webCheck({
    id: 'web-SESS-14-conflict',
    title: 'revoked conflict: the session moved to another tab, the stored record stays',
    section: SESSIONS,
    clauses: ['SESS-14', 'WEB-3'],
    async run(rig) {
      await rig.link(true);
      rig.send({ t: 'revoked', reason: 'conflict' });
      await rig.side.close(4002);
      await rig.until((s) => s.state === 'revoked' && s.revokedReason === 'conflict', 'revoked conflict', 'WEB-3');
      rig.now((s) => s.tokenStored, 'the record was deleted on conflict', 'SESS-14');
    },
  }),
  webCheck({
    id: 'web-E2E-15-no-keep',
    title: 'with keep: false nothing is stored, even when a broken server sends a token',
    section: CRYPTO,
    clauses: ['E2E-15'],
    async run(rig) {
      const q = await rig.openScanned(false);
      const a = await rig.approval(q);
      await rig.offerAccepted(q, a);
      rig.send({
        t: 'linked',
        sessionId: toB64u(randomBytes(16)),
        accountId: rig.account.accountId,
        token: freshToken(),
      });
      await rig.expect('attach', 'E2E-10');
      await rig.until((s) => s.state === 'linked', 'linked', 'E2E-9');
      rig.now((s) => !s.tokenStored, 'a token was stored although keep was false', 'E2E-15');
    },
  }),
  webCheck({
    id: 'web-E2E-14-resume',
    title: 'reopen resumes the stored session with its token, and attaches with a fresh epoch',
    section: SESSIONS,
    clauses: ['E2E-14', 'E2E-10', 'SESS-4', 'WEB-5'],
    async run(rig) {
      const token = freshToken();
      const q = await rig.openScanned(true);
      const a = await rig.approval(q);
      await rig.offerAccepted(q, a);
      const sessionId = toB64u(randomBytes(16));
      rig.send({ t: 'linked', sessionId, accountId: rig.account.accountId, token });
      const first = await rig.attached(a.keys.kRoot, sessionId, rig.account.accountId);
      await rig.cmd('close');
      await rig.expectClose(1000, 'E2E-14');
      rig.now((s) => s.state === 'closed' && s.tokenStored, 'closed with the token kept', 'E2E-14');
      const reopened = await rig.cmd('reopen');
      if (reopened.state !== 'resuming') fail(rig, 'DRV-8', `reopen replied ${reopened.state}, not resuming`);
      await rig.accept();
      const resume = await rig.expect('resume', 'E2E-14');
      if (resume.token !== token) fail(rig, 'E2E-14', 'resume does not carry the stored token', token, resume.token);
      rig.send({ t: 'resumed', sessionId, accountId: rig.account.accountId, token: freshToken() });
      const second = await rig.attached(a.keys.kRoot, sessionId, rig.account.accountId);
      if (second.e === first.e) fail(rig, 'E2E-10', 'the resumed attachment reuses the first epoch');
      rig.now((s) => s.account?.accountId === rig.account.accountId, 'the resumed account is shown', 'SESS-4');
      // the kRoot from storage works: a relay frame of the new epoch opens
      rig.send(rig.fromPhone(second, 1, messageOp('r1', 'after resume', 5)), 'from_phone n=1');
      await rig.until((s) => s.messages.some((m) => m.id === 'r1'), 'the relayed message', 'E2E-11');
    },
  }),
  webCheck({
    id: 'web-WEB-5-resume-mismatch',
    title: 'resumed naming another account: logout, the record deleted, an error',
    section: SESSIONS,
    clauses: ['WEB-5', 'SESS-14'],
    async run(rig) {
      const { att } = await rig.link(true);
      await rig.cmd('close');
      await rig.cmd('reopen');
      await rig.accept();
      await rig.expect('resume', 'E2E-14');
      rig.driver.takeEvents();
      rig.send({ t: 'resumed', sessionId: att.sessionId, accountId: 'SomeoneElse0123456789ab', token: freshToken() });
      await rig.expect('logout', 'WEB-5');
      await rig.until((s) => s.state === 'error' && !s.tokenStored, 'an error with the record deleted', 'WEB-5');
      everyEvent(rig, (s) => (s.account as Frame | null)?.accountId !== 'SomeoneElse0123456789ab', 'WEB-5', 'shown');
    },
  }),
  webCheck({
    id: 'web-SESS-2-unauthorized',
    title: 'resume refused with unauthorized and 4401: the record is deleted, the client links afresh',
    section: SESSIONS,
    clauses: ['SESS-14', 'E2E-14'],
    async run(rig) {
      await rig.link(true);
      await rig.cmd('close');
      await rig.cmd('reopen');
      await rig.accept();
      await rig.expect('resume', 'E2E-14');
      rig.send({ t: 'error', code: 'unauthorized', detail: 'unknown token' });
      await rig.side.close(4401);
      await rig.until((s) => !s.tokenStored, 'the record deleted', 'SESS-14');
      await rig.accept();
      await rig.expectHello(true);
    },
  }),
  webCheck({
    id: 'web-SESS-9-logout',
    title: 'logout sends logout; revoked logout deletes the record',
    section: SESSIONS,
    clauses: ['SESS-9', 'WEB-6', 'SESS-14'],
    async run(rig) {
      await rig.link(true);
      const s = await rig.cmd('logout');
      if (s.state !== 'logged_out') fail(rig, 'DRV-8', `logout replied ${s.state}, not logged_out`);
      await rig.expect('logout', 'SESS-9');
      rig.send({ t: 'revoked', reason: 'logout' });
      await rig.side.close(1000);
      await rig.until((st) => !st.tokenStored && st.account === null, 'the record deleted', 'SESS-14');
    },
  }),
  webCheck({
    id: 'web-WEB-6-logout-pending',
    title: 'a logout the server never confirmed is finished at the next open: resume, then logout first',
    section: SESSIONS,
    clauses: ['WEB-6'],
    async run(rig) {
      const { att } = await rig.link(true);
      await rig.cmd('logout');
      await rig.expect('logout', 'SESS-9');
      await rig.side.drop();
      rig.now((s) => s.tokenStored, 'the record went before revoked logout arrived', 'WEB-6');
      await rig.cmd('reopen');
      await rig.accept();
      await rig.expect('resume', 'WEB-6');
      rig.send({ t: 'resumed', sessionId: att.sessionId, accountId: att.accountId, token: freshToken() });
      const next = await rig.next();
      if (next.kind !== 'frame' || (next.frame as Frame).t !== 'logout') {
        fail(rig, 'WEB-6', 'after resuming a logout-pending record the first frame is not logout', 'logout', next);
      }
      rig.send({ t: 'revoked', reason: 'logout' });
      await rig.side.close(1000);
      await rig.until((s) => !s.tokenStored, 'the record deleted after revoked logout', 'WEB-6');
    },
  }),
  // ---------------------------------------------------------------- ends and late frames
  webCheck({
    id: 'web-LATE-3-stale-declined',
    title: 'a declined for a ref the client no longer tracks is ignored',
    section: LATE,
    clauses: ['LATE-3'],
    async run(rig) {
      await rig.open(false);
      const old = await rig.qr(1);
      const q = await rig.qr(2);
      rig.send({ t: 'declined', ref: old.ref, reason: 'lapsed' }, 'declined (stale ref)');
      rig.send({ t: 'scanned', ref: q.ref });
      await rig.until((s) => s.state === 'scanned', 'scanned (the stale declined ignored)', 'LATE-3');
      rig.now((s) => s.error === null, 'a stale declined was shown as an error', 'LATE-3');
    },
  }),
  webCheck({
    id: 'web-14.6-error-frame',
    title: 'an error frame stops the client in error, showing the code',
    section: CLIENT,
    clauses: ['DRV-7'],
    async run(rig) {
      await rig.open(false);
      await rig.qr(1);
      rig.send({ t: 'error', code: 'bad_state', detail: 'scripted' });
      await rig.side.close(4000);
      await rig.until((s) => s.state === 'error' && s.error?.code === 'bad_state', 'error bad_state', 'DRV-7');
    },
  }),
  webCheck({
    id: 'web-14.6-close-mid-link',
    title: 'the connection lost mid-link: closed, nothing stored, no QR',
    section: CLIENT,
    clauses: ['DRV-7', 'WEB-1'],
    async run(rig) {
      const q = await rig.openScanned(true);
      await rig.offerAccepted(q, await rig.approval(q));
      await rig.side.drop();
      await rig.until((s) => s.state === 'closed' && s.qr === null, 'closed', 'DRV-7');
      rig.now((s) => !s.tokenStored && s.account === null, 'something was kept from an unfinished link', 'WEB-2');
    },
  }),
  webCheck({
    id: 'web-14.6-unexpected-close',
    title: 'a close code the client cannot expect (4000 with no frame) mid-link: error',
    section: CLIENT,
    clauses: ['DRV-7'],
    async run(rig) {
      await rig.openScanned(false);
      await rig.side.close(4000);
      await rig.until((s) => s.state === 'error' && s.qr === null, 'error', 'DRV-7');
    },
  }),
  webCheck({
    id: 'web-TR-4-unknown-members',
    title: 'unknown members of server frames are ignored',
    section: '3 Transport',
    clauses: ['TR-4'],
    async run(rig) {
      await rig.open(false);
      rig.send({ t: 'qr', ref: freshRef(), ttlMs: 60_000, n: 1, of: 6, future: { x: 1 } }, 'qr (extra member)');
      await rig.until((s) => s.state === 'qr' && s.qr !== null, 'the QR', 'TR-4');
    },
  }),
  webCheck({
    id: 'web-ENC-1-bad-ref',
    title: 'a qr whose ref is not canonical base64url (padding) is rejected: no QR of it is shown',
    section: '2 Conventions',
    clauses: ['ENC-1'],
    async run(rig) {
      await rig.open(false);
      rig.send({ t: 'qr', ref: `${freshRef()}==`, ttlMs: 60_000, n: 1, of: 6 }, 'qr (padded ref)');
      const good = await rig.qr(2);
      const seen = rig.driver.takeEvents().filter((st) => st.qr !== null && st.qr !== good.text);
      if (seen.length > 0)
        fail(rig, 'ENC-1', 'a QR was shown for a ref that is not canonical base64url', undefined, seen[0]);
    },
  }),
  webCheck({
    id: 'web-ENC-2-long-ref',
    title: 'a ref of 32 bytes is accepted and shown',
    section: '2 Conventions',
    clauses: ['ENC-2'],
    async run(rig) {
      await rig.open(false);
      await rig.qr(1, toB64u(randomBytes(32)));
    },
  }),
  webCheck({
    id: 'web-ENC-3-opaque',
    title: 'sessionId and token of 128 characters are opaque: stored and presented exactly',
    section: '2 Conventions',
    clauses: ['ENC-3', 'E2E-14'],
    async run(rig) {
      const long = (c: string) => c.repeat(128);
      const q = await rig.openScanned(true);
      const a = await rig.approval(q);
      await rig.offerAccepted(q, a);
      rig.send({ t: 'linked', sessionId: long('S'), accountId: rig.account.accountId, token: long('t') });
      await rig.attached(a.keys.kRoot, long('S'), rig.account.accountId);
      rig.now((s) => s.sessionId === long('S'), 'the sessionId is not shown as received', 'ENC-3');
      await rig.cmd('close');
      await rig.cmd('reopen');
      await rig.accept();
      const resume = await rig.expect('resume', 'ENC-3');
      if (resume.token !== long('t')) fail(rig, 'ENC-3', 'the token came back altered', long('t'), resume.token);
    },
  }),
  webCheck({
    id: 'web-ERR-8-close-reason',
    title: 'a close reason string changes nothing: 1001 "unauthorized" keeps the stored session',
    section: '12 Errors and close codes',
    clauses: ['ERR-8'],
    async run(rig) {
      await rig.link(true);
      await rig.side.close(1001, 'unauthorized revoked 4401');
      await rig.until((s) => s.state === 'closed', 'closed', 'ERR-8');
      rig.now((s) => s.tokenStored, 'the close reason string made the client wipe its session', 'ERR-8');
    },
  }),
  // ---------------------------------------------------------------- driver
  webCheck({
    id: 'web-DRV-4-errors',
    title: 'the driver answers unknown_cmd, bad_request and bad_state, changing nothing',
    section: DRIVER,
    clauses: ['DRV-4', 'DRV-8'],
    needs: ['driver'],
    async run(rig) {
      const before = JSON.stringify(rig.driver.current);
      const expectError = async (cmd: string, args: Record<string, unknown>, code: string, clause: string) => {
        rig.ctx.step('user', cmd, args);
        const r = await rig.driver.request(cmd, args);
        if (r.ok || r.error.code !== code) fail(rig, clause, `${cmd} should answer ${code}`, code, r);
      };
      await expectError('fly', {}, 'unknown_cmd', 'DRV-4');
      await expectError('open', { server: 'http://example.com/x', keep: true }, 'bad_request', 'DRV-4');
      await expectError('open', { server: rig.server.wsUrl }, 'bad_request', 'DRV-4');
      await expectError('history', {}, 'bad_state', 'DRV-8');
      await expectError('send', { chatId: 'c1', text: 'x' }, 'bad_state', 'DRV-8');
      await expectError('logout', {}, 'bad_state', 'DRV-8');
      await expectError('reopen', {}, 'bad_state', 'DRV-8');
      const after = await rig.cmd('state');
      if (JSON.stringify(after) !== before) fail(rig, 'DRV-4', 'a refused command changed the state');
      if (rig.server.unaccepted('/v1/web') !== 0) fail(rig, 'DRV-4', 'a refused command opened a connection');
    },
  }),
  webCheck({
    id: 'web-DRV-6-events-before-reply',
    title: 'state events come before the reply, the last one equal to the reply',
    section: DRIVER,
    clauses: ['DRV-6', 'DRV-5', 'DRV-1'],
    needs: ['driver'],
    async run(rig) {
      rig.driver.takeEvents();
      const reply = await rig.cmd('open', { server: rig.server.wsUrl, keep: false });
      const events = rig.driver.takeEvents();
      if (JSON.stringify(events.at(-1)) !== JSON.stringify(reply)) {
        fail(rig, 'DRV-6', 'the last state event before the reply differs from the reply', reply, events.at(-1));
      }
      await rig.accept();
      await rig.expectHello(false); // [DRV-5] written before the reply
    },
  }),
  webCheck({
    id: 'web-DRV-13-reset',
    title: 'reset closes the connection with 1000, forgets the stored session and the server: a fresh install',
    section: DRIVER,
    clauses: ['DRV-13'],
    async run(rig) {
      await rig.link(true);
      const s = await rig.cmd('reset');
      await rig.expectClose(1000, 'DRV-13');
      const fresh = initialWebDriverState();
      const differs = Object.entries(fresh).filter(([k, v]) => JSON.stringify((s as Frame)[k]) !== JSON.stringify(v));
      if (differs.length > 0) {
        const fields = differs.map(([k]) => k).join(', ');
        fail(rig, 'DRV-13', `after reset these fields are not initial: ${fields}`, fresh, s);
      }
      rig.ctx.step('user', 'reopen');
      const r = await rig.driver.request('reopen');
      if (r.ok) fail(rig, 'DRV-13', 'reopen after reset still knew a server (or a stored session)', 'bad_state', r);
    },
  }),
];
