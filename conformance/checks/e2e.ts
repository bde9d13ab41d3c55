/**
 * Clause-targeted checks of what a server may and may not see and touch end to end (docs/protocol.md
 * section 8): it never receives linkSecret, a private or derived key or plaintext; it relays the
 * approval box, the confirm tag and sealed relay payloads byte for byte, including ones it cannot
 * open (forged or tampered); and it takes the admitted account from the phone, never from the box.
 */
import { acceptOffer, approve, CryptoError } from '../../impl/crypto/index.js';
import { fromB64u, toB64u } from '../../model/protocol/encoding.js';
import type { Case, CaseContext } from '../engine/case.js';
import {
  accountData,
  attach,
  claim,
  expect,
  fail,
  finalize,
  framesFromServer,
  freshB64u,
  historyOp,
  linkedPair,
  openWeb,
  type PhonePeer,
  phoneNumber,
  readFromPhone,
  readFromWeb,
  readOffer,
  registerPhone,
  resume,
  type Sealed,
  type Shown,
  sameJson,
  sendToPhone,
  sendToWeb,
  serverCheck,
  showQr,
  type WebConn,
} from './flow.js';

const SECTION = '8 Cryptography';

/** Every text encoding of `bytes` a server could carry it in: base64url, base64 (padded or not), hex. */
function encodings(bytes: Uint8Array): string[] {
  const b64 = Buffer.from(bytes).toString('base64');
  const hex = Buffer.from(bytes).toString('hex');
  return [toB64u(bytes), b64, b64.replace(/=+$/, ''), hex, hex.toUpperCase()];
}

/** No frame the server sent contains any needle (in any encoding): the server never had them. */
function assertNeverSent(ctx: CaseContext, secrets: Record<string, Uint8Array | string>, clause: string): number {
  const frames = framesFromServer(ctx);
  const needles: { name: string; text: string }[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    const texts = typeof value === 'string' ? [value] : encodings(value);
    for (const text of texts) needles.push({ name, text });
  }
  for (const { peer, frame } of frames) {
    const text = JSON.stringify(frame);
    for (const n of needles) {
      if (text.includes(n.text)) {
        fail(ctx, `[${clause}] the server sent ${peer} a frame containing ${n.name}`, 'never', frame);
      }
    }
  }
  return frames.length;
}

/** The web client's reaction to an offer it cannot open [E2E-6]: abort bad_box; checks the server's side. */
async function abortBadBox(ctx: CaseContext, web: WebConn, phone: PhonePeer, shown: Shown) {
  await web.peer.send({ t: 'abort', ref: shown.ref, reason: 'bad_box' }, 'sends abort bad_box (the box does not open)');
  await web.peer.closedWith(1000, 'LINK-18', 'the server closes an aborted connection with 1000');
  const e = await phone.next('link.error', 'LINK-12', 'the web client aborted');
  expect(ctx, e.ref === shown.ref && e.reason === 'aborted', 'LINK-12', 'expected link.error aborted', 'aborted', e);
}

async function expectNoOpen(ctx: CaseContext, shown: Shown, pub: string, box: string, what: string): Promise<void> {
  try {
    await acceptOffer(shown.secrets, shown.refBytes, { pub, box });
  } catch (err) {
    if (err instanceof CryptoError) return;
    throw err;
  }
  fail(ctx, `the check's ${what} opened (a check defect: it must not)`);
}

export const e2eChecks: Case[] = [
  serverCheck({
    id: 'check.e2e.server-never-sees-secrets',
    title: 'no frame the server sends contains linkSecret, a private or derived key, or relay plaintext',
    section: SECTION,
    clauses: ['E2E-16'],
    requirement:
      'The server MUST NOT ask for, receive or store `linkSecret`, any private key, any derived key or any relay plaintext; the protocol gives it none of them.',
    async run(ctx) {
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const web = await openWeb(ctx, 'web1');
      const shown = await showQr(web);
      await claim(ctx, phone.peer, web, shown);
      const approval = await approve(shown.payload, accountData(phone.account));
      await phone.peer.send({ t: 'link.approve', ref: shown.ref, pub: approval.pub, box: approval.box });
      await readOffer(ctx, web, shown.ref, approval.pub, approval.box);
      const accepted = await acceptOffer(shown.secrets, shown.refBytes, approval);
      await web.peer.send({ t: 'confirm', ref: shown.ref, tag: accepted.tag });
      await phone.peer.next('link.confirm', 'LINK-8', 'confirm relayed');
      const session = await finalize(ctx, phone.peer, web, shown, phone.account, approval, accepted);
      const att = await attach(ctx, session);
      const marker = `plaintext-${freshB64u(12)}`;
      const sentW: Sealed[] = [];
      const sentP: Sealed[] = [];
      for (let i = 1; i <= 3; i++) {
        sentW.push(await sendToPhone(ctx, session, { op: 'send', id: `s${i}`, chatId: 'c1', text: `${marker}-w${i}` }));
        sentP.push(
          await sendToWeb(ctx, session, {
            op: 'message',
            message: { id: `m${i}`, chatId: 'c1', from: 'Bob', text: `${marker}-p${i}`, at: 1 },
          }),
        );
      }
      for (const s of sentW) await readFromWeb(ctx, session, s);
      for (const s of sentP) await readFromPhone(ctx, session, s);
      const checked = assertNeverSent(
        ctx,
        {
          linkSecret: shown.secrets.linkSecret,
          webPriv: shown.secrets.webPriv,
          webPub: shown.secrets.webPub,
          'the QR text': shown.text,
          prk: approval.keys.prk,
          kP2W: approval.keys.kP2W,
          kW2P: approval.keys.kW2P,
          kRoot: approval.keys.kRoot,
          'kW2P of the epoch': att.web.kW2P,
          'kP2W of the epoch': att.web.kP2W,
          'relay plaintext': marker,
        },
        'E2E-16',
      );
      expect(ctx, checked > 10, 'E2E-16', 'too few frames to check (a check defect)', '> 10', checked);
      // webPub travels only through the camera [E2E-1]: the suite's own frames never carried it either
      const out = ctx.wire.entries.filter((w) => w.dir === 'out').map((w) => JSON.stringify(w.frame ?? w.text));
      const leaked = out.find((t) => encodings(shown.secrets.linkSecret).some((e) => t.includes(e)));
      expect(ctx, leaked === undefined, 'E2E-1', 'the simulated web client sent linkSecret (a check defect)');
    },
  }),

  serverCheck({
    id: 'check.e2e.forged-box-relayed',
    title: 'a forged box (random bytes) is relayed unchanged; the web client aborts bad_box',
    section: SECTION,
    clauses: ['LINK-5', 'LINK-12', 'LINK-18'],
    requirement:
      'the server MUST move the attempt to phase `approved` and send the web connection `offer {ref, pub, box}` with `pub` and `box` copied unchanged, and MUST NOT interpret or alter `box`.',
    async run(ctx) {
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const web = await openWeb(ctx, 'web1');
      const shown = await showQr(web);
      await claim(ctx, phone.peer, web, shown);
      const real = await approve(shown.payload, accountData(phone.account));
      const box = freshB64u(16384); // the largest box the schema allows, random: nobody can open it
      await phone.peer.send(
        { t: 'link.approve', ref: shown.ref, pub: real.pub, box },
        'sends link.approve with a forged box',
      );
      await readOffer(ctx, web, shown.ref, real.pub, box);
      await expectNoOpen(ctx, shown, real.pub, box, 'forged box');
      await abortBadBox(ctx, web, phone.peer, shown);
    },
  }),

  serverCheck({
    id: 'check.e2e.tampered-box-relayed',
    title: 'a real box with one bit flipped is relayed as is, not repaired or re-encoded',
    section: SECTION,
    clauses: ['LINK-5'],
    requirement: 'and MUST NOT interpret or alter `box`.',
    async run(ctx) {
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const web = await openWeb(ctx, 'web1');
      const shown = await showQr(web);
      await claim(ctx, phone.peer, web, shown);
      const real = await approve(shown.payload, accountData(phone.account));
      const bytes = fromB64u(real.box);
      if (bytes === undefined) fail(ctx, 'the crypto module made a box that is not base64url (a check defect)');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      const box = toB64u(bytes);
      await phone.peer.send({ t: 'link.approve', ref: shown.ref, pub: real.pub, box }, 'sends a tampered box');
      await readOffer(ctx, web, shown.ref, real.pub, box);
      await expectNoOpen(ctx, shown, real.pub, box, 'tampered box');
      await abortBadBox(ctx, web, phone.peer, shown);
    },
  }),

  serverCheck({
    id: 'check.e2e.swapped-pub-relayed',
    title: 'an approval whose pub does not match its box is relayed unchanged (only the web client can tell)',
    section: SECTION,
    clauses: ['LINK-5'],
    requirement:
      'The server validates `link.approve` against its schema only (`pub` 32 bytes, `box` 17..16384 bytes); it cannot check the box, which only the web client can open.',
    async run(ctx) {
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const web = await openWeb(ctx, 'web1');
      const shown = await showQr(web);
      await claim(ctx, phone.peer, web, shown);
      const real = await approve(shown.payload, accountData(phone.account));
      const other = await approve(shown.payload, accountData(phone.account));
      await phone.peer.send(
        { t: 'link.approve', ref: shown.ref, pub: other.pub, box: real.box },
        'sends link.approve with the pub of another key',
      );
      await readOffer(ctx, web, shown.ref, other.pub, real.box);
      await expectNoOpen(ctx, shown, other.pub, real.box, 'mismatched pub and box');
      await abortBadBox(ctx, web, phone.peer, shown);
    },
  }),

  serverCheck({
    id: 'check.e2e.account-from-phone',
    title: "linked.accountId is the finalizing phone's account even when its box claims another",
    section: SECTION,
    clauses: ['LINK-9', 'LINK-11', 'SESS-9'],
    requirement:
      'The account id is never taken from the web side: the server admits the account of the phone that finalized, and the web client checks it against the box (clause E2E-9).',
    async run(ctx) {
      const victim = await registerPhone(ctx, 'phoneA', phoneNumber(1));
      const liar = await registerPhone(ctx, 'phoneB', phoneNumber(2));
      const web = await openWeb(ctx, 'web1');
      const shown = await showQr(web);
      await claim(ctx, liar.peer, web, shown);
      // phone B seals account A's data: the box says A, the authenticated connection is B
      const approval = await approve(shown.payload, accountData(victim.account));
      await liar.peer.send({ t: 'link.approve', ref: shown.ref, pub: approval.pub, box: approval.box });
      await readOffer(ctx, web, shown.ref, approval.pub, approval.box);
      const accepted = await acceptOffer(shown.secrets, shown.refBytes, approval);
      await web.peer.send({ t: 'confirm', ref: shown.ref, tag: accepted.tag });
      await liar.peer.next('link.confirm', 'LINK-8', 'confirm relayed');
      await liar.peer.send({ t: 'link.finalize', ref: shown.ref });
      const linked = await web.peer.next('linked', 'LINK-9', 'admission');
      expect(
        ctx,
        linked.accountId === liar.account.accountId,
        'LINK-9',
        "linked.accountId must be the finalizing phone's account, not the box's",
        liar.account.accountId,
        linked.accountId,
      );
      await victim.peer.nothing('LINK-11', 'the account named in the box gets nothing: it approved nothing');
      // the web client sees the mismatch and logs out [E2E-9]
      await web.peer.discard('phone');
      await web.peer.send({ t: 'logout' }, 'sends logout (linked.accountId differs from the box)');
      const r = await web.peer.next('revoked', 'SESS-9', 'logout');
      expect(ctx, r.reason === 'logout', 'SESS-9', 'wrong revoked reason', 'logout', r);
      await web.peer.closedWith(1000, 'SESS-9', 'after revoked logout');
    },
  }),

  serverCheck({
    id: 'check.e2e.relay-verbatim',
    title: 'relay payloads arrive byte for byte and open under the keys the other end derives',
    section: SECTION,
    clauses: ['RELAY-4', 'E2E-16'],
    requirement:
      'The server MUST relay `to_phone {e, n, c}` as `from_web {sessionId, e, n, c}` and `to_web {sessionId, e, n, c}` as `from_phone {e, n, c}`, copying the values of `e`, `n` and `c` unchanged (the same strings and the same number).',
    async run(ctx) {
      const { session } = await linkedPair(ctx);
      const op = historyOp(7);
      const w = await sendToPhone(ctx, session, op);
      const got = await readFromWeb(ctx, session, w);
      expect(ctx, sameJson(got, op), 'RELAY-4', 'the phone opened something else', op, got);
      const back = { op: 'history', messages: [], more: false };
      const p = await sendToWeb(ctx, session, back);
      const got2 = await readFromPhone(ctx, session, p);
      expect(ctx, sameJson(got2, back), 'RELAY-4', 'the web opened something else', back, got2);
      // the largest sealed payload the schema allows, random: relayed unchanged though nobody can open it
      const big = { e: w.e, n: 2, c: freshB64u(48896) };
      await session.web.peer.send({ t: 'to_phone', ...big }, 'sends to_phone with a 48896-byte opaque payload');
      await readFromWeb(ctx, session, big);
    },
  }),

  serverCheck({
    id: 'check.e2e.resumed-epoch-keys',
    title: 'after a resume the relay runs under the new epoch: frames carry the new e and open under its keys',
    section: SECTION,
    clauses: ['RELAY-2', 'RELAY-4'],
    requirement:
      "On an accepted `attach {e}` the server MUST make the connection the session's attachment with current epoch `e`, promote the connection's pending token (clause SESS-6), cancel the session's idle timer, discard the session's phone-to-web custody of earlier epochs together with any open phone-to-web gap, and send `web.attached {sessionId, e}` to the account's phone connection if one is authenticated.",
    async run(ctx) {
      const { session } = await linkedPair(ctx);
      const first = session.attachment?.e;
      await session.web.peer.close();
      await session.phone?.find('web.detached', 'RELAY-11', 'the attached connection closed');
      await resume(ctx, session, 'web2');
      const att = await attach(ctx, session);
      expect(ctx, att.e !== first, 'E2E-10', 'the check drew the same epoch twice (a check defect)');
      const s = await sendToPhone(ctx, session, historyOp(1));
      expect(ctx, s.n === 1, 'E2E-12', 'n restarts at 1 in each epoch (a check defect)', 1, s.n);
      const op = await readFromWeb(ctx, session, s);
      expect(ctx, op !== undefined, 'RELAY-4', 'the frame of the new epoch does not open for the phone', 'op', op);
      const p = await sendToWeb(ctx, session, { op: 'history', messages: [], more: false });
      const back = await readFromPhone(ctx, session, p);
      expect(ctx, back !== undefined, 'RELAY-4', 'the frame of the new epoch does not open for the web', 'op', back);
    },
  }),
];
